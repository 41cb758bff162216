package dev.pyconc.builtins;

import java.io.IOException;

/**
 * The peer reset the connection: Python's built-in {@code ConnectionResetError}, a
 * {@link ConnectionError}, as asyncio's streams raise it.
 *
 * <pre> {@code
 * try {
 *     byte[] data = reader.read(4096);
 * } catch (ConnectionResetError e) {
 *     // the other side is gone
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

    /** An error with {@code message}, caused by {@code cause} (null: an IOException of the message). */
    public ConnectionResetError(String message, IOException cause) {
        super(message, cause);
    }
}
