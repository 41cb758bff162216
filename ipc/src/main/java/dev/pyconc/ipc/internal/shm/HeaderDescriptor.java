package dev.pyconc.ipc.internal.shm;

/**
 * The header that starts every segment holding a pyconc primitive (Lock, RLock, Semaphore,
 * BoundedSemaphore, Event, Condition, Barrier, Value, Array, process queues and pipes). User segments ({@code SharedMemory})
 * have none: their bytes are the user's.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     Magic "pyconc\0\1" (long)                 |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                          Kind (int)                           |  8
 *  +---------------------------------------------------------------+
 *  |                     Layout version (int)                      | 12
 *  +---------------------------------------------------------------+
 *  |               Bytes used by header and body (long)            | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |           Creator: ProcessId (pid | start &lt;&lt; 32) (long)       | 24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                     reserved up to byte 64                    | 32
 *  +---------------------------------------------------------------+
 *  |                 Body: the kind's descriptor                   | 64
 *  ...                                                           ...
 * </pre>
 *
 * <p>The creator writes kind, version, size and creator, then the body, and writes the magic last
 * with release semantics; a peer that maps the segment reads the magic with acquire semantics and
 * refuses the segment unless magic, kind and version are the expected ones and the size fits in the
 * file. Every field is written once, before the segment is published.
 */
public final class HeaderDescriptor {
    public static final long MAGIC_VALUE = 0x7079636F6E630001L;   // "pyconc", 0, 1
    /**
     * The layout version of every kind's body: 2 since the words that different processes write
     * were moved apart to 128-byte pairs of cache lines (rings, semaphores, conditions, barriers).
     */
    public static final int VERSION_VALUE = 2;

    public static final int MAGIC = 0;
    public static final int KIND = 8;
    public static final int VERSION = 12;
    public static final int SIZE = 16;
    public static final int CREATOR = 24;
    /** Where the body starts; also the header's length. */
    public static final int BODY = 64;

    /** Kinds. */
    public static final int LOCK = 1, RLOCK = 2, SEMAPHORE = 3, BOUNDED_SEMAPHORE = 4, EVENT = 5, CONDITION = 6,
            BARRIER = 7, VALUE = 8, ARRAY = 9, QUEUE = 10, PIPE = 11;

    private HeaderDescriptor() {}

    /** A kind's name, for segment names and messages. */
    public static String kindName(int kind) {
        return switch (kind) {
            case LOCK -> "lock";
            case RLOCK -> "rlock";
            case SEMAPHORE -> "semaphore";
            case BOUNDED_SEMAPHORE -> "boundedsemaphore";
            case EVENT -> "event";
            case CONDITION -> "condition";
            case BARRIER -> "barrier";
            case VALUE -> "value";
            case ARRAY -> "array";
            case QUEUE -> "queue";
            case PIPE -> "pipe";
            default -> "kind " + kind;
        };
    }
}
