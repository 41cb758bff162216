package dev.pyconc.asyncio;

/**
 * Raised by {@link Barrier#await()} when the barrier is broken or reset while the task waits:
 * Python's {@code asyncio.BrokenBarrierError}, a RuntimeError there and so an
 * {@link IllegalStateException} here.
 *
 * <pre> {@code
 * try {
 *     barrier.await();
 * } catch (BrokenBarrierError e) {
 *     return;      // another party aborted
 * }
 * }</pre>
 *
 * <p>Memory consistency effects: none; an exception carries only its message.
 */
public class BrokenBarrierError extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** An error with {@code message}. */
    public BrokenBarrierError(String message) {
        super(message);
    }
}
