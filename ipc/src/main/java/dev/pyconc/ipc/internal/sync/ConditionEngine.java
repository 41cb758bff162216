package dev.pyconc.ipc.internal.sync;

import java.lang.foreign.MemorySegment;

import dev.pyconc.ipc.internal.shm.Posix;
import dev.pyconc.ipc.internal.shm.ProcessId;
import dev.pyconc.ipc.internal.shm.Words;

/**
 * The waiter queue of a cross-process condition variable on a {@link ConditionDescriptor} region:
 * the engine of {@code multiprocessing.Condition} (and so of {@code Barrier}). The caller holds the
 * condition's lock around {@link #enqueue}, {@link #dequeue}, {@link #signal} and
 * {@link #signalAll}, and releases it around {@link #await}, as {@code Condition.wait} does.
 *
 * <p>Each waiter takes a slot with a ticket; {@code signal(n)} marks the {@code n} lowest tickets
 * SIGNALLED and wakes each on its own futex word, so no more than {@code n} waiters return and
 * they are the longest-waiting ones, as in Python. A signal aimed at a process that has exited is
 * given to the next waiter (checked with {@code kill(pid, 0)}, a fraction of a microsecond); a
 * signal that reaches a process which then dies before acting on it, or a killed waiter's slot, is
 * found by the other waiters when their waits stall and passed on, so that no live waiter stays
 * asleep for want of a signal a dead one swallowed.
 *
 * <p>Memory consistency effects: actions before {@code signal} happen-before the return of the
 * {@code await} it wakes (the slot's State is written by CAS and read with volatile loads).
 */
public final class ConditionEngine {
    /*
     * Overview. A slot's State: generation << 2 | st, st in FREE, WAITING, SIGNALLED.
     *
     *   enqueue (locked):   CAS FREE(g) -> WAITING(g+1)        ticket = next ticket++
     *   await (unlocked):   sleep while State == WAITING(g+1)   (WaitEngine on the slot)
     *   signal (locked):    CAS WAITING(g) -> SIGNALLED(g), wake the slot
     *   dequeue (locked):   WAITING(g) -> FREE(g): timed out; SIGNALLED(g) -> FREE(g): signalled
     *   rescue (unlocked):  a dead waiter's WAITING/SIGNALLED(g) -> FREE(g), by CAS; a signal it held
     *                       goes to the rescuer or, if that one was signalled already, to the oldest
     *                       other waiter
     *
     * Every transition is a CAS on the full word, so a rescuer that read a slot before it was
     * freed and claimed again cannot touch the new claim. Rescue runs only when a wait stalls;
     * it checks (with /proc) only slots that held the very same State at the previous stalled scan,
     * at most RESCUE_CHECKS of them, so live waiters that are merely slow cost little.
     */

    private static final int RESCUE_CHECKS = 8;

    private ConditionEngine() {}

    /** Initialises a fresh region. */
    public static void init(MemorySegment s, long base) {
        Mutex.init(s, base + ConditionDescriptor.LOCK);
        Words.putLong(s, base + ConditionDescriptor.TICKETS, 0);
        Words.putInt(s, base + ConditionDescriptor.SLOTS, ConditionDescriptor.SLOTS_VALUE);
        Words.putInt(s, base + ConditionDescriptor.HIGH, 0);
    }

    /** Checks the fields a peer could have corrupted. */
    public static void validate(MemorySegment s, long base) {
        int slots = Words.getInt(s, base + ConditionDescriptor.SLOTS);
        int high = Words.getIntAcquire(s, base + ConditionDescriptor.HIGH);
        if (slots != ConditionDescriptor.SLOTS_VALUE || high < 0 || high > slots) {
            throw new IllegalStateException("corrupt condition segment: " + slots + " slots, high-water mark " + high);
        }
    }

    /**
     * Locked: takes a waiter slot.
     *
     * @return a waiter token for {@link #await} and {@link #dequeue}: slot index and State value
     * @throws IllegalStateException if {@link ConditionDescriptor#SLOTS_VALUE} threads wait already
     */
    public static long enqueue(MemorySegment s, long base) {
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < ConditionDescriptor.SLOTS_VALUE; i++) {
                long at = base + ConditionDescriptor.slot(i);
                int st = Words.getIntVolatile(s, at + ConditionDescriptor.SLOT_STATE);
                if ((st & 3) != ConditionDescriptor.FREE) {
                    continue;
                }
                int waiting = ((st >>> 2) + 1) << 2 | ConditionDescriptor.WAITING;
                long ticket = Words.getLong(s, base + ConditionDescriptor.TICKETS);
                Words.putLongRelease(s, at + ConditionDescriptor.SLOT_OWNER, ProcessId.SELF);
                Words.putLongRelease(s, at + ConditionDescriptor.SLOT_TICKET, ticket);
                if (Words.compareAndSetInt(s, at + ConditionDescriptor.SLOT_STATE, st, waiting)) {
                    Words.putLongRelease(s, base + ConditionDescriptor.TICKETS, ticket + 1);
                    if (i >= Words.getInt(s, base + ConditionDescriptor.HIGH)) {
                        Words.putIntRelease(s, base + ConditionDescriptor.HIGH, i + 1);
                    }
                    return (long) i << 32 | (waiting & 0xFFFF_FFFFL);
                }
            }
            freeDeadWaiters(s, base);
        }
        throw new IllegalStateException("more than " + ConditionDescriptor.SLOTS_VALUE
                + " threads wait on this condition at once");
    }

    /**
     * Unlocked: waits until the waiter {@code token} is signalled or {@code nanos} elapse.
     *
     * @return 1 if signalled (or its slot changed), {@link WaitEngine#TIMED_OUT} otherwise
     */
    public static int await(MemorySegment s, long base, long token, long nanos) {
        long at = base + ConditionDescriptor.slot((int) (token >>> 32));
        int waiting = (int) token;
        long[][] seen = new long[1][];      // allocated when the wait first stalls
        return WaitEngine.await(s, at + ConditionDescriptor.SLOT_STATE, at + ConditionDescriptor.SLOT_SLEEPERS,
                stalled -> {
                    if (Words.getIntVolatile(s, at + ConditionDescriptor.SLOT_STATE) != waiting) {
                        return 1;
                    }
                    if (stalled) {
                        if (seen[0] == null) {
                            seen[0] = new long[ConditionDescriptor.SLOTS_VALUE];
                        }
                        rescue(s, base, token, seen[0]);
                        return Words.getIntVolatile(s, at + ConditionDescriptor.SLOT_STATE) != waiting ? 1 : 0;
                    }
                    return 0;
                }, nanos);
    }

    /**
     * Locked: frees the slot of waiter {@code token}.
     *
     * @return whether it was signalled
     */
    public static boolean dequeue(MemorySegment s, long base, long token) {
        long at = base + ConditionDescriptor.slot((int) (token >>> 32));
        int waiting = (int) token;
        int free = waiting & ~3;
        if (Words.compareAndSetInt(s, at + ConditionDescriptor.SLOT_STATE, waiting, free)) {
            return false;
        }
        return Words.compareAndSetInt(s, at + ConditionDescriptor.SLOT_STATE, free | ConditionDescriptor.SIGNALLED, free);
    }

    /** Locked: wakes the {@code n} longest-waiting live waiters; returns how many. */
    public static int signal(MemorySegment s, long base, int n) {
        int woken = 0;
        while (woken < n && signalOldest(s, base)) {
            woken++;
        }
        return woken;
    }

    /** Locked: wakes every waiter; returns how many. */
    public static int signalAll(MemorySegment s, long base) {
        int high = Words.getIntAcquire(s, base + ConditionDescriptor.HIGH);
        int woken = 0;
        for (int i = 0; i < high; i++) {
            long at = base + ConditionDescriptor.slot(i);
            int st = Words.getIntVolatile(s, at + ConditionDescriptor.SLOT_STATE);
            if ((st & 3) == ConditionDescriptor.WAITING && mark(s, at, st)) {
                woken++;
            }
        }
        return woken;
    }

    /** Signals the waiter with the lowest ticket; false if none waits. Safe without the lock (CAS). */
    private static boolean signalOldest(MemorySegment s, long base) {
        for (;;) {
            int high = Words.getIntAcquire(s, base + ConditionDescriptor.HIGH);
            long best = Long.MAX_VALUE;
            int bestSlot = -1, bestState = 0;
            for (int i = 0; i < high; i++) {
                long at = base + ConditionDescriptor.slot(i);
                int st = Words.getIntVolatile(s, at + ConditionDescriptor.SLOT_STATE);
                if ((st & 3) == ConditionDescriptor.WAITING) {
                    long ticket = Words.getLongAcquire(s, at + ConditionDescriptor.SLOT_TICKET);
                    if (ticket < best) {
                        best = ticket;
                        bestSlot = i;
                        bestState = st;
                    }
                }
            }
            if (bestSlot < 0) {
                return false;
            }
            long at = base + ConditionDescriptor.slot(bestSlot);
            long owner = Words.getLongAcquire(s, at + ConditionDescriptor.SLOT_OWNER);
            if (owner != ProcessId.SELF && Posix.AVAILABLE && !Posix.processExists(ProcessId.pid(owner))) {
                Words.compareAndSetInt(s, at + ConditionDescriptor.SLOT_STATE, bestState, bestState & ~3);
                continue;       // exited: give the signal to the next one
            }
            if (mark(s, at, bestState)) {
                return true;
            }
        }
    }

    private static boolean mark(MemorySegment s, long at, int waiting) {
        int signalled = (waiting & ~3) | ConditionDescriptor.SIGNALLED;
        if (!Words.compareAndSetInt(s, at + ConditionDescriptor.SLOT_STATE, waiting, signalled)) {
            return false;
        }
        WaitEngine.wakeChanged(s, at + ConditionDescriptor.SLOT_STATE, at + ConditionDescriptor.SLOT_SLEEPERS, 1);
        return true;
    }

    /**
     * Unlocked, from a stalled waiter: frees slots of dead waiters that held the same State at the
     * previous scan; a signal such a slot held goes to this waiter, or to the oldest other one.
     */
    private static void rescue(MemorySegment s, long base, long token, long[] seen) {
        int mine = (int) (token >>> 32);
        int high = Words.getIntAcquire(s, base + ConditionDescriptor.HIGH);
        int checks = 0;
        for (int i = 0; i < high; i++) {
            long at = base + ConditionDescriptor.slot(i);
            int st = Words.getIntVolatile(s, at + ConditionDescriptor.SLOT_STATE);
            long mark = 1L << 32 | (st & 0xFFFF_FFFFL);
            long before = seen[i];
            seen[i] = mark;
            if (i == mine || (st & 3) == ConditionDescriptor.FREE || before != mark || checks >= RESCUE_CHECKS) {
                continue;
            }
            long owner = Words.getLongAcquire(s, at + ConditionDescriptor.SLOT_OWNER);
            if (ProcessId.pid(owner) == ProcessId.PID) {
                continue;
            }
            checks++;
            if (ProcessId.isAlive(owner)
                    || !Words.compareAndSetInt(s, at + ConditionDescriptor.SLOT_STATE, st, st & ~3)) {
                continue;
            }
            if ((st & 3) == ConditionDescriptor.SIGNALLED) {
                long myAt = base + ConditionDescriptor.slot(mine);
                if (!Words.compareAndSetInt(s, myAt + ConditionDescriptor.SLOT_STATE, (int) token,
                        ((int) token & ~3) | ConditionDescriptor.SIGNALLED)) {
                    signalOldest(s, base);
                }
            }
        }
    }

    /** Locked: frees the slots of waiters whose process is gone (when the table is full). */
    private static void freeDeadWaiters(MemorySegment s, long base) {
        for (int i = 0; i < ConditionDescriptor.SLOTS_VALUE; i++) {
            long at = base + ConditionDescriptor.slot(i);
            int st = Words.getIntVolatile(s, at + ConditionDescriptor.SLOT_STATE);
            if ((st & 3) != ConditionDescriptor.FREE
                    && !ProcessId.isAlive(Words.getLongAcquire(s, at + ConditionDescriptor.SLOT_OWNER))
                    && Words.compareAndSetInt(s, at + ConditionDescriptor.SLOT_STATE, st, st & ~3)
                    && (st & 3) == ConditionDescriptor.SIGNALLED) {
                signalOldest(s, base);
            }
        }
    }
}
