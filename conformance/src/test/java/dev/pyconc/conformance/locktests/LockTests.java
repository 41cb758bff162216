package dev.pyconc.conformance.locktests;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.testing.Threads;

/**
 * lock_tests' {@code LockTests}: tests of non-recursive locks, which any thread may release.
 * ({@code test_at_fork_reinit} is not applicable: a JVM does not fork.)
 */
public abstract class LockTests extends BaseLockTests {

    /** The lock must be released before it can be acquired again, even by the thread that holds it. */
    @Test
    @DisplayName("test_reacquire")
    void testReacquire() {
        AnyLock lock = locktype();
        List<Object> phase = Collections.synchronizedList(new ArrayList<>());
        var thread = Threads.run("reacquirer", () -> {
            lock.acquire();
            phase.add(null);
            lock.acquire();     // blocks: the lock is not reentrant
            phase.add(null);
        });
        waitPhase(phase, 1);
        lock.release();
        waitPhase(phase, 2);
        thread.get();
    }

    /** Another thread may release the lock. */
    @Test
    @DisplayName("test_different_thread")
    void testDifferentThread() {
        AnyLock lock = locktype();
        lock.acquire();
        try (var _ = new Bunch(lock::release, 1)) {
            // released by the bunch's thread
        }
        lock.acquire();
        lock.release();
    }

    /** After a timed acquire times out, the lock's state is right (CPython issue #11618). */
    @Test
    @DisplayName("test_state_after_timeout")
    void testStateAfterTimeout() {
        AnyLock lock = locktype();
        lock.acquire();
        assertFalse(lock.acquire(Duration.ofMillis(10)));
        lock.release();
        assertFalse(lock.locked());
        assertTrue(lock.tryAcquire());
    }
}
