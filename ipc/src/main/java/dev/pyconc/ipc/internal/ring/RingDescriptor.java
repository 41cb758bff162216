package dev.pyconc.ipc.internal.ring;

/**
 * The layout of a {@link MpmcRing}: a byte ring of variable-length records with a robust lock on
 * each side, the storage of process queues ({@code Queue}, {@code SimpleQueue},
 * {@code JoinableQueue}) and of each direction of a {@code Pipe}. Offsets are relative to the
 * ring's start (its base) in the segment; the base is 64-byte aligned.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |          Capacity: data bytes, a power of two (long)          |    0   configuration:
 *  +---------------------------------------------------------------+         written once by the
 *  |   Inline max: largest record kept in the ring, bytes (long)   |    8   creator; Shut down
 *  +---------------------------------------------------------------+         at most twice
 *  |            Maxsize: items, 0 for unbounded (int)              |   16
 *  +---------------------------------------------------------------+
 *  |     Shut down: 0 open, 1 shut down, 2 immediately (int)       |   20
 *  +---------------------------------------------------------------+
 *  |                 Producer lock (MutexDescriptor)               |   64
 *  +---------------------------------------------------------------+
 *  |  Tail: bytes ever written (long)   | Puts: items ever put     |  128   producer line: written
 *  |  Intent tail (long)                | Intent puts (long)       |         by the holder of the
 *  |  Head cache (long)                 | Gets cache (long)        |         producer lock
 *  +---------------------------------------------------------------+
 *  |                 Consumer lock (MutexDescriptor)               |  192
 *  +---------------------------------------------------------------+
 *  |  Head: bytes ever read (long)      | Gets: items ever got     |  256   consumer line: written
 *  |  Intent head (long)                | Intent gets (long)       |         by the holder of the
 *  |  Tail cache (long)                 |                          |         consumer lock
 *  +---------------------------------------------------------------+
 *  |  Not-empty futex word (int)        | its sleepers flag (int)  |  320   consumers sleep here
 *  +---------------------------------------------------------------+
 *  |  Not-full futex word (int)         | its sleepers flag (int)  |  384   producers sleep here
 *  +---------------------------------------------------------------+
 *  |  Done: taskDone calls (long) | Join futex word | its sleepers |  448   written by taskDone
 *  +---------------------------------------------------------------+
 *  |                 Data: Capacity bytes of records               |  512
 *  ...                                                           ...
 * </pre>
 *
 * <p>A record starts on an 8-byte boundary of the data and never wraps around its end:
 *
 * <pre>
 *  +---------------------------------------------------------------+
 *  |                   Length of the payload (int)                 |  0
 *  +---------------------------------------------------------------+
 *  |           Type: ITEM, SEGMENT or PAD (int)                    |  4
 *  +---------------------------------------------------------------+
 *  |        Payload, padded with zeros to 8 bytes                  |  8
 *  ...                                                           ...
 * </pre>
 *
 * An ITEM's payload is the encoded item. A SEGMENT's payload names a segment of its own that holds
 * an item too large for the ring: {@code long} item length, {@code int} name length, then the
 * name in UTF-8. A PAD fills the data from its position to the end (its length is what is left
 * after its header) and is skipped: the next record starts at offset 0.
 *
 * <p>Access modes: Tail, Head, Puts and Gets are written with release stores by the holder of
 * their side's lock and read with volatile loads by the other side; the intent and cache words
 * belong to their side's lock holder (release stores, so that a process recovering the lock
 * after its holder died reads them). Done is changed by CAS. The futex words and flags belong
 * to {@link dev.pyconc.ipc.internal.sync.WaitEngine}. Every value read from the other side (Head and Tail, a record's length
 * and type, a segment's name) is checked before it is used.
 */
public final class RingDescriptor {
    public static final int CAPACITY = 0;
    public static final int INLINE_MAX = 8;
    public static final int MAXSIZE = 16;
    public static final int SHUTDOWN = 20;

    public static final int PRODUCER_LOCK = 64;
    public static final int TAIL = 128;
    public static final int PUTS = 136;
    public static final int INTENT_TAIL = 144;
    public static final int INTENT_PUTS = 152;
    public static final int HEAD_CACHE = 160;
    public static final int GETS_CACHE = 168;

    public static final int CONSUMER_LOCK = 192;
    public static final int HEAD = 256;
    public static final int GETS = 264;
    public static final int INTENT_HEAD = 272;
    public static final int INTENT_GETS = 280;
    public static final int TAIL_CACHE = 288;

    public static final int NOT_EMPTY = 320;
    public static final int NOT_EMPTY_SLEEPERS = 324;
    public static final int NOT_FULL = 384;
    public static final int NOT_FULL_SLEEPERS = 388;

    public static final int DONE = 448;
    public static final int JOIN = 456;
    public static final int JOIN_SLEEPERS = 460;

    public static final int DATA = 512;

    /** Record header fields and size. */
    public static final int RECORD_LENGTH = 0, RECORD_TYPE = 4, RECORD_HEADER = 8;
    /** Record types. */
    public static final int ITEM = 1, SEGMENT = 2, PAD = 3;
    /** Payload of a SEGMENT record. */
    public static final int SEGMENT_ITEM_LENGTH = 0, SEGMENT_NAME_LENGTH = 8, SEGMENT_NAME = 12;

    /** Shut-down states. */
    public static final int OPEN = 0, SHUT = 1, SHUT_IMMEDIATELY = 2;

    /** Smallest and largest data capacity. */
    public static final long MIN_CAPACITY = 4096, MAX_CAPACITY = 1L << 40;

    private RingDescriptor() {}

    /** The bytes a ring of {@code capacity} data bytes occupies. */
    public static long length(long capacity) {
        return DATA + capacity;
    }

    /** The length of a record whose payload has {@code payload} bytes (8-byte aligned). */
    public static long recordLength(long payload) {
        return RECORD_HEADER + ((payload + 7) & ~7L);
    }

    /**
     * Checks a capacity given by a user.
     *
     * @throws IllegalArgumentException with the allowed range
     */
    public static long checkCapacity(long capacity) {
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || Long.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two between " + MIN_CAPACITY + " and "
                    + MAX_CAPACITY + " bytes, not " + capacity);
        }
        return capacity;
    }
}
