package dev.pyconc.asyncio;

/**
 * Raised by {@link Queue#putNowait(Object)} on a full queue: Python's {@code asyncio.QueueFull}.
 *
 * <pre> {@code
 * try {
 *     queue.putNowait(item);
 * } catch (QueueFull e) {
 *     dropped++;
 * }
 * }</pre>
 *
 * <p>Memory consistency effects: none; an exception carries only its message.
 */
public class QueueFull extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** An exception saying that the queue is full. */
    public QueueFull() {
        super("queue is full");
    }
}
