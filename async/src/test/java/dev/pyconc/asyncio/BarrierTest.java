package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(60)
class BarrierTest extends LoopTesting {

    /** Every party gets a distinct index and nobody passes before all arrived; the barrier is reusable. */
    @Test
    void roundsAndIndexes() {
        Asyncio.run(() -> {
            Barrier b = new Barrier(3);
            for (int round = 0; round < 2; round++) {
                List<String> log = new ArrayList<>();
                List<Task<Integer>> ts = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    int k = i;
                    ts.add(Asyncio.createTask(() -> {
                        Asyncio.sleep(Duration.ofMillis(k * 3));
                        log.add("arrive");
                        int idx = b.await();
                        log.add("pass");
                        return idx;
                    }));
                }
                TreeSet<Integer> idx = new TreeSet<>();
                for (var t : ts) {
                    idx.add(t.await());
                }
                assertEquals(List.of(0, 1, 2), List.copyOf(idx));
                assertEquals(List.of("arrive", "arrive", "arrive", "pass", "pass", "pass"), log);
                assertEquals(0, b.nWaiting());
            }
            assertEquals(3, b.parties());
            return null;
        });
    }

    /** A party cancelled while it waits leaves; the barrier still fills with the others and stays whole. */
    @Test
    @DisplayName("test_filling_tasks_cancel_one")
    void testFillingTasksCancelOne() {
        List<Boolean> results = new ArrayList<>();
        Asyncio.run(() -> {
            Barrier barrier = new Barrier(3);
            java.util.concurrent.Callable<Void> coro = () -> {
                barrier.await();
                results.add(true);
                return null;
            };
            Task<Void> t1 = Asyncio.createTask(coro);
            Asyncio.sleep(Duration.ZERO);
            assertEquals(1, barrier.nWaiting());
            Task<Void> t2 = Asyncio.createTask(coro);
            Asyncio.sleep(Duration.ZERO);
            assertEquals(2, barrier.nWaiting());
            t1.cancel();
            Asyncio.sleep(Duration.ZERO);
            assertEquals(1, barrier.nWaiting());
            assertThrows(CancelledError.class, t1::await);
            assertTrue(t1.cancelled());
            Task<Void> t3 = Asyncio.createTask(coro);
            Asyncio.sleep(Duration.ZERO);
            assertEquals(2, barrier.nWaiting());
            Task<Void> t4 = Asyncio.createTask(coro);
            Asyncio.gather(t2, t3, t4).await();
            assertEquals(0, barrier.nWaiting());
            assertFalse(barrier.broken());
            return null;
        });
        assertEquals(List.of(true, true, true), results);
    }

    /** A party released by the last arrival and cancelled before it runs: the others pass, the next round fills. */
    @Test
    void cancelledAfterRelease() {
        Asyncio.run(() -> {
            Barrier barrier = new Barrier(3);
            Task<Integer> t1 = Asyncio.createTask(barrier::await);
            Task<Integer> t2 = Asyncio.createTask(barrier::await);
            Asyncio.sleep(Duration.ZERO);
            Task<Integer> t3 = Asyncio.createTask(() -> {
                int i = barrier.await();    // the last arrival: releases t1 and t2
                t1.cancel();                // t1 is woken, not yet run
                return i;
            });
            assertEquals(2, t3.await());
            assertThrows(CancelledError.class, t1::await);
            assertEquals(1, t2.await());
            assertEquals(0, barrier.nWaiting());
            assertFalse(barrier.broken());
            List<Task<Integer>> next = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                next.add(Asyncio.createTask(barrier::await));
            }
            assertEquals(List.of(0, 1, 2), Asyncio.gather(next).await());
            assertEquals("asyncio.Barrier[filling waiters=0/3]", barrier.toString());
            return null;
        });
    }

    /** abort() breaks the barrier for waiters and later arrivals. */
    @Test
    void abortBreaks() {
        Asyncio.run(() -> {
            Barrier b = new Barrier(2);
            Task<Integer> w = Asyncio.createTask(b::await);
            Asyncio.sleep(Duration.ZERO);
            assertEquals(1, b.nWaiting());
            b.abort();
            assertThrows(BrokenBarrierError.class, w::await);
            assertTrue(b.broken());
            assertThrows(BrokenBarrierError.class, b::await);
            return null;
        });
    }

    /** reset() breaks the current waiters and leaves the barrier usable. */
    @Test
    void resetBreaksWaiters() {
        Asyncio.run(() -> {
            Barrier b = new Barrier(2);
            Task<Integer> w = Asyncio.createTask(b::await);
            Asyncio.sleep(Duration.ZERO);
            b.reset();
            assertThrows(BrokenBarrierError.class, w::await);
            assertFalse(b.broken());
            Task<Integer> x = Asyncio.createTask(b::await);
            Task<Integer> y = Asyncio.createTask(b::await);
            assertEquals(1, x.await() + y.await());
            return null;
        });
    }

    /** Fewer than one party is refused. */
    @Test
    void badParties() {
        assertThrows(IllegalArgumentException.class, () -> new Barrier(0));
    }
}
