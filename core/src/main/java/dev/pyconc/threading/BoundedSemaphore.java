package dev.pyconc.threading;

/**
 * A semaphore whose count never exceeds its initial value, Python's
 * {@code threading.BoundedSemaphore}: releasing more often than acquiring is a bug, and is
 * reported instead of silently raising the limit.
 *
 * <pre> {@code
 * var pool = new BoundedSemaphore(5);
 * pool.acquire();
 * pool.release();
 * pool.release();     // IllegalStateException: semaphore released too many times
 * }</pre>
 *
 * <p>Memory consistency effects: as {@link Semaphore}.
 */
public class BoundedSemaphore extends Semaphore {

    /** Refuses a release that would take the count above the initial value. */
    static final class BoundedSync extends SemaphoreSync {
        private static final long serialVersionUID = 1L;
        private final int initial;

        BoundedSync(int initial) {
            super(initial);
            this.initial = initial;
        }

        @Override
        protected boolean tryReleaseShared(int releases) {
            for (;;) {
                int current = getState();
                if (releases > initial - current) {
                    throw new IllegalStateException("semaphore released too many times (value " + current
                            + ", bound " + initial + ", releasing " + releases + ")");
                }
                if (compareAndSetState(current, current + releases)) {
                    return true;
                }
            }
        }
    }

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
        super(new BoundedSync(checkValue(value)));
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
        return ((BoundedSync) sync).initial;
    }

    /** {@code BoundedSemaphore[value=2/3]}: the value and the bound, as Python's repr shows them. */
    @Override
    public String toString() {
        return "BoundedSemaphore[value=" + value() + "/" + bound() + "]";
    }
}
