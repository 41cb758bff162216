package dev.pyconc.multiprocessing;

/**
 * Thrown when an item cannot be encoded: it is not {@link java.io.Serializable} (nor a type the
 * codec writes natively), its serialization threw, its encoding exceeds the codec's size limit, or
 * it holds a class that the codec's allow-list does not admit (named by {@link #rejectedClass()}
 * and in the message, with the call that admits it), which every receiver would refuse.
 * Python's {@code pickle.PicklingError}.
 *
 * <p>It is thrown by {@code put} or {@code send} in the calling thread before anything is written,
 * so the pipe or queue is left as it was and stays usable.
 */
public class PicklingError extends PickleError {
    private static final long serialVersionUID = 1L;

    private final String rejectedClass;

    /** An error with {@code message} (its cause may be set later, as by {@link #initCause}). */
    public PicklingError(String message) {
        super(message);
        this.rejectedClass = null;
    }

    /** An error with {@code message}, caused by {@code cause}. */
    public PicklingError(String message, Throwable cause) {
        this(message, null, cause);
    }

    /** An error with {@code message} for a class that the codec's allow-list does not admit. */
    public PicklingError(String message, String rejectedClass, Throwable cause) {
        super(message, cause);
        this.rejectedClass = rejectedClass;
    }

    /**
     * The name of the class that the codec's allow-list does not admit, so that no receiver could
     * read the item, or {@code null} for other causes.
     */
    public String rejectedClass() {
        return rejectedClass;
    }
}
