package dev.pyconc.threading;

import static dev.pyconc.testing.Threads.untilParkedIn;
import static dev.pyconc.testing.Timing.SHORT;
import static dev.pyconc.testing.Timing.assertFalseNoEarlierThan;
import static dev.pyconc.testing.Timing.assertRejectsBadTimeouts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import dev.pyconc.testing.Threads;
import dev.pyconc.testing.threading.ConditionContract;

/** Condition over this package's locks: the contract of any lock, and what is particular to these. */
class ConditionTest extends ConditionContract {

    @Override
    protected Lockable newLock() {
        return new Lock();
    }

    @Override
    protected Lockable newRLock() {
        return new RLock();
    }

    /** await, timed await, waitFor and signal without holding the lock throw IllegalStateException. */
    @Test
    void withoutLockThrows() {
        Condition cv = new Condition();
        assertEquals("cannot wait on un-acquired lock", assertThrows(IllegalStateException.class, cv::await).getMessage());
        assertEquals("cannot wait on un-acquired lock",
                assertThrows(IllegalStateException.class, () -> cv.await(SHORT)).getMessage());
        assertEquals("cannot wait on un-acquired lock",
                assertThrows(IllegalStateException.class, () -> cv.waitFor(() -> false)).getMessage());
        assertEquals("cannot wait on un-acquired lock",
                assertThrows(IllegalStateException.class, () -> cv.waitFor(() -> false, Duration.ZERO)).getMessage());
        assertEquals("cannot notify on un-acquired lock", assertThrows(IllegalStateException.class, cv::signal).getMessage());
        assertEquals("cannot notify on un-acquired lock",
                assertThrows(IllegalStateException.class, () -> cv.signal(3)).getMessage());
        assertEquals("cannot notify on un-acquired lock", assertThrows(IllegalStateException.class, cv::signalAll).getMessage());
    }

    /** An RLock held by another thread does not count as held: await and signal throw. */
    @Test
    void rlockHeldByOtherThreadIsNotHeld() {
        RLock lock = new RLock();
        Condition cv = new Condition(lock);
        lock.acquire();
        Throwable e = Threads.run("stranger", cv::signal).failure();
        assertEquals(IllegalStateException.class, e.getClass());
        lock.release();
    }

    /** signal(n) moves exactly the n oldest waiters to the lock's queue; they return in that order. */
    @Test
    void signalWakesAtMostNOldestFirst() {
        Lock lock = new Lock();
        Condition cv = new Condition(lock);
        List<Integer> woken = new ArrayList<>();   // guarded by lock
        List<Threads.Async<Void>> waiters = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int index = i;
            var w = Threads.run("waiter-" + i, () -> {
                try (var _ = cv.enter()) {
                    cv.await();
                    woken.add(index);
                }
            });
            untilParkedIn(w.thread(), Condition.class);    // waiters queue in the order 0, 1, 2, 3, 4
            waiters.add(w);
        }
        try (var _ = cv.enter()) {
            cv.signal(2);
            assertEquals(Set.of(waiters.get(0).thread(), waiters.get(1).thread()), queuedOn(lock));
        }
        waiters.get(0).get();
        waiters.get(1).get();
        try (var _ = cv.enter()) {
            assertEquals(List.of(0, 1), woken);
            cv.signal(0);
            assertEquals(Set.of(), queuedOn(lock));
            cv.signal();
            assertEquals(Set.of(waiters.get(2).thread()), queuedOn(lock));
        }
        waiters.get(2).get();
        try (var _ = cv.enter()) {
            cv.signal(10);     // more than are waiting: wakes the two left
            assertEquals(Set.of(waiters.get(3).thread(), waiters.get(4).thread()), queuedOn(lock));
        }
        waiters.forEach(Threads.Async::get);
        assertEquals(List.of(0, 1, 2, 3, 4), woken);
    }

    private static Set<java.lang.Thread> queuedOn(Lock lock) {
        return new HashSet<>(lock.sync().getQueuedThreads());
    }

    /** signal(n) with a negative n throws IllegalArgumentException. */
    @Test
    void negativeSignalCount() {
        Condition cv = new Condition();
        try (var _ = cv.enter()) {
            assertEquals("n must be >= 0, not -1", assertThrows(IllegalArgumentException.class, () -> cv.signal(-1)).getMessage());
        }
    }

    /** signalAll wakes every waiter. */
    @Test
    void signalAllWakesEveryone() {
        Condition cv = new Condition();
        List<Threads.Async<Boolean>> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            var w = Threads.start("waiter-" + i, () -> {
                try (var _ = cv.enter()) {
                    return cv.await(Duration.ofSeconds(30));
                }
            });
            untilParkedIn(w.thread(), Condition.class);
            waiters.add(w);
        }
        try (var _ = cv.enter()) {
            cv.signalAll();
        }
        for (var w : waiters) {
            assertTrue(w.get());
        }
    }

    /** A timed await with no signal returns false, no earlier than its timeout, holding the lock again. */
    @Test
    void timedAwaitTimesOut() {
        Condition cv = new Condition();
        try (var _ = cv.enter()) {
            assertFalseNoEarlierThan(SHORT, () -> cv.await(SHORT));
            assertFalse(cv.await(Duration.ZERO));
            cv.signal();    // still held
        }
    }

    /** A waiter signalled before its deadline returns true even if it gets the lock back only after the deadline. */
    @Test
    void signalledJustBeforeDeadlineReturnsTrue() {
        Lock lock = new Lock();
        Condition cv = new Condition(lock);
        Duration timeout = Duration.ofMillis(50);
        long[] started = new long[1];
        var waiter = Threads.start("waiter", () -> {
            try (var _ = cv.enter()) {
                started[0] = System.nanoTime();
                return cv.await(timeout);
            }
        });
        untilParkedIn(waiter.thread(), Condition.class);
        try (var _ = cv.enter()) {
            cv.signal();
            // keep the lock until the waiter's deadline has passed
            Threads.until("deadline passed", () -> System.nanoTime() - started[0] > timeout.toNanos() * 2);
        }
        assertTrue(waiter.get());
    }

    /** waitFor returns the predicate's value: true at once, true after a signal, false after its timeout. */
    @Test
    void waitForReturnValue() {
        Condition cv = new Condition();
        AtomicBoolean ready = new AtomicBoolean();
        try (var _ = cv.enter()) {
            assertTrue(cv.waitFor(() -> true));
            assertTrue(cv.waitFor(() -> true, Duration.ZERO));
            assertFalseNoEarlierThan(SHORT, () -> cv.waitFor(ready::get, SHORT));
        }
        var waiter = Threads.start("waiter", () -> {
            try (var _ = cv.enter()) {
                return cv.waitFor(ready::get);
            }
        });
        untilParkedIn(waiter.thread(), Condition.class);
        try (var _ = cv.enter()) {
            cv.signal();     // predicate still false: the waiter waits again
        }
        untilParkedIn(waiter.thread(), Condition.class);
        assertTrue(waiter.thread().isAlive());
        try (var _ = cv.enter()) {
            ready.set(true);
            cv.signal();
        }
        assertTrue(waiter.get());
        assertThrows(IllegalArgumentException.class, () -> cv.waitFor(null));
    }

    /** Bad timeouts and a null lock are refused with IllegalArgumentException. */
    @Test
    void badArguments() {
        Condition cv = new Condition();
        try (var _ = cv.enter()) {
            assertRejectsBadTimeouts(cv::await);
            assertRejectsBadTimeouts(t -> cv.waitFor(() -> false, t));
        }
        assertThrows(IllegalArgumentException.class, () -> new Condition((Lock) null));
        assertThrows(IllegalArgumentException.class, () -> new Condition((RLock) null));
    }

    /** acquire/tryAcquire/release act on the underlying lock. */
    @Test
    void lockDelegation() {
        Lock lock = new Lock();
        Condition cv = new Condition(lock);
        assertTrue(cv.acquire());
        assertTrue(lock.locked());
        assertFalse(cv.tryAcquire());
        assertFalse(cv.acquire(Duration.ZERO));
        cv.release();
        assertFalse(lock.locked());
        assertEquals("Condition[Lock[unlocked]]", cv.toString());
    }
}
