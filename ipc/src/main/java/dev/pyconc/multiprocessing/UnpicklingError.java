package dev.pyconc.multiprocessing;

/**
 * Thrown when bytes cannot be decoded into an item: Python's {@code pickle.UnpicklingError}.
 * Causes: a class that the codec's allow-list does not admit (named by {@link #rejectedClass()} and
 * in the message, with the call that admits it), a limit exceeded (depth, references, array
 * length, size), or truncated or corrupt bytes. Decoding hostile bytes ends in this error, never
 * in a huge allocation or a hang.
 */
public class UnpicklingError extends PickleError {
    private static final long serialVersionUID = 1L;

    private final String rejectedClass;

    /** An error with {@code message}. */
    public UnpicklingError(String message) {
        this(message, null, null);
    }

    /** An error with {@code message}, caused by {@code cause}. */
    public UnpicklingError(String message, Throwable cause) {
        this(message, null, cause);
    }

    /** An error with {@code message} for a class that the allow-list rejected. */
    public UnpicklingError(String message, String rejectedClass, Throwable cause) {
        super(message, cause);
        this.rejectedClass = rejectedClass;
    }

    /** The name of the class that the allow-list rejected, or {@code null} for other causes. */
    public String rejectedClass() {
        return rejectedClass;
    }
}
