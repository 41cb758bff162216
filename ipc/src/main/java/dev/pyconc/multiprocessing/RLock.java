package dev.pyconc.multiprocessing;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;

import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.core.internal.Timeouts;
import dev.pyconc.ipc.internal.shm.HeaderDescriptor;
import dev.pyconc.ipc.internal.shm.Segments;
import dev.pyconc.ipc.internal.sync.Mutex;
import dev.pyconc.ipc.internal.sync.MutexDescriptor;
import dev.pyconc.ipc.internal.sync.WaitEngine;
import dev.pyconc.threading.Lockable;

/**
 * A reentrant lock shared by processes, Python's {@code multiprocessing.RLock}: the thread that
 * holds it (a thread of one process) may acquire it again and must release it as many times; only
 * that thread may release it. Send it to other processes as you would a {@link Lock}.
 *
 * <pre> {@code
 * var lock = new RLock();
 * try (var _ = lock.enter()) {
 *     try (var _ = lock.enter()) {     // the owner enters again
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>When the holding process dies, a waiter proceeds within about 20 ms and gets
 * {@link OwnerDiedError}; the lock is then free (the dead holder's recursion levels are gone).
 *
 * <p>It is a {@link Lockable}: code written for any lock takes it, and so does a
 * {@code threading.Condition}, which releases every level while a thread waits and restores them.
 *
 * <p>Memory consistency effects: actions prior to the release that frees the lock
 * <i>happen-before</i> actions following a successful acquire in another thread, in this process or
 * another. See <a href="package-summary.html#MemoryVisibility">Memory Visibility</a>.
 */
public class RLock extends SharedLock {
    @Serial
    private static final long serialVersionUID = 1L;

    /** A new, unlocked reentrant lock in a new shared segment. */
    public RLock() {
        this(Segments.create(HeaderDescriptor.RLOCK, MutexDescriptor.LENGTH,
                m -> Mutex.init(m, HeaderDescriptor.BODY)), HeaderDescriptor.BODY);
    }

    /** The lock region at {@code base} of {@code mapped}. */
    RLock(Segments.Mapped mapped, long base) {
        super(mapped, base);
    }

    private static long me() {
        return Thread.currentThread().threadId();
    }

    /** Acquires the lock (again, if the calling thread owns it), waiting as long as it takes. */
    @Override
    public boolean acquire() {
        GilRuntime.checkpoint();
        ownerDied(Mutex.lockReentrant(memory, base, me(), WaitEngine.FOREVER));
        return true;
    }

    /**
     * Acquires the lock, waiting at most {@code timeout}.
     *
     * @return {@code false} if the timeout elapsed first
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws OwnerDiedError if the holder died; the lock is free again but not acquired
     */
    @Override
    public boolean acquire(Duration timeout) {
        long nanos = Timeouts.toNanos(timeout);
        GilRuntime.checkpoint();
        return ownerDied(Mutex.lockReentrant(memory, base, me(), nanos)) == Mutex.ACQUIRED;
    }

    /** Acquires the lock if it is free or owned by the calling thread. */
    @Override
    public boolean tryAcquire() {
        GilRuntime.checkpoint();
        return Mutex.tryLockReentrant(memory, base, me());
    }

    /**
     * Releases one level of ownership; the last release frees the lock.
     *
     * @throws IllegalStateException if the calling thread does not own the lock
     */
    @Override
    public void release() {
        GilRuntime.checkpoint();
        Mutex.unlockReentrant(memory, base, me());
    }

    /** Whether the calling thread owns the lock (Python's {@code _is_mine}). */
    public boolean isOwned() {
        return Mutex.isHeldBy(memory, base, me());
    }

    /** How many times the calling thread holds the lock: 0 when it does not own it. */
    public int recursionCount() {
        return Mutex.count(memory, base, me());
    }

    /** Whether the calling thread owns the lock: {@link #isOwned()}. */
    @Override
    public boolean isHeldByCurrentThread() {
        return isOwned();
    }

    /**
     * For a condition's wait: frees every level the calling thread holds.
     *
     * @return how many levels it held, for {@link #reacquire(long)}
     * @throws IllegalStateException if the calling thread does not own the lock
     */
    @Override
    public long releaseFully() {
        return Mutex.unlockFully(memory, base, me());
    }

    /**
     * For a condition's wait: takes the lock back with {@code savedState} levels, waiting as long
     * as it takes, with an interrupt left for later.
     *
     * @param savedState what {@link #releaseFully()} returned: the number of levels
     * @throws IllegalArgumentException if {@code savedState} is not a count from 1 to
     *         {@link Integer#MAX_VALUE}
     * @throws OwnerDiedError if the holder died holding the lock; the calling thread holds it
     *         again, with {@code savedState} levels
     */
    @Override
    public void reacquire(long savedState) {
        super.reacquire(savedState);
    }

    @Override
    int reacquireRecovering(long savedState) {
        if (savedState < 1 || savedState > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("not a recursion count: " + savedState);
        }
        long tid = me();
        int r = WaitEngine.uninterruptibly(() -> Mutex.lockReentrant(memory, base, tid, WaitEngine.FOREVER));
        Mutex.setCount(memory, base, (int) savedState);
        return r >= Mutex.RECOVERED ? Mutex.deadPid(r) : 0;
    }

    @Override
    String kind() {
        return "RLock";
    }

    /**
     * Python's repr: {@code <RLock(None, 0)>} when free, {@code <RLock(MainProcess, 2)>} (or
     * {@code P1|T1}, as {@link Lock#toString()} names the holder) with the recursion count when
     * the calling thread owns it, else {@code <RLock(SomeOtherThread, nonzero)>} or
     * {@code <RLock(SomeOtherProcess, nonzero)>}.
     */
    @Override
    public String toString() {
        long owner = Mutex.owner(memory, base);
        if (owner == 0) {
            return "<RLock(None, 0)>";
        }
        int count = recursionCount();
        if (count > 0) {
            return "<RLock(" + holderName() + ", " + count + ")>";
        }
        return "<RLock(" + otherHolder(owner) + ", nonzero)>";
    }

    private int ownerDied(int result) {
        if (result >= Mutex.RECOVERED) {
            Mutex.unlockReentrant(memory, base, me());
            throw new OwnerDiedError("the process that held this RLock (pid " + Mutex.deadPid(result)
                    + ") died holding it; the lock is free again but was not acquired: check what it guarded,"
                    + " then acquire it again", Mutex.deadPid(result));
        }
        return result;
    }

    @Serial
    private Object writeReplace() {
        return new Handle(mapped.name(), base);
    }

    @Serial
    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("an RLock travels as its handle");
    }

    /** What a serialized RLock is: its segment and region; attaches in the receiving process. */
    private record Handle(String segment, long offset) implements Serializable {
        @Serial
        private Object readResolve() {
            return new RLock(Mutex.attach(segment, offset, HeaderDescriptor.RLOCK, HeaderDescriptor.CONDITION,
                    HeaderDescriptor.VALUE, HeaderDescriptor.ARRAY), offset);
        }
    }
}
