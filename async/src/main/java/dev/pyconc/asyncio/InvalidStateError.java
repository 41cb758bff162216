package dev.pyconc.asyncio;

/**
 * Raised by an operation on a {@link Future} in a state that does not allow it, such as asking for
 * the result of a pending future or setting the result of a finished one: Python's
 * {@code asyncio.InvalidStateError}.
 *
 * <pre> {@code
 * Future<Integer> f = loop.createFuture();
 * f.result();       // InvalidStateError: Result is not set.
 * }</pre>
 *
 * <p>Memory consistency effects: none; an exception carries only its message.
 */
public class InvalidStateError extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** An error with {@code message}. */
    public InvalidStateError(String message) {
        super(message);
    }
}
