package dev.pyconc.threading;

import java.time.Duration;

import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.core.internal.Sync;
import dev.pyconc.core.internal.Timeouts;

/**
 * A primitive lock, Python's {@code threading.Lock}: locked or unlocked, owned by no thread, so
 * that any thread may release it, including one that did not acquire it.
 *
 * <pre> {@code
 * var lock = new Lock();
 * try (var _ = lock.enter()) {        // with lock:
 *     counter++;
 * }
 * if (lock.acquire(Duration.ofMillis(50))) {   // lock.acquire(timeout=0.05)
 *     try { ... } finally { lock.release(); }
 * }
 * }</pre>
 *
 * <p>It is not reentrant: a thread that acquires it twice waits for itself, as in Python; use
 * {@link RLock} for that. Waiters are not served in any promised order. It is a {@link Lockable},
 * so code written for any lock takes it, and so does a {@link Condition}.
 *
 * <p>Memory consistency effects: actions in a thread prior to {@link #release()}
 * <i>happen-before</i> actions following a successful acquire in another thread.
 * See <a href="package-summary.html#MemoryVisibility">Memory Visibility</a>.
 */
public class Lock implements Lockable {
    private final LockSync sync = new LockSync();
    private final Held held = this::release;

    /** State 1 while locked, 0 while unlocked; no owner is recorded. */
    static final class LockSync extends Sync {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean tryAcquire(int unused) {
            return getState() == 0 && compareAndSetState(0, 1);
        }

        @Override
        protected boolean tryRelease(int unused) {
            if (getState() == 0) {
                throw new IllegalStateException("release unlocked lock");
            }
            setState(0);
            return true;
        }

        /** Python's Condition treats a Lock as owned while anybody holds it. */
        @Override
        protected boolean isHeldExclusively() {
            return getState() != 0;
        }

        boolean isLocked() {
            return getState() != 0;
        }
    }

    /** A new, unlocked lock. */
    public Lock() {}

    /** Acquires the lock, waiting as long as it takes; returns {@code true} as Python does. */
    @Override
    public boolean acquire() {
        GilRuntime.checkpoint();
        sync.acquireBlocking(1);
        return true;
    }

    /**
     * Acquires the lock, waiting at most {@code timeout}; {@code Duration.ZERO} does not wait.
     *
     * @return {@code false} if the timeout elapsed first
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    @Override
    public boolean acquire(Duration timeout) {
        long nanos = Timeouts.toNanos(timeout);
        GilRuntime.checkpoint();
        return sync.acquireTimed(1, nanos);
    }

    /** Acquires the lock if it is free; Python's {@code acquire(blocking=False)}. */
    @Override
    public boolean tryAcquire() {
        GilRuntime.checkpoint();
        return sync.tryAcquire(1);
    }

    /**
     * Releases the lock; any thread may do so.
     *
     * @throws IllegalStateException if the lock is not locked
     */
    @Override
    public void release() {
        GilRuntime.checkpoint();
        sync.release(1);
    }

    /** Whether the lock is held by some thread. */
    @Override
    public boolean locked() {
        return sync.isLocked();
    }

    /** Acquires the lock and returns the scope whose {@code close()} releases it. */
    @Override
    public Held enter() {
        acquire();
        return held;
    }

    /**
     * For a condition's wait: takes the lock back, waiting as long as it takes, with an interrupt
     * left for later. A Lock keeps no state: {@code savedState} is what {@link #releaseFully()}
     * returned, 1.
     */
    @Override
    public void reacquire(long savedState) {
        sync.acquireUninterruptibly(1);
    }

    /** The engine, whose condition queue hands the lock to a signalled waiter (Condition). */
    Sync sync() {
        return sync;
    }

    @Override
    public String toString() {
        return "Lock[" + (locked() ? "locked" : "unlocked") + "]";
    }
}
