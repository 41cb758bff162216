package dev.pyconc.asyncio;

import java.util.NoSuchElementException;

/**
 * Raised by {@link Queue#getNowait()} on an empty queue: Python's {@code asyncio.QueueEmpty}.
 *
 * <pre> {@code
 * try {
 *     item = queue.getNowait();
 * } catch (QueueEmpty e) {
 *     item = fallback;
 * }
 * }</pre>
 *
 * <p>Memory consistency effects: none; an exception carries only its message.
 */
public class QueueEmpty extends NoSuchElementException {
    private static final long serialVersionUID = 1L;

    /** An exception saying that the queue is empty. */
    public QueueEmpty() {
        super("queue is empty");
    }
}
