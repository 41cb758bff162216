package dev.pyconc.multiprocessing;

/**
 * The common type of the errors a {@link Codec} throws when an item cannot be turned into bytes or
 * back: Python's {@code pickle.PickleError}, which {@code multiprocessing} raises when an object
 * cannot travel through a pipe or a queue.
 *
 * <p>Catch {@link PicklingError} for items that cannot be sent (nothing was written: the sender's
 * pipe or queue is unchanged and usable), and {@link UnpicklingError} for bytes that cannot be read
 * back (a class outside the allow-list, a limit exceeded, truncated or corrupt bytes).
 */
public class PickleError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An error with {@code message}. */
    public PickleError(String message) {
        super(message);
    }

    /** An error with {@code message}, caused by {@code cause}. */
    public PickleError(String message, Throwable cause) {
        super(message, cause);
    }
}
