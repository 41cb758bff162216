package dev.pyconc.conformance.locktests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.testing.Threads;

/**
 * lock_tests' {@code RLockTests}: tests of recursive locks. {@code _release_save}, the hook of
 * CPython's Condition protocol, is {@code Lockable.releaseFully()}.
 */
public abstract class RLockTests extends BaseLockTests {

    /** The owner may acquire the lock again, and releases it as often. */
    @Test
    @DisplayName("test_reacquire")
    void testReacquire() {
        AnyLock lock = locktype();
        lock.acquire();
        lock.acquire();
        lock.release();
        lock.acquire();
        lock.release();
        lock.release();
    }

    /** Releasing a lock the caller does not hold is a RuntimeError: IllegalStateException. */
    @Test
    @DisplayName("test_release_unacquired")
    void testReleaseUnacquired() {
        AnyLock lock = locktype();
        assertThrows(IllegalStateException.class, lock::release);
        lock.acquire();
        lock.acquire();
        lock.release();
        lock.acquire();
        lock.release();
        lock.release();
        assertThrows(IllegalStateException.class, lock::release);
    }

    /** releaseFully() (Python's {@code _release_save()}) of a lock the caller does not hold is a RuntimeError: IllegalStateException. */
    @Test
    @DisplayName("test_release_save_unacquired")
    void testReleaseSaveUnacquired() {
        AnyLock lock = locktype();
        assertThrows(IllegalStateException.class, lock::releaseFully);
        lock.acquire();
        lock.acquire();
        lock.release();
        lock.acquire();
        lock.release();
        lock.release();
        assertThrows(IllegalStateException.class, lock::releaseFully);
    }

    /** The recursion count follows acquires and releases, and is 0 in a thread that does not own the lock. */
    @Test
    @DisplayName("test_recursion_count")
    protected void testRecursionCount() {
        AnyLock lock = locktype();
        assertEquals(0, lock.recursionCount());
        lock.acquire();
        assertEquals(1, lock.recursionCount());
        lock.acquire();
        lock.acquire();
        assertEquals(3, lock.recursionCount());
        lock.release();
        assertEquals(2, lock.recursionCount());
        lock.release();
        lock.release();
        assertEquals(0, lock.recursionCount());

        List<Object> phase = Collections.synchronizedList(new ArrayList<>());
        var thread = Threads.run("owner", () -> {
            lock.acquire();
            phase.add(null);
            waitPhase(phase, 2);
            lock.release();
            phase.add(null);
        });
        waitPhase(phase, 1);
        assertEquals(0, lock.recursionCount());
        phase.add(null);
        waitPhase(phase, 3);
        assertEquals(0, lock.recursionCount());
        thread.get();
    }

    /** A thread that does not own the lock cannot release it. */
    @Test
    @DisplayName("test_different_thread")
    void testDifferentThread() {
        AnyLock lock = locktype();
        try (var bunch = new Bunch(lock::acquire, 1, true)) {
            try {
                assertThrows(IllegalStateException.class, lock::release);
            } finally {
                bunch.doFinish();
            }
        }
    }

    /** isOwned() (Python's {@code _is_owned()}) is true only in the owner, until its last release. */
    @Test
    @DisplayName("test__is_owned")
    void testIsOwned() {
        AnyLock lock = locktype();
        assertFalse(lock.isOwned());
        lock.acquire();
        assertTrue(lock.isOwned());
        lock.acquire();
        assertTrue(lock.isOwned());
        List<Boolean> result = Collections.synchronizedList(new ArrayList<>());
        try (var _ = new Bunch(() -> result.add(lock.isOwned()), 1)) {
            // another thread asks
        }
        assertFalse(result.get(0));
        lock.release();
        assertTrue(lock.isOwned());
        lock.release();
        assertFalse(lock.isOwned());
    }
}
