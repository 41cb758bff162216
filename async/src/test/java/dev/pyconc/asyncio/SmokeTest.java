package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void smoke() {
        long t0 = System.nanoTime();
        List<Integer> r = Asyncio.run(() -> {
            Task<Integer> a = Asyncio.createTask(() -> { Asyncio.sleep(Duration.ofMillis(100)); return 1; });
            Task<Integer> b = Asyncio.createTask(() -> { Asyncio.sleep(Duration.ofMillis(200)); return 2; });
            return Asyncio.gather(a, b).await();
        });
        assertEquals(List.of(1, 2), r);
        System.out.println("took " + (System.nanoTime() - t0) / 1e6 + " ms");
        for (int round = 0; round < 3; round++) {
            int n = 100_000;
            long s = System.nanoTime();
            int sum = Asyncio.run(() -> {
                List<Task<Integer>> ts = new java.util.ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    int k = i;
                    ts.add(Asyncio.createTask(() -> k));
                }
                int acc = 0;
                for (Task<Integer> t : ts) acc += t.await();
                return acc;
            });
            System.out.println("create+await " + n + ": " + (System.nanoTime() - s) / 1e6 + " ms sum=" + sum);
            s = System.nanoTime();
            Asyncio.run(() -> {
                List<Task<Void>> ts = new java.util.ArrayList<>(n);
                for (int i = 0; i < n; i++) ts.add(Asyncio.createTask(() -> Asyncio.sleep(Duration.ZERO)));
                Asyncio.gather(ts).await();
                return null;
            });
            System.out.println("gather sleep0 " + n + ": " + (System.nanoTime() - s) / 1e6 + " ms");
        }
    }
}
