package dev.pyconc.multiprocessing;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.function.BooleanSupplier;

import dev.pyconc.builtins.InterruptedError;
import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.core.internal.Timeouts;
import dev.pyconc.ipc.internal.shm.HeaderDescriptor;
import dev.pyconc.ipc.internal.shm.Segments;
import dev.pyconc.ipc.internal.sync.ConditionDescriptor;
import dev.pyconc.ipc.internal.sync.ConditionEngine;
import dev.pyconc.ipc.internal.sync.WaitEngine;
import dev.pyconc.threading.Held;
import dev.pyconc.threading.Lockable;

/**
 * A condition variable shared by processes, Python's {@code multiprocessing.Condition}: threads of
 * any process wait on it holding its lock until another thread, of any process, signals them. It
 * uses an {@link RLock} of its own (in its own segment), or the cross-process {@link Lock} or
 * {@link RLock} you give it. Its waiters live in shared memory, beside the lock, so no other
 * {@link Lockable} will do (a condition over any lock, among the threads of one process, is
 * {@code dev.pyconc.threading.Condition}), and the constructor refuses one.
 *
 * <pre> {@code
 * var cv = new Condition();
 * // consumer process                       // producer process
 * try (var _ = cv.enter()) {                try (var _ = cv.enter()) {
 *     cv.waitFor(() -> items.get() > 0);        items.getAndAdd(1);
 *     items.getAndAdd(-1);                      cv.signal();
 * }                                         }
 * }</pre>
 *
 * <p>{@link #await()} releases the lock fully (every level of an RLock), waits, and holds the lock
 * again with the same recursion count when it returns or throws. {@link #signal(int)} wakes at
 * most {@code n} waiters, the longest-waiting first, each on a futex word of its own. Waiting or
 * signalling without holding the lock throws {@link IllegalStateException}; with a {@link Lock},
 * "holding" means held by a thread of the calling process. At most 120 threads may wait on one
 * condition at the same time.
 *
 * <p>Processes that die: if the lock's holder dies, a thread taking the lock back in
 * {@code await} gets {@link OwnerDiedError}, holding the lock (check the guarded state, then leave
 * the block as usual). A signal sent to a waiter whose process then dies is passed on to another
 * waiter, within about 40 ms.
 *
 * <p>Memory consistency effects: actions prior to a signal <i>happen-before</i> the return of the
 * await it wakes, which holds the lock again. See
 * <a href="package-summary.html#MemoryVisibility">Memory Visibility</a>.
 */
public class Condition implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final transient Segments.Mapped mapped;
    private final transient MemorySegment memory;
    private final transient long base;
    private final SharedLock lock;                // a Lock or an RLock; travels with the handle
    private final boolean ownLock;
    private final transient Held held = this::release;

    /** A condition with a new {@link RLock} of its own. */
    public Condition() {
        this(null, create(), HeaderDescriptor.BODY);
    }

    /**
     * A condition on {@code lock}, a {@link Lock} or an {@link RLock} of this package.
     *
     * @throws IllegalArgumentException if {@code lock} is null or another kind of lock
     */
    public Condition(Lockable lock) {
        this(shared(lock), create(), HeaderDescriptor.BODY);     // checked before a segment is made
    }

    /** The condition region at {@code base}; {@code lock == null} means its own RLock region. */
    Condition(SharedLock lock, Segments.Mapped mapped, long base) {
        this.mapped = mapped;
        this.memory = mapped.memory();
        this.base = base;
        this.ownLock = lock == null;
        this.lock = lock != null ? lock : new RLock(mapped, base + ConditionDescriptor.LOCK);
        ConditionEngine.validate(memory, base);
    }

    private static Segments.Mapped create() {
        return Segments.create(HeaderDescriptor.CONDITION, ConditionDescriptor.LENGTH,
                m -> ConditionEngine.init(m, HeaderDescriptor.BODY));
    }

    /** The one check of the lock's kind: the rest of the condition calls it as a SharedLock. */
    private static SharedLock shared(Lockable lock) {
        if (lock == null) {
            throw new IllegalArgumentException("lock must not be null; use new Condition() for one of its own");
        }
        if (!(lock instanceof SharedLock shared)) {
            throw new IllegalArgumentException("a multiprocessing Condition keeps its waiters in shared memory and"
                    + " needs a multiprocessing Lock or RLock, not a " + lock.getClass().getName()
                    + "; for a condition among the threads of one process over any lock, use"
                    + " dev.pyconc.threading.Condition");
        }
        return shared;
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
     * @throws OwnerDiedError if the lock's holder died while this thread waited to take it back
     *         (the lock is held again)
     */
    public boolean await() {
        GilRuntime.checkpoint();
        awaitNanos(WaitEngine.FOREVER);
        return true;
    }

    /**
     * Waits until signalled or until {@code timeout} elapses.
     *
     * @return {@code false} if the timeout elapsed first
     * @throws IllegalStateException if the caller does not hold the lock
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws OwnerDiedError as for {@link #await()}
     */
    public boolean await(Duration timeout) {
        long nanos = Timeouts.toNanos(timeout);
        GilRuntime.checkpoint();
        return awaitNanos(nanos);
    }

    private boolean awaitNanos(long nanos) {
        checkHeld("cannot wait on un-acquired lock");
        long token = ConditionEngine.enqueue(memory, base);
        long state = lock.releaseFully();
        InterruptedError interrupted = null;
        try {
            ConditionEngine.await(memory, base, token, nanos);
        } catch (InterruptedError e) {
            interrupted = e;
        }
        int deadPid = lock.reacquireRecovering(state);
        boolean signalled = ConditionEngine.dequeue(memory, base, token);
        if (interrupted != null) {
            if (signalled) {
                ConditionEngine.signal(memory, base, 1);     // pass on the signal this thread will not act on
            }
            throw interrupted;
        }
        if (deadPid > 0) {
            throw new OwnerDiedError("the process that held this condition's lock (pid " + deadPid
                    + ") died holding it; this thread holds the lock again: check the state it guards", deadPid);
        }
        return signalled;
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
     * Wakes at most {@code n} waiting threads, those that have waited longest first, in any
     * process. They return from {@code await} once they hold the lock again.
     *
     * @throws IllegalStateException if the caller does not hold the lock
     */
    public void signal(int n) {
        GilRuntime.checkpoint();
        checkHeld("cannot notify on un-acquired lock");
        if (n > 0) {
            ConditionEngine.signal(memory, base, n);
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
        ConditionEngine.signalAll(memory, base);
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

    @Serial
    private Object writeReplace() {
        return new Handle(mapped.name(), base, ownLock ? null : lock);
    }

    @Serial
    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("a Condition travels as its handle");
    }

    /** What a serialized Condition is: its segment and its lock's handle (none for its own). */
    private record Handle(String segment, long offset, Object lock) implements Serializable {
        @Serial
        private Object readResolve() throws InvalidObjectException {
            if (lock != null && !(lock instanceof SharedLock)) {
                throw new InvalidObjectException("a Condition's lock must be a Lock or an RLock");
            }
            if (offset != HeaderDescriptor.BODY) {
                throw new InvalidObjectException("no condition at offset " + offset);
            }
            return new Condition((SharedLock) lock,
                    Segments.attach(segment, ConditionDescriptor.LENGTH, HeaderDescriptor.CONDITION), offset);
        }
    }
}
