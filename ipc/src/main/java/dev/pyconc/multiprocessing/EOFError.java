package dev.pyconc.multiprocessing;

import java.io.EOFException;
import java.io.UncheckedIOException;

/**
 * Thrown by a {@link Connection}'s receive methods when nothing is left to receive and the other
 * end was closed or its process ended: Python's built-in {@code EOFError}, which
 * {@code Connection.recv()} raises. Every message sent before the other end closed is received
 * first; a message whose sender died while sending it is never received in part.
 *
 * <pre> {@code
 * try {
 *     for (;;) handle(conn.recv());
 * } catch (EOFError e) {
 *     // the sender is done
 * }
 * }</pre>
 *
 * <p>Memory consistency effects: none of its own.
 */
public class EOFError extends UncheckedIOException {
    private static final long serialVersionUID = 1L;

    /** An error with {@code message}. */
    public EOFError(String message) {
        super(message, new EOFException(message));
    }
}
