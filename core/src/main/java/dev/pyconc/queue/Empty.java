package dev.pyconc.queue;

import java.util.NoSuchElementException;

/**
 * Thrown by a non-blocking or timed {@code get} when no item is available: Python's
 * {@code queue.Empty}. It extends {@link NoSuchElementException}, which the JDK's queues throw for
 * the same reason.
 */
public class Empty extends NoSuchElementException {
    private static final long serialVersionUID = 1L;

    /** An exception saying that the queue is empty. */
    public Empty() {
        super("queue is empty");
    }

    /** An exception with {@code message}. */
    public Empty(String message) {
        super(message);
    }
}
