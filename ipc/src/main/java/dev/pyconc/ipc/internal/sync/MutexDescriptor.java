package dev.pyconc.ipc.internal.sync;

import dev.pyconc.ipc.internal.shm.HeaderDescriptor;
import dev.pyconc.ipc.internal.shm.SharedCTypesDescriptor;

/**
 * The layout of a robust cross-process mutex, the region behind {@code multiprocessing.Lock} and
 * {@code RLock} and the guard of other primitives ({@link Mutex} operates on it). One cache line:
 * the owner word, the futex word and the sleepers flag are touched together by every contended
 * acquire and release, so they share the line, as a pthread mutex's fields do.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |        Owner: ProcessId of the holder, 0 when free (long)     |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |     Owner thread: Java thread id, RLock only, else 0 (long)   |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                Recursion count, RLock only (int)              | 16
 *  +---------------------------------------------------------------+
 *  |                  Futex word: sequence (int)                   | 20
 *  +---------------------------------------------------------------+
 *  |                     Sleepers flag (int)                       | 24
 *  +---------------------------------------------------------------+
 *  |                    reserved up to byte 64                     | 28
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Access modes: Owner is taken with a CAS and released with getAndSet (both volatile); Owner
 * thread and Recursion count are written only by the holder, with release stores, and read with
 * acquire loads (other threads of the holder's process read Owner thread to tell whether they own
 * the lock); Futex word and Sleepers flag belong to {@link WaitEngine}.
 */
public final class MutexDescriptor {
    public static final int OWNER = 0;
    public static final int THREAD = 8;
    public static final int COUNT = 16;
    public static final int SEQ = 20;
    public static final int SLEEPERS = 24;
    /** The region's length. */
    public static final int LENGTH = 64;

    private MutexDescriptor() {}

    /**
     * Where the mutex region of a segment of {@code kind} (a {@link HeaderDescriptor} kind) starts
     * from the segment's start, or -1 if such a segment holds no lock. Handles of locks name their
     * segment and this offset.
     */
    public static long regionOf(int kind) {
        return switch (kind) {
            case HeaderDescriptor.LOCK, HeaderDescriptor.RLOCK -> HeaderDescriptor.BODY;
            case HeaderDescriptor.CONDITION -> HeaderDescriptor.BODY + ConditionDescriptor.LOCK;
            case HeaderDescriptor.BARRIER -> HeaderDescriptor.BODY + BarrierDescriptor.CONDITION + ConditionDescriptor.LOCK;
            case HeaderDescriptor.VALUE, HeaderDescriptor.ARRAY -> HeaderDescriptor.BODY + SharedCTypesDescriptor.LOCK;
            default -> -1;
        };
    }
}
