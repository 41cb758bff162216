package dev.pyconc.multiprocessing;

import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;

import dev.pyconc.ipc.internal.shm.ProcessId;
import dev.pyconc.ipc.internal.shm.Segments;
import dev.pyconc.ipc.internal.sync.Mutex;
import dev.pyconc.threading.Held;
import dev.pyconc.threading.Lockable;

/**
 * What {@link Lock} and {@link RLock} share: a {@link Mutex} region in a mapped segment, and what
 * a {@link Condition} needs of its lock beyond {@link Lockable}, so that the condition, whose
 * waiters live in shared memory too, takes either without telling them apart: taking the lock back
 * after a wait reports a holder that died instead of throwing, so that the condition can leave its
 * waiter queue in order first.
 */
abstract class SharedLock implements Lockable, Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    final transient Segments.Mapped mapped;
    final transient MemorySegment memory;
    final transient long base;                 // the Mutex region
    final transient Held held = this::release;

    /** The lock region at {@code base} of {@code mapped}. */
    SharedLock(Segments.Mapped mapped, long base) {
        this.mapped = mapped;
        this.memory = mapped.memory();
        this.base = base;
    }

    /**
     * For {@link Condition}'s wait: takes the lock back in {@code savedState} (what
     * {@link #releaseFully()} returned), waiting as long as it takes, with an interrupt left for
     * later.
     *
     * @return the PID of a holder that died holding the lock, which had to be recovered, else 0;
     *         either way the calling thread holds the lock
     */
    abstract int reacquireRecovering(long savedState);

    /**
     * Takes the lock back after a condition's wait, as {@link #reacquireRecovering(long)} does.
     *
     * @throws OwnerDiedError if the holder died holding the lock; the calling thread holds it again
     */
    @Override
    public void reacquire(long savedState) {
        int deadPid = reacquireRecovering(savedState);
        if (deadPid > 0) {
            throw new OwnerDiedError("the process that held this " + kind() + " (pid " + deadPid
                    + ") died holding it; this thread holds the lock again: check the state it guards", deadPid);
        }
    }

    /** Whether any thread of any process holds the lock. */
    @Override
    public boolean locked() {
        return Mutex.owner(memory, base) != 0;
    }

    /** Acquires the lock and returns the scope whose {@code close()} releases it (once). */
    @Override
    public Held enter() {
        acquire();
        return held;
    }

    /** "Lock" or "RLock", for messages. */
    abstract String kind();

    /**
     * Python's name for the calling thread as a holder: the process's name, then {@code |} and the
     * thread's name unless it is the main thread ({@code MainProcess}, {@code P1|T1}).
     */
    static String holderName() {
        String name = Multiprocessing.currentProcess().name();
        String thread = dev.pyconc.threading.Threading.currentThread().name();
        return "MainThread".equals(thread) ? name : name + "|" + thread;
    }

    /**
     * Python's name for a holder that is not the calling thread: {@code SomeOtherThread} when it
     * is a thread of this process, {@code SomeOtherProcess} otherwise.
     */
    static String otherHolder(long owner) {
        return owner == ProcessId.SELF ? "SomeOtherThread" : "SomeOtherProcess";
    }
}
