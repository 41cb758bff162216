package dev.pyconc.multiprocessing;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Thrown by a {@link Connection}'s send methods when the other end was closed or its process
 * ended, so nobody will receive the message: Python's built-in {@code BrokenPipeError}.
 *
 * <pre> {@code
 * try {
 *     conn.send(result);
 * } catch (BrokenPipeError e) {
 *     // the receiver is gone
 * }
 * }</pre>
 *
 * <p>Memory consistency effects: none of its own.
 */
public class BrokenPipeError extends UncheckedIOException {
    private static final long serialVersionUID = 1L;

    /** An error with {@code message}. */
    public BrokenPipeError(String message) {
        super(message, new IOException(message));
    }
}
