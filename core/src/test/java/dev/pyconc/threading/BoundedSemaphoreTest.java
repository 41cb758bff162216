package dev.pyconc.threading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BoundedSemaphoreTest {

    /** Releasing above the initial value throws IllegalStateException and keeps the count. */
    @Test
    void overReleaseThrowsAndKeepsCount() {
        BoundedSemaphore s = new BoundedSemaphore(2);
        IllegalStateException e = assertThrows(IllegalStateException.class, s::release);
        assertEquals("semaphore released too many times (value 2, bound 2, releasing 1)", e.getMessage());
        assertEquals(2, s.value());
        s.acquire();
        s.acquire();
        assertThrows(IllegalStateException.class, () -> s.release(3));
        assertEquals(0, s.value());
        s.release(2);
        assertEquals(2, s.value());
        assertEquals(2, s.bound());
    }

    /** Acquire and release within the bound behave as a Semaphore. */
    @Test
    void withinBound() {
        BoundedSemaphore s = new BoundedSemaphore(1);
        try (var _ = s.enter()) {
            assertEquals(0, s.value());
        }
        assertEquals(1, s.value());
        assertEquals("BoundedSemaphore[value=1/1]", s.toString());
    }

    /** A negative initial value is refused. */
    @Test
    void negativeValue() {
        assertThrows(IllegalArgumentException.class, () -> new BoundedSemaphore(-1));
    }
}
