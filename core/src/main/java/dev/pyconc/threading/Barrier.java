package dev.pyconc.threading;

import java.time.Duration;

import dev.pyconc.core.internal.Timeouts;
import dev.pyconc.builtins.InterruptedError;

/**
 * A barrier for a fixed number of threads, Python's {@code threading.Barrier}: each party calls
 * {@link #await()} and waits until all {@code parties} have arrived; then all are released at
 * once, and the barrier can be used again.
 *
 * <pre> {@code
 * var barrier = new Barrier(3, () -> System.out.println("all here"), Duration.ofSeconds(5));
 * // in each of 3 threads:
 * int index = barrier.await();   // 0, 1 or 2: a distinct arrival index for each party
 * if (index == 0) { ... }        // one thread does the follow-up work
 * }</pre>
 *
 * <p>The action, if any, runs in the last thread to arrive, before any party is released. If it
 * throws, if a wait times out, if a waiting thread is interrupted, or if {@link #abort()} is
 * called, the barrier is <em>broken</em>: every waiting and later {@code await} throws
 * {@link BrokenBarrierError} until {@link #reset()}.
 *
 * <p>Memory consistency effects: actions of each party prior to {@code await()}
 * <i>happen-before</i> the action, which happens-before the return of {@code await()} in every
 * party. See <a href="package-summary.html#MemoryVisibility">Memory Visibility</a>.
 */
public class Barrier {
    /*
     * Overview. A port of CPython's threading.Barrier onto a Condition over a Lock. The state:
     *
     *   FILLING --last party arrives, action ok--> DRAINING --last party leaves--> FILLING
     *      |  \--timeout, abort, action throws, interrupt--> BROKEN --reset()----> FILLING
     *      \--reset() with waiters--> RESETTING --last waiter leaves--> FILLING
     *
     * count is the number of threads inside await(); arrivals while DRAINING or RESETTING wait
     * for the barrier to become FILLING again. All fields are guarded by cond's lock.
     */
    private static final int FILLING = 0, DRAINING = 1, RESETTING = -1, BROKEN = -2;

    private final Condition cond = new Condition(new Lock());
    private final Runnable action;
    private final long timeoutNanos;    // -1: no default timeout
    private final int parties;
    private int state = FILLING;
    private int count;

    /**
     * A barrier for {@code parties} threads, without action or default timeout.
     *
     * @throws IllegalArgumentException if {@code parties} is less than one
     */
    public Barrier(int parties) {
        this(parties, null, -1);
    }

    /**
     * A barrier for {@code parties} threads that runs {@code action} (may be null) when all have
     * arrived, and breaks when a wait without its own timeout lasts longer than {@code timeout}
     * (null for none).
     *
     * @throws IllegalArgumentException if {@code parties} is less than one or {@code timeout} negative
     */
    public Barrier(int parties, Runnable action, Duration timeout) {
        this(parties, action, timeout == null ? -1 : Timeouts.toNanos(timeout));
    }

    private Barrier(int parties, Runnable action, long timeoutNanos) {
        if (parties < 1) {
            throw new IllegalArgumentException("parties must be >= 1, not " + parties);
        }
        this.parties = parties;
        this.action = action;
        this.timeoutNanos = timeoutNanos;
    }

    /**
     * Waits until all parties have called {@code await}, or the default timeout elapses.
     *
     * @return the arrival index, from {@code 0} to {@code parties() - 1}
     * @throws BrokenBarrierError if the barrier is or becomes broken
     */
    public int await() {
        return await(timeoutNanos);
    }

    /**
     * Waits until all parties have called {@code await}, or {@code timeout} elapses, which breaks
     * the barrier.
     *
     * @return the arrival index, from {@code 0} to {@code parties() - 1}
     * @throws BrokenBarrierError if the barrier is or becomes broken, the timeout included
     */
    public int await(Duration timeout) {
        return await(Timeouts.toNanos(timeout));
    }

    private int await(long nanos) {
        try (var _ = cond.enter()) {
            enter();
            int index = count++;
            try {
                if (index + 1 == parties) {
                    release();
                } else {
                    waitForDrain(nanos);
                }
                return index;
            } finally {
                count--;
                exit();
            }
        }
    }

    /** Blocks while the barrier drains or resets. */
    private void enter() {
        while (state == DRAINING || state == RESETTING) {
            cond.await();     // interrupted here, nothing breaks: this thread has not arrived yet
        }
        if (state < 0) {
            throw new BrokenBarrierError("barrier is broken");
        }
    }

    /** The last party arrived: run the action, then release everybody. */
    private void release() {
        try {
            if (action != null) {
                action.run();
            }
            state = DRAINING;
            cond.signalAll();
        } catch (RuntimeException | Error e) {
            breakBarrier();
            throw e;
        }
    }

    private void waitForDrain(long nanos) {
        boolean released;
        try {
            released = nanos < 0
                    ? cond.waitFor(() -> state != FILLING)
                    : cond.waitFor(() -> state != FILLING, Duration.ofNanos(nanos));
        } catch (InterruptedError e) {
            breakBarrier();
            throw e;
        }
        if (!released) {
            breakBarrier();
            throw new BrokenBarrierError("barrier wait timed out");
        }
        if (state < 0) {
            throw new BrokenBarrierError("barrier is broken");
        }
    }

    /** The last thread out of a draining or resetting barrier makes it FILLING again. */
    private void exit() {
        if (count == 0 && (state == RESETTING || state == DRAINING)) {
            state = FILLING;
            cond.signalAll();
        }
    }

    /**
     * Returns the barrier to its initial state. Threads waiting in it get
     * {@link BrokenBarrierError}; later arrivals wait for a new round.
     */
    public void reset() {
        try (var _ = cond.enter()) {
            if (count > 0) {
                if (state == FILLING || state == BROKEN) {
                    state = RESETTING;
                }
            } else {
                state = FILLING;
            }
            cond.signalAll();
        }
    }

    /** Breaks the barrier: waiting and later {@code await} calls throw {@link BrokenBarrierError}. */
    public void abort() {
        try (var _ = cond.enter()) {
            breakBarrier();
        }
    }

    private void breakBarrier() {
        state = BROKEN;
        cond.signalAll();
    }

    /** The number of threads needed to pass the barrier. */
    public int parties() {
        return parties;
    }

    /** The number of threads waiting in the barrier now. */
    public int nWaiting() {
        try (var _ = cond.enter()) {
            return state == FILLING ? count : 0;
        }
    }

    /** Whether the barrier is broken. */
    public boolean broken() {
        try (var _ = cond.enter()) {
            return state == BROKEN;
        }
    }

    /** {@code Barrier[waiters=1/3]}, or {@code Barrier[broken]}: what Python's repr shows. */
    @Override
    public String toString() {
        try (var _ = cond.enter()) {
            return state == BROKEN ? "Barrier[broken]"
                    : "Barrier[waiters=" + (state == FILLING ? count : 0) + "/" + parties + "]";
        }
    }
}
