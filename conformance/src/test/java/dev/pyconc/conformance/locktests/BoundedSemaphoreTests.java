package dev.pyconc.conformance.locktests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.threading.Semaphore;

/** lock_tests' {@code BoundedSemaphoreTests}: tests of bounded semaphores. */
public abstract class BoundedSemaphoreTests extends BaseSemaphoreTests {

    /**
     * A release past the initial value is refused: Python's ValueError is an IllegalStateException
     * in pyconc (docs/python-to-java/threading.md), with Python's message. CPython's
     * {@code semtype()} has the value 1.
     */
    @Test
    @DisplayName("test_release_unacquired")
    void testReleaseUnacquired() {
        Semaphore sem = semtype(1);
        IllegalStateException e = assertThrows(IllegalStateException.class, sem::release);
        assertEquals("semaphore released too many times (value 1, bound 1, releasing 1)", e.getMessage());
        sem.acquire();
        sem.release();
        assertThrows(IllegalStateException.class, sem::release);
    }

    /** toString() gives the value and the bound (CPython's repr: {@code <threading.BoundedSemaphore at ...: value=3/3>}). */
    @Test
    @DisplayName("test_repr")
    void testRepr() {
        Semaphore sem = semtype(3);
        assertEquals("BoundedSemaphore[value=3/3]", sem.toString());
        sem.acquire();
        assertEquals("BoundedSemaphore[value=2/3]", sem.toString());
    }
}
