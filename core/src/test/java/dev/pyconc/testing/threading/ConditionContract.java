package dev.pyconc.testing.threading;

import static dev.pyconc.testing.Threads.assertInterruptible;
import static dev.pyconc.testing.Timing.SHORT;
import static dev.pyconc.testing.Timing.assertFalseNoEarlierThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.AbstractQueuedSynchronizer;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.testing.Threads;
import dev.pyconc.threading.Condition;
import dev.pyconc.threading.Lockable;

/**
 * The contract of {@code threading.Condition} over a {@link Lockable}: CPython's
 * {@code Lib/test/lock_tests.py} {@code ConditionTests}, with waits ordered by where the threads
 * are parked instead of sleeps, plus what a wait owes its lock (every level released and
 * restored, a timed-out or interrupted waiter out of the queue, an interrupt answered holding the
 * lock). A thin subclass per kind of lock gives a lock without owner and a reentrant one:
 * threading's own Lock and RLock, whose queue the condition uses, and others, which take the
 * lock-agnostic path.
 */
public abstract class ConditionContract {

    /**
     * Whether {@code t} waits on {@code cond} for a signal, not for its lock: parked with the
     * condition as its blocker (a condition over any lock) or with a condition queue of
     * {@code AbstractQueuedSynchronizer} (over this package's locks, whose own queue it uses).
     */
    public static boolean isWaitingOn(java.lang.Thread t, Condition cond) {
        java.lang.Thread.State s = t.getState();
        Object blocker = LockSupport.getBlocker(t);
        return (s == java.lang.Thread.State.WAITING || s == java.lang.Thread.State.TIMED_WAITING)
                && (blocker == cond || blocker instanceof AbstractQueuedSynchronizer.ConditionObject);
    }

    /** Waits (liveness bound) until {@code t} waits on {@code cond} for a signal. */
    public static void untilWaitingOn(java.lang.Thread t, Condition cond) {
        Threads.until(t.getName() + " waits on " + cond, () -> isWaitingOn(t, cond));
    }

    /** A new lock without owner or recursion (Python's {@code Lock}). */
    protected abstract Lockable newLock();

    /** A new reentrant lock (Python's {@code RLock}). */
    protected abstract Lockable newRLock();

    /** CPython's {@code condtype()}: a condition over a reentrant lock. */
    private Condition newCondition() {
        return new Condition(newRLock());
    }

    /** A condition over a reentrant lock can be acquired twice; over a lock, it holds that very lock. */
    @Test
    @DisplayName("test_acquire")
    void testAcquire() {
        Condition cond = newCondition();
        assertTrue(cond.acquire());
        assertTrue(cond.acquire());
        cond.release();
        cond.release();
        Lockable lock = newLock();
        cond = new Condition(lock);
        assertTrue(cond.acquire());
        assertFalse(lock.tryAcquire());
        cond.release();
        assertTrue(lock.tryAcquire());
        assertFalse(cond.tryAcquire());
        assertFalse(cond.acquire(Duration.ZERO));
        lock.release();
        try (var _ = cond.enter()) {
            assertFalse(lock.tryAcquire());
            assertTrue(lock.locked());
        }
        assertFalse(lock.locked());
    }

    /** await without the lock throws IllegalStateException (Python's RuntimeError). */
    @Test
    @DisplayName("test_unacquired_wait")
    void testUnacquiredWait() {
        for (Condition cond : List.of(newCondition(), new Condition(newLock()))) {
            assertEquals("cannot wait on un-acquired lock",
                    assertThrows(IllegalStateException.class, cond::await).getMessage());
            assertEquals("cannot wait on un-acquired lock",
                    assertThrows(IllegalStateException.class, () -> cond.await(SHORT)).getMessage());
            assertEquals("cannot wait on un-acquired lock",
                    assertThrows(IllegalStateException.class, () -> cond.waitFor(() -> false)).getMessage());
        }
    }

    /** signal without the lock throws IllegalStateException (Python's RuntimeError). */
    @Test
    @DisplayName("test_unacquired_notify")
    void testUnacquiredNotify() {
        for (Condition cond : List.of(newCondition(), new Condition(newLock()))) {
            assertEquals("cannot notify on un-acquired lock",
                    assertThrows(IllegalStateException.class, cond::signal).getMessage());
            assertEquals("cannot notify on un-acquired lock",
                    assertThrows(IllegalStateException.class, cond::signalAll).getMessage());
        }
    }

    /**
     * Five threads wait twice: signal(3) wakes the three oldest in phase 1; signal(5) then wakes the
     * two still in their first wait and the three in their second, in phase 2; signalAll the last
     * two in phase 3. Twice over, to check the waiter queue is in order after a round.
     */
    @Test
    @DisplayName("test_notify")
    void testNotify() {
        Condition cond = newCondition();
        checkNotify(cond);
        checkNotify(cond);
        Condition overLock = new Condition(newLock());
        checkNotify(overLock);
        checkNotify(overLock);
    }

    private record Woken(String thread, boolean result, int phase) {}

    private static void checkNotify(Condition cond) {
        int[] phase = {0};                                  // guarded by cond
        List<Woken> results1 = new ArrayList<>();          // guarded by cond
        List<Woken> results2 = new ArrayList<>();          // guarded by cond
        List<Threads.Async<Void>> workers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String name = "worker-" + i;
            var w = Threads.run(name, () -> {
                try (var _ = cond.enter()) {
                    boolean r = cond.await();
                    results1.add(new Woken(name, r, phase[0]));
                }
                try (var _ = cond.enter()) {
                    boolean r = cond.await();
                    results2.add(new Woken(name, r, phase[0]));
                }
            });
            untilWaitingOn(w.thread(), cond);                // waiters queue in the order 0..4
            workers.add(w);
        }
        try (var _ = cond.enter()) {
            assertEquals(List.of(), results1);
            cond.signal(3);
            phase[0] = 1;
        }
        Threads.until("3 woken", () -> sizeUnder(cond, results1) == 3);
        for (int i = 0; i < 3; i++) {
            untilWaitingOn(workers.get(i).thread(), cond);   // in their second wait, behind 3 and 4
        }
        try (var _ = cond.enter()) {       // the woken retake the lock in any order
            assertEquals(List.of(new Woken("worker-0", true, 1), new Woken("worker-1", true, 1),
                    new Woken("worker-2", true, 1)), sorted(results1));
            assertEquals(List.of(), results2);
            cond.signal(5);
            phase[0] = 2;
        }
        Threads.until("8 woken", () -> sizeUnder(cond, results1) + sizeUnder(cond, results2) == 8);
        for (int i = 3; i < 5; i++) {
            untilWaitingOn(workers.get(i).thread(), cond);
        }
        try (var _ = cond.enter()) {
            assertEquals(List.of(new Woken("worker-3", true, 2), new Woken("worker-4", true, 2)),
                    sorted(results1.subList(3, 5)));
            assertEquals(List.of(new Woken("worker-0", true, 2), new Woken("worker-1", true, 2),
                    new Woken("worker-2", true, 2)), sorted(results2));
            cond.signalAll();
            phase[0] = 3;
        }
        workers.forEach(Threads.Async::get);
        assertEquals(List.of(new Woken("worker-3", true, 3), new Woken("worker-4", true, 3)),
                sorted(results2.subList(3, 5)));
    }

    private static List<Woken> sorted(List<Woken> woken) {
        return woken.stream().sorted(java.util.Comparator.comparing(Woken::thread)).toList();
    }

    private static int sizeUnder(Condition cond, List<?> list) {
        try (var _ = cond.enter()) {
            return list.size();
        }
    }

    /** Five timed waits without a signal each return false, none before its timeout. */
    @Test
    @DisplayName("test_timeout")
    void testTimeout() {
        Condition cond = newCondition();
        List<Threads.Async<Void>> workers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            workers.add(Threads.run("worker-" + i, () -> {
                try (var _ = cond.enter()) {
                    assertFalseNoEarlierThan(SHORT, () -> cond.await(SHORT));
                }
            }));
        }
        workers.forEach(Threads.Async::get);
        try (var _ = cond.enter()) {
            assertFalseNoEarlierThan(SHORT, () -> cond.await(SHORT));
            assertFalse(cond.await(Duration.ZERO));
        }
    }

    /** waitFor wakes at each signal, checks its predicate and returns true once it holds. */
    @Test
    @DisplayName("test_waitfor")
    void testWaitFor() {
        Condition cond = newCondition();
        int[] state = {0};                                  // guarded by cond
        var waiter = Threads.start("waiter", () -> {
            try (var _ = cond.enter()) {
                boolean result = cond.waitFor(() -> state[0] == 4);
                return result + " at " + state[0];
            }
        });
        for (int i = 0; i < 4; i++) {
            untilWaitingOn(waiter.thread(), cond);
            try (var _ = cond.enter()) {
                state[0]++;
                cond.signal();
            }
        }
        assertEquals("true at 4", waiter.get());
    }

    /** waitFor with a timeout returns the predicate's false once the time is up, signals or not. */
    @Test
    @DisplayName("test_waitfor_timeout")
    void testWaitForTimeout() {
        Condition cond = newCondition();
        int[] state = {0};                                  // guarded by cond
        Duration timeout = Duration.ofMillis(300);
        var waiter = Threads.start("waiter", () -> {
            try (var _ = cond.enter()) {
                long start = System.nanoTime();
                boolean result = cond.waitFor(() -> state[0] == 4, timeout);
                return result + (System.nanoTime() - start >= timeout.toNanos() ? " after" : " before")
                        + " the timeout";
            }
        });
        for (int i = 0; i < 3; i++) {                       // state never reaches 4
            Threads.until("waiter waits or ended",
                    () -> isWaitingOn(waiter.thread(), cond) || !waiter.thread().isAlive());
            try (var _ = cond.enter()) {
                state[0]++;
                cond.signal();
            }
        }
        assertEquals("false after the timeout", waiter.get());
    }

    /** await over a reentrant lock frees every level while it waits and restores them all. */
    @Test
    void awaitReleasesAndRestoresEveryLevel() {
        Lockable lock = newRLock();
        Condition cond = new Condition(lock);
        var waiter = Threads.start("waiter", () -> {
            lock.acquire();
            lock.acquire();
            lock.acquire();
            boolean signalled = cond.await();
            boolean owned = lock.isHeldByCurrentThread();
            lock.release();
            lock.release();
            lock.release();
            String extra = assertThrows(IllegalStateException.class, lock::release).getMessage();
            return signalled + ", owned " + owned + ", then " + extra;
        });
        untilWaitingOn(waiter.thread(), cond);
        assertTrue(lock.tryAcquire(), "free while its owner waits");
        assertTrue(cond.tryAcquire(), "and reentrant for this thread");
        cond.signal();
        cond.release();
        lock.release();
        assertEquals("true, owned true, then cannot release un-acquired lock", waiter.get());
        assertFalse(lock.locked());
    }

    /** A timed await that times out holds the lock again with every level. */
    @Test
    void timedOutAwaitRestoresEveryLevel() {
        Lockable lock = newRLock();
        Condition cond = new Condition(lock);
        lock.acquire();
        lock.acquire();
        assertFalseNoEarlierThan(SHORT, () -> cond.await(SHORT));
        lock.release();
        assertTrue(lock.isHeldByCurrentThread());
        lock.release();
        assertFalse(lock.locked());
    }

    /** A waiter that timed out leaves the queue: the next signal goes to the waiter behind it. */
    @Test
    void timedOutWaiterLeavesTheQueue() {
        Condition cond = new Condition(newLock());
        var early = Threads.start("early", () -> {
            try (var _ = cond.enter()) {
                return cond.await(SHORT);
            }
        });
        assertFalse(early.get());
        var late = Threads.start("late", () -> {
            try (var _ = cond.enter()) {
                return cond.await(Duration.ofSeconds(10));
            }
        });
        untilWaitingOn(late.thread(), cond);
        try (var _ = cond.enter()) {
            cond.signal();
        }
        assertTrue(late.get(), "the signal reached the waiter, not the one that had timed out");
    }

    /** A signal wakes the waiter that has waited longest, and only that one. */
    @Test
    void signalWakesTheOldestWaiter() {
        Condition cond = new Condition(newLock());
        List<String> woken = new ArrayList<>();             // guarded by cond
        List<Threads.Async<Void>> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String name = "waiter-" + i;
            var w = Threads.run(name, () -> {
                try (var _ = cond.enter()) {
                    cond.await();
                    woken.add(name);
                }
            });
            untilWaitingOn(w.thread(), cond);
            waiters.add(w);
        }
        try (var _ = cond.enter()) {
            cond.signal();
        }
        waiters.get(0).get();
        try (var _ = cond.enter()) {
            assertEquals(List.of("waiter-0"), woken);
            assertTrue(isWaitingOn(waiters.get(1).thread(), cond));
            assertTrue(isWaitingOn(waiters.get(2).thread(), cond));
            cond.signalAll();
        }
        waiters.forEach(Threads.Async::get);
        assertEquals(List.of("waiter-1", "waiter-2"), woken.subList(1, 3).stream().sorted().toList());
    }

    /** An interrupted await throws InterruptedError with the flag set, holding the lock again. */
    @Test
    void interruptedAwaitHoldsTheLockAgain() {
        for (Lockable lock : List.of(newLock(), newRLock())) {
            Condition cond = new Condition(lock);
            boolean[] heldAfter = new boolean[1];
            assertInterruptible(Condition.class, () -> {
                lock.acquire();
                try {
                    cond.await();
                } finally {
                    heldAfter[0] = lock.isHeldByCurrentThread();
                    lock.release();
                }
            });
            assertTrue(heldAfter[0]);
            assertFalse(lock.locked());
            try (var _ = cond.enter()) {
                cond.signal();      // the interrupted waiter left the queue: nobody to wake
            }
        }
    }
}
