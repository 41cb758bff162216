package dev.pyconc.threading;

import static dev.pyconc.testing.Threads.assertInterruptible;
import static dev.pyconc.testing.Threads.run;
import static dev.pyconc.testing.Threads.untilParkedIn;
import static dev.pyconc.testing.Timing.SHORT;
import static dev.pyconc.testing.Timing.assertFalseNoEarlierThan;
import static dev.pyconc.testing.Timing.assertRejectsBadTimeouts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.pyconc.testing.Threads;
import dev.pyconc.builtins.InterruptedError;

class LockTest {

    /** A new lock is unlocked; acquire locks it and release unlocks it. */
    @Test
    void acquireAndRelease() {
        Lock lock = new Lock();
        assertFalse(lock.locked());
        assertTrue(lock.acquire());
        assertTrue(lock.locked());
        lock.release();
        assertFalse(lock.locked());
        assertEquals("Lock[unlocked]", lock.toString());
    }

    /** A lock may be released by a thread other than the one that acquired it. */
    @Test
    void releasedByAnotherThread() {
        Lock lock = new Lock();
        lock.acquire();
        Threads.run("releaser", lock::release).get();
        assertFalse(lock.locked());
        assertTrue(lock.tryAcquire());
    }

    /** Releasing an unlocked lock throws IllegalStateException with Python's message. */
    @Test
    void releaseUnlockedThrows() {
        Lock lock = new Lock();
        IllegalStateException e = assertThrows(IllegalStateException.class, lock::release);
        assertEquals("release unlocked lock", e.getMessage());
        assertFalse(lock.locked());
    }

    /** tryAcquire fails on a locked lock, even in the thread that holds it (not reentrant). */
    @Test
    void tryAcquireIsNotReentrant() {
        Lock lock = new Lock();
        assertTrue(lock.tryAcquire());
        assertFalse(lock.tryAcquire());
        assertFalse(lock.acquire(Duration.ZERO));
        lock.release();
    }

    /** A timed acquire of a held lock returns false, no earlier than its timeout. */
    @Test
    void timedAcquireTimesOut() {
        Lock lock = new Lock();
        lock.acquire();
        boolean got = Threads.start("timed", () -> {
            assertFalseNoEarlierThan(SHORT, () -> lock.acquire(SHORT));
            return lock.locked();
        }).get();
        assertTrue(got);
    }

    /** A blocked acquire proceeds once another thread releases the lock. */
    @Test
    void blockedAcquireProceedsOnRelease() {
        Lock lock = new Lock();
        lock.acquire();
        var waiter = Threads.start("waiter", () -> lock.acquire(Duration.ofSeconds(30)));
        untilParkedIn(waiter.thread(), Lock.class);
        lock.release();
        assertTrue(waiter.get());
        assertTrue(lock.locked());
    }

    /** enter() acquires and the scope's close() releases. */
    @Test
    void enterScope() {
        Lock lock = new Lock();
        try (var _ = lock.enter()) {
            assertTrue(lock.locked());
            assertEquals("Lock[locked]", lock.toString());
        }
        assertFalse(lock.locked());
    }

    /** A negative or null timeout is refused with IllegalArgumentException, leaving the lock unlocked. */
    @Test
    void badTimeouts() {
        Lock lock = new Lock();
        assertRejectsBadTimeouts(lock::acquire);
        assertFalse(lock.locked());
    }

    /** An interrupted acquire throws InterruptedError with the flag set and does not take the lock. */
    @Test
    void interruptedAcquire() {
        Lock lock = new Lock();
        lock.acquire();
        assertInterruptible(Lock.class, lock::acquire);
        assertInterruptible(Lock.class, () -> lock.acquire(Duration.ofSeconds(30)));
        lock.release();
        assertFalse(lock.locked());
    }

    /** Counts of 4 threads x 10,000 increments under the lock add up exactly. */
    @Test
    void mutualExclusion() {
        Lock lock = new Lock();
        int[] counter = {0};
        var threads = new java.util.ArrayList<Threads.Async<Void>>();
        for (int t = 0; t < 4; t++) {
            threads.add(run("incrementer-" + t, () -> {
                for (int i = 0; i < 10_000; i++) {
                    try (var _ = lock.enter()) {
                        counter[0]++;
                    }
                }
            }));
        }
        threads.forEach(Threads.Async::get);
        assertEquals(40_000, counter[0]);
        assertSame(false, lock.locked());
    }
}
