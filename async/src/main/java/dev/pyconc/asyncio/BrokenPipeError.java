package dev.pyconc.asyncio;

import java.io.IOException;

/**
 * Raised when a write went to a pipe or socket whose reading end is closed (a child that exited, a peer that shut down): Python's {@code BrokenPipeError}.
 *
 * <pre> {@code
 * try {
 *     proc.stdin().drain();        // after the child closed its stdin
 * } catch (BrokenPipeError e) {
 *     ...
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

    /** An error with {@code message}, caused by {@code cause}. */
    public BrokenPipeError(String message, IOException cause) {
        super(message, cause);
    }
}
