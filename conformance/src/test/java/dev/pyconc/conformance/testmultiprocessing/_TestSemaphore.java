package dev.pyconc.conformance.testmultiprocessing;

import static dev.pyconc.conformance.testmultiprocessing.Mp1Support.TIMEOUT2;
import static dev.pyconc.conformance.testmultiprocessing.Mp1Support.TIMEOUT3;
import static dev.pyconc.testing.Timing.assertFalseNoEarlierThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.multiprocessing.BoundedSemaphore;
import dev.pyconc.multiprocessing.Semaphore;

/**
 * _test_multiprocessing.py's {@code _TestSemaphore} in its processes form: {@link Semaphore} and
 * {@link BoundedSemaphore} of {@code dev.pyconc.multiprocessing}, whose {@code getValue()} CPython's
 * {@code get_value} helper reads. Python's {@code acquire(False)} is {@code tryAcquire()} (a
 * timeout given with {@code block=False} is ignored, as in Python).
 */
class _TestSemaphore {
    @BeforeAll
    static void segments() {
        Mp1Support.init();
    }

    private static void testSemaphore(Semaphore sem) {
        assertEquals(2, sem.getValue());
        assertTrue(sem.acquire());
        assertEquals(1, sem.getValue());
        assertTrue(sem.acquire());
        assertEquals(0, sem.getValue());
        assertFalse(sem.tryAcquire());
        assertEquals(0, sem.getValue());
        sem.release();
        assertEquals(1, sem.getValue());
        sem.release();
        assertEquals(2, sem.getValue());
    }

    /** A Semaphore(2) counts down to 0, refuses, and counts up past its start. */
    @Test
    @DisplayName("test_semaphore")
    void testSemaphore() {
        Semaphore sem = new Semaphore(2);
        testSemaphore(sem);
        sem.release();
        assertEquals(3, sem.getValue());
        sem.release();
        assertEquals(4, sem.getValue());
    }

    /** A BoundedSemaphore(2) counts as a Semaphore within its bound. */
    @Test
    @DisplayName("test_bounded_semaphore")
    void testBoundedSemaphore() {
        testSemaphore(new BoundedSemaphore(2));
    }

    /** acquire on a Semaphore(0): the non-blocking forms fail at once, the timed ones after their timeout. */
    @Test
    @DisplayName("test_timeout")
    void testTimeout() {
        Semaphore sem = new Semaphore(0);
        assertFalse(sem.tryAcquire());
        assertFalse(sem.acquire(Duration.ZERO));
        assertFalse(sem.tryAcquire());
        assertFalseNoEarlierThan(TIMEOUT2, () -> sem.acquire(TIMEOUT2));
        assertFalseNoEarlierThan(TIMEOUT3, () -> sem.acquire(TIMEOUT3));
    }
}
