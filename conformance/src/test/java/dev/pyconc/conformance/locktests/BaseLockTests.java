package dev.pyconc.conformance.locktests;

import static dev.pyconc.testing.Threads.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.threading.Threading;

/** lock_tests' {@code BaseLockTests}: tests of both recursive and non-recursive locks. */
public abstract class BaseLockTests extends BaseTestCase {

    /** A new lock of the type under test: CPython's {@code self.locktype()}. */
    protected abstract AnyLock locktype();

    /** lock_tests' {@code wait_phase}: waits until {@code phase} has {@code expected} entries. */
    protected static void waitPhase(List<?> phase, int expected) {
        until("phase " + expected, () -> phase.size() >= expected);
        assertEquals(expected, phase.size());
    }

    /** Where the lock's waiters park: the pyconc type under test. */
    protected final Class<?> parksIn(AnyLock lock) {
        return lock.lock().getClass();
    }

    /** A lock can be made. */
    @Test
    @DisplayName("test_constructor")
    void testConstructor() {
        assertNotNull(locktype());
    }

    /** toString() of an unlocked lock says "unlocked" (CPython's repr: {@code <unlocked ... object at ...>}). */
    @Test
    @DisplayName("test_repr")
    void testRepr() {
        AnyLock lock = locktype();
        assertTrue(lock.lock().toString().matches(".*\\bunlocked\\b.*"), lock.lock().toString());
    }

    /** toString() of a locked lock says "locked" (CPython's repr: {@code <locked ... object at ...>}). */
    @Test
    @DisplayName("test_locked_repr")
    void testLockedRepr() {
        AnyLock lock = locktype();
        lock.acquire();
        String repr = lock.lock().toString();
        assertTrue(repr.matches(".*\\blocked\\b.*") && !repr.contains("unlocked"), repr);
    }

    /** A lock can be dropped while held. */
    @Test
    @DisplayName("test_acquire_destroy")
    void testAcquireDestroy() {
        AnyLock lock = locktype();
        assertTrue(lock.acquire());
    }

    /** acquire() then release(). */
    @Test
    @DisplayName("test_acquire_release")
    void testAcquireRelease() {
        AnyLock lock = locktype();
        assertTrue(lock.acquire());
        lock.release();
    }

    /** tryAcquire() (Python's {@code acquire(False)}) takes a free lock. */
    @Test
    @DisplayName("test_try_acquire")
    void testTryAcquire() {
        AnyLock lock = locktype();
        assertTrue(lock.tryAcquire());
        lock.release();
    }

    /** tryAcquire() in another thread fails while the lock is held. */
    @Test
    @DisplayName("test_try_acquire_contended")
    void testTryAcquireContended() {
        AnyLock lock = locktype();
        lock.acquire();
        List<Boolean> result = Collections.synchronizedList(new ArrayList<>());
        try (var _ = new Bunch(() -> result.add(lock.tryAcquire()), 1)) {
            // the thread runs and ends
        }
        assertFalse(result.get(0));
        lock.release();
    }

    /** Five threads block in acquire() until the holder releases; then all pass. */
    @Test
    @DisplayName("test_acquire_contended")
    void testAcquireContended() {
        AnyLock lock = locktype();
        lock.acquire();
        Runnable f = () -> {
            lock.acquire();
            lock.release();
        };
        int n = 5;
        Bunch bunch;
        try (var b = new Bunch(f, n)) {
            bunch = b;
            b.untilBlockedIn(parksIn(lock));
            assertEquals(0, b.finished());
            lock.release();
        }
        assertEquals(n, bunch.finished());
    }

    /** enter() (Python's {@code with lock:}) releases the lock on leaving the block, also by an exception. */
    @Test
    @DisplayName("test_with")
    void testWith() {
        AnyLock lock = locktype();
        Runnable f = () -> {
            lock.acquire();
            lock.release();
        };
        try (var _ = lock.enter()) {
            // nothing
        }
        try (var _ = new Bunch(f, 1)) {
            // the lock is free: the thread acquires it
        }
        assertThrows(TypeError.class, () -> {
            try (var _ = lock.enter()) {
                throw new TypeError();
            }
        });
        try (var _ = new Bunch(f, 1)) {
            // the lock is free again after the exception
        }
    }

    /**
     * The lock does not make a foreign (non-pyconc) thread that uses it a pyconc Thread: CPython
     * checks that no dummy Thread object is left behind; here none is even made.
     */
    @Test
    @DisplayName("test_thread_leak")
    void testThreadLeak() {
        AnyLock lock = locktype();
        List<java.lang.Thread> listed = Collections.synchronizedList(new ArrayList<>());
        Runnable f = () -> {
            lock.acquire();
            lock.release();
            for (dev.pyconc.threading.Thread t : Threading.enumerate()) {
                if (t.javaThread() == java.lang.Thread.currentThread()) {
                    listed.add(java.lang.Thread.currentThread());
                }
            }
        };
        int before = Threading.activeCount();
        try (var _ = new Bunch(f, 15)) {
            // 15 threads, as CPython, so that thread ids are not all recycled
        }
        assertEquals(List.of(), listed);
        assertEquals(before, Threading.activeCount());
    }

    /**
     * Timed acquire: a negative timeout is refused (Python's ValueError), TIMEOUT_MAX is accepted,
     * and a timed acquire of a held lock returns false no earlier than its timeout.
     */
    @Test
    @DisplayName("test_timeout")
    void testTimeout() {
        AnyLock lock = locktype();
        // CPython: acquire(False, 1) is a ValueError; tryAcquire() takes no timeout, so Java cannot say it.
        assertThrows(IllegalArgumentException.class, () -> lock.acquire(Duration.ofSeconds(-100)));
        // CPython raises OverflowError for 1e100 and TIMEOUT_MAX + 1 seconds. A Duration has no such
        // values' float trouble: pyconc waits at most TIMEOUT_MAX (Threading.TIMEOUT_MAX's contract),
        // so a longer timeout must neither wrap into a negative nor into a zero one.
        assertTrue(lock.acquire(Duration.ofSeconds(Long.MAX_VALUE)));
        lock.release();
        assertTrue(lock.acquire(Threading.TIMEOUT_MAX));
        lock.release();
        assertTrue(lock.acquire(Duration.ofSeconds(5)));
        List<Object> results = Collections.synchronizedList(new ArrayList<>());
        Runnable f = () -> {
            long t1 = System.nanoTime();
            results.add(lock.acquire(Duration.ofMillis(500)));
            results.add(System.nanoTime() - t1);
        };
        try (var _ = new Bunch(f, 1)) {
            // the thread times out
        }
        assertEquals(false, results.get(0));
        assertTimeout((Long) results.get(1), Duration.ofMillis(500));
    }

    /** A weak reference to a live lock is set. */
    @Test
    @DisplayName("test_weakref_exists")
    void testWeakrefExists() {
        AnyLock lock = locktype();
        WeakReference<Object> ref = new WeakReference<>(lock.lock());
        assertNotNull(ref.get());
    }

    /** A lock nobody refers to any more is collected: nothing (a registry, a thread) keeps it. */
    @Test
    @DisplayName("test_weakref_deleted")
    void testWeakrefDeleted() {
        WeakReference<Object> ref = weakRefToNewLock();
        until("the lock is collected", () -> {
            System.gc();
            return ref.get() == null;
        });
        assertNull(ref.get());
    }

    private WeakReference<Object> weakRefToNewLock() {
        AnyLock lock = locktype();
        lock.acquire();
        lock.release();
        return new WeakReference<>(lock.lock());
    }
}
