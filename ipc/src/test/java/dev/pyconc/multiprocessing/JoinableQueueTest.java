package dev.pyconc.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.pyconc.testing.queue.QueueOps;
import dev.pyconc.testing.queue.ShutDownQueueContract;

/** JoinableQueue: core's whole queue contract (bounds, tasks, shutdown), and join across processes. */
@ExtendWith(NoLeaks.class)
class JoinableQueueTest extends ShutDownQueueContract {

    @Override
    protected QueueOps<Integer> newQueue(int maxsize) {
        return ProcessQueueOps.of(new JoinableQueue<>(maxsize));
    }

    @Override
    protected Order order() {
        return Order.FIFO;
    }

    @Override
    protected boolean acceptsNull() {
        return true;
    }

    @Override
    protected Class<?> blockingClass() {
        return ProcessQueueOps.class;
    }

    /** join in this process returns once a child process has called taskDone for every item. */
    @Test
    void joinWaitsForTaskDoneInChild() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            JoinableQueue<Integer> tasks = new JoinableQueue<>();
            Queue<Long> results = new Queue<>();
            for (int i = 1; i <= 100; i++) {
                tasks.put(i);
            }
            try (ChildJvm worker = ChildJvm.start(JoinableQueueTest.class, "worker", tasks, results)) {
                tasks.join();
                assertEquals(0, tasks.qsize());
                assertEquals(5050L, results.get(Duration.ofSeconds(30)));
                tasks.put(-1);
                assertEquals(0, worker.waitFor());
            }
        });
    }

    /** Child: sums the tasks, calling taskDone for each, puts the sum when the last is done, ends on -1. */
    public static void worker(Object[] args) {
        @SuppressWarnings("unchecked")
        JoinableQueue<Integer> tasks = (JoinableQueue<Integer>) args[0];
        @SuppressWarnings("unchecked")
        Queue<Long> results = (Queue<Long>) args[1];
        long sum = 0;
        for (int n = 0; ; n++) {
            int t = tasks.get();
            if (t < 0) {
                tasks.taskDone();
                return;
            }
            sum += t;
            if (n == 99) {
                results.put(sum);
            }
            tasks.taskDone();
        }
    }
}
