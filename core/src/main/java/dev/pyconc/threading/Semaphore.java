package dev.pyconc.threading;

import java.time.Duration;

import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.core.internal.Sync;
import dev.pyconc.core.internal.Timeouts;

/**
 * A counting semaphore, Python's {@code threading.Semaphore}: {@code acquire} takes one permit,
 * waiting while none is left; {@code release} returns permits. The count may grow above its
 * initial value; {@link BoundedSemaphore} refuses that.
 *
 * <pre> {@code
 * var slots = new Semaphore(3);        // at most 3 queries at once
 * try (var _ = slots.enter()) {
 *     runQuery();
 * }
 * }</pre>
 *
 * <p>Memory consistency effects: actions in a thread prior to a {@code release()}
 * <i>happen-before</i> actions following a successful {@code acquire()} in another thread.
 * See <a href="package-summary.html#MemoryVisibility">Memory Visibility</a>.
 */
public class Semaphore {
    final SemaphoreSync sync;
    private final Held held = this::release;

    /** State is the number of permits left. */
    static class SemaphoreSync extends Sync {
        private static final long serialVersionUID = 1L;

        SemaphoreSync(int permits) {
            setState(permits);
        }

        @Override
        protected final int tryAcquireShared(int acquires) {
            for (;;) {
                int available = getState();
                int remaining = available - acquires;
                if (remaining < 0 || compareAndSetState(available, remaining)) {
                    return remaining;
                }
            }
        }

        @Override
        protected boolean tryReleaseShared(int releases) {
            for (;;) {
                int current = getState();
                int next = current + releases;
                if (next < current) {
                    throw new IllegalStateException("semaphore value would overflow: " + current + " + " + releases);
                }
                if (compareAndSetState(current, next)) {
                    return true;
                }
            }
        }

        final int value() {
            return getState();
        }
    }

    /** A semaphore with one permit: Python's {@code Semaphore()}, whose value defaults to 1. */
    public Semaphore() {
        this(1);
    }

    /**
     * A semaphore with {@code value} permits.
     *
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public Semaphore(int value) {
        this(new SemaphoreSync(checkValue(value)));
    }

    Semaphore(SemaphoreSync sync) {
        this.sync = sync;
    }

    static int checkValue(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("semaphore initial value must be >= 0, not " + value);
        }
        return value;
    }

    /** Takes a permit, waiting as long as it takes. */
    public boolean acquire() {
        GilRuntime.checkpoint();
        sync.acquireSharedBlocking(1);
        return true;
    }

    /**
     * Takes a permit, waiting at most {@code timeout}.
     *
     * @return {@code false} if the timeout elapsed first
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public boolean acquire(Duration timeout) {
        long nanos = Timeouts.toNanos(timeout);
        GilRuntime.checkpoint();
        return sync.acquireSharedTimed(1, nanos);
    }

    /** Takes a permit if one is available now; Python's {@code acquire(blocking=False)}. */
    public boolean tryAcquire() {
        GilRuntime.checkpoint();
        return sync.tryAcquireShared(1) >= 0;
    }

    /** Returns one permit. */
    public void release() {
        release(1);
    }

    /**
     * Returns {@code n} permits, waking as many waiters.
     *
     * @throws IllegalArgumentException if {@code n} is less than one
     */
    public void release(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be one or more, not " + n);
        }
        GilRuntime.checkpoint();
        sync.releaseShared(n);
    }

    /** Takes a permit and returns the scope whose {@code close()} returns it. */
    public Held enter() {
        acquire();
        return held;
    }

    /** The number of permits available now (Python's private {@code _value}). */
    public int value() {
        return sync.value();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[value=" + value() + "]";
    }
}
