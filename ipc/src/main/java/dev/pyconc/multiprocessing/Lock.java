package dev.pyconc.multiprocessing;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;

import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.core.internal.Timeouts;
import dev.pyconc.ipc.internal.shm.HeaderDescriptor;
import dev.pyconc.ipc.internal.shm.ProcessId;
import dev.pyconc.ipc.internal.shm.Segments;
import dev.pyconc.ipc.internal.sync.Mutex;
import dev.pyconc.ipc.internal.sync.MutexDescriptor;
import dev.pyconc.ipc.internal.sync.WaitEngine;
import dev.pyconc.threading.Lockable;

/**
 * A lock shared by processes, Python's {@code multiprocessing.Lock}: locked or unlocked, owned by
 * no thread, so that any thread of any process that has it may release it. It lives in a shared
 * memory segment; send it to another process (as a {@code Process} argument, in a queue, or with
 * Java serialization) and that process uses the same lock.
 *
 * <pre> {@code
 * var lock = new Lock();
 * // in each process that received it:
 * try (var _ = lock.enter()) {                 // with lock:
 *     counter.set(counter.get() + 1);
 * }
 * }</pre>
 *
 * <p>Unlike Python's, it survives the death of its holder: when a process is killed holding it, a
 * waiter proceeds within about 20 ms and gets {@link OwnerDiedError} (the lock is free again;
 * acquire again to continue). {@link #tryAcquire()} and zero timeouts do not look for a dead holder;
 * every wait that blocks does. An uncontended acquire and release costs one CAS and one
 * atomic exchange on the shared line; a contended one spins for up to 20 us and then sleeps on a
 * futex.
 *
 * <p>It is a {@link Lockable}: code written for any lock takes it, and so does a
 * {@code threading.Condition}, whose waiting is then among the threads of this process, as
 * {@code threading.Condition(multiprocessing.Lock())} is in Python.
 *
 * <p>Memory consistency effects: actions in a thread prior to {@link #release()}
 * <i>happen-before</i> actions following a successful acquire in another thread, in this process
 * or another one. See <a href="package-summary.html#MemoryVisibility">Memory Visibility</a>.
 */
public class Lock extends SharedLock {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * The thread of this process that acquired the lock through this object, for toString():
     * written by the holder only, read racily (as Python's SemLock keeps its last acquirer).
     */
    private transient Thread holder;

    /** A new, unlocked lock in a new shared segment. */
    public Lock() {
        this(Segments.create(HeaderDescriptor.LOCK, MutexDescriptor.LENGTH,
                m -> Mutex.init(m, HeaderDescriptor.BODY)), HeaderDescriptor.BODY);
    }

    /** The lock region at {@code base} of {@code mapped}. */
    Lock(Segments.Mapped mapped, long base) {
        super(mapped, base);
    }

    /** Acquires the lock, waiting as long as it takes; returns {@code true} as Python does. */
    @Override
    public boolean acquire() {
        GilRuntime.checkpoint();
        ownerDied(Mutex.lock(memory, base, WaitEngine.FOREVER));
        holder = Thread.currentThread();
        return true;
    }

    /**
     * Acquires the lock, waiting at most {@code timeout}; {@code Duration.ZERO} does not wait.
     *
     * @return {@code false} if the timeout elapsed first
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws OwnerDiedError if the holder died; the lock is free again but not acquired
     */
    @Override
    public boolean acquire(Duration timeout) {
        long nanos = Timeouts.toNanos(timeout);
        GilRuntime.checkpoint();
        if (ownerDied(Mutex.lock(memory, base, nanos)) != Mutex.ACQUIRED) {
            return false;
        }
        holder = Thread.currentThread();
        return true;
    }

    /** Acquires the lock if it is free; Python's {@code acquire(block=False)}. */
    @Override
    public boolean tryAcquire() {
        GilRuntime.checkpoint();
        if (!Mutex.tryLock(memory, base)) {
            return false;
        }
        holder = Thread.currentThread();
        return true;
    }

    /**
     * Releases the lock; any thread of any process may do so.
     *
     * @throws IllegalStateException if the lock is not locked
     */
    @Override
    public void release() {
        GilRuntime.checkpoint();
        holder = null;
        Mutex.unlock(memory, base);
    }

    /**
     * Whether a thread of this process holds the lock: what a condition over it checks before a
     * thread waits or signals (the lock records the holding process, not the thread).
     */
    @Override
    public boolean isHeldByCurrentThread() {
        return Mutex.owner(memory, base) == ProcessId.SELF;
    }

    @Override
    int reacquireRecovering(long savedState) {
        int r = WaitEngine.uninterruptibly(() -> Mutex.lock(memory, base, WaitEngine.FOREVER));
        holder = Thread.currentThread();
        return r >= Mutex.RECOVERED ? Mutex.deadPid(r) : 0;
    }

    @Override
    String kind() {
        return "Lock";
    }

    /**
     * Python's repr: {@code <Lock(owner=None)>} when free, {@code <Lock(owner=MainProcess)>} (or
     * {@code P1|T1}: the process's name and, but for the main thread, the thread's) when the
     * calling thread acquired it, else {@code SomeOtherThread} or {@code SomeOtherProcess}.
     */
    @Override
    public String toString() {
        long owner = Mutex.owner(memory, base);
        String name;
        if (owner == 0) {
            name = "None";
        } else if (owner == ProcessId.SELF && holder == Thread.currentThread()) {
            name = holderName();
        } else {
            name = otherHolder(owner);
        }
        return "<Lock(owner=" + name + ")>";
    }

    private int ownerDied(int result) {
        if (result >= Mutex.RECOVERED) {
            Mutex.unlock(memory, base);
            throw new OwnerDiedError("the process that held this Lock (pid " + Mutex.deadPid(result)
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
        throw new InvalidObjectException("a Lock travels as its handle");
    }

    /** What a serialized Lock is: its segment and region; attaches in the receiving process. */
    private record Handle(String segment, long offset) implements Serializable {
        @Serial
        private Object readResolve() {
            return new Lock(Mutex.attach(segment, offset, HeaderDescriptor.LOCK, HeaderDescriptor.BARRIER), offset);
        }
    }
}
