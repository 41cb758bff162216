package dev.pyconc.conformance.testmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.multiprocessing.Lock;
import dev.pyconc.multiprocessing.RLock;

/**
 * _test_multiprocessing.py's {@code _TestLock} in its processes form: {@link Lock} and
 * {@link RLock} of {@code dev.pyconc.multiprocessing}. Python's {@code acquire(False)} is
 * {@code tryAcquire()}; the ValueError and AssertionError of a release without the lock are
 * {@link IllegalStateException}s.
 */
class _TestLock {
    @BeforeAll
    static void segments() {
        Mp1Support.init();
    }

    /** acquire, a second acquire fails, release; releasing an unlocked lock throws. */
    @Test
    @DisplayName("test_lock")
    void testLock() {
        Lock lock = new Lock();
        assertTrue(lock.acquire());
        assertFalse(lock.tryAcquire());
        lock.release();
        assertThrows(IllegalStateException.class, lock::release);
    }

    /** Three acquires need three releases; a fourth release throws. */
    @Test
    @DisplayName("test_rlock")
    void testRlock() {
        RLock lock = new RLock();
        assertTrue(lock.acquire());
        assertTrue(lock.acquire());
        assertTrue(lock.acquire());
        lock.release();
        lock.release();
        lock.release();
        assertThrows(IllegalStateException.class, lock::release);
    }

    /** A lock is a context manager: enter() acquires, close() releases. */
    @Test
    @DisplayName("test_lock_context")
    void testLockContext() {
        Lock lock = new Lock();
        try (var _ = lock.enter()) {
            assertTrue(lock.locked());
        }
        assertFalse(lock.locked());
    }
}
