package dev.pyconc.threading;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import dev.pyconc.builtins.InterruptedError;
import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.core.internal.Timeouts;

/**
 * A condition variable, Python's {@code threading.Condition}: threads wait on it holding its lock
 * until another thread signals them. It uses an {@link RLock} of its own, or the lock you give it:
 * any {@link Lockable}, a {@code multiprocessing} {@code Lock} or {@code RLock} included, as
 * {@code threading.Condition(multiprocessing.Lock())} does in Python (the waiting is among the
 * threads of this process; a condition shared by processes is {@code multiprocessing.Condition}).
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
 * holding the lock throws {@link IllegalStateException} (Python's RuntimeError); the lock's
 * {@link Lockable#isHeldByCurrentThread()} decides, so for a {@link Lock}, which has no owner,
 * held means locked by any thread, as in Python.
 *
 * <p>An interrupt makes a waiting {@code await} throw {@link InterruptedError} once it holds the
 * lock again, with the interrupt flag set; a waiter that was signalled first returns normally
 * instead and keeps the flag set, so that no signal is lost.
 *
 * <p>Over this package's {@link Lock} and {@link RLock}, a signalled waiter is woken by the release
 * that frees the lock, and finds it free, as {@code ReentrantLock}'s conditions do; over any other
 * lock it is woken at the signal and takes the lock back with {@link Lockable#reacquire(long)}.
 *
 * <p>Memory consistency effects: actions prior to a signal <i>happen-before</i> the return of the
 * await it wakes, which holds the lock again. See
 * <a href="package-summary.html#MemoryVisibility">Memory Visibility</a>.
 */
public class Condition {
    private static final String WAIT_UNHELD = "cannot wait on un-acquired lock";
    private static final String NOTIFY_UNHELD = "cannot notify on un-acquired lock";

    private final Lockable lock;
    private final Waiters waiters;
    private final Held held = this::release;

    /*
     * Overview. The waiting is Waiters': for this package's Lock and RLock, a condition queue of
     * the lock's own engine, which hands the lock to a signalled waiter as it is released
     * (HandOffWaiters); for any other Lockable, CPython's algorithm over Lockable's releaseFully
     * and reacquire (FifoWaiters). The kind of lock is looked at once, here; acquire, release and
     * the held check go through Lockable.
     */

    /** A condition with a new {@link RLock} of its own. */
    public Condition() {
        this(new RLock());
    }

    /**
     * A condition on {@code lock}: a {@link Lock}, an {@link RLock}, a lock of
     * {@code multiprocessing} or any other {@link Lockable}.
     *
     * @throws IllegalArgumentException if {@code lock} is null
     */
    public Condition(Lockable lock) {
        if (lock == null) {
            throw new IllegalArgumentException("lock must not be null; use new Condition() for one of its own");
        }
        this.lock = lock;
        this.waiters = Waiters.of(lock, this);
    }

    /** Acquires the underlying lock. */
    public boolean acquire() {
        return lock.acquire();
    }

    /** Acquires the underlying lock, waiting at most {@code timeout}. */
    public boolean acquire(Duration timeout) {
        return lock.acquire(timeout);
    }

    /** Acquires the underlying lock if it can without waiting. */
    public boolean tryAcquire() {
        return lock.tryAcquire();
    }

    /** Releases the underlying lock. */
    public void release() {
        lock.release();
    }

    /** Acquires the underlying lock and returns the scope whose {@code close()} releases it. */
    public Held enter() {
        lock.acquire();
        return held;
    }

    /**
     * Waits until signalled. Releases the lock while waiting and holds it again on return.
     *
     * @return {@code true}, as Python does for a wait without timeout
     * @throws IllegalStateException if the caller does not hold the lock
     * @throws InterruptedError if interrupted before a signal came (the lock is held again)
     */
    public boolean await() {
        GilRuntime.checkpoint();
        return awaitNanos(Waiters.FOREVER);
    }

    /**
     * Waits until signalled or until {@code timeout} elapses.
     *
     * @return {@code false} if the timeout elapsed first
     * @throws IllegalStateException if the caller does not hold the lock
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws InterruptedError if interrupted before a signal came (the lock is held again)
     */
    public boolean await(Duration timeout) {
        long nanos = Timeouts.toNanos(timeout);
        GilRuntime.checkpoint();
        return awaitNanos(nanos);
    }

    /** The wait: {@code nanos} is {@link Waiters#FOREVER} or at least 0; returns whether a signal came. */
    private boolean awaitNanos(long nanos) {
        checkHeld(WAIT_UNHELD);
        return waiters.await(nanos);
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
                checkHeld(WAIT_UNHELD);
                break;
            }
            GilRuntime.checkpoint();
            awaitNanos(left);
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
        checkHeld(NOTIFY_UNHELD);
        waiters.signal(n);
    }

    /**
     * Wakes every waiting thread.
     *
     * @throws IllegalStateException if the caller does not hold the lock
     */
    public void signalAll() {
        GilRuntime.checkpoint();
        checkHeld(NOTIFY_UNHELD);
        waiters.signalAll();
    }

    private void checkHeld(String message) {
        if (!lock.isHeldByCurrentThread()) {
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
