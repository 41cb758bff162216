package dev.pyconc.ipc.internal.sync;

import java.lang.foreign.MemorySegment;

import dev.pyconc.ipc.internal.shm.ProcessId;
import dev.pyconc.ipc.internal.shm.Segments;
import dev.pyconc.ipc.internal.shm.Words;

/**
 * The operations of a robust cross-process mutex on a {@link MutexDescriptor} region at offset
 * {@code base} of a mapped segment: the engine of {@code multiprocessing.Lock} and {@code RLock},
 * and the guard of the semaphore, condition and barrier state.
 *
 * <p>The holder is recorded as a {@link ProcessId} (PID and start time). A waiter whose wait has
 * stalled checks whether the holder still runs; if it died (killed, or ended without releasing),
 * the waiter takes the mutex over with a CAS from the dead owner's identity, so exactly one waiter
 * recovers it, and the acquisition reports {@link #RECOVERED} instead of {@link #ACQUIRED}. A
 * stopped holder still runs and is never overtaken; a new process with the dead holder's PID has
 * another start time and is not taken for it.
 *
 * <p>The reentrant variants ({@code ...Reentrant}) also record the owning thread (a Java thread id,
 * unique in its JVM) and a recursion count, as {@code RLock} needs. The plain ones record only the
 * process, and any thread of any process may unlock, as {@code Lock} allows.
 *
 * <p>Memory consistency effects: actions before an unlock happen-before actions after the lock
 * that follows it, in any process (the CAS that takes the owner word reads what the getAndSet that
 * freed it wrote).
 */
public final class Mutex {
    /*
     * Overview.
     *
     *   lock:    CAS(owner, 0 -> SELF)                    fast path: one CAS
     *            else WaitEngine.await(seq, sleepers):
     *              attempt: owner == 0 && CAS(0 -> SELF)            -> ACQUIRED
     *                       stalled && owner dead && CAS(dead -> SELF) -> RECOVERED + its pid
     *   unlock:  getAndSet(owner, 0); WaitEngine.wake(seq, sleepers, 1)   one RMW + one load
     *
     * The owner word is free (0) or names the holding process. A recovering waiter first CASes it
     * to SELF | RECOVERING, clears thread and count, then stores SELF: otherwise a thread of its
     * process whose id equals the dead holder's thread id would, for a moment, pass the ownership
     * test. If the recoverer dies in between, its flagged identity is dead too and is recovered in
     * turn. The reentrant variant writes
     * `thread` and `count` after taking the owner word and clears them before freeing it, so a
     * thread of the holder's process that reads owner == SELF and thread == its id really owns it:
     * it can only have read its own id if it wrote it and has not released since.
     */

    /**
     * Lock results: acquired normally; or, from {@code RECOVERED} up, taken over from a holder that
     * died, whose PID is {@code result - RECOVERED} ({@link #deadPid}).
     */
    public static final int ACQUIRED = 1, RECOVERED = 2;

    /**
     * Owner-word flag (bit 31, above any PID) while a recovering waiter resets the dead holder's
     * thread and count: the word names a live process but matches no thread's ownership test.
     */
    private static final long RECOVERING = 1L << 31;

    private Mutex() {}

    /**
     * Attaches the segment of a lock handle and checks that {@code offset} is where a segment of
     * its kind (one of {@code kinds}) keeps its mutex region ({@link MutexDescriptor#regionOf}).
     *
     * @throws IllegalStateException if the segment is gone, is not of such a kind, or holds no lock there
     */
    public static Segments.Mapped attach(String name, long offset, int... kinds) {
        Segments.Mapped mapped = Segments.attach(name, 0, kinds);
        long expected = MutexDescriptor.regionOf(mapped.kind());
        if (offset != expected || offset + MutexDescriptor.LENGTH > mapped.memory().byteSize()) {
            throw new IllegalStateException("segment '" + name + "' holds no lock at offset " + offset);
        }
        return mapped;
    }

    /** Initialises a fresh region (a newly created, zero-filled file needs nothing). */
    public static void init(MemorySegment s, long base) {
        Words.putLong(s, base + MutexDescriptor.OWNER, 0);
        Words.putLong(s, base + MutexDescriptor.THREAD, 0);
        Words.putInt(s, base + MutexDescriptor.COUNT, 0);
    }

    /** The PID of the dead holder that a {@code RECOVERED} result reports. */
    public static int deadPid(int result) {
        return result - RECOVERED;
    }

    // ---------------------------------------------------------------- plain (Lock)

    /** Takes the mutex if it is free. */
    public static boolean tryLock(MemorySegment s, long base) {
        return Words.compareAndSetLong(s, base + MutexDescriptor.OWNER, 0L, ProcessId.SELF);
    }

    /**
     * Takes the mutex, waiting at most {@code nanos} ({@link WaitEngine#FOREVER} for no limit).
     *
     * @return {@link #ACQUIRED}, {@link #RECOVERED} or more (the previous holder died holding it), or
     *         {@link WaitEngine#TIMED_OUT}
     */
    public static int lock(MemorySegment s, long base, long nanos) {
        if (tryLock(s, base)) {
            return ACQUIRED;
        }
        return WaitEngine.await(s, base + MutexDescriptor.SEQ, base + MutexDescriptor.SLEEPERS,
                stalled -> attempt(s, base, stalled), nanos);
    }

    private static int attempt(MemorySegment s, long base, boolean stalled) {
        long owner = Words.getLongVolatile(s, base + MutexDescriptor.OWNER);
        if (owner == 0) {
            return Words.compareAndSetLong(s, base + MutexDescriptor.OWNER, 0L, ProcessId.SELF) ? ACQUIRED : 0;
        }
        if (stalled && !ProcessId.isAlive(owner)
                && Words.compareAndSetLong(s, base + MutexDescriptor.OWNER, owner, ProcessId.SELF | RECOVERING)) {
            own(s, base, 0, 0);      // the dead holder's thread id must not match one of ours
            Words.putLongVolatile(s, base + MutexDescriptor.OWNER, ProcessId.SELF);
            return RECOVERED + ProcessId.pid(owner);
        }
        return 0;
    }

    /**
     * Frees the mutex and wakes one waiter. Any thread of any process may unlock it.
     *
     * @return the identity of the holder it freed
     * @throws IllegalStateException if it was not locked
     */
    public static long unlock(MemorySegment s, long base) {
        long previous = Words.getAndSetLong(s, base + MutexDescriptor.OWNER, 0L);
        if (previous == 0) {
            throw new IllegalStateException("release unlocked lock");
        }
        WaitEngine.wake(s, base + MutexDescriptor.SEQ, base + MutexDescriptor.SLEEPERS, 1);
        return previous;
    }

    /** The holder's identity, or 0 when free. */
    public static long owner(MemorySegment s, long base) {
        return Words.getLongVolatile(s, base + MutexDescriptor.OWNER);
    }

    // ---------------------------------------------------------------- reentrant (RLock)

    /** Takes the mutex for thread {@code tid} if it is free or already held by that thread. */
    public static boolean tryLockReentrant(MemorySegment s, long base, long tid) {
        if (isHeldBy(s, base, tid)) {
            int count = Words.getInt(s, base + MutexDescriptor.COUNT) + 1;
            if (count <= 0) {
                throw new IllegalStateException("RLock recursion count overflow");
            }
            Words.putIntRelease(s, base + MutexDescriptor.COUNT, count);
            return true;
        }
        if (tryLock(s, base)) {
            own(s, base, tid, 1);
            return true;
        }
        return false;
    }

    /**
     * As {@link #lock}, for thread {@code tid}, counting recursion. After {@link #RECOVERED} the
     * count is 1: the dead holder's levels are gone with it.
     */
    public static int lockReentrant(MemorySegment s, long base, long tid, long nanos) {
        if (tryLockReentrant(s, base, tid)) {
            return ACQUIRED;
        }
        int r = WaitEngine.await(s, base + MutexDescriptor.SEQ, base + MutexDescriptor.SLEEPERS,
                stalled -> attempt(s, base, stalled), nanos);
        if (r > 0) {
            own(s, base, tid, 1);
        }
        return r;
    }

    /**
     * Releases one level held by thread {@code tid}; the last frees the mutex.
     *
     * @throws IllegalStateException if {@code tid} of this process does not hold it
     */
    public static void unlockReentrant(MemorySegment s, long base, long tid) {
        if (!isHeldBy(s, base, tid)) {
            throw new IllegalStateException("cannot release un-acquired lock");
        }
        int count = Words.getInt(s, base + MutexDescriptor.COUNT) - 1;
        if (count > 0) {
            Words.putIntRelease(s, base + MutexDescriptor.COUNT, count);
            return;
        }
        own(s, base, 0, 0);
        unlock(s, base);
    }

    /** Frees all levels held by {@code tid} at once (for Condition.await); returns how many. */
    public static int unlockFully(MemorySegment s, long base, long tid) {
        if (!isHeldBy(s, base, tid)) {
            throw new IllegalStateException("cannot release un-acquired lock");
        }
        int count = Words.getInt(s, base + MutexDescriptor.COUNT);
        own(s, base, 0, 0);
        unlock(s, base);
        return count;
    }

    /** Sets the recursion count of the mutex that {@code tid} holds (after Condition.await). */
    public static void setCount(MemorySegment s, long base, int count) {
        Words.putIntRelease(s, base + MutexDescriptor.COUNT, count);
    }

    /** Whether thread {@code tid} of this process holds the mutex. */
    public static boolean isHeldBy(MemorySegment s, long base, long tid) {
        return Words.getLongVolatile(s, base + MutexDescriptor.OWNER) == ProcessId.SELF
                && Words.getLongAcquire(s, base + MutexDescriptor.THREAD) == tid;
    }

    /** The recursion count if {@code tid} holds the mutex, else 0. */
    public static int count(MemorySegment s, long base, long tid) {
        return isHeldBy(s, base, tid) ? Words.getInt(s, base + MutexDescriptor.COUNT) : 0;
    }

    private static void own(MemorySegment s, long base, long tid, int count) {
        Words.putLongRelease(s, base + MutexDescriptor.THREAD, tid);
        Words.putIntRelease(s, base + MutexDescriptor.COUNT, count);
    }
}
