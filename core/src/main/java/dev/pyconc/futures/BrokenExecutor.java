package dev.pyconc.futures;

/**
 * Thrown, and set as the exception of pending futures, when an executor can no longer work, for
 * example because a worker's initializer failed: Python's {@code concurrent.futures.BrokenExecutor}.
 */
public class BrokenExecutor extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** An error with {@code message}. */
    public BrokenExecutor(String message) {
        super(message);
    }

    /** An error with {@code message} and the failure that broke the executor. */
    public BrokenExecutor(String message, Throwable cause) {
        super(message, cause);
    }
}
