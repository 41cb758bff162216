package dev.pyconc.asyncio;

import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;

import dev.pyconc.core.internal.Failures;
import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.threading.Held;

/**
 * A condition variable for tasks: Python's {@code asyncio.Condition}. Python's {@code wait} is
 * {@link #await()} and {@code notify} is {@link #signal}.
 *
 * <pre> {@code
 * try (var _ = cond.enter()) {
 *     cond.waitFor(() -> !items.isEmpty());
 *     take(items);
 * }
 * // producer:
 * try (var _ = cond.enter()) {
 *     items.add(x);
 *     cond.signal();
 * }
 * }</pre>
 *
 * <p>A waiter that leaves {@code await()} with an exception (a cancellation while it waited for the
 * signal, or while it waited for the lock again) signals another waiter, so that no signal is lost
 * to a cancellation (the other waiter may wake without cause, which the protocol allows).
 *
 * <p>Memory consistency effects: as for its {@link Lock}.
 */
public class Condition extends LoopBound {
    /*
     * Overview. Python 3.13's asyncio.Condition: a Lock and a deque of waiter futures. await()
     * releases the lock, waits for its future and re-acquires the lock even when cancelled
     * (re-raising the last cancellation); any exception leaving await() signals one other waiter
     * (gh-112202). Fields are guarded by the baton.
     */
    private final Lock lock;
    private ArrayDeque<Future<Object>> waiters;    // allocated at the first wait

    /** A condition with a lock of its own. */
    public Condition() {
        this(new Lock());
    }

    /** A condition on {@code lock}. */
    public Condition(Lock lock) {
        if (lock == null) {
            throw new IllegalArgumentException("lock must not be null");
        }
        this.lock = lock;
    }

    /** Acquires the underlying lock. */
    public boolean acquire() {
        return lock.acquire();
    }

    /** Releases the underlying lock. */
    public void release() {
        lock.release();
    }

    /** Whether the underlying lock is held. */
    public boolean locked() {
        return lock.locked();
    }

    /** Acquires the underlying lock and returns what releases it. */
    public Held enter() {
        return lock.enter();
    }

    /**
     * Releases the lock, suspends the task until signalled, and re-acquires the lock.
     *
     * @return true
     * @throws IllegalStateException if the lock is not held
     * @throws CancelledError if the task was cancelled (the lock is held again all the same)
     */
    public boolean await() {
        GilRuntime.checkpoint();
        if (!lock.locked()) {
            throw new IllegalStateException("cannot wait on un-acquired lock");
        }
        if (waiters == null) {
            waiters = newWaiters();
        }
        Future<Object> fut = addWaiter(waiters);
        lock.release();
        try {
            try {
                awaitWaiter(waiters, fut);
                return true;
            } finally {
                reacquire();
            }
        } catch (RuntimeException | Error e) {
            // Whatever leaves here may have come after this task was signalled (a cancellation
            // while it waited to run, or while it waited for the lock): signal another waiter
            // instead, a spurious wake-up that the protocol allows, so that no signal is lost.
            signal(1, false);
            throw e;
        }
    }

    /** Takes the lock back, however often the task is cancelled meanwhile; then re-raises the last cancellation. */
    private void reacquire() {
        Throwable err = null;
        while (true) {
            try {
                lock.acquire();
                break;
            } catch (RuntimeException | Error e) {
                if (!Task.isCancellation(e)) {
                    throw e;          // not a cancellation: do not spin on it
                }
                err = e;
            }
        }
        if (err != null) {
            throw Failures.propagate(err);
        }
    }

    /**
     * Waits until {@code predicate} is true and returns its last value.
     *
     * @throws IllegalStateException if the lock is not held
     */
    public boolean waitFor(BooleanSupplier predicate) {
        if (predicate == null) {
            throw new IllegalArgumentException("predicate must not be null");
        }
        boolean result = predicate.getAsBoolean();
        while (!result) {
            await();
            result = predicate.getAsBoolean();
        }
        return result;
    }

    /** Wakes one waiter. */
    public void signal() {
        signal(1);
    }

    /**
     * Wakes up to {@code n} waiters.
     *
     * @throws IllegalStateException if the lock is not held
     */
    public void signal(int n) {
        signal(n, true);
    }

    private void signal(int n, boolean check) {
        if (check && !lock.locked()) {
            throw new IllegalStateException("cannot notify on un-acquired lock");
        }
        if (n < 0) {
            throw new IllegalArgumentException("n must not be negative: " + n);
        }
        if (waiters == null) {
            return;
        }
        int woken = 0;
        for (Future<Object> f : waiters) {
            if (woken >= n) {
                break;
            }
            if (!f.done()) {
                woken++;
                f.setResultInternal(Boolean.FALSE);
            }
        }
    }

    /** Wakes every waiter. */
    public void signalAll() {
        signal(Integer.MAX_VALUE);
    }

    @Override
    public String toString() {
        return "asyncio.Condition[" + lock + (waiters == null || waiters.isEmpty() ? "" : " waiters=" + waiters.size()) + "]";
    }
}
