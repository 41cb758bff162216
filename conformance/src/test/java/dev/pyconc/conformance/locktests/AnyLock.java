package dev.pyconc.conformance.locktests;

import java.time.Duration;

import dev.pyconc.threading.Condition;
import dev.pyconc.threading.Held;
import dev.pyconc.threading.Lock;
import dev.pyconc.threading.RLock;

/**
 * A lock under test as lock_tests sees it: through the methods that Python's lock types share by
 * duck typing ({@code Lock}, {@code RLock}, and {@code Condition}, which exports its RLock's
 * methods). {@link #lock()} is the pyconc object itself.
 */
public interface AnyLock {
    boolean acquire();

    boolean acquire(Duration timeout);

    boolean tryAcquire();

    void release();

    Held enter();

    /** The pyconc object: for its {@code toString()}, weak references, and where its waiters park. */
    Object lock();

    /** {@code locked()}, of the types that have it. */
    default boolean locked() {
        throw new UnsupportedOperationException(lock().getClass().getSimpleName() + " has no locked()");
    }

    /** {@code _is_owned()}, of the reentrant types. */
    default boolean isOwned() {
        throw new UnsupportedOperationException(lock().getClass().getSimpleName() + " has no isOwned()");
    }

    /** {@code _release_save()}: {@code releaseFully()}, of the reentrant types. */
    default long releaseFully() {
        throw new UnsupportedOperationException(lock().getClass().getSimpleName() + " has no releaseFully()");
    }

    /** {@code _recursion_count()}, of the types that have it. */
    default int recursionCount() {
        throw new UnsupportedOperationException(lock().getClass().getSimpleName() + " has no recursionCount()");
    }

    /** A {@link Lock}. */
    static AnyLock of(Lock lock) {
        return new AnyLock() {
            @Override public boolean acquire() { return lock.acquire(); }
            @Override public boolean acquire(Duration timeout) { return lock.acquire(timeout); }
            @Override public boolean tryAcquire() { return lock.tryAcquire(); }
            @Override public void release() { lock.release(); }
            @Override public Held enter() { return lock.enter(); }
            @Override public Object lock() { return lock; }
            @Override public boolean locked() { return lock.locked(); }
        };
    }

    /** An {@link RLock}. */
    static AnyLock of(RLock lock) {
        return new AnyLock() {
            @Override public boolean acquire() { return lock.acquire(); }
            @Override public boolean acquire(Duration timeout) { return lock.acquire(timeout); }
            @Override public boolean tryAcquire() { return lock.tryAcquire(); }
            @Override public void release() { lock.release(); }
            @Override public Held enter() { return lock.enter(); }
            @Override public Object lock() { return lock; }
            @Override public boolean locked() { return lock.locked(); }
            @Override public boolean isOwned() { return lock.isOwned(); }
            @Override public long releaseFully() { return lock.releaseFully(); }
            @Override public int recursionCount() { return lock.recursionCount(); }
        };
    }

    /**
     * A {@link Condition} used as the lock it wraps, as test_threading's ConditionAsRLockTests uses
     * it. Python's {@code Condition._is_owned()} is private; its public face is that waiting and
     * notifying need ownership, so {@code isOwned()} asks {@code signal(0)}, which refuses a
     * caller that does not own the lock and wakes nobody. Its {@code _release_save()} is its
     * lock's, which pyconc's Condition keeps for {@code await()}: {@code releaseFully()} asks
     * {@code await(Duration.ZERO)}, which refuses a caller that does not own the lock in the same
     * way, and is not there for one that does.
     */
    static AnyLock of(Condition cond) {
        return new AnyLock() {
            @Override public boolean acquire() { return cond.acquire(); }
            @Override public boolean acquire(Duration timeout) { return cond.acquire(timeout); }
            @Override public boolean tryAcquire() { return cond.tryAcquire(); }
            @Override public void release() { cond.release(); }
            @Override public Held enter() { return cond.enter(); }
            @Override public Object lock() { return cond; }
            @Override public boolean isOwned() {
                try {
                    cond.signal(0);
                    return true;
                } catch (IllegalStateException notOwned) {
                    return false;
                }
            }
            @Override public long releaseFully() {
                cond.await(Duration.ZERO);         // throws IllegalStateException unless owned
                throw new UnsupportedOperationException("a Condition's releaseFully() is its lock's, for await()");
            }
        };
    }
}
