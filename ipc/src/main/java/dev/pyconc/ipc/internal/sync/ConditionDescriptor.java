package dev.pyconc.ipc.internal.sync;

/**
 * The layout of a cross-process condition variable ({@code multiprocessing.Condition}), operated
 * on by {@link ConditionEngine}: a lock region (the condition's own RLock when it was created
 * without one, or the Barrier's lock), then a table of waiter slots, each with its own futex word
 * so that {@code signal(n)} wakes exactly the {@code n} longest waiters.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |     Lock: a MutexDescriptor region (64 bytes), maybe unused   |   0
 *  ...                                                           ...
 *  +---------------------------------------------------------------+
 *  |                 Next ticket (long, FIFO order)                |  64
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                      Waiter slots (int)                       |  72
 *  +---------------------------------------------------------------+
 *  |         High-water mark: slots in use are below it (int)      |  76
 *  +---------------------------------------------------------------+
 *  |                    reserved up to byte 192                    |  80
 *  +---------------------------------------------------------------+
 *  |  Slot 0: State (int): generation &lt;&lt; 2 | FREE/WAITING/SIGNALLED|  192
 *  |          Sleepers flag (int)                                  |
 *  |          Waiter: ProcessId (long)                             |
 *  |          Ticket (long)                                        |
 *  |          reserved (long)                                      |
 *  +---------------------------------------------------------------+
 *  |  Slot 1 ... (32 bytes each, SLOTS_VALUE of them)              |  224
 *  ...                                                           ...
 * </pre>
 *
 * <p>Access modes: Next ticket and High-water mark change only under the condition's lock (the
 * mark is read with acquire loads by waiters that scan without the lock). A slot's State is the
 * futex word its waiter sleeps on and changes only by CAS: FREE to WAITING when a waiter claims it
 * (under the lock; the generation grows, so a stale CAS on a reused slot fails), WAITING to
 * SIGNALLED by a signaller, back to FREE by its waiter under the lock, or by anybody who finds its
 * waiter dead. Waiter and Ticket are written with release stores before the claiming CAS.
 *
 * <p>The slot table starts on a 128-byte pair of cache lines of its own, apart from the lock and
 * the words its holder writes: waiters raise their slots' sleepers flags while another process
 * holds the lock (the region starts at byte 64 of its segment, so bytes 64 to 191 are that
 * pair's). A CPU's adjacent-line prefetcher moves cache lines in pairs.
 */
public final class ConditionDescriptor {
    public static final int LOCK = 0;
    public static final int TICKETS = 64;
    public static final int SLOTS = 72;
    public static final int HIGH = 76;
    public static final int SLOT_TABLE = 192;
    public static final int SLOT_LENGTH = 32;
    /** Within a slot. */
    public static final int SLOT_STATE = 0, SLOT_SLEEPERS = 4, SLOT_OWNER = 8, SLOT_TICKET = 16;
    /** Slot states (the low two bits of State). */
    public static final int FREE = 0, WAITING = 1, SIGNALLED = 2;
    /** Waiter slots: so many threads may wait at once (the segment fits one page). */
    public static final int SLOTS_VALUE = 120;
    /** The region's length. */
    public static final int LENGTH = SLOT_TABLE + SLOTS_VALUE * SLOT_LENGTH;

    private ConditionDescriptor() {}

    /** Offset of slot {@code i} from the region's start. */
    public static int slot(int i) {
        return SLOT_TABLE + i * SLOT_LENGTH;
    }
}
