package dev.pyconc.futures;

import java.util.concurrent.CancellationException;

/**
 * Thrown when the result of a cancelled {@link Future} is asked for: Python's
 * {@code concurrent.futures.CancelledError}. It extends the JDK's {@link CancellationException}.
 */
public class CancelledError extends CancellationException {
    private static final long serialVersionUID = 1L;

    /** An error saying that the future was cancelled. */
    public CancelledError() {
        super("the future was cancelled");
    }

    /** An error with {@code message}. */
    public CancelledError(String message) {
        super(message);
    }
}
