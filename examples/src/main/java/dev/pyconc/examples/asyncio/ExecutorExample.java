package dev.pyconc.examples.asyncio;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.EventLoop;
import dev.pyconc.asyncio.Future;
import dev.pyconc.futures.ThreadPoolExecutor;

/**
 * Blocking work mixed with tasks: {@code toThread} and {@code runInExecutor} run blocking calls on
 * other threads while the loop keeps serving its tasks (a heartbeat task keeps ticking). Python:
 * {@code await asyncio.to_thread(blocking)} and {@code await loop.run_in_executor(pool, blocking)}.
 */
public final class ExecutorExample {
    private ExecutorExample() {}

    static String blockingRead(String name, long millis) throws InterruptedException {
        Thread.sleep(millis);                    // stands for a blocking file or JDBC call
        return name + " read on " + Thread.currentThread().getName();
    }

    public static void main(String[] args) {
        long start = System.nanoTime();
        try (var pool = new ThreadPoolExecutor(2)) {
            Asyncio.run(() -> {
                EventLoop loop = Asyncio.getRunningLoop();
                List<String> beats = new ArrayList<>();
                var heartbeat = Asyncio.createTask(() -> {
                    for (int i = 0; i < 5; i++) {
                        beats.add(String.format("%.1f", (System.nanoTime() - start) / 1e9));
                        Asyncio.sleep(Duration.ofMillis(100));
                    }
                });
                String a = Asyncio.toThread(() -> blockingRead("a", 300));
                Future<String> b = loop.runInExecutor(pool, () -> blockingRead("b", 200));
                Future<String> c = loop.runInExecutor(pool, () -> blockingRead("c", 200));
                System.out.println("  " + a);
                System.out.println("  " + b.await());
                System.out.println("  " + c.await());
                heartbeat.await();
                System.out.println("  heartbeat ticked at " + beats + " s while the blocking calls ran");
                return null;
            });
        }
        System.out.printf("done in %.2f s%n", (System.nanoTime() - start) / 1e9);
    }
}
