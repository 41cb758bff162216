package dev.pyconc.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import dev.pyconc.testing.queue.QueueOps;
import dev.pyconc.testing.queue.ShutDownQueueContract;

class LifoQueueTest extends ShutDownQueueContract {
    @Override
    protected QueueOps<Integer> newQueue(int maxsize) {
        return new ThreadQueueOps<>(new LifoQueue<>(maxsize));
    }

    @Override
    protected Order order() {
        return Order.LIFO;
    }

    @Override
    protected boolean acceptsNull() {
        return true;
    }

    @Override
    protected Class<?> blockingClass() {
        return Queue.class;
    }

    /** The default constructor makes an unbounded stack. */
    @Test
    void defaultIsUnbounded() {
        LifoQueue<Integer> q = new LifoQueue<>();
        q.put(1);
        q.put(2);
        assertEquals(0, q.maxsize());
        assertEquals(2, q.get());
        assertEquals("LifoQueue[qsize=1, maxsize=0]", q.toString());
    }
}
