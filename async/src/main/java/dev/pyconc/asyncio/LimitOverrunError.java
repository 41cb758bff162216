package dev.pyconc.asyncio;

/**
 * {@link StreamReader#readuntil} found no separator within the reader's limit: Python's
 * {@code asyncio.LimitOverrunError}. The data stays in the reader's buffer, as in Python;
 * {@link #consumed()} is how many bytes may be consumed to get past it.
 *
 * <pre> {@code
 * try {
 *     line = reader.readuntil("\r\n".getBytes());
 * } catch (LimitOverrunError e) {
 *     reader.readexactly(e.consumed());      // skip the oversized chunk
 * }
 * }</pre>
 *
 * <p>Memory consistency effects: none; an exception carries only its message and count.
 */
public class LimitOverrunError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int consumed;

    /** An error with {@code message} and the number of bytes to be consumed. */
    public LimitOverrunError(String message, int consumed) {
        super(message);
        this.consumed = consumed;
    }

    /** The total number of bytes to be consumed (Python's {@code consumed}). */
    public int consumed() {
        return consumed;
    }
}
