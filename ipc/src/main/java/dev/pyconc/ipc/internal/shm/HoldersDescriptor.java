package dev.pyconc.ipc.internal.shm;

/**
 * The layout of a holders region ({@link Holders}): who holds a queue or a pipe end, per process,
 * and its handles in flight. A queue's segment has one
 * ({@link dev.pyconc.ipc.internal.ring.QueueDescriptor}), a pipe one per end
 * ({@link dev.pyconc.ipc.internal.ring.PipeDescriptor}). Offsets are relative to the region's
 * start, which is 64-byte aligned.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |          In flight: handles sent and not yet received (int)   |    0
 *  +---------------------------------------------------------------+
 *  |   Unattributed: objects of processes that found no slot (int) |    4
 *  +---------------------------------------------------------------+
 *  |                      reserved up to byte 64                   |    8
 *  +---------------------------------------------------------------+
 *  |  Slot 0: ProcessId (long)                                     |   64   one slot per process
 *  |  Slot 0: open objects of that process (int), reserved (int)   |         that holds it
 *  +---------------------------------------------------------------+
 *  ...                  SLOTS slots of 16 bytes                  ...
 *  +---------------------------------------------------------------+
 *                                                                    LENGTH = 64 + 16 * SLOTS
 * </pre>
 *
 * <p>A slot is claimed by CAS of its ProcessId, from zero or from a process that has ended, when
 * the process opens its first object, and keeps its ProcessId while the process lives; a process
 * that ended, however it ended, holds nothing, whatever its count says. When every slot is taken,
 * objects count as Unattributed, which only their close() gives back. Every count changes by CAS.
 */
public final class HoldersDescriptor {
    public static final int IN_FLIGHT = 0;
    public static final int UNATTRIBUTED = 4;
    public static final int SLOTS_AT = 64;
    /** Fields of a slot, and its length. */
    public static final int SLOT_ID = 0, SLOT_COUNT = 8, SLOT_LENGTH = 16;
    /** How many processes can hold one thing with a slot of their own. */
    public static final int SLOTS = 64;
    /** The region's length: a multiple of 64. */
    public static final int LENGTH = SLOTS_AT + SLOTS * SLOT_LENGTH;

    private HoldersDescriptor() {}
}
