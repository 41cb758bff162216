package dev.pyconc.asyncio;

/**
 * A meeting point for a fixed number of tasks: Python 3.11's {@code asyncio.Barrier}.
 *
 * <pre> {@code
 * Barrier b = new Barrier(3);
 * // in each of three tasks:
 * int index = b.await();     // 0, 1 or 2; returns when all three arrived
 * }</pre>
 *
 * <p>{@link #reset()} and {@link #abort()} make waiting tasks raise {@link BrokenBarrierError}.
 *
 * <p>Memory consistency effects: actions of each party prior to {@code await()}
 * <i>happen-before</i> the return of every party's {@code await()} of the same round.
 */
public class Barrier extends LoopBound {
    /*
     * Overview. Python's asyncio.Barrier state machine over a Condition:
     *
     *   FILLING --last party arrives--> DRAINING --last party leaves--> FILLING
     *   any --reset() with waiters--> RESETTING --last party leaves--> FILLING
     *   any --abort()--> BROKEN
     *
     * Parties wait in FILLING for the state to change; newcomers wait while the barrier drains or
     * resets. `count` is the number of parties inside await().
     */
    private enum State { FILLING, DRAINING, RESETTING, BROKEN }

    private final Condition cond = new Condition();
    private final int parties;
    private State state = State.FILLING;
    private int count;

    /**
     * A barrier for {@code parties} tasks.
     *
     * @throws IllegalArgumentException if {@code parties} is less than 1
     */
    public Barrier(int parties) {
        if (parties < 1) {
            throw new IllegalArgumentException("parties must be > 0, not " + parties);
        }
        this.parties = parties;
    }

    /**
     * Waits until {@code parties} tasks have called it, and returns this task's arrival index
     * (0 to parties - 1).
     *
     * @throws BrokenBarrierError if the barrier is broken or is reset while waiting
     */
    public int await() {
        try (var _ = cond.enter()) {
            block();
            try {
                int index = count;
                count++;
                if (index + 1 == parties) {
                    state = State.DRAINING;
                    cond.signalAll();
                } else {
                    waitForRelease();
                }
                return index;
            } finally {
                count--;
                exit();
            }
        }
    }

    private void block() {
        cond.waitFor(() -> state != State.DRAINING && state != State.RESETTING);
        if (state == State.BROKEN) {
            throw new BrokenBarrierError("Barrier aborted");
        }
    }

    private void waitForRelease() {
        cond.waitFor(() -> state != State.FILLING);
        if (state == State.BROKEN || state == State.RESETTING) {
            throw new BrokenBarrierError("Abort or reset of barrier");
        }
    }

    private void exit() {
        if (count == 0) {
            if (state == State.RESETTING || state == State.DRAINING) {
                state = State.FILLING;
            }
            cond.signalAll();
        }
    }

    /** Returns the barrier to its empty state; tasks waiting raise {@link BrokenBarrierError}. */
    public void reset() {
        try (var _ = cond.enter()) {
            if (count > 0) {
                if (state != State.RESETTING) {
                    state = State.RESETTING;
                }
            } else {
                state = State.FILLING;
            }
            cond.signalAll();
        }
    }

    /** Breaks the barrier: waiting and later {@code await()}s raise {@link BrokenBarrierError}. */
    public void abort() {
        try (var _ = cond.enter()) {
            state = State.BROKEN;
            cond.signalAll();
        }
    }

    /** How many tasks the barrier waits for. */
    public int parties() {
        return parties;
    }

    /** How many tasks wait at the barrier now. */
    public int nWaiting() {
        return state == State.FILLING ? count : 0;
    }

    /** Whether the barrier is broken. */
    public boolean broken() {
        return state == State.BROKEN;
    }

    @Override
    public String toString() {
        return "asyncio.Barrier[" + state.name().toLowerCase() + " waiters=" + nWaiting() + "/" + parties + "]";
    }
}
