package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(60)
class BoundedSemaphoreTest extends LoopTesting {

    /** Releasing above the initial value is refused and changes nothing. */
    @Test
    void overRelease() {
        Asyncio.run(() -> {
            BoundedSemaphore s = new BoundedSemaphore(2);
            s.acquire();
            s.release();
            var e = assertThrows(IllegalStateException.class, s::release);
            assertEquals("BoundedSemaphore released too many times", e.getMessage());
            s.acquire();
            s.acquire();
            assertTrue(s.locked());
            return null;
        });
    }
}
