package dev.pyconc.multiprocessing;

import dev.pyconc.ipc.internal.shm.HeaderDescriptor;
import dev.pyconc.ipc.internal.shm.Segments;
import dev.pyconc.ipc.internal.sync.SemaphoreEngine;

/**
 * A semaphore shared by processes whose count never exceeds its initial value, Python's
 * {@code multiprocessing.BoundedSemaphore}: releasing more often than acquiring is a bug and is
 * reported instead of silently raising the limit. Permits of a process that dies come back, never
 * above the bound (see {@link Semaphore}).
 *
 * <pre> {@code
 * var pool = new BoundedSemaphore(2);
 * pool.acquire();
 * pool.release();
 * pool.release();     // IllegalStateException: semaphore released too many times
 * }</pre>
 *
 * <p>Memory consistency effects: as {@link Semaphore}.
 */
public class BoundedSemaphore extends Semaphore {
    private static final long serialVersionUID = 1L;

    /** A bounded semaphore with one permit, also its bound: Python's {@code BoundedSemaphore()}. */
    public BoundedSemaphore() {
        this(1);
    }

    /**
     * A bounded semaphore with {@code value} permits, which is also its bound.
     *
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public BoundedSemaphore(int value) {
        super(create(HeaderDescriptor.BOUNDED_SEMAPHORE, value, value));
    }

    BoundedSemaphore(Segments.Mapped mapped) {
        super(mapped);
    }

    /**
     * Returns {@code n} permits.
     *
     * @throws IllegalStateException if the count would exceed the initial value; no permit is returned then
     */
    @Override
    public void release(int n) {
        super.release(n);
    }

    /** The bound: the initial value. */
    public int bound() {
        return SemaphoreEngine.bound(memory, base);
    }
}
