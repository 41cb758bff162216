package dev.pyconc.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.pyconc.testing.queue.QueueContract;
import dev.pyconc.testing.queue.QueueOps;

class SimpleQueueTest extends QueueContract {
    @Override
    protected QueueOps<Integer> newQueue(int maxsize) {
        SimpleQueue<Integer> q = new SimpleQueue<>();
        return new QueueOps<>() {
            @Override public void put(Integer item) { q.put(item); }
            @Override public void putNowait(Integer item) { q.putNowait(item); }
            @Override public Integer get() { return q.get(); }
            @Override public Integer get(Duration timeout) { return q.get(timeout); }
            @Override public Integer getNowait() { return q.getNowait(); }
            @Override public int qsize() { return q.qsize(); }
            @Override public boolean empty() { return q.empty(); }
        };
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
        return SimpleQueue.class;
    }

    /** toString reports the size. */
    @Test
    void text() {
        SimpleQueue<String> q = new SimpleQueue<>();
        q.put("x");
        assertEquals("SimpleQueue[qsize=1]", q.toString());
    }
}
