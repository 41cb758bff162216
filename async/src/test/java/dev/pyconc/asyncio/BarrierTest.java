package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

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
