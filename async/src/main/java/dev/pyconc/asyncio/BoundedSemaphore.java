package dev.pyconc.asyncio;

/**
 * A {@link Semaphore} that refuses to be released above its initial value: Python's
 * {@code asyncio.BoundedSemaphore}.
 *
 * <pre> {@code
 * BoundedSemaphore s = new BoundedSemaphore(2);
 * s.release();        // IllegalStateException: BoundedSemaphore released too many times
 * }</pre>
 *
 * <p>Memory consistency effects: as for {@link Semaphore}.
 */
public class BoundedSemaphore extends Semaphore {
    private final int bound;

    /** A semaphore with {@code value} permits, never more. */
    public BoundedSemaphore(int value) {
        super(value);
        this.bound = value;
    }

    /** A semaphore with one permit, never more. */
    public BoundedSemaphore() {
        this(1);
    }

    /**
     * Returns a permit.
     *
     * @throws IllegalStateException if every permit is free already
     */
    @Override
    public void release() {
        if (value >= bound) {
            throw new IllegalStateException("BoundedSemaphore released too many times");
        }
        super.release();
    }
}
