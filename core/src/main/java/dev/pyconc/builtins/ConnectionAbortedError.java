package dev.pyconc.builtins;

import java.io.IOException;

/**
 * This side aborted the connection: Python's built-in {@code ConnectionAbortedError}, a
 * {@link ConnectionError}, as asyncio's transports raise it.
 *
 * <pre> {@code
 * try {
 *     writer.drain();
 * } catch (ConnectionAbortedError e) {
 *     // the other side is gone
 * }
 * }</pre>
 *
 * <p>Memory consistency effects: none; an exception carries only its message and cause.
 */
public class ConnectionAbortedError extends ConnectionError {
    private static final long serialVersionUID = 1L;

    /** An error with {@code message}. */
    public ConnectionAbortedError(String message) {
        super(message);
    }

    /** An error with {@code message}, caused by {@code cause} (null: an IOException of the message). */
    public ConnectionAbortedError(String message, IOException cause) {
        super(message, cause);
    }
}
