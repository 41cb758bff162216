package dev.pyconc.builtins;

import java.io.IOException;

/**
 * A connection failed: Python's built-in {@code ConnectionError} (an {@link OSError}), the parent
 * of {@link BrokenPipeError}, {@link ConnectionAbortedError}, {@link ConnectionRefusedError} and
 * {@link ConnectionResetError}, as asyncio's streams, multiprocessing's pipes and queues and
 * subprocess pipes raise them.
 *
 * <pre> {@code
 * try {
 *     writer.write(data);
 *     writer.drain();
 * } catch (ConnectionError e) {
 *     log.info("peer went away: {}", e.getMessage());
 * }
 * }</pre>
 *
 * <p>Memory consistency effects: none; an exception carries only its message and cause.
 */
public class ConnectionError extends OSError {
    private static final long serialVersionUID = 1L;

    /** An error with {@code message}. */
    public ConnectionError(String message) {
        super(message);
    }

    /** An error with {@code message}, caused by {@code cause} (null: an IOException of the message). */
    public ConnectionError(String message, IOException cause) {
        super(message, cause);
    }
}
