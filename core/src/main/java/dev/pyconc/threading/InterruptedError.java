package dev.pyconc.threading;

/**
 * Thrown when a thread is interrupted while it waits in a pyconc call: the unchecked form of
 * {@link InterruptedException}, which it carries as its cause. Python's counterpart is the builtin
 * {@code InterruptedError}.
 *
 * <p>Before this is thrown, the thread's interrupt flag is set again, so code further up the stack
 * (a pool worker, a loop that checks {@link java.lang.Thread#isInterrupted()}) still sees the interrupt. A
 * primitive that throws it is left as if the call had not been made: a lock is not acquired, no
 * item is taken from a queue. {@link Condition#await()} is the one exception, as in Python: it
 * holds the lock again when it throws.
 */
public class InterruptedError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An error caused by {@code cause}. */
    public InterruptedError(InterruptedException cause) {
        super("interrupted while waiting", cause);
    }

    /** An error with a message of its own. */
    public InterruptedError(String message) {
        super(message);
    }
}
