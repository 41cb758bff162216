package dev.pyconc.examples.threading;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.pyconc.threading.BoundedSemaphore;
import dev.pyconc.threading.Thread;

/**
 * A {@link BoundedSemaphore} of 3 lets at most 3 of 10 "database queries" run at once, the
 * connection-pool idiom of Python's threading docs. The example counts how many run together.
 */
public class SemaphoreExample {
    public static void main(String[] args) {
        var slots = new BoundedSemaphore(3);
        var running = new AtomicInteger();
        var maxRunning = new AtomicInteger();
        List<Thread> queries = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int id = i;
            var t = new Thread(() -> {
                try (var _ = slots.enter()) {
                    int now = running.incrementAndGet();
                    maxRunning.accumulateAndGet(now, Math::max);
                    System.out.println("  query " + id + " runs (" + now + " running)");
                    dev.pyconc.gil.Gil.allowThreads(() -> sleep(50));
                    running.decrementAndGet();
                }
            });
            queries.add(t);
            t.start();
        }
        for (var t : queries) {
            t.join();
        }
        System.out.println("10 queries done; at most " + maxRunning.get() + " ran at once (limit 3)");
        try {
            slots.release();
        } catch (IllegalStateException e) {
            System.out.println("one release too many is caught: " + e.getMessage());
        }
    }

    private static void sleep(long millis) {
        try {
            java.lang.Thread.sleep(millis);
        } catch (InterruptedException e) {
            java.lang.Thread.currentThread().interrupt();
        }
    }
}
