package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(60)
class SemaphoreTest extends LoopTesting {

    /** At most value tasks hold a permit at once. */
    @Test
    void boundsConcurrency() {
        int[] inside = {0};
        int[] peak = {0};
        Asyncio.run(() -> {
            Semaphore sem = new Semaphore(3);
            List<Task<Void>> ts = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                ts.add(Asyncio.createTask(() -> {
                    try (var _ = sem.enter()) {
                        inside[0]++;
                        peak[0] = Math.max(peak[0], inside[0]);
                        Asyncio.sleep(Duration.ofMillis(1));
                        inside[0]--;
                    }
                }));
            }
            Asyncio.gather(ts).await();
            assertFalse(sem.locked());
            return null;
        });
        assertEquals(3, peak[0]);
    }

    /** Waiters are served FIFO and newcomers queue behind them. */
    @Test
    void fifoWithoutBarging() {
        List<String> order = new ArrayList<>();
        Asyncio.run(() -> {
            Semaphore sem = new Semaphore(0);
            Task<Void> a = Asyncio.createTask(() -> {
                sem.acquire();
                order.add("a");
            });
            Asyncio.sleep(Duration.ZERO);
            sem.release();
            assertTrue(sem.locked(), "a permit promised to a waiter is not free for newcomers");
            Task<Void> b = Asyncio.createTask(() -> {
                sem.acquire();
                order.add("b");
            });
            Asyncio.sleep(Duration.ZERO);
            sem.release();
            Asyncio.gather(a, b).await();
            return null;
        });
        assertEquals(List.of("a", "b"), order);
    }

    /** A waiter cancelled after it was given a permit gives it back to the next waiter (gh-90155). */
    @Test
    void cancelledWaiterPassesPermit() {
        List<String> log = new ArrayList<>();
        Asyncio.run(() -> {
            Semaphore sem = new Semaphore(0);
            Task<Void> a = Asyncio.createTask(() -> {
                sem.acquire();
                log.add("a");
            });
            Task<Void> b = Asyncio.createTask(() -> {
                sem.acquire();
                log.add("b");
            });
            Asyncio.sleep(Duration.ZERO);
            sem.release();       // the permit goes to a
            a.cancel();          // a is cancelled before it runs: b must get the permit
            Asyncio.gather(true, List.of(a, b)).await();
            assertTrue(a.cancelled());
            return null;
        });
        assertEquals(List.of("b"), log);
    }

    /** A negative initial value is refused. */
    @Test
    void negativeValue() {
        assertThrows(IllegalArgumentException.class, () -> new Semaphore(-1));
    }
}
