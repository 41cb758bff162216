package dev.pyconc.conformance.testmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.multiprocessing.Event;
import dev.pyconc.multiprocessing.Process;
import dev.pyconc.multiprocessing.SimpleQueue;

/** _test_multiprocessing.py's {@code TestSimpleQueue}: {@link SimpleQueue} shared with a child JVM. */
class TestSimpleQueue {
    @BeforeAll
    static void segments() {
        Mp1Support.init();
    }

    private static void testEmptyChild(SimpleQueue<Boolean> queue, Event childCanStart, Event parentCanContinue) {
        childCanStart.await();
        try {
            queue.put(queue.empty());
            queue.put(queue.empty());
        } finally {
            parentCanContinue.set();
        }
    }

    /** empty() of a closed SimpleQueue throws "is closed" (CPython's OSError), used or not. */
    @Test
    @DisplayName("test_empty_exceptions")
    void testEmptyExceptions() {
        SimpleQueue<Object> q = new SimpleQueue<>();
        q.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, q::empty);
        assertTrue(e.getMessage().contains("is closed"), e.getMessage());
    }

    /** empty() in the parent and in a child sees what both put (issue 30301). */
    @Test
    @DisplayName("test_empty")
    void testEmpty() {
        SimpleQueue<Boolean> queue = new SimpleQueue<>();
        Event childCanStart = new Event();
        Event parentCanContinue = new Event();
        Process proc = new Process(() -> testEmptyChild(queue, childCanStart, parentCanContinue));
        proc.setDaemon(true);
        proc.start();

        assertTrue(queue.empty());

        childCanStart.set();
        parentCanContinue.await();

        assertFalse(queue.empty());
        assertEquals(true, queue.get());
        assertEquals(false, queue.get());
        assertTrue(queue.empty());

        proc.join();
        queue.close();
    }

    /** Closing a queue twice does not fail. */
    @Test
    @DisplayName("test_close")
    void testClose() {
        SimpleQueue<Object> queue = new SimpleQueue<>();
        queue.close();
        queue.close();
    }
}
