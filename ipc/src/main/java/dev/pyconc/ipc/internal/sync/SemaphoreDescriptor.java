package dev.pyconc.ipc.internal.sync;

/**
 * The layout of a cross-process semaphore ({@code multiprocessing.Semaphore} and
 * {@code BoundedSemaphore}), operated on by {@link SemaphoreEngine}. Offsets are relative to the
 * body, which starts at byte 64 of the segment ({@code HeaderDescriptor.BODY}).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                   Futex word: sequence (int)                  |   0   sleepers: with the
 *  +---------------------------------------------------------------+         header, which is
 *  |                      Sleepers flag (int)                      |   4     written once
 *  +---------------------------------------------------------------+
 *  |                    reserved up to byte 64                     |   8
 *  +---------------------------------------------------------------+
 *  |            Guard: a MutexDescriptor region (64 bytes)         |  64   the guard's holder:
 *  ...                                                           ...         the guard and the
 *  +---------------------------------------------------------------+         state it guards
 *  |                   Value: permits available (int)              | 128
 *  +---------------------------------------------------------------+
 *  |               Bound: the initial value, or -1 (int)           | 132
 *  +---------------------------------------------------------------+
 *  |                   Holder slots: how many (int)                | 136
 *  +---------------------------------------------------------------+
 *  |       Journal slot: holder slot + 1 of the update, 0 (int)    | 140
 *  +---------------------------------------------------------------+
 *  |   Journal: old value (low 32) | old slot count (high 32)      | 144
 *  |                              (long)                           |
 *  +---------------------------------------------------------------+
 *  |                    reserved up to byte 192                    | 152
 *  +---------------------------------------------------------------+
 *  |  Holder slot 0:  holder ProcessId (long)                      | 192
 *  |                  permits it holds (int) | reserved (int)      |
 *  +---------------------------------------------------------------+
 *  |  Holder slot 1 ... (16 bytes each, SLOTS_VALUE of them)       | 208
 *  ...                                                           ...
 * </pre>
 *
 * <p>Value, the journal and the holder slots are guarded by the guard mutex: written with release
 * stores while it is held, so that a process killed half-way leaves an undo record (journal slot
 * and journal) that the next holder of the guard, who takes it over from the dead one, applies
 * before anything else. A holder slot's ProcessId is written when a process first takes a permit
 * and cleared when its permits are recovered after its death. Futex word and Sleepers flag belong
 * to {@link WaitEngine}: waiters raise the flag while the guard's holder changes the state, so
 * they lie on another 128-byte pair of cache lines than the guard and its state (bytes 0 to 127
 * of the segment, with the header, which is read only when a process attaches).
 */
public final class SemaphoreDescriptor {
    public static final int SEQ = 0;
    public static final int SLEEPERS = 4;
    public static final int GUARD = 64;
    public static final int VALUE = 128;
    public static final int BOUND = 132;
    public static final int SLOTS = 136;
    public static final int JOURNAL_SLOT = 140;
    public static final int JOURNAL = 144;
    public static final int SLOT_TABLE = 192;
    public static final int SLOT_LENGTH = 16;
    /** Within a slot: the holder and the permits it holds. */
    public static final int SLOT_OWNER = 0, SLOT_COUNT = 8;
    /** Holder slots of a semaphore: so many processes may hold permits at once (one page in all). */
    public static final int SLOTS_VALUE = 240;
    /** The region's length. */
    public static final int LENGTH = SLOT_TABLE + SLOTS_VALUE * SLOT_LENGTH;

    private SemaphoreDescriptor() {}

    /** Offset of holder slot {@code i} from the region's start. */
    public static int slot(int i) {
        return SLOT_TABLE + i * SLOT_LENGTH;
    }
}
