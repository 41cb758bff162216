package dev.pyconc.futures;

/**
 * Thrown when a timed wait for a result elapses: Python's {@code TimeoutError} (which
 * {@code concurrent.futures.TimeoutError} is since 3.11). Unchecked, unlike the JDK's
 * {@link java.util.concurrent.TimeoutException}.
 */
public class TimeoutError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An error with {@code message}. */
    public TimeoutError(String message) {
        super(message);
    }
}
