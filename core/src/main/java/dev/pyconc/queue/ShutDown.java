package dev.pyconc.queue;

/**
 * Thrown by {@code put} on a queue that was shut down, and by {@code get} on one that was shut
 * down and is empty: Python 3.13's {@code queue.ShutDown}.
 */
public class ShutDown extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** An exception saying that the queue was shut down. */
    public ShutDown() {
        super("queue is shut down");
    }

    /** An exception with {@code message}. */
    public ShutDown(String message) {
        super(message);
    }
}
