package dev.pyconc.threading;

import dev.pyconc.core.internal.Sync;

/**
 * The waiters of a condition over a {@link Lock} or an {@link RLock}: a condition queue of the
 * lock's own {@link Sync}. A signal moves the waiter to the lock's queue without waking it, and
 * the release that frees the lock wakes it with the lock free, as {@code ReentrantLock}'s
 * conditions do (wait morphing). {@link FifoWaiters} would wake it at the signal, while the
 * signaller still holds the lock: when the waiter then runs on the signaller's CPU, the holder is
 * preempted and the waiter sleeps again on the lock, a second wake-up that halves a two-thread
 * ping-pong's rate on a busy machine.
 */
final class HandOffWaiters implements Waiters {
    private final Sync sync;
    private final Sync.ConditionObject queue;     // FIFO

    HandOffWaiters(Sync sync) {
        this.sync = sync;
        this.queue = sync.newCondition();
    }

    @Override
    public boolean await(long nanos) {
        if (nanos == FOREVER) {
            sync.await(queue);
            return true;
        }
        return sync.await(queue, nanos);
    }

    @Override
    public void signal(int n) {
        for (int i = 0; i < n && sync.hasWaiters(queue); i++) {
            queue.signal();
        }
    }

    @Override
    public void signalAll() {
        queue.signalAll();
    }
}
