package dev.pyconc.ipc.internal.sync;

/**
 * The layout of a cross-process semaphore ({@code multiprocessing.Semaphore} and
 * {@code BoundedSemaphore}), operated on by {@link SemaphoreEngine}.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |            Guard: a MutexDescriptor region (64 bytes)         |  0
 *  ...                                                           ...
 *  +---------------------------------------------------------------+
 *  |                   Value: permits available (int)              | 64
 *  +---------------------------------------------------------------+
 *  |               Bound: the initial value, or -1 (int)           | 68
 *  +---------------------------------------------------------------+
 *  |                   Holder slots: how many (int)                | 72
 *  +---------------------------------------------------------------+
 *  |       Journal slot: holder slot + 1 of the update, 0 (int)    | 76
 *  +---------------------------------------------------------------+
 *  |   Journal: old value (low 32) | old slot count (high 32)      | 80
 *  |                              (long)                           |
 *  +---------------------------------------------------------------+
 *  |                    reserved up to byte 128                    | 88
 *  +---------------------------------------------------------------+
 *  |                   Futex word: sequence (int)                  | 128
 *  +---------------------------------------------------------------+
 *  |                      Sleepers flag (int)                      | 132
 *  +---------------------------------------------------------------+
 *  |                    reserved up to byte 192                    | 136
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
 * to {@link WaitEngine} and sit on their own line, away from the guarded state.
 */
public final class SemaphoreDescriptor {
    public static final int GUARD = 0;
    public static final int VALUE = 64;
    public static final int BOUND = 68;
    public static final int SLOTS = 72;
    public static final int JOURNAL_SLOT = 76;
    public static final int JOURNAL = 80;
    public static final int SEQ = 128;
    public static final int SLEEPERS = 132;
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
