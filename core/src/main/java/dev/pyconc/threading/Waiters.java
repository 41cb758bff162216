package dev.pyconc.threading;

/**
 * The threads waiting on a {@link Condition}, and how they wait: {@link HandOffWaiters} for the
 * locks of this package, whose own queue hands the lock to a signalled waiter when it is released,
 * and {@link FifoWaiters}, the lock-agnostic algorithm of CPython's {@code threading.Condition},
 * for any other {@link Lockable}. The condition calls them holding its lock, after checking so.
 */
sealed interface Waiters permits HandOffWaiters, FifoWaiters {
    /** {@link #await} argument: no timeout. */
    long FOREVER = -1;

    /**
     * The waiters of a condition over {@code lock}: {@code condition} is what a parked waiter
     * shows as its blocker.
     */
    static Waiters of(Lockable lock, Condition condition) {
        if (lock instanceof Lock l) {
            return new HandOffWaiters(l.sync());
        }
        if (lock instanceof RLock r) {
            return new HandOffWaiters(r.sync());
        }
        return new FifoWaiters(lock, condition);
    }

    /**
     * Releases the lock completely, waits until signalled, {@code nanos} elapse ({@link #FOREVER}:
     * never) or an interrupt, and holds the lock again as before when it returns or throws.
     *
     * @return whether a signal came
     * @throws dev.pyconc.builtins.InterruptedError if interrupted before a signal came
     */
    boolean await(long nanos);

    /** Wakes the {@code n} longest-waiting threads, or all there are if fewer. */
    void signal(int n);

    /** Wakes every waiting thread. */
    void signalAll();
}
