package dev.pyconc.ipc.internal.ring;

/**
 * The layout of a {@link MpmcRing}: a byte ring of variable-length records with a robust lock on
 * each side, the storage of process queues ({@code Queue}, {@code SimpleQueue},
 * {@code JoinableQueue}) and of each direction of a {@code Pipe}. Offsets are relative to the
 * ring's start (its base) in the segment, which {@link QueueDescriptor} and {@link PipeDescriptor}
 * place at a multiple of 128 bytes, so that each group of words drawn below lies on a pair of
 * cache lines of its own: the configuration, which every operation reads; the producers' lock
 * and the words its holder writes; the consumers' lock and words; the words each kind of sleeper
 * waits on; and the first records. A CPU's adjacent-line prefetcher moves cache lines in pairs,
 * so words that different processes write must not share one, as Agrona pads its ring buffers.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |          Capacity: data bytes, a power of two (long)          |    0   configuration:
 *  |                                                               |        written once by the
 *  +---------------------------------------------------------------+        creator (Shut down
 *  |   Inline max: largest record kept in the ring, bytes (long)   |    8   at most twice), read
 *  |                                                               |        by every operation
 *  +---------------------------------------------------------------+
 *  |            Maxsize: items, 0 for unbounded (int)              |   16
 *  +---------------------------------------------------------------+
 *  |     Shut down: 0 open, 1 shut down, 2 immediately (int)       |   20
 *  +---------------------------------------------------------------+
 *  |                   reserved up to byte 128                     |   24
 *  +---------------------------------------------------------------+
 *  |         Producer lock: a MutexDescriptor region (64 bytes)    |  128   producers: the lock,
 *  ...                                                           ...        and the words its
 *  +---------------------------------------------------------------+        holder writes
 *  |                Tail: bytes ever written (long)                |  192
 *  +---------------------------------------------------------------+
 *  |                  Puts: items ever put (long)                  |  200
 *  +---------------------------------------------------------------+
 *  |                      Intent tail (long)                       |  208
 *  +---------------------------------------------------------------+
 *  |                      Intent puts (long)                       |  216
 *  +---------------------------------------------------------------+
 *  |                       Head cache (long)                       |  224
 *  +---------------------------------------------------------------+
 *  |                       Gets cache (long)                       |  232
 *  +---------------------------------------------------------------+
 *  |                   reserved up to byte 256                     |  240
 *  +---------------------------------------------------------------+
 *  |         Consumer lock: a MutexDescriptor region (64 bytes)    |  256   consumers: the lock,
 *  ...                                                           ...        and the words its
 *  +---------------------------------------------------------------+        holder writes
 *  |                 Head: bytes ever read (long)                  |  320
 *  +---------------------------------------------------------------+
 *  |                  Gets: items ever got (long)                  |  328
 *  +---------------------------------------------------------------+
 *  |                      Intent head (long)                       |  336
 *  +---------------------------------------------------------------+
 *  |                      Intent gets (long)                       |  344
 *  +---------------------------------------------------------------+
 *  |                       Tail cache (long)                       |  352
 *  +---------------------------------------------------------------+
 *  |                   reserved up to byte 384                     |  360
 *  +---------------------------------------------------------------+
 *  |                  Not-empty futex word (int)                   |  384   consumers sleep here
 *  +---------------------------------------------------------------+
 *  |                Not-empty sleepers flag (int)                  |  388
 *  +---------------------------------------------------------------+
 *  |                   reserved up to byte 512                     |  392
 *  +---------------------------------------------------------------+
 *  |                   Not-full futex word (int)                   |  512   producers sleep here
 *  +---------------------------------------------------------------+
 *  |                 Not-full sleepers flag (int)                  |  516
 *  +---------------------------------------------------------------+
 *  |                   reserved up to byte 640                     |  520
 *  +---------------------------------------------------------------+
 *  |                 Done: taskDone calls (long)                   |  640   written by taskDone,
 *  +---------------------------------------------------------------+        slept on by join
 *  |                    Join futex word (int)                      |  648
 *  +---------------------------------------------------------------+
 *  |                  Join sleepers flag (int)                     |  652
 *  +---------------------------------------------------------------+
 *  |                   reserved up to byte 768                     |  656
 *  +---------------------------------------------------------------+
 *  |                 Data: Capacity bytes of records               |  768
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
 * to {@link dev.pyconc.ipc.internal.sync.WaitEngine}. Every value read from the other side (Head
 * and Tail, a record's length and type, a segment's name) is checked before it is used.
 */
public final class RingDescriptor {
    public static final int CAPACITY = 0;
    public static final int INLINE_MAX = 8;
    public static final int MAXSIZE = 16;
    public static final int SHUTDOWN = 20;

    public static final int PRODUCER_LOCK = 128;
    public static final int TAIL = 192;
    public static final int PUTS = 200;
    public static final int INTENT_TAIL = 208;
    public static final int INTENT_PUTS = 216;
    public static final int HEAD_CACHE = 224;
    public static final int GETS_CACHE = 232;

    public static final int CONSUMER_LOCK = 256;
    public static final int HEAD = 320;
    public static final int GETS = 328;
    public static final int INTENT_HEAD = 336;
    public static final int INTENT_GETS = 344;
    public static final int TAIL_CACHE = 352;

    public static final int NOT_EMPTY = 384;
    public static final int NOT_EMPTY_SLEEPERS = 388;
    public static final int NOT_FULL = 512;
    public static final int NOT_FULL_SLEEPERS = 516;

    public static final int DONE = 640;
    public static final int JOIN = 648;
    public static final int JOIN_SLEEPERS = 652;

    public static final int DATA = 768;

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
