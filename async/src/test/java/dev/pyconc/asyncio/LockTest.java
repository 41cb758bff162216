package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(60)
class LockTest extends LoopTesting {

    /** The lock serializes critical sections that await inside. */
    @Test
    void mutualExclusionAcrossAwaits() {
        int[] shared = {0};
        Asyncio.run(() -> {
            Lock lock = new Lock();
            List<Task<Void>> ts = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                ts.add(Asyncio.createTask(() -> {
                    try (var _ = lock.enter()) {
                        int v = shared[0];
                        Asyncio.sleep(Duration.ZERO);
                        shared[0] = v + 1;
                    }
                }));
            }
            Asyncio.gather(ts).await();
            assertFalse(lock.locked());
            return null;
        });
        assertEquals(20, shared[0]);
    }

    /** Waiters acquire in FIFO order. */
    @Test
    void fifo() {
        List<Integer> order = new ArrayList<>();
        Asyncio.run(() -> {
            Lock lock = new Lock();
            lock.acquire();
            List<Task<Void>> ts = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int k = i;
                ts.add(Asyncio.createTask(() -> {
                    lock.acquire();
                    order.add(k);
                    lock.release();
                }));
            }
            Asyncio.sleep(Duration.ZERO);
            lock.release();
            Asyncio.gather(ts).await();
            return null;
        });
        assertEquals(List.of(0, 1, 2, 3, 4), order);
    }

    /** A waiter cancelled after it was woken passes the wake-up on: the next waiter gets the lock (gh-90155). */
    @Test
    void cancelledWaiterDoesNotSwallowWakeUp() {
        List<String> log = new ArrayList<>();
        Asyncio.run(() -> {
            Lock lock = new Lock();
            lock.acquire();
            Task<Void> a = Asyncio.createTask(() -> {
                lock.acquire();
                log.add("a");
                lock.release();
            });
            Task<Void> b = Asyncio.createTask(() -> {
                lock.acquire();
                log.add("b");
                lock.release();
            });
            Asyncio.sleep(Duration.ZERO);
            lock.release();       // wakes a
            a.cancel();           // ...which is cancelled before it runs
            Asyncio.gather(true, List.of(a, b)).await();
            assertTrue(a.cancelled());
            assertFalse(lock.locked());
            return null;
        });
        assertEquals(List.of("b"), log);
    }

    /** Releasing an unheld lock is refused. */
    @Test
    void releaseUnheld() {
        Asyncio.run(() -> {
            var e = assertThrows(IllegalStateException.class, () -> new Lock().release());
            assertEquals("Lock is not acquired.", e.getMessage());
            return null;
        });
    }

    /** A lock that made a task wait on one loop refuses to make one wait on another (Python's loop binding). */
    @Test
    void boundToOneLoop() {
        Lock lock = new Lock();
        Asyncio.run(() -> {
            lock.acquire();
            Task<Boolean> waiter = Asyncio.createTask(lock::acquire);
            Asyncio.sleep(Duration.ZERO);
            lock.release();
            waiter.await();
            lock.release();
            return null;
        });
        var e = assertThrows(IllegalStateException.class, () -> Asyncio.run(() -> {
            lock.acquire();
            return Asyncio.createTask(lock::acquire).await();
        }));
        assertTrue(e.getMessage().contains("different event loop"), e.getMessage());
    }
}
