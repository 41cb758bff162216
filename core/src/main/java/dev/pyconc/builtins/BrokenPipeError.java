package dev.pyconc.builtins;

import java.io.IOException;

/**
 * Nobody will read what is written or sent: the other end was closed or its process ended.
 * Python's built-in {@code BrokenPipeError}, a {@link ConnectionError}. Thrown by a
 * multiprocessing {@code Connection}'s send and {@code Queue}'s put, and by asyncio's stream
 * writes and subprocess pipes.
 *
 * <pre> {@code
 * try {
 *     conn.send(result);
 * } catch (BrokenPipeError e) {
 *     // the other side is gone
 * }
 * }</pre>
 *
 * <p>Memory consistency effects: none; an exception carries only its message and cause.
 */
public class BrokenPipeError extends ConnectionError {
    private static final long serialVersionUID = 1L;

    /** An error with {@code message}. */
    public BrokenPipeError(String message) {
        super(message);
    }

    /** An error with {@code message}, caused by {@code cause} (null: an IOException of the message). */
    public BrokenPipeError(String message, IOException cause) {
        super(message, cause);
    }
}
