package dev.pyconc.threading;

import java.time.Duration;

import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.core.internal.Sync;
import dev.pyconc.core.internal.Timeouts;

/**
 * A reentrant lock, Python's {@code threading.RLock}: the thread that holds it may acquire it
 * again, and must release it as many times; only that thread may release it.
 *
 * <pre> {@code
 * var lock = new RLock();
 * try (var _ = lock.enter()) {
 *     try (var _ = lock.enter()) {     // the owner enters again
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>It is a {@link Lockable}: a {@link Condition} over it releases every level the owner holds
 * while it waits and restores them after.
 *
 * <p>Memory consistency effects: actions in a thread prior to the release that frees the lock
 * <i>happen-before</i> actions following a successful acquire in another thread.
 * See <a href="package-summary.html#MemoryVisibility">Memory Visibility</a>.
 */
public class RLock implements Lockable {
    private final RSync sync = new RSync();
    private final Held held = this::release;

    /** State is the recursion count; the owner is AQS's exclusive owner thread. */
    static final class RSync extends Sync {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean tryAcquire(int acquires) {
            java.lang.Thread me = java.lang.Thread.currentThread();
            int c = getState();
            if (c == 0) {
                if (compareAndSetState(0, acquires)) {
                    setExclusiveOwnerThread(me);
                    return true;
                }
                return false;
            }
            if (getExclusiveOwnerThread() == me) {
                int next = c + acquires;
                if (next < 0) {
                    throw new IllegalStateException("RLock recursion count overflow");
                }
                setState(next);
                return true;
            }
            return false;
        }

        @Override
        protected boolean tryRelease(int releases) {
            if (getExclusiveOwnerThread() != java.lang.Thread.currentThread()) {
                throw new IllegalStateException("cannot release un-acquired lock");
            }
            int c = getState() - releases;
            if (c == 0) {
                setExclusiveOwnerThread(null);
                setState(0);
                return true;
            }
            setState(c);
            return false;
        }

        @Override
        protected boolean isHeldExclusively() {
            return getExclusiveOwnerThread() == java.lang.Thread.currentThread();
        }

        boolean isLocked() {
            return getState() != 0;
        }

        int holdCount() {
            return isHeldExclusively() ? getState() : 0;
        }
    }

    /** A new, unlocked reentrant lock. */
    public RLock() {}

    /** Acquires the lock (again, if the caller owns it), waiting as long as it takes. */
    @Override
    public boolean acquire() {
        GilRuntime.checkpoint();
        sync.acquireBlocking(1);
        return true;
    }

    /**
     * Acquires the lock, waiting at most {@code timeout}.
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

    /** Acquires the lock if it is free or owned by the caller. */
    @Override
    public boolean tryAcquire() {
        GilRuntime.checkpoint();
        return sync.tryAcquire(1);
    }

    /**
     * Releases one level of ownership; the last release frees the lock.
     *
     * @throws IllegalStateException if the caller does not own the lock
     */
    @Override
    public void release() {
        GilRuntime.checkpoint();
        sync.release(1);
    }

    /** Whether the calling thread owns the lock (Python's {@code _is_owned}). */
    public boolean isOwned() {
        return sync.heldExclusively();
    }

    /** Whether any thread holds the lock (Python 3.14's {@code RLock.locked}). */
    @Override
    public boolean locked() {
        return sync.isLocked();
    }

    /** How many times the calling thread holds the lock: 0 when it does not own it. */
    public int recursionCount() {
        return sync.holdCount();
    }

    /** Acquires the lock and returns the scope whose {@code close()} releases it once. */
    @Override
    public Held enter() {
        acquire();
        return held;
    }

    /** Whether the calling thread owns the lock: {@link #isOwned()}. */
    @Override
    public boolean isHeldByCurrentThread() {
        return sync.heldExclusively();
    }

    /**
     * For a condition's wait: frees every level the calling thread holds.
     *
     * @return how many levels it held, for {@link #reacquire(long)}
     * @throws IllegalStateException if the caller does not own the lock
     */
    @Override
    public long releaseFully() {
        int levels = sync.holdCount();
        if (levels == 0) {
            throw new IllegalStateException("cannot release un-acquired lock");
        }
        sync.release(levels);
        return levels;
    }

    /**
     * For a condition's wait: takes the lock back with {@code savedState} levels, waiting as long
     * as it takes, with an interrupt left for later.
     *
     * @param savedState what {@link #releaseFully()} returned: the number of levels
     * @throws IllegalArgumentException if {@code savedState} is not a count from 1 to
     *         {@link Integer#MAX_VALUE}
     */
    @Override
    public void reacquire(long savedState) {
        if (savedState < 1 || savedState > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("not a recursion count: " + savedState);
        }
        sync.acquireUninterruptibly((int) savedState);
    }

    /** The engine, whose condition queue hands the lock to a signalled waiter (Condition). */
    Sync sync() {
        return sync;
    }

    @Override
    public String toString() {
        return "RLock[" + (locked() ? "locked" : "unlocked") + "]";
    }
}
