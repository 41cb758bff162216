package dev.pyconc.threading;

/**
 * Thrown by {@link Barrier#await()} when the barrier is broken or breaks while the thread waits:
 * Python's {@code threading.BrokenBarrierError}, a RuntimeError there and so an
 * {@link IllegalStateException} here.
 */
public class BrokenBarrierError extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** An error with {@code message}. */
    public BrokenBarrierError(String message) {
        super(message);
    }
}
