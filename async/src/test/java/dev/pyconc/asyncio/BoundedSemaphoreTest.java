package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;

import org.junit.jupiter.api.DisplayName;
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
    /** A waiter cancelled as a permit is released: the next waiter gets it and the count stays bounded. */
    @Test
    @DisplayName("test_acquire_hang")
    void testAcquireHang() {
        Asyncio.run(() -> {
            BoundedSemaphore sem = new BoundedSemaphore(1);
            sem.acquire();
            Task<Boolean> t1 = Asyncio.createTask(sem::acquire);
            Task<Boolean> t2 = Asyncio.createTask(sem::acquire);
            Task<Boolean> t3 = Asyncio.createTask(sem::acquire);
            Asyncio.sleep(Duration.ZERO);
            Asyncio.getRunningLoop().callSoon(() -> {
                t1.cancel();
                sem.release();
            });
            assertThrows(CancelledError.class, t1::await);
            Asyncio.sleep(Duration.ZERO);
            assertTrue(t2.done());
            assertFalse(t3.done());
            assertTrue(sem.locked());
            sem.release();                   // t2's permit, handed to t3
            assertTrue(t3.await());
            sem.release();                   // t3's permit
            var e = assertThrows(IllegalStateException.class, sem::release);
            assertEquals("BoundedSemaphore released too many times", e.getMessage());
            assertFalse(sem.locked());
            return null;
        });
    }
}
