package dev.pyconc.threading;

import java.util.concurrent.locks.LockSupport;

import dev.pyconc.builtins.InterruptedError;
import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.core.internal.Interrupts;
import dev.pyconc.core.internal.Timeouts;

/**
 * The waiters of a condition over any {@link Lockable}: the algorithm of CPython's
 * {@code threading.Condition}, which asks of the lock only {@link Lockable#releaseFully()} and
 * {@link Lockable#reacquire(long)}, with Java's park and unpark in place of a lock per waiter.
 */
final class FifoWaiters implements Waiters {
    private final Lockable lock;
    private final Object blocker;               // what a parked waiter shows: its Condition
    private Waiter head, tail;                  // guarded by lock

    /*
     * Overview.
     *
     * Waiters form a FIFO of nodes, one per wait, that only a thread holding the lock touches:
     *
     *   await (held):     append node; state = lock.releaseFully()
     *     (not held):     park until node.signalled, the deadline or an interrupt
     *                     lock.reacquire(state)                       (uninterruptibly)
     *     (held):         if !node.signalled: unlink node             (timed out or interrupted)
     *   signal(n) (held): unlink up to n nodes from the head; node.signalled = true; unpark
     *
     *       head -> [w1] <-> [w2] <-> [w3] <- tail          signal(2): w1, w2 leave, are woken
     *
     * Because both the signaller and the waiter that gives up decide under the lock, a node is
     * unlinked either by a signal (and its wait returns true) or by its own waiter, never both,
     * and no signal is lost: a waiter whose deadline or interrupt comes after a signal picked it
     * returns true, keeping the interrupt flag set. `signalled` is the only field read without the
     * lock (by the parked waiter): volatile, written once, before the unpark. The node is the only
     * allocation of a wait (AQS's ConditionObject allocates one too); the GIL is dropped from the
     * release of the lock until it is held again, as Sync's waits do.
     */

    /** One thread's wait. */
    private static final class Waiter {
        final java.lang.Thread thread = java.lang.Thread.currentThread();
        volatile boolean signalled;                // set once, by a signaller holding the lock
        Waiter prev, next;                         // guarded by lock
    }

    FifoWaiters(Lockable lock, Object blocker) {
        this.lock = lock;
        this.blocker = blocker;
    }

    @Override
    public boolean await(long nanos) {
        java.lang.Thread me = java.lang.Thread.currentThread();
        if (me.isInterrupted()) {
            throw Interrupts.unchecked(new InterruptedException());
        }
        Waiter w = new Waiter();
        append(w);
        long state;
        try {
            state = lock.releaseFully();
        } catch (RuntimeException e) {
            unlink(w);                             // still held: nothing was released
            throw e;
        }
        boolean interrupted = false;
        RuntimeException reacquireFailure = null;
        boolean dropped = GilRuntime.beginBlocking();
        try {
            if (nanos == FOREVER) {
                while (!w.signalled && !(interrupted = me.isInterrupted())) {
                    LockSupport.park(blocker);
                }
            } else {
                long deadline = Timeouts.deadline(nanos);
                long left = nanos;
                while (!w.signalled && !(interrupted = me.isInterrupted()) && left > 0) {
                    LockSupport.parkNanos(blocker, left);
                    left = deadline - System.nanoTime();
                }
            }
            lock.reacquire(state);
        } catch (RuntimeException e) {
            reacquireFailure = e;                  // e.g. OwnerDiedError: the lock is held again
        } finally {
            GilRuntime.endBlocking(dropped);
        }
        boolean signalled = w.signalled;
        if (!signalled) {
            unlink(w);
            if (interrupted) {
                InterruptedError e = Interrupts.unchecked(new InterruptedException());
                if (reacquireFailure != null) {
                    e.addSuppressed(reacquireFailure);
                }
                throw e;
            }
        }
        if (reacquireFailure != null) {
            throw reacquireFailure;
        }
        return signalled;
    }

    @Override
    public void signal(int n) {
        for (Waiter w; n > 0 && (w = head) != null; n--) {
            wake(w);
        }
    }

    @Override
    public void signalAll() {
        for (Waiter w; (w = head) != null; ) {
            wake(w);
        }
    }

    /** Holding the lock: takes {@code w} off the queue and wakes its thread. */
    private void wake(Waiter w) {
        unlink(w);
        w.signalled = true;
        LockSupport.unpark(w.thread);
    }

    private void append(Waiter w) {
        Waiter t = tail;
        w.prev = t;
        if (t == null) {
            head = w;
        } else {
            t.next = w;
        }
        tail = w;
    }

    private void unlink(Waiter w) {
        Waiter p = w.prev, n = w.next;
        if (p == null) {
            head = n;
        } else {
            p.next = n;
        }
        if (n == null) {
            tail = p;
        } else {
            n.prev = p;
        }
        w.prev = w.next = null;
    }
}
