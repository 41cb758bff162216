package dev.pyconc.futures;

/**
 * The {@link BrokenExecutor} of a {@link ThreadPoolExecutor} whose worker initializer failed:
 * Python's {@code concurrent.futures.thread.BrokenThreadPool}.
 */
public class BrokenThreadPool extends BrokenExecutor {
    private static final long serialVersionUID = 1L;

    /** An error with {@code message} and the initializer's failure. */
    public BrokenThreadPool(String message, Throwable cause) {
        super(message, cause);
    }
}
