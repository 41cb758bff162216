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
