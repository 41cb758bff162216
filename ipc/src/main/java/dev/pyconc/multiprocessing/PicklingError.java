package dev.pyconc.multiprocessing;

/**
 * Thrown when an item cannot be encoded: it is not {@link java.io.Serializable} (nor a type the
 * codec writes natively), its serialization threw, or its encoding exceeds the codec's size limit.
 * Python's {@code pickle.PicklingError}.
 *
 * <p>It is thrown by {@code put} or {@code send} in the calling thread before anything is written,
 * so the pipe or queue is left as it was and stays usable.
 */
public class PicklingError extends PickleError {
    private static final long serialVersionUID = 1L;

    /** An error with {@code message}. */
    public PicklingError(String message) {
        super(message);
    }

    /** An error with {@code message}, caused by {@code cause}. */
    public PicklingError(String message, Throwable cause) {
        super(message, cause);
    }
}
