package dev.pyconc.asyncio;

import java.io.IOException;

/**
 * Raised when nothing listens at the address {@link Asyncio#openConnection} tried: Python's {@code ConnectionRefusedError}.
 *
 * <pre> {@code
 * try {
 *     Streams s = Asyncio.openConnection("127.0.0.1", port);
 * } catch (ConnectionRefusedError e) {
 *     ...
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

    /** An error with {@code message}, caused by {@code cause}. */
    public ConnectionRefusedError(String message, IOException cause) {
        super(message, cause);
    }
}
