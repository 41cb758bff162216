package dev.pyconc.ipc.internal.sync;

import java.lang.foreign.MemorySegment;

import dev.pyconc.ipc.internal.shm.ProcessId;
import dev.pyconc.ipc.internal.shm.Words;

/**
 * The operations of a robust cross-process semaphore on a {@link SemaphoreDescriptor} region: the
 * engine of {@code multiprocessing.Semaphore} and {@code BoundedSemaphore}.
 *
 * <p>Every process that takes permits has a holder slot that counts the permits it took and has
 * not released itself (a release by a process first pays down its own count; releases beyond it,
 * as when one process signals another through a semaphore, reduce nobody's). When a process dies,
 * the permits its slot counts come back: a waiter whose wait stalls looks for dead holders, returns
 * their permits (a bounded semaphore never above its bound), wakes the other waiters and reports
 * {@link #OWNER_DIED} with the dead process's PID, without taking a permit itself.
 *
 * <p>Memory consistency effects: actions before a release happen-before actions after an acquire
 * that takes a permit it returned (the guard mutex orders them).
 */
public final class SemaphoreEngine {
    /*
     * Overview. Value and holder counts change together under the guard (a Mutex region), which
     * makes acquire and release two short critical sections:
     *
     *   acquire: guard; slot = own slot; if value > 0 { journal(slot); value--; slot.count++; clear } unguard
     *   release: guard; bound check; journal(slot); value += n; slot.count -= min(n, count); clear; unguard;
     *            wake(n)
     *
     * journal(slot) stores the old value and old slot count, then the slot number (release store);
     * every following store is a release store, so a process killed at any point leaves either no
     * journal (nothing changed yet, or all changed) or a journal that undoes its partial update. The
     * guard's new holder sees RECOVERED from Mutex.lock and undoes before anything else.
     *
     * Dead holders are looked for only by stalled waiters: slots are read without the guard, each
     * other process's liveness checked (/proc), then the guard is taken and each dead slot, if still
     * the same holder, returns its permits under the journal and is freed.
     */

    /** {@link #acquire} result: a permit was taken. */
    public static final int ACQUIRED = 1;
    /** {@link #acquire} results from this value up: dead holders' permits came back (PID = r - OWNER_DIED). */
    public static final int OWNER_DIED = 2;

    private SemaphoreEngine() {}

    /** Initialises a fresh region with {@code value} permits and {@code bound} (-1: none). */
    public static void init(MemorySegment s, long base, int value, int bound) {
        Mutex.init(s, base + SemaphoreDescriptor.GUARD);
        Words.putInt(s, base + SemaphoreDescriptor.VALUE, value);
        Words.putInt(s, base + SemaphoreDescriptor.BOUND, bound);
        Words.putInt(s, base + SemaphoreDescriptor.SLOTS, SemaphoreDescriptor.SLOTS_VALUE);
        Words.putInt(s, base + SemaphoreDescriptor.JOURNAL_SLOT, 0);
    }

    /**
     * Checks the fields a peer could have corrupted.
     *
     * @throws IllegalStateException naming the bad field
     */
    public static void validate(MemorySegment s, long base) {
        int slots = Words.getInt(s, base + SemaphoreDescriptor.SLOTS);
        int bound = Words.getInt(s, base + SemaphoreDescriptor.BOUND);
        if (slots != SemaphoreDescriptor.SLOTS_VALUE || bound < -1) {
            throw new IllegalStateException("corrupt semaphore segment: " + slots + " holder slots, bound " + bound);
        }
    }

    /** The bound, or -1 for an unbounded semaphore. */
    public static int bound(MemorySegment s, long base) {
        return Words.getInt(s, base + SemaphoreDescriptor.BOUND);
    }

    /** Permits available now. */
    public static int value(MemorySegment s, long base) {
        return Words.getIntVolatile(s, base + SemaphoreDescriptor.VALUE);
    }

    /**
     * Takes a permit if one is available now.
     *
     * @param hint a one-element cache of this process's slot index, kept by the caller
     */
    public static boolean tryAcquire(MemorySegment s, long base, int[] hint) {
        if (value(s, base) <= 0) {
            return false;
        }
        guard(s, base);
        try {
            int value = Words.getInt(s, base + SemaphoreDescriptor.VALUE);
            if (value <= 0) {
                return false;
            }
            int slot = ownSlot(s, base, hint, true);
            long at = base + SemaphoreDescriptor.slot(slot);
            int count = Words.getInt(s, at + SemaphoreDescriptor.SLOT_COUNT);
            journal(s, base, slot, value, count);
            Words.putIntRelease(s, base + SemaphoreDescriptor.VALUE, value - 1);
            Words.putIntRelease(s, at + SemaphoreDescriptor.SLOT_COUNT, count + 1);
            Words.putIntRelease(s, base + SemaphoreDescriptor.JOURNAL_SLOT, 0);
            return true;
        } finally {
            Mutex.unlock(s, base + SemaphoreDescriptor.GUARD);
        }
    }

    /**
     * Takes a permit, waiting at most {@code nanos} ({@link WaitEngine#FOREVER}: no limit).
     *
     * @return {@link #ACQUIRED}; {@link #OWNER_DIED} + PID when the wait found dead holders and
     *         returned their permits instead (no permit taken); or {@link WaitEngine#TIMED_OUT}
     */
    public static int acquire(MemorySegment s, long base, int[] hint, long nanos) {
        if (tryAcquire(s, base, hint)) {
            return ACQUIRED;
        }
        return WaitEngine.await(s, base + SemaphoreDescriptor.SEQ, base + SemaphoreDescriptor.SLEEPERS, stalled -> {
            if (tryAcquire(s, base, hint)) {
                return ACQUIRED;
            }
            if (stalled) {
                int deadPid = recoverDeadHolders(s, base);
                if (deadPid > 0) {
                    return OWNER_DIED + deadPid;
                }
            }
            return 0;
        }, nanos);
    }

    /**
     * Returns {@code n} permits and wakes as many waiters.
     *
     * @throws IllegalStateException if a bounded semaphore would exceed its bound, or the count
     *         would overflow; nothing is returned then
     */
    public static void release(MemorySegment s, long base, int[] hint, int n) {
        guard(s, base);
        try {
            int value = Words.getInt(s, base + SemaphoreDescriptor.VALUE);
            int bound = Words.getInt(s, base + SemaphoreDescriptor.BOUND);
            if (bound >= 0 && n > bound - value) {
                throw new IllegalStateException("semaphore released too many times (value " + value + ", bound "
                        + bound + ", releasing " + n + ")");
            }
            if (value + n < value) {
                throw new IllegalStateException("semaphore value would overflow: " + value + " + " + n);
            }
            int slot = ownSlot(s, base, hint, false);
            if (slot < 0) {
                Words.putIntRelease(s, base + SemaphoreDescriptor.VALUE, value + n);
            } else {
                long at = base + SemaphoreDescriptor.slot(slot);
                int count = Words.getInt(s, at + SemaphoreDescriptor.SLOT_COUNT);
                journal(s, base, slot, value, count);
                Words.putIntRelease(s, base + SemaphoreDescriptor.VALUE, value + n);
                Words.putIntRelease(s, at + SemaphoreDescriptor.SLOT_COUNT, count - Math.min(n, count));
                Words.putIntRelease(s, base + SemaphoreDescriptor.JOURNAL_SLOT, 0);
            }
        } finally {
            Mutex.unlock(s, base + SemaphoreDescriptor.GUARD);
        }
        WaitEngine.wake(s, base + SemaphoreDescriptor.SEQ, base + SemaphoreDescriptor.SLEEPERS, n);
    }

    /** Permits this process holds (took and did not release itself). */
    public static int heldByThisProcess(MemorySegment s, long base, int[] hint) {
        guard(s, base);
        try {
            int slot = ownSlot(s, base, hint, false);
            return slot < 0 ? 0 : Words.getInt(s, base + SemaphoreDescriptor.slot(slot) + SemaphoreDescriptor.SLOT_COUNT);
        } finally {
            Mutex.unlock(s, base + SemaphoreDescriptor.GUARD);
        }
    }

    /**
     * Returns the permits of holders that died and frees their slots.
     *
     * @return the PID of a dead holder whose permits came back, or 0 if none
     */
    public static int recoverDeadHolders(MemorySegment s, long base) {
        int slots = SemaphoreDescriptor.SLOTS_VALUE;
        long[] dead = null;
        int found = 0;
        for (int i = 0; i < slots; i++) {          // liveness checks without the guard
            long owner = Words.getLongAcquire(s, base + SemaphoreDescriptor.slot(i) + SemaphoreDescriptor.SLOT_OWNER);
            if (owner != 0 && owner != ProcessId.SELF && !ProcessId.isAlive(owner)) {
                if (dead == null) {
                    dead = new long[slots];
                }
                dead[i] = owner;
                found++;
            }
        }
        if (found == 0) {
            return 0;
        }
        int deadPid = 0;
        int returned = 0;
        guard(s, base);
        try {
            for (int i = 0; i < slots; i++) {
                if (dead[i] != 0) {
                    int n = freeSlot(s, base, i, dead[i]);
                    if (n > 0) {
                        returned += n;
                        deadPid = ProcessId.pid(dead[i]);
                    }
                }
            }
        } finally {
            Mutex.unlock(s, base + SemaphoreDescriptor.GUARD);
        }
        if (returned > 0) {
            WaitEngine.wake(s, base + SemaphoreDescriptor.SEQ, base + SemaphoreDescriptor.SLEEPERS, returned);
        }
        return deadPid;
    }

    /** Under the guard: returns the permits of slot {@code i} if {@code owner} still holds it; frees it. */
    private static int freeSlot(MemorySegment s, long base, int i, long owner) {
        long at = base + SemaphoreDescriptor.slot(i);
        if (Words.getLong(s, at + SemaphoreDescriptor.SLOT_OWNER) != owner) {
            return 0;
        }
        int count = Words.getInt(s, at + SemaphoreDescriptor.SLOT_COUNT);
        if (count > 0) {
            int value = Words.getInt(s, base + SemaphoreDescriptor.VALUE);
            int bound = Words.getInt(s, base + SemaphoreDescriptor.BOUND);
            long next = (long) value + count;
            int capped = (int) Math.min(next, bound >= 0 ? bound : Integer.MAX_VALUE);
            journal(s, base, i, value, count);
            Words.putIntRelease(s, base + SemaphoreDescriptor.VALUE, capped);
            Words.putIntRelease(s, at + SemaphoreDescriptor.SLOT_COUNT, 0);
            Words.putIntRelease(s, base + SemaphoreDescriptor.JOURNAL_SLOT, 0);
        }
        Words.putLongRelease(s, at + SemaphoreDescriptor.SLOT_OWNER, 0);   // count is 0 now: no journal needed
        return count;
    }

    // ---------------------------------------------------------------- guard and journal

    /** Takes the guard; when taken over from a dead process, undoes its partial update first. */
    private static void guard(MemorySegment s, long base) {
        int r = Mutex.lock(s, base + SemaphoreDescriptor.GUARD, WaitEngine.FOREVER);
        if (r >= Mutex.RECOVERED) {
            int slot = Words.getIntAcquire(s, base + SemaphoreDescriptor.JOURNAL_SLOT) - 1;
            if (slot >= 0 && slot < SemaphoreDescriptor.SLOTS_VALUE) {
                long old = Words.getLong(s, base + SemaphoreDescriptor.JOURNAL);
                Words.putIntRelease(s, base + SemaphoreDescriptor.VALUE, (int) old);
                Words.putIntRelease(s, base + SemaphoreDescriptor.slot(slot) + SemaphoreDescriptor.SLOT_COUNT,
                        (int) (old >>> 32));
            }
            Words.putIntRelease(s, base + SemaphoreDescriptor.JOURNAL_SLOT, 0);
        }
    }

    private static void journal(MemorySegment s, long base, int slot, int value, int count) {
        Words.putLong(s, base + SemaphoreDescriptor.JOURNAL, (value & 0xFFFF_FFFFL) | (long) count << 32);
        Words.putIntRelease(s, base + SemaphoreDescriptor.JOURNAL_SLOT, slot + 1);
    }

    /**
     * Under the guard: this process's slot (from {@code hint} when still valid), or a new one when
     * {@code claim}; -1 if it has none and may not claim.
     */
    private static int ownSlot(MemorySegment s, long base, int[] hint, boolean claim) {
        int h = hint[0];
        if (h >= 0 && h < SemaphoreDescriptor.SLOTS_VALUE && owner(s, base, h) == ProcessId.SELF) {
            return h;
        }
        int free = -1;
        for (int i = 0; i < SemaphoreDescriptor.SLOTS_VALUE; i++) {
            long owner = owner(s, base, i);
            if (owner == ProcessId.SELF) {
                hint[0] = i;
                return i;
            }
            if (owner == 0 && free < 0) {
                free = i;
            }
        }
        if (!claim) {
            return -1;
        }
        if (free < 0) {
            for (int i = 0; i < SemaphoreDescriptor.SLOTS_VALUE && free < 0; i++) {
                long owner = owner(s, base, i);
                if (!ProcessId.isAlive(owner)) {
                    freeSlot(s, base, i, owner);
                    free = i;
                }
            }
        }
        if (free < 0) {
            throw new IllegalStateException("more than " + SemaphoreDescriptor.SLOTS_VALUE
                    + " processes hold permits of this semaphore at once");
        }
        long at = base + SemaphoreDescriptor.slot(free);
        Words.putIntRelease(s, at + SemaphoreDescriptor.SLOT_COUNT, 0);
        Words.putLongRelease(s, at + SemaphoreDescriptor.SLOT_OWNER, ProcessId.SELF);
        hint[0] = free;
        return free;
    }

    private static long owner(MemorySegment s, long base, int slot) {
        return Words.getLongAcquire(s, base + SemaphoreDescriptor.slot(slot) + SemaphoreDescriptor.SLOT_OWNER);
    }
}
