package dev.pyconc.ipc.internal.ring;

import dev.pyconc.ipc.internal.shm.HoldersDescriptor;
import dev.pyconc.ipc.internal.shm.LivenessDescriptor;

/**
 * The layout of a pipe's segment ({@code Multiprocessing.pipe()}): a line per end, a table of
 * {@link LivenessDescriptor liveness slots} per end, then one {@link RingDescriptor ring} per
 * direction (one only for a one-way pipe).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |   End 0 owner: ProcessId of the last process to open it (long)|    0   end 0's line
 *  +---------------------------------------------------------------+
 *  |   End 0 references: open objects and handles in flight (int)  |    8
 *  +---------------------------------------------------------------+
 *  |   End 0 owner's slot: its number in end 0's table, 0: none    |   12
 *  +---------------------------------------------------------------+
 *  |   End 0 holders: per process, and in flight (Holders)         |   64
 *  ...                  (HoldersDescriptor.LENGTH)               ...
 *  +---------------------------------------------------------------+
 *  |     End 1 owner (long), references, owner's slot, holders     | 1152   end 1's line
 *  ...                                                           ...
 *  +---------------------------------------------------------------+
 *  |              Duplex: 1 for a two-way pipe, 0 (int)            | 2304
 *  +---------------------------------------------------------------+
 *  |     End 0's liveness slots: SLOTS slots of 16 bytes           | 2368
 *  +---------------------------------------------------------------+
 *  |     End 1's liveness slots: SLOTS slots of 16 bytes           | 2496
 *  +---------------------------------------------------------------+
 *  |     Ring to end 0: written by end 1, read by end 0            | 2624
 *  ...                 (RingDescriptor.length(capacity))         ...
 *  +---------------------------------------------------------------+
 *  |     Ring to end 1: written by end 0, read by end 1 (duplex)   | RING_TO_1
 *  ...                                                           ...
 * </pre>
 *
 * <p>Offsets are relative to the body, which starts at byte 64 of the segment
 * ({@link dev.pyconc.ipc.internal.shm.HeaderDescriptor#BODY}); RING_TO_1 is 2624 plus the length of
 * the first ring ({@link #ringTo}). Both rings start at multiples of 128 bytes of the segment, as
 * {@link RingDescriptor} needs, and the ends' lines lie on pairs of cache lines of their own.
 *
 * <p>An end is open while its references are above zero, its owner runs and a live process holds
 * it: creating the pipe counts one reference per end, sending an end to another process one more
 * (taken over by the object made of it there), closing an end object one less. References are the
 * word a peer reads at every attempt; each process that holds an end also claims a slot of that
 * end's liveness table ({@link dev.pyconc.ipc.internal.shm.Liveness}), which the kernel marks
 * when the process ends, and the owner publishes its slot's number next to its identity (0 when
 * it could not claim one), so that a sender sees at every send, with one more load, that its
 * reader's process ended. The holders ({@link dev.pyconc.ipc.internal.shm.Holders}) say, when a
 * wait stalls or an end closes, whether the processes behind the references still live. Owner,
 * references and slot number are written with volatile stores and CAS by the processes holding
 * that end and read by the peer, which reports end of file (or a broken pipe) once the other end
 * is no longer open.
 */
public final class PipeDescriptor {
    /** Fields of an end's line. */
    public static final int OWNER = 0, REFS = 8, OWNER_SLOT = 12, HOLDERS = 64;
    /** The length of an end's line. */
    public static final int END_LENGTH = HOLDERS + HoldersDescriptor.LENGTH;
    public static final int END0 = 0;
    public static final int END1 = END0 + END_LENGTH;
    public static final int DUPLEX = END1 + END_LENGTH;
    /** Liveness slots per end. */
    public static final int SLOTS = 8;
    public static final int SLOTS_0 = DUPLEX + 64;
    public static final int RING_TO_0 = SLOTS_0 + 2 * SLOTS * LivenessDescriptor.SLOT;

    private PipeDescriptor() {}

    /** Where end {@code end}'s line starts. */
    public static int end(int end) {
        return end == 0 ? END0 : END1;
    }

    /** Where end {@code end}'s table of {@link #SLOTS} liveness slots starts. */
    public static long slots(int end) {
        return SLOTS_0 + end * LivenessDescriptor.length(SLOTS);
    }

    /** Where the ring read by end {@code end} starts, for rings of {@code capacity} bytes. */
    public static long ringTo(int end, long capacity) {
        return end == 0 ? RING_TO_0 : RING_TO_0 + RingDescriptor.length(capacity);
    }

    /** The body length of a pipe with rings of {@code capacity} bytes. */
    public static long length(long capacity, boolean duplex) {
        return RING_TO_0 + RingDescriptor.length(capacity) * (duplex ? 2 : 1);
    }
}
