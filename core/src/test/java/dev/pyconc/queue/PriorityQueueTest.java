package dev.pyconc.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.pyconc.testing.queue.QueueOps;
import dev.pyconc.testing.queue.ShutDownQueueContract;

class PriorityQueueTest extends ShutDownQueueContract {
    @Override
    protected QueueOps<Integer> newQueue(int maxsize) {
        return new ThreadQueueOps<>(new PriorityQueue<>(maxsize));
    }

    @Override
    protected Order order() {
        return Order.PRIORITY;
    }

    @Override
    protected boolean acceptsNull() {
        return false;
    }

    @Override
    protected Class<?> blockingClass() {
        return Queue.class;
    }

    record Job(int priority, String name) {}

    /** A Comparator decides the order: here by priority, highest first. */
    @Test
    void comparatorOrder() {
        PriorityQueue<Job> q = new PriorityQueue<>(Comparator.comparingInt(Job::priority).reversed());
        q.put(new Job(1, "low"));
        q.put(new Job(3, "high"));
        q.put(new Job(2, "mid"));
        assertEquals(List.of("high", "mid", "low"), List.of(q.get().name(), q.get().name(), q.get().name()));
        PriorityQueue<Job> bounded = new PriorityQueue<>(1, Comparator.comparingInt(Job::priority));
        bounded.put(new Job(1, "only"));
        assertThrows(Full.class, () -> bounded.putNowait(new Job(0, "more")));
    }

    /** A thousand random items come out sorted (the heap stays a heap through sifts both ways). */
    @Test
    void heapOrderRandom() {
        PriorityQueue<Integer> q = new PriorityQueue<>();
        Random random = new Random(42);
        List<Integer> put = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            int v = random.nextInt(500);
            put.add(v);
            q.put(v);
            if (i % 3 == 0) {
                Integer min = put.stream().min(Integer::compare).orElseThrow();
                assertEquals(min, q.get());
                put.remove(min);
            }
        }
        put.sort(null);
        List<Integer> got = new ArrayList<>();
        while (!q.empty()) {
            got.add(q.get());
        }
        assertEquals(put, got);
    }

    /** Items that do not compare with those queued are refused with IllegalArgumentException; the queue is intact. */
    @Test
    void incomparableItemsRefused() {
        PriorityQueue<Object> q = new PriorityQueue<>();
        q.put(5);
        q.put(3);
        q.put(8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> q.put("text"));
        assertEquals("PriorityQueue items do not compare: java.lang.String and java.lang.Integer", e.getMessage());
        assertEquals("items of a PriorityQueue without a Comparator must be Comparable, not java.lang.Object",
                assertThrows(IllegalArgumentException.class, () -> q.put(new Object())).getMessage());
        assertEquals("a PriorityQueue cannot hold null", assertThrows(IllegalArgumentException.class, () -> q.put(null)).getMessage());
        assertEquals(3, q.qsize());
        assertEquals(List.of(3, 5, 8), List.of(q.get(), q.get(), q.get()));
        q.taskDone();
        q.taskDone();
        q.taskDone();
        assertThrows(IllegalStateException.class, q::taskDone);   // nothing refused was counted as a task
    }

    /** A comparator that throws leaves the heap as it was and counts no task. */
    @Test
    void failingComparatorLeavesHeapIntact() {
        PriorityQueue<Integer> q = new PriorityQueue<>((a, b) -> {
            if (a == 13 || b == 13) {
                throw new ArithmeticException("unlucky");
            }
            return Integer.compare(a, b);
        });
        for (int v : new int[] {4, 2, 6, 1, 3}) {
            q.put(v);
        }
        assertThrows(ArithmeticException.class, () -> q.put(13));
        assertEquals(5, q.qsize());
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            got.add(q.get());
            q.taskDone();
        }
        assertEquals(List.of(1, 2, 3, 4, 6), got);
        q.join();
    }
}
