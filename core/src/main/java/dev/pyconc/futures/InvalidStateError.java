package dev.pyconc.futures;

/**
 * Thrown by an operation on a {@link Future} in a state that does not allow it, such as setting
 * the result of a finished future: Python's {@code concurrent.futures.InvalidStateError}.
 */
public class InvalidStateError extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** An error with {@code message}. */
    public InvalidStateError(String message) {
        super(message);
    }
}
