package dev.pyconc.threading;

import static dev.pyconc.testing.Threads.assertInterruptible;
import static dev.pyconc.testing.Threads.untilParkedIn;
import static dev.pyconc.testing.Timing.SHORT;
import static dev.pyconc.testing.Timing.assertFalseNoEarlierThan;
import static dev.pyconc.testing.Timing.assertRejectsBadTimeouts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.testing.Threads;
import dev.pyconc.builtins.InterruptedError;

class RLockTest {

    /** The owner may acquire again; the lock is free only after as many releases. */
    @Test
    void recursion() {
        RLock lock = new RLock();
        lock.acquire();
        assertTrue(lock.tryAcquire());
        assertTrue(lock.acquire(Duration.ZERO));
        assertEquals(3, lock.recursionCount());
        assertTrue(lock.isOwned());
        lock.release();
        lock.release();
        assertTrue(lock.locked());
        assertEquals(1, lock.recursionCount());
        lock.release();
        assertFalse(lock.locked());
        assertFalse(lock.isOwned());
        assertEquals(0, lock.recursionCount());
    }

    /** Only the owner may release: another thread gets IllegalStateException and the lock stays held. */
    @Test
    void ownerOnlyRelease() {
        RLock lock = new RLock();
        lock.acquire();
        Throwable e = Threads.run("stranger", lock::release).failure();
        assertInstanceOf(IllegalStateException.class, e);
        assertEquals("cannot release un-acquired lock", e.getMessage());
        assertTrue(lock.isOwned());
        assertEquals(1, lock.recursionCount());
        lock.release();
    }

    /** Releasing an RLock nobody holds throws IllegalStateException. */
    @Test
    void releaseUnheldThrows() {
        RLock lock = new RLock();
        assertEquals("cannot release un-acquired lock",
                assertThrows(IllegalStateException.class, lock::release).getMessage());
    }

    /** releaseFully frees every level at once and reports their number; reacquire restores them. */
    @Test
    void releaseFullyAndReacquire() {
        RLock lock = new RLock();
        lock.acquire();
        lock.acquire();
        assertEquals(2, lock.releaseFully());
        assertFalse(lock.locked());
        assertEquals(0, lock.recursionCount());
        lock.reacquire(2);
        assertEquals(2, lock.recursionCount());
        lock.release();
        lock.release();
        assertFalse(lock.locked());
    }

    /** Without owning the lock, releaseFully throws as release does, and a bad saved count is refused. */
    @Test
    @DisplayName("test_release_save_unacquired")
    void testReleaseSaveUnacquired() {
        RLock lock = new RLock();
        assertEquals("cannot release un-acquired lock",
                assertThrows(IllegalStateException.class, lock::releaseFully).getMessage());
        lock.acquire();
        lock.acquire();
        lock.release();
        lock.acquire();
        lock.release();
        lock.release();
        assertEquals("cannot release un-acquired lock",
                assertThrows(IllegalStateException.class, lock::releaseFully).getMessage());
        assertEquals("not a recursion count: 0",
                assertThrows(IllegalArgumentException.class, () -> lock.reacquire(0)).getMessage());
        assertFalse(lock.locked());
    }

    /**
     * reacquire waits for the lock as long as another thread holds it, ignoring an interrupt, and
     * takes it with the saved levels; the interrupt flag is still set when it returns.
     */
    @Test
    void reacquireWaitsUninterruptiblyAndRestoresLevels() {
        RLock lock = new RLock();
        lock.acquire();
        var taker = Threads.start("taker", () -> {
            lock.reacquire(3);
            String got = lock.recursionCount() + " levels, interrupted " + java.lang.Thread.currentThread().isInterrupted();
            lock.releaseFully();
            return got;
        });
        untilParkedIn(taker.thread(), RLock.class);
        taker.thread().interrupt();
        untilParkedIn(taker.thread(), RLock.class);       // still waiting
        assertTrue(taker.thread().isAlive());
        lock.release();
        assertEquals("3 levels, interrupted true", taker.get());
        assertFalse(lock.locked());
    }

    /** isHeldByCurrentThread is Python's _is_owned: true for the owner at any level, false for others. */
    @Test
    @DisplayName("test__is_owned")
    void testIsOwned() {
        RLock lock = new RLock();
        assertFalse(lock.isHeldByCurrentThread());
        lock.acquire();
        assertTrue(lock.isHeldByCurrentThread());
        lock.acquire();
        assertTrue(lock.isHeldByCurrentThread());
        assertFalse(Threads.start("other", lock::isHeldByCurrentThread).get());
        lock.release();
        assertTrue(lock.isHeldByCurrentThread());
        lock.release();
        assertFalse(lock.isHeldByCurrentThread());
    }

    /** Another thread cannot acquire a held RLock: tryAcquire false, timed acquire false after its timeout. */
    @Test
    void otherThreadsWait() {
        RLock lock = new RLock();
        lock.acquire();
        boolean outcome = Threads.start("other", () -> {
            assertFalse(lock.tryAcquire());
            assertFalse(lock.isOwned());
            assertEquals(0, lock.recursionCount());
            assertFalseNoEarlierThan(SHORT, () -> lock.acquire(SHORT));
            return true;
        }).get();
        assertTrue(outcome);
        lock.release();
    }

    /** A blocked acquire gets the lock once the owner's last release frees it. */
    @Test
    void blockedUntilLastRelease() {
        RLock lock = new RLock();
        lock.acquire();
        lock.acquire();
        var waiter = Threads.start("waiter", () -> {
            lock.acquire();
            int n = lock.recursionCount();
            lock.release();
            return n;
        });
        untilParkedIn(waiter.thread(), RLock.class);
        lock.release();
        assertTrue(waiter.thread().isAlive());
        lock.release();
        assertEquals(1, waiter.get());
        assertFalse(lock.locked());
    }

    /** enter() nests, and each close() releases one level. */
    @Test
    void nestedEnter() {
        RLock lock = new RLock();
        try (var _ = lock.enter()) {
            try (var _ = lock.enter()) {
                assertEquals(2, lock.recursionCount());
            }
            assertEquals(1, lock.recursionCount());
            assertEquals("RLock[locked]", lock.toString());
        }
        assertFalse(lock.locked());
    }

    /** Bad timeouts are refused; an interrupted acquire throws InterruptedError with the flag set. */
    @Test
    void badTimeoutsAndInterrupts() {
        RLock lock = new RLock();
        assertRejectsBadTimeouts(lock::acquire);
        lock.acquire();
        assertInterruptible(RLock.class, lock::acquire);
        assertInterruptible(RLock.class, () -> lock.acquire(Duration.ofSeconds(30)));
        assertEquals(1, lock.recursionCount());
        lock.release();
    }
}
