package dev.pyconc.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.pyconc.testing.queue.QueueContract;
import dev.pyconc.testing.queue.QueueOps;

/** SimpleQueue: core's basic queue contract, and items through a child process and back. */
@ExtendWith(NoLeaks.class)
class SimpleQueueTest extends QueueContract {

    @Override
    protected QueueOps<Integer> newQueue(int maxsize) {
        return ProcessQueueOps.of(new SimpleQueue<>());
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

    /** A child echoes 1,000 strings back through a second queue, in order. */
    @Test
    void echoThroughChild() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            SimpleQueue<String> in = new SimpleQueue<>();
            SimpleQueue<String> out = new SimpleQueue<>();
            try (ChildJvm child = ChildJvm.start(SimpleQueueTest.class, "echo", in, out)) {
                for (int i = 0; i < 1000; i++) {
                    in.put("item " + i);
                }
                in.put(null);
                for (int i = 0; i < 1000; i++) {
                    assertEquals("item " + i, out.get(Duration.ofSeconds(30)));
                }
                assertEquals(0, child.waitFor());
            }
        });
    }

    /** Child: copies items from the first queue to the second until null. */
    public static void echo(Object[] args) {
        @SuppressWarnings("unchecked")
        SimpleQueue<String> in = (SimpleQueue<String>) args[0];
        @SuppressWarnings("unchecked")
        SimpleQueue<String> out = (SimpleQueue<String>) args[1];
        for (String s; (s = in.get()) != null; ) {
            out.put(s);
        }
    }

    /** After close(), put and get on that object throw IllegalStateException. */
    @Test
    void closedObjectRefusesCalls() {
        SimpleQueue<String> q = new SimpleQueue<>();
        q.close();
        assertEquals("SimpleQueue is closed", assertThrows(IllegalStateException.class, () -> q.put("x")).getMessage());
        assertThrows(IllegalStateException.class, q::get);
    }
}
