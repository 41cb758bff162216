package dev.pyconc.multiprocessing.internal;

/**
 * The layout of a pipe's segment ({@code Multiprocessing.pipe()}): a record per end, a table of
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
 *  |          End 1 owner (long), references, owner's slot (int)   |   64   end 1's line
 *  +---------------------------------------------------------------+
 *  |              Duplex: 1 for a two-way pipe, 0 (int)            |  128
 *  +---------------------------------------------------------------+
 *  |     End 0's liveness slots: 8 slots of 16 bytes               |  192
 *  +---------------------------------------------------------------+
 *  |     End 1's liveness slots: 8 slots of 16 bytes               |  320
 *  +---------------------------------------------------------------+
 *  |     Ring to end 0: written by end 1, read by end 0            |  448
 *  ...                 (RingDescriptor.length(capacity))         ...
 *  +---------------------------------------------------------------+
 *  |     Ring to end 1: written by end 0, read by end 1 (duplex)   |  448 + ring length
 *  ...                                                           ...
 * </pre>
 *
 * <p>An end is open while its references are above zero and its owner runs: creating the pipe
 * counts one reference per end, sending an end to another process one more (taken back when it
 * arrives or is closed there), closing an end object one less. Each process that holds an end
 * claims a slot of that end's table ({@link Liveness}), which the kernel marks when the process
 * ends; the owner publishes its slot's number next to its identity (0 when it could not claim
 * one). Owner, references and slot number are written with volatile stores and CAS by the
 * processes holding that end and read by the peer, which reports end of file (or a broken pipe)
 * once the other end is no longer open.
 */
public final class PipeDescriptor {
    public static final int END0 = 0;
    public static final int END1 = 64;
    /** Fields of an end's line. */
    public static final int OWNER = 0, REFS = 8, OWNER_SLOT = 12;
    public static final int DUPLEX = 128;
    /** Liveness slots per end. */
    public static final int SLOTS = 8;
    public static final int SLOTS_0 = 192;
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
