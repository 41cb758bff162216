package dev.pyconc.queue;

/**
 * Thrown by a non-blocking or timed {@code put} when the queue stays full: Python's
 * {@code queue.Full}. It extends {@link IllegalStateException}, which the JDK's
 * {@code Queue.add} throws for the same reason.
 */
public class Full extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** An exception saying that the queue is full. */
    public Full() {
        super("queue is full");
    }

    /** An exception with {@code message}. */
    public Full(String message) {
        super(message);
    }
}
