package dev.pyconc.conformance.locktests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.threading.Semaphore;

/** lock_tests' {@code SemaphoreTests}: tests of unbounded semaphores. */
public abstract class SemaphoreTests extends BaseSemaphoreTests {

    /** Releases beyond the initial value are allowed and raise the value. */
    @Test
    @DisplayName("test_release_unacquired")
    void testReleaseUnacquired() {
        Semaphore sem = semtype(1);
        sem.release();
        sem.acquire();
        sem.acquire();
        sem.release();
    }

    /** toString() gives the value (CPython's repr: {@code <threading.Semaphore at ...: value=3>}). */
    @Test
    @DisplayName("test_repr")
    void testRepr() {
        Semaphore sem = semtype(3);
        assertEquals("Semaphore[value=3]", sem.toString());
        sem.acquire();
        assertEquals("Semaphore[value=2]", sem.toString());
        sem.release();
        sem.release();
        assertEquals("Semaphore[value=4]", sem.toString());
    }
}
