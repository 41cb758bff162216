package dev.pyconc.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.pyconc.testing.queue.QueueOps;
import dev.pyconc.testing.queue.ShutDownQueueContract;

class QueueTest extends ShutDownQueueContract {
    @Override
    protected QueueOps<Integer> newQueue(int maxsize) {
        return new ThreadQueueOps<>(new Queue<>(maxsize));
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
        return Queue.class;
    }

    /** maxsize zero or less means unbounded, as in Python; maxsize() reports the bound. */
    @Test
    void maxsizeAccessor() {
        assertEquals(0, new Queue<>().maxsize());
        assertEquals(0, new Queue<>(-5).maxsize());
        assertFalse(new Queue<>(-5).full());
        assertEquals(7, new Queue<>(7).maxsize());
    }

    /** isShutdown reports shutdown; toString shows size and bound; exceptions carry Python's meaning. */
    @Test
    void isShutdownAndText() {
        Queue<String> q = new Queue<>(4);
        q.put("a");
        assertEquals("Queue[qsize=1, maxsize=4]", q.toString());
        assertFalse(q.isShutdown());
        q.shutdown();
        assertTrue(q.isShutdown());
        assertEquals("queue is shut down", assertThrows(ShutDown.class, () -> q.put("b")).getMessage());
        assertEquals("queue is full", new Full().getMessage());
        assertEquals("queue is empty", new Empty().getMessage());
        assertTrue(new Empty() instanceof java.util.NoSuchElementException);
    }
}
