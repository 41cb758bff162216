package dev.pyconc.builtins;

import java.io.EOFException;
import java.io.UncheckedIOException;

/**
 * Nothing is left to read and nothing more will come: Python's built-in {@code EOFError}, as a
 * multiprocessing {@code Connection}'s receive methods raise it once the other end was closed or
 * its process ended, and the parent of asyncio's {@code IncompleteReadError}. It is Java's
 * {@link UncheckedIOException} with an {@link EOFException} as its cause.
 *
 * <pre> {@code
 * try {
 *     for (;;) handle(conn.recv());
 * } catch (EOFError e) {
 *     // the sender is done
 * }
 * }</pre>
 *
 * <p>Memory consistency effects: none; an exception carries only its message.
 */
public class EOFError extends UncheckedIOException {
    private static final long serialVersionUID = 1L;

    /** An error with {@code message}. */
    public EOFError(String message) {
        super(message, new EOFException(message));
    }
}
