package dev.pyconc.builtins;

import java.io.InterruptedIOException;

/**
 * A thread was interrupted while it waited in a pyconc call: the unchecked form of the JDK's
 * {@link InterruptedException}, and Python's built-in {@code InterruptedError} (an
 * {@link OSError}). Its cause is an {@link InterruptedIOException}, whose own cause is the
 * {@code InterruptedException} when there was one ({@link #interruption()}).
 *
 * <pre> {@code
 * try {
 *     item = queue.get();
 * } catch (InterruptedError e) {
 *     return;      // asked to stop; Thread.currentThread().isInterrupted() is true again
 * }
 * }</pre>
 *
 * <p>Before this is thrown, the thread's interrupt flag is set again, so code further up the
 * stack (a pool worker, a loop that checks {@link java.lang.Thread#isInterrupted()}) still sees
 * the interrupt. A primitive that throws it is left as if the call had not been made: a lock is
 * not acquired, no item is taken from a queue. {@code Condition.await()} is the one exception, as
 * in Python: it holds the lock again when it throws.
 *
 * <p>Memory consistency effects: none; an exception carries only its message and cause.
 */
public class InterruptedError extends OSError {
    private static final long serialVersionUID = 1L;

    /** An error caused by {@code cause}. */
    public InterruptedError(InterruptedException cause) {
        this("interrupted while waiting", cause);
    }

    /** An error with a message of its own. */
    public InterruptedError(String message) {
        this(message, null);
    }

    /** An error with {@code message}, caused by {@code cause} (which may be null). */
    public InterruptedError(String message, InterruptedException cause) {
        super(message, io(message, cause));
    }

    private static InterruptedIOException io(String message, InterruptedException cause) {
        InterruptedIOException e = new InterruptedIOException(message);
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    /** The {@link InterruptedException} behind this error, or null if there was none. */
    public InterruptedException interruption() {
        return getCause().getCause() instanceof InterruptedException ie ? ie : null;
    }
}
