package dev.pyconc.asyncio;

/**
 * Raised by {@code put} on a queue that was shut down, and by {@code get} on one that was shut down
 * and is empty: Python 3.13's {@code asyncio.QueueShutDown}.
 *
 * <pre> {@code
 * while (true) {
 *     try {
 *         handle(queue.get());
 *     } catch (QueueShutDown e) {
 *         break;
 *     }
 * }
 * }</pre>
 *
 * <p>Memory consistency effects: none; an exception carries only its message.
 */
public class QueueShutDown extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** An exception saying that the queue was shut down. */
    public QueueShutDown() {
        super("queue is shut down");
    }
}
