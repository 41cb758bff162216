package dev.pyconc.asyncio;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A stream's connection failed: Python's built-in {@code ConnectionError}, the base of
 * {@link ConnectionResetError}, {@link ConnectionRefusedError} and {@link BrokenPipeError}, as
 * asyncio's streams and subprocess pipes raise them. Other I/O failures of streams are plain
 * {@link UncheckedIOException}s (Python's {@code OSError}).
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
public class ConnectionError extends UncheckedIOException {
    private static final long serialVersionUID = 1L;

    /** An error with {@code message}. */
    public ConnectionError(String message) {
        super(message, new IOException(message));
    }

    /** An error with {@code message}, caused by {@code cause}. */
    public ConnectionError(String message, IOException cause) {
        super(message, cause == null ? new IOException(message) : cause);
    }
}
