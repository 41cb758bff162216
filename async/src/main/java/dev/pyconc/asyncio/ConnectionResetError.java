package dev.pyconc.asyncio;

import java.io.IOException;

/**
 * Raised when the connection was reset by the peer, or lost while a task wrote or waited to: Python's {@code ConnectionResetError}.
 *
 * <pre> {@code
 * try {
 *     writer.drain();               // after the peer reset the connection
 * } catch (ConnectionResetError e) {
 *     ...
 * }
 * }</pre>
 *
 * <p>Memory consistency effects: none; an exception carries only its message and cause.
 */
public class ConnectionResetError extends ConnectionError {
    private static final long serialVersionUID = 1L;

    /** An error with {@code message}. */
    public ConnectionResetError(String message) {
        super(message);
    }

    /** An error with {@code message}, caused by {@code cause}. */
    public ConnectionResetError(String message, IOException cause) {
        super(message, cause);
    }
}
