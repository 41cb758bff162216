package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
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

    /** Two of four waiters are cancelled before a release: the permit goes to the third, the fourth waits. */
    @Test
    @DisplayName("test_acquire_cancel_before_awoken")
    void testAcquireCancelBeforeAwoken() {
        Asyncio.run(() -> {
            Semaphore sem = new Semaphore(0);
            Task<Boolean> t1 = Asyncio.createTask(sem::acquire);
            Task<Boolean> t2 = Asyncio.createTask(sem::acquire);
            Task<Boolean> t3 = Asyncio.createTask(sem::acquire);
            Task<Boolean> t4 = Asyncio.createTask(sem::acquire);
            Asyncio.sleep(Duration.ZERO);
            t1.cancel();
            t2.cancel();
            sem.release();
            Asyncio.sleep(Duration.ZERO);
            Asyncio.sleep(Duration.ZERO);
            assertTrue(t3.done());
            assertFalse(t4.done());
            assertTrue(t1.cancelled() && t2.cancelled());
            t3.cancel();
            t4.cancel();
            Asyncio.sleep(Duration.ZERO);
            assertTrue(t4.cancelled());
            return null;
        });
    }

    /** The first waiter is cancelled and a permit released at once: the second waiter gets it, none hangs. */
    @Test
    @DisplayName("test_acquire_hang")
    void testAcquireHang() {
        Asyncio.run(() -> {
            Semaphore sem = new Semaphore(0);
            Task<Boolean> t1 = Asyncio.createTask(sem::acquire);
            Task<Boolean> t2 = Asyncio.createTask(sem::acquire);
            Asyncio.sleep(Duration.ZERO);
            t1.cancel();
            sem.release();
            Asyncio.sleep(Duration.ZERO);
            Asyncio.sleep(Duration.ZERO);
            assertTrue(sem.locked());
            assertTrue(t2.done());
            assertTrue(t1.cancelled());
            return null;
        });
    }

    /** A waiter cancelled before a release leaves no waiter and no permit behind. */
    @Test
    @DisplayName("test_acquire_cancel")
    void testAcquireCancel() {
        Asyncio.run(() -> {
            Semaphore sem = new Semaphore();
            sem.acquire();
            Task<Boolean> acquire = Asyncio.createTask(sem::acquire);
            Asyncio.getRunningLoop().callSoon(acquire::cancel);
            assertThrows(CancelledError.class, acquire::await);
            assertFalse(sem.toString().contains("waiters"), sem.toString());
            assertEquals("Semaphore[locked value=0]", sem.toString());
            return null;
        });
    }

    /** release() without waiters makes the permit free. */
    @Test
    @DisplayName("test_release_no_waiters")
    void testReleaseNoWaiters() {
        Asyncio.run(() -> {
            Semaphore sem = new Semaphore();
            sem.acquire();
            assertTrue(sem.locked());
            sem.release();
            assertFalse(sem.locked());
            return null;
        });
    }

    /** A waiter cancelled while it waits loses its turn; the permits go to the next in order. */
    @Test
    @DisplayName("test_acquire_fifo_order_3")
    void testAcquireFifoOrder3() {
        List<Integer> result = new ArrayList<>();
        Asyncio.run(() -> {
            Semaphore sem = new Semaphore(0);
            List<Task<Void>> ts = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                int k = i;
                ts.add(Asyncio.createTask(() -> {
                    sem.acquire();
                    result.add(k);
                }));
            }
            Asyncio.sleep(Duration.ZERO);
            ts.getFirst().cancel();
            Asyncio.sleep(Duration.ZERO);
            sem.release();
            sem.release();
            Asyncio.gather(true, ts).await();
            return null;
        });
        assertEquals(List.of(2, 3), result);
    }

    /** A negative initial value is refused. */
    @Test
    void negativeValue() {
        assertThrows(IllegalArgumentException.class, () -> new Semaphore(-1));
    }
}
