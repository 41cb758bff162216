package dev.pyconc.ipc.internal.shm;

import java.lang.foreign.MemorySegment;

/**
 * Who holds a process queue or a pipe end ({@link HoldersDescriptor}): the objects open on it per
 * process, and its handles in flight. Each object counts one for its process ({@link #open}) and
 * gives it back once ({@link #close}); a handle counts one in flight ({@link #sent}) until the
 * object made of it has opened ({@link #received}) or the item carrying it did not go out
 * ({@link #unsent}). What a call leaves unused (nothing in flight, no live process with an object
 * open) it says with {@code true}, so that its caller can remove what is no longer used. A process
 * that ended holds nothing, so one killed with SIGKILL does not keep a queue or pipe for ever.
 *
 * <p>Memory consistency effects: every count changes by CAS (volatile semantics); actions of a
 * process prior to its close() <i>happen-before</i> the removal of the segment by the process whose
 * call found it unused.
 */
public final class Holders {
    private Holders() {}

    /** Counts one more object of this process on the queue at {@code base} (its body). */
    public static void open(MemorySegment m, long region) {
        long slots = region + HoldersDescriptor.SLOTS_AT;
        long own = -1;
        for (int i = 0; i < HoldersDescriptor.SLOTS && own < 0; i++) {
            long s = slots + (long) i * HoldersDescriptor.SLOT_LENGTH;
            if (Words.getLongVolatile(m, s + HoldersDescriptor.SLOT_ID) == ProcessId.SELF) {
                own = s;
            }
        }
        for (int i = 0; i < HoldersDescriptor.SLOTS && own < 0; i++) {
            long s = slots + (long) i * HoldersDescriptor.SLOT_LENGTH;
            long id = Words.getLongVolatile(m, s + HoldersDescriptor.SLOT_ID);
            if ((id == 0 || !ProcessId.isAlive(id)) && Words.compareAndSetLong(m, s + HoldersDescriptor.SLOT_ID, id, ProcessId.SELF)) {
                Words.putIntVolatile(m, s + HoldersDescriptor.SLOT_COUNT, 0);    // what an ended process held is void
                own = s;
            }
        }
        Words.getAndAddInt(m, own >= 0 ? own + HoldersDescriptor.SLOT_COUNT : region + HoldersDescriptor.UNATTRIBUTED, 1);
    }

    /** Gives back one object of this process; true if nothing is held now. */
    public static boolean close(MemorySegment m, long region) {
        long slots = region + HoldersDescriptor.SLOTS_AT;
        boolean done = false;
        for (int i = 0; i < HoldersDescriptor.SLOTS && !done; i++) {
            long s = slots + (long) i * HoldersDescriptor.SLOT_LENGTH;
            if (Words.getLongVolatile(m, s + HoldersDescriptor.SLOT_ID) == ProcessId.SELF) {
                done = decrement(m, s + HoldersDescriptor.SLOT_COUNT);
            }
        }
        if (!done) {
            decrement(m, region + HoldersDescriptor.UNATTRIBUTED);
        }
        return unused(m, region);
    }

    /** Counts one handle in flight (the caller has an object open, so it is in use). */
    public static void sent(MemorySegment m, long region) {
        Words.getAndAddInt(m, region + HoldersDescriptor.IN_FLIGHT, 1);
    }

    /** The object made of a handle has opened ({@link #open}): the handle is no longer in flight. */
    public static void received(MemorySegment m, long region) {
        decrement(m, region + HoldersDescriptor.IN_FLIGHT);
    }

    /** A handle's item did not go out; true if nothing is held now. */
    public static boolean unsent(MemorySegment m, long region) {
        decrement(m, region + HoldersDescriptor.IN_FLIGHT);
        return unused(m, region);
    }

    /** Whether nothing is in flight and no live process has an object open. */
    public static boolean unused(MemorySegment m, long region) {
        if (Words.getIntVolatile(m, region + HoldersDescriptor.IN_FLIGHT) > 0
                || Words.getIntVolatile(m, region + HoldersDescriptor.UNATTRIBUTED) > 0) {
            return false;
        }
        long slots = region + HoldersDescriptor.SLOTS_AT;
        for (int i = 0; i < HoldersDescriptor.SLOTS; i++) {
            long s = slots + (long) i * HoldersDescriptor.SLOT_LENGTH;
            long id = Words.getLongVolatile(m, s + HoldersDescriptor.SLOT_ID);
            if (id != 0 && Words.getIntVolatile(m, s + HoldersDescriptor.SLOT_COUNT) > 0
                    && (id == ProcessId.SELF || ProcessId.isAlive(id))) {
                return false;
            }
        }
        return true;
    }

    /** The objects open in this process (for tests). */
    public static int openHere(MemorySegment m, long region) {
        int n = 0;
        long slots = region + HoldersDescriptor.SLOTS_AT;
        for (int i = 0; i < HoldersDescriptor.SLOTS; i++) {
            long s = slots + (long) i * HoldersDescriptor.SLOT_LENGTH;
            if (Words.getLongVolatile(m, s + HoldersDescriptor.SLOT_ID) == ProcessId.SELF) {
                n += Words.getIntVolatile(m, s + HoldersDescriptor.SLOT_COUNT);
            }
        }
        return n;
    }

    /** Counts one less at {@code at} if above zero; false if it was zero already. */
    private static boolean decrement(MemorySegment m, long at) {
        for (;;) {
            int n = Words.getIntVolatile(m, at);
            if (n <= 0) {
                return false;
            }
            if (Words.compareAndSetInt(m, at, n, n - 1)) {
                return true;
            }
        }
    }
}
