package dev.pyconc.builtins;

import java.io.IOException;

/**
 * Nothing listens where a connection was opened: Python's built-in
 * {@code ConnectionRefusedError}, a {@link ConnectionError}, as asyncio's
 * {@code openConnection} raises it.
 *
 * <pre> {@code
 * try {
 *     var streams = Asyncio.openConnection("localhost", 8080);
 * } catch (ConnectionRefusedError e) {
 *     // the other side is gone
 * }
 * }</pre>
 *
 * <p>Memory consistency effects: none; an exception carries only its message and cause.
 */
public class ConnectionRefusedError extends ConnectionError {
    private static final long serialVersionUID = 1L;

    /** An error with {@code message}. */
    public ConnectionRefusedError(String message) {
        super(message);
    }

    /** An error with {@code message}, caused by {@code cause} (null: an IOException of the message). */
    public ConnectionRefusedError(String message, IOException cause) {
        super(message, cause);
    }
}
