package dev.pyconc.multiprocessing;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.core.internal.Timeouts;
import dev.pyconc.ipc.internal.shm.HeaderDescriptor;
import dev.pyconc.ipc.internal.shm.ProcessId;
import dev.pyconc.ipc.internal.shm.Segments;
import dev.pyconc.ipc.internal.sync.Mutex;
import dev.pyconc.ipc.internal.sync.MutexDescriptor;
import dev.pyconc.ipc.internal.sync.WaitEngine;
import dev.pyconc.threading.Held;

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
 * <p>Memory consistency effects: actions prior to the release that frees the lock
 * <i>happen-before</i> actions following a successful acquire in another thread, in this process or
 * another. See <a href="package-summary.html#MemoryVisibility">Memory Visibility</a>.
 */
public class RLock implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final transient Segments.Mapped mapped;
    private final transient MemorySegment memory;
    private final transient long base;
    private final transient Held held = this::release;

    /** A new, unlocked reentrant lock in a new shared segment. */
    public RLock() {
        this(Segments.create(HeaderDescriptor.RLOCK, MutexDescriptor.LENGTH,
                m -> Mutex.init(m, HeaderDescriptor.BODY)), HeaderDescriptor.BODY);
    }

    /** The lock region at {@code base} of {@code mapped}. */
    RLock(Segments.Mapped mapped, long base) {
        this.mapped = mapped;
        this.memory = mapped.memory();
        this.base = base;
    }

    private static long me() {
        return Thread.currentThread().threadId();
    }

    /** Acquires the lock (again, if the calling thread owns it), waiting as long as it takes. */
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
    public boolean acquire(Duration timeout) {
        long nanos = Timeouts.toNanos(timeout);
        GilRuntime.checkpoint();
        return ownerDied(Mutex.lockReentrant(memory, base, me(), nanos)) == Mutex.ACQUIRED;
    }

    /** Acquires the lock if it is free or owned by the calling thread. */
    public boolean tryAcquire() {
        GilRuntime.checkpoint();
        return Mutex.tryLockReentrant(memory, base, me());
    }

    /**
     * Releases one level of ownership; the last release frees the lock.
     *
     * @throws IllegalStateException if the calling thread does not own the lock
     */
    public void release() {
        GilRuntime.checkpoint();
        Mutex.unlockReentrant(memory, base, me());
    }

    /** Whether the calling thread owns the lock (Python's {@code _is_mine}). */
    public boolean isOwned() {
        return Mutex.isHeldBy(memory, base, me());
    }

    /** Whether any thread of any process holds the lock. */
    public boolean locked() {
        return Mutex.owner(memory, base) != 0;
    }

    /** How many times the calling thread holds the lock: 0 when it does not own it. */
    public int recursionCount() {
        return Mutex.count(memory, base, me());
    }

    /** Acquires the lock and returns the scope whose {@code close()} releases it once. */
    public Held enter() {
        acquire();
        return held;
    }

    /** For Condition.await: frees every level the calling thread holds; returns how many. */
    int releaseFully() {
        return Mutex.unlockFully(memory, base, me());
    }

    /**
     * For Condition.await: takes the lock back uninterruptibly with {@code count} levels; returns
     * the dead holder's PID if it had to be recovered, else 0.
     */
    int reacquire(int count) {
        long tid = me();
        int r = WaitEngine.uninterruptibly(() -> Mutex.lockReentrant(memory, base, tid, WaitEngine.FOREVER));
        Mutex.setCount(memory, base, count);
        return r >= Mutex.RECOVERED ? Mutex.deadPid(r) : 0;
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

    @Override
    public String toString() {
        long owner = Mutex.owner(memory, base);
        return "RLock[" + (owner == 0 ? "unlocked" : "locked by pid " + ProcessId.pid(owner)) + "]";
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
