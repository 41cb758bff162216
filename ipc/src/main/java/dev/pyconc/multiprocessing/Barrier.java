package dev.pyconc.multiprocessing;

import java.io.InvalidObjectException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

import dev.pyconc.builtins.InterruptedError;
import dev.pyconc.core.internal.Timeouts;
import dev.pyconc.ipc.internal.shm.HeaderDescriptor;
import dev.pyconc.ipc.internal.shm.Segments;
import dev.pyconc.ipc.internal.shm.Words;
import dev.pyconc.ipc.internal.sync.BarrierDescriptor;
import dev.pyconc.ipc.internal.sync.ConditionDescriptor;
import dev.pyconc.ipc.internal.sync.ConditionEngine;
import dev.pyconc.threading.BrokenBarrierError;

/**
 * A barrier for a fixed number of parties in any processes, Python's
 * {@code multiprocessing.Barrier}: each party calls {@link #await()} and waits until all
 * {@code parties} have arrived; then all are released at once, and the barrier can be used again.
 *
 * <pre> {@code
 * var barrier = new Barrier(3);
 * // in each of 3 processes (or threads of them):
 * int index = barrier.await();   // 0, 1 or 2: a distinct arrival index for each party
 * }</pre>
 *
 * <p>The action, if any, runs in the last party to arrive, in its process, before any party is
 * released; to send the barrier to other processes, the action must be {@link Serializable}
 * (a serializable lambda: {@code (Runnable & Serializable) () -> ...}). If the action throws, a
 * wait times out, a waiting thread is interrupted, {@link #abort()} is called, or a process dies
 * holding the barrier's lock, the barrier is <em>broken</em>: every waiting and later
 * {@code await} throws {@link BrokenBarrierError} until {@link #reset()}. A party whose process
 * dies while it waits counts as arrived but never leaves: the others, lacking a party, break at
 * their timeout (as with a thread that never arrives), and a reset of that barrier waits for the
 * dead party for ever, so make a new barrier instead. At most 121 parties.
 *
 * <p>Memory consistency effects: actions of each party prior to {@code await()}
 * <i>happen-before</i> the action, which happens-before the return of {@code await()} in every
 * party. See <a href="package-summary.html#MemoryVisibility">Memory Visibility</a>.
 */
public class Barrier implements Serializable {
    /*
     * Overview. CPython's threading.Barrier (as in core's Barrier), with its state (State, Count,
     * Parties: BarrierDescriptor) in shared memory, guarded by the barrier's Lock, and its
     * Condition's waiters in the same segment:
     *
     *   FILLING --last party arrives, action ok--> DRAINING --last party leaves--> FILLING
     *      |  \--timeout, abort, action throws, interrupt, dead lock holder--> BROKEN --reset()--> FILLING
     *      \--reset() with waiters--> RESETTING --last waiter leaves--> FILLING
     */
    @Serial
    private static final long serialVersionUID = 1L;

    private static final long STATE = HeaderDescriptor.BODY + BarrierDescriptor.STATE;
    private static final long COUNT = HeaderDescriptor.BODY + BarrierDescriptor.COUNT;
    private static final long PARTIES = HeaderDescriptor.BODY + BarrierDescriptor.PARTIES;

    private final transient Segments.Mapped mapped;
    private final transient MemorySegment memory;
    private final transient Lock lock;
    private final transient Condition cond;
    private final Runnable action;
    private final long timeoutNanos;      // -1: no default timeout
    private final int parties;

    /**
     * A barrier for {@code parties} parties, without action or default timeout.
     *
     * @throws IllegalArgumentException if {@code parties} is less than one or more than 121
     */
    public Barrier(int parties) {
        this(parties, null, -1);
    }

    /**
     * A barrier for {@code parties} parties that runs {@code action} (may be null) when all have
     * arrived, and breaks when a wait without its own timeout lasts longer than {@code timeout}
     * (null for none).
     *
     * @throws IllegalArgumentException if {@code parties} is out of range or {@code timeout} negative
     */
    public Barrier(int parties, Runnable action, Duration timeout) {
        this(parties, action, timeout == null ? -1 : Timeouts.toNanos(timeout));
    }

    private Barrier(int parties, Runnable action, long timeoutNanos) {
        this(create(parties), parties, action, timeoutNanos);
    }

    private Barrier(Segments.Mapped mapped, int parties, Runnable action, long timeoutNanos) {
        this.mapped = mapped;
        this.memory = mapped.memory();
        this.parties = parties;
        this.action = action;
        this.timeoutNanos = timeoutNanos;
        long conditionBase = HeaderDescriptor.BODY + BarrierDescriptor.CONDITION;
        this.lock = new Lock(mapped, conditionBase + ConditionDescriptor.LOCK);
        this.cond = new Condition(lock, mapped, conditionBase);
    }

    private static Segments.Mapped create(int parties) {
        if (parties < 1 || parties > ConditionDescriptor.SLOTS_VALUE + 1) {
            throw new IllegalArgumentException("parties must be between 1 and " + (ConditionDescriptor.SLOTS_VALUE + 1)
                    + ", not " + parties);
        }
        return Segments.create(HeaderDescriptor.BARRIER, BarrierDescriptor.LENGTH, m -> {
            ConditionEngine.init(m, HeaderDescriptor.BODY + BarrierDescriptor.CONDITION);
            Words.putInt(m, PARTIES, parties);
        });
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
        lockBarrier();
        try {
            enter();
            int index = count();
            setCount(index + 1);
            try {
                if (index + 1 == parties) {
                    release();
                } else {
                    waitForDrain(nanos);
                }
                return index;
            } finally {
                setCount(count() - 1);
                exit();
            }
        } finally {
            lock.release();
        }
    }

    /** Takes the barrier's lock; if its holder died, the barrier breaks. */
    private void lockBarrier() {
        try {
            lock.acquire();
        } catch (OwnerDiedError e) {
            lock.acquire();
            try {
                breakBarrier();
            } finally {
                lock.release();
            }
            throw died(e);
        }
    }

    /** Blocks while the barrier drains or resets. */
    private void enter() {
        while (state() == BarrierDescriptor.DRAINING || state() == BarrierDescriptor.RESETTING) {
            try {
                cond.await();     // interrupted here, nothing breaks: this party has not arrived yet
            } catch (OwnerDiedError e) {
                breakBarrier();
                throw died(e);
            }
        }
        if (state() < 0) {
            throw new BrokenBarrierError("barrier is broken");
        }
    }

    /** The last party arrived: run the action, then release everybody. */
    private void release() {
        try {
            if (action != null) {
                action.run();
            }
            setState(BarrierDescriptor.DRAINING);
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
                    ? cond.waitFor(() -> state() != BarrierDescriptor.FILLING)
                    : cond.waitFor(() -> state() != BarrierDescriptor.FILLING, Duration.ofNanos(nanos));
        } catch (InterruptedError e) {
            breakBarrier();
            throw e;
        } catch (OwnerDiedError e) {
            breakBarrier();
            throw died(e);
        }
        if (!released) {
            breakBarrier();
            throw new BrokenBarrierError("barrier wait timed out");
        }
        if (state() < 0) {
            throw new BrokenBarrierError("barrier is broken");
        }
    }

    /** The last party out of a draining or resetting barrier makes it FILLING again. */
    private void exit() {
        if (count() == 0 && (state() == BarrierDescriptor.RESETTING || state() == BarrierDescriptor.DRAINING)) {
            setState(BarrierDescriptor.FILLING);
            cond.signalAll();
        }
    }

    /**
     * Returns the barrier to its initial state. Parties waiting in it get
     * {@link BrokenBarrierError}; later arrivals wait for a new round.
     */
    public void reset() {
        lockBarrier();
        try {
            if (count() > 0) {
                if (state() == BarrierDescriptor.FILLING || state() == BarrierDescriptor.BROKEN) {
                    setState(BarrierDescriptor.RESETTING);
                }
            } else {
                setState(BarrierDescriptor.FILLING);
            }
            cond.signalAll();
        } finally {
            lock.release();
        }
    }

    /** Breaks the barrier: waiting and later {@code await} calls throw {@link BrokenBarrierError}. */
    public void abort() {
        lockBarrier();
        try {
            breakBarrier();
        } finally {
            lock.release();
        }
    }

    private void breakBarrier() {
        setState(BarrierDescriptor.BROKEN);
        cond.signalAll();
    }

    private static BrokenBarrierError died(OwnerDiedError e) {
        BrokenBarrierError broken = new BrokenBarrierError("barrier is broken: a process (pid " + e.ownerPid()
                + ") died holding its lock");
        broken.initCause(e);
        return broken;
    }

    /** The number of parties needed to pass the barrier. */
    public int parties() {
        return parties;
    }

    /** The number of parties waiting in the barrier now. */
    public int nWaiting() {
        lockBarrier();
        try {
            return state() == BarrierDescriptor.FILLING ? count() : 0;
        } finally {
            lock.release();
        }
    }

    /** Whether the barrier is broken. */
    public boolean broken() {
        lockBarrier();
        try {
            return state() == BarrierDescriptor.BROKEN;
        } finally {
            lock.release();
        }
    }

    private int state() {
        return Words.getInt(memory, STATE);
    }

    private void setState(int state) {
        Words.putInt(memory, STATE, state);
    }

    private int count() {
        return Words.getInt(memory, COUNT);
    }

    private void setCount(int count) {
        Words.putInt(memory, COUNT, count);
    }

    @Override
    public String toString() {
        return "Barrier[parties=" + parties + ", waiting=" + nWaiting() + (broken() ? ", broken" : "") + "]";
    }

    @Serial
    private Object writeReplace() throws NotSerializableException {
        if (action != null && !(action instanceof Serializable)) {
            throw new NotSerializableException("the Barrier's action " + action.getClass().getName()
                    + " is not Serializable; use a serializable lambda: (Runnable & Serializable) () -> ...");
        }
        return new Handle(mapped.name(), parties, action, timeoutNanos);
    }

    @Serial
    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("a Barrier travels as its handle");
    }

    /** What a serialized Barrier is: its segment, parties, action and default timeout. */
    private record Handle(String segment, int parties, Runnable action, long timeoutNanos) implements Serializable {
        @Serial
        private Object readResolve() throws InvalidObjectException {
            Segments.Mapped m = Segments.attach(segment, BarrierDescriptor.LENGTH, HeaderDescriptor.BARRIER);
            int stored = Words.getInt(m.memory(), PARTIES);
            if (stored != parties || timeoutNanos < -1) {
                throw new InvalidObjectException("barrier handle for " + parties + " parties, segment holds " + stored);
            }
            return new Barrier(m, parties, action, timeoutNanos);
        }
    }
}
