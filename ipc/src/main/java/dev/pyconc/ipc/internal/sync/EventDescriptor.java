package dev.pyconc.ipc.internal.sync;

/**
 * The layout of a cross-process event ({@code multiprocessing.Event}).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |     State: number of changes, odd while set (int, futex word) |  0
 *  +---------------------------------------------------------------+
 *  |                      Sleepers flag (int)                      |  4
 *  +---------------------------------------------------------------+
 *  |                    reserved up to byte 64                     |  8
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>State changes only by CAS (set: even to odd, clear: odd to even), so a process killed in
 * {@code set()} or {@code clear()} leaves the event either set or clear. A waiter that saw the even
 * value {@code v} is released by any other value, so a {@code set()} followed at once by a
 * {@code clear()} still releases it, as in Python. State is the futex word; Sleepers flag belongs
 * to {@link WaitEngine}.
 */
public final class EventDescriptor {
    public static final int STATE = 0;
    public static final int SLEEPERS = 4;
    /** The region's length. */
    public static final int LENGTH = 64;

    private EventDescriptor() {}
}
