package dev.pyconc.examples.asyncio;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.Queue;
import dev.pyconc.asyncio.QueueShutDown;
import dev.pyconc.asyncio.Task;

/**
 * Producers and consumers on an asyncio {@link Queue}: {@code join()} waits until every item is
 * processed, then {@code shutdown()} ends the consumers. Python's asyncio.Queue example.
 */
public final class QueueExample {
    private QueueExample() {}

    public static void main(String[] args) {
        int[] processed = Asyncio.run(() -> {
            Queue<Integer> queue = new Queue<>(5);
            int[] perConsumer = new int[3];
            List<Task<Void>> consumers = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                int id = c;
                consumers.add(Asyncio.createTask(() -> {
                    try {
                        while (true) {
                            int job = queue.get();
                            Asyncio.sleep(Duration.ofMillis(ThreadLocalRandom.current().nextInt(1, 5)));
                            perConsumer[id] += job >= 0 ? 1 : 0;
                            queue.taskDone();
                        }
                    } catch (QueueShutDown done) {
                        // the producer is finished and the queue drained
                    }
                }, "consumer-" + c));
            }
            Task<Void> producer = Asyncio.createTask(() -> {
                for (int i = 0; i < 60; i++) {
                    queue.put(i);            // waits while 5 items are queued
                }
            });
            producer.await();
            queue.join();                    // every item taken and marked done
            queue.shutdown();
            Asyncio.gather(consumers).await();
            return perConsumer;
        });
        System.out.printf("60 jobs processed by 3 consumers: %d + %d + %d = %d%n",
                processed[0], processed[1], processed[2], processed[0] + processed[1] + processed[2]);
    }
}
