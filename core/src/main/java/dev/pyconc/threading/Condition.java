package dev.pyconc.threading;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.core.internal.Sync;
import dev.pyconc.core.internal.Timeouts;

/**
 * A condition variable, Python's {@code threading.Condition}: threads wait on it holding its lock
 * until another thread signals them. It uses an {@link RLock} of its own, or the {@link Lock} or
 * {@link RLock} you give it.
 *
 * <pre> {@code
 * var cv = new Condition();
 * // consumer                               // producer
 * try (var _ = cv.enter()) {                try (var _ = cv.enter()) {
 *     cv.waitFor(() -> !items.isEmpty());       items.add(x);
 *     take(items);                              cv.signal();
 * }                                         }
 * }</pre>
 *
 * <p>{@link #await()} releases the lock fully (every level of an RLock), waits, and holds the lock
 * again with the same recursion count when it returns or throws. {@link #signal(int)} wakes at
 * most {@code n} waiters, those that have waited longest first. Waiting or signalling without
 * holding the lock throws {@link IllegalStateException} (Python's RuntimeError); for a Lock, held
 * means locked by any thread, as in Python.
 *
 * <p>Memory consistency effects: actions prior to a signal <i>happen-before</i> the return of the
 * await it wakes, which holds the lock again. See
 * <a href="package-summary.html#MemoryVisibility">Memory Visibility</a>.
 */
public class Condition {
    private final Object lock;                       // the Lock or RLock, for acquire/release
    private final Sync sync;
    private final Sync.ConditionObject waiters;      // FIFO
    private final Held held = this::release;

    /** A condition with a new {@link RLock} of its own. */
    public Condition() {
        this(new RLock());
    }

    /** A condition on {@code lock}. */
    public Condition(Lock lock) {
        this(lock, checked(lock).sync());
    }

    /** A condition on {@code lock}. */
    public Condition(RLock lock) {
        this(lock, checked(lock).sync());
    }

    private Condition(Object lock, Sync sync) {
        this.lock = lock;
        this.sync = sync;
        this.waiters = sync.newCondition();
    }

    private static <L> L checked(L lock) {
        if (lock == null) {
            throw new IllegalArgumentException("lock must not be null; use new Condition() for one of its own");
        }
        return lock;
    }

    /** Acquires the underlying lock. */
    public boolean acquire() {
        return lock instanceof RLock r ? r.acquire() : ((Lock) lock).acquire();
    }

    /** Acquires the underlying lock, waiting at most {@code timeout}. */
    public boolean acquire(Duration timeout) {
        return lock instanceof RLock r ? r.acquire(timeout) : ((Lock) lock).acquire(timeout);
    }

    /** Acquires the underlying lock if it can without waiting. */
    public boolean tryAcquire() {
        return lock instanceof RLock r ? r.tryAcquire() : ((Lock) lock).tryAcquire();
    }

    /** Releases the underlying lock. */
    public void release() {
        if (lock instanceof RLock r) {
            r.release();
        } else {
            ((Lock) lock).release();
        }
    }

    /** Acquires the underlying lock and returns the scope whose {@code close()} releases it. */
    public Held enter() {
        acquire();
        return held;
    }

    /**
     * Waits until signalled. Releases the lock while waiting and holds it again on return.
     *
     * @return {@code true}, as Python does for a wait without timeout
     * @throws IllegalStateException if the caller does not hold the lock
     */
    public boolean await() {
        GilRuntime.checkpoint();
        checkHeld("cannot wait on un-acquired lock");
        sync.await(waiters);
        return true;
    }

    /**
     * Waits until signalled or until {@code timeout} elapses.
     *
     * @return {@code false} if the timeout elapsed first
     * @throws IllegalStateException if the caller does not hold the lock
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public boolean await(Duration timeout) {
        long nanos = Timeouts.toNanos(timeout);
        GilRuntime.checkpoint();
        checkHeld("cannot wait on un-acquired lock");
        return sync.await(waiters, nanos);
    }

    /**
     * Waits until {@code predicate} is true, checking it first and after every wake-up.
     *
     * @return the predicate's last value: {@code true}
     * @throws IllegalStateException if the caller does not hold the lock
     */
    public boolean waitFor(BooleanSupplier predicate) {
        checkPredicate(predicate);
        boolean result = predicate.getAsBoolean();
        while (!result) {
            await();
            result = predicate.getAsBoolean();
        }
        return result;
    }

    /**
     * Waits until {@code predicate} is true or {@code timeout} elapses, checking the predicate
     * first and after every wake-up.
     *
     * @return the predicate's last value: {@code false} means the timeout elapsed
     * @throws IllegalStateException if the caller does not hold the lock
     */
    public boolean waitFor(BooleanSupplier predicate, Duration timeout) {
        checkPredicate(predicate);
        long deadline = Timeouts.deadline(Timeouts.toNanos(timeout));
        boolean result = predicate.getAsBoolean();
        while (!result) {
            long left = Timeouts.remaining(deadline);
            if (left <= 0) {
                checkHeld("cannot wait on un-acquired lock");
                break;
            }
            GilRuntime.checkpoint();
            checkHeld("cannot wait on un-acquired lock");
            sync.await(waiters, left);
            result = predicate.getAsBoolean();
        }
        return result;
    }

    /** Wakes the thread that has waited longest, if any. */
    public void signal() {
        signal(1);
    }

    /**
     * Wakes at most {@code n} waiting threads, those that have waited longest first. They return
     * from {@code await} once they hold the lock again.
     *
     * @throws IllegalStateException if the caller does not hold the lock
     * @throws IllegalArgumentException if {@code n} is negative (zero wakes nobody)
     */
    public void signal(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, not " + n);
        }
        GilRuntime.checkpoint();
        checkHeld("cannot notify on un-acquired lock");
        for (int i = 0; i < n && sync.hasWaiters(waiters); i++) {
            waiters.signal();
        }
    }

    /**
     * Wakes every waiting thread.
     *
     * @throws IllegalStateException if the caller does not hold the lock
     */
    public void signalAll() {
        GilRuntime.checkpoint();
        checkHeld("cannot notify on un-acquired lock");
        waiters.signalAll();
    }

    private void checkHeld(String message) {
        if (!sync.heldExclusively()) {
            throw new IllegalStateException(message);
        }
    }

    private static void checkPredicate(BooleanSupplier predicate) {
        if (predicate == null) {
            throw new IllegalArgumentException("predicate must not be null");
        }
    }

    @Override
    public String toString() {
        return "Condition[" + lock + "]";
    }
}
