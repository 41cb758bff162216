package dev.pyconc.ipc.internal.sync;

/**
 * The layout of a cross-process barrier ({@code multiprocessing.Barrier}): a condition region
 * whose lock region serves as the barrier's (non-reentrant) lock, followed by the barrier's state,
 * which only the holder of that lock reads or writes.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |     Condition: a ConditionDescriptor region (its Lock first)  |    0
 *  ...                                                           ...
 *  +---------------------------------------------------------------+
 *  |        State: FILLING 0, DRAINING 1, RESETTING -1, BROKEN -2  | 4032
 *  +---------------------------------------------------------------+
 *  |          Count: parties inside await() (int)                  | 4036
 *  +---------------------------------------------------------------+
 *  |                       Parties (int)                           | 4040
 *  +---------------------------------------------------------------+
 *  |                    reserved up to byte 4096                   | 4044
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Parties is written once by the creator and checked against the handle when a peer attaches.
 * The state starts where the condition's slot table ends, on a 128-byte pair of cache lines apart
 * from the waiters' slots (the region starts at byte 64 of its segment).
 */
public final class BarrierDescriptor {
    public static final int CONDITION = 0;
    public static final int STATE = ConditionDescriptor.LENGTH;
    public static final int COUNT = STATE + 4;
    public static final int PARTIES = STATE + 8;
    /** The region's length. */
    public static final int LENGTH = STATE + 64;

    /** States. */
    public static final int FILLING = 0, DRAINING = 1, RESETTING = -1, BROKEN = -2;

    private BarrierDescriptor() {}
}
