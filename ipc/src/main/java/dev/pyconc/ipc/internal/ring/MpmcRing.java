package dev.pyconc.ipc.internal.ring;

import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pyconc.ipc.internal.codec.GrowableBuffer;
import dev.pyconc.ipc.internal.shm.Shm;
import dev.pyconc.ipc.internal.shm.Words;
import dev.pyconc.ipc.internal.sync.Mutex;
import dev.pyconc.ipc.internal.sync.WaitEngine;

/**
 * A many-to-many queue of byte records in shared memory that survives the death of any process
 * using it: the engine of process queues and of each direction of a pipe. Producers append
 * records under a robust producer lock, consumers take them under a robust consumer lock (a
 * two-lock queue), so a producer and a consumer proceed in parallel and each side is a
 * single-writer ring for whoever holds its lock. Records larger than a quarter of the ring
 * travel in a segment of their own whose name the ring carries.
 *
 * <pre> {@code
 * MpmcRing.init(memory, base, 1 << 20, 0);
 * var ring = new MpmcRing(memory, base, "queue 'x'");
 * ring.offer(bytes, bytes.length, WaitEngine.FOREVER, null);                 // producer
 * var in = new MpmcRing.Received();
 * if (ring.poll(WaitEngine.FOREVER, null, in) == MpmcRing.DONE) use(in.bytes(), in.length());   // consumer
 * }</pre>
 *
 * <p>Guarantees, whatever process is killed at whatever instruction (kill -9):
 * <ul>
 *   <li>a record is visible to consumers only once it is complete: the producer copies it and
 *       then publishes it with one release store of Tail, so a producer killed mid-copy leaves
 *       nothing behind but bytes beyond Tail, which the next producer overwrites;</li>
 *   <li>a consumer takes a record by one release store of Head after copying it out, so a consumer
 *       killed before that store leaves the record in place for the next consumer (no loss, no
 *       duplicate); one killed after it took the record with it (the unavoidable window between
 *       taking an item and returning it);</li>
 *   <li>a lock whose holder died is taken over by a waiter after at most one check interval of
 *       {@link WaitEngine} (2 to 22 ms), which first completes the dead holder's counter update
 *       if its record was published ({@link #recoverProducer}, {@link #recoverConsumer});</li>
 *   <li>a record that {@code offer} returned for is in shared memory: it outlives its producer.</li>
 * </ul>
 * Each producer's records keep their order; each record goes to exactly one consumer. A
 * misbehaving process that writes garbage into the ring makes calls fail with an
 * {@link IllegalStateException} that names the ring; no length read from shared memory is used
 * before it is checked against the ring and the mapping.
 *
 * <p>Memory consistency effects: actions of a producer before {@code offer} of a record
 * happen-before the actions of the consumer after its {@code poll} returned that record.
 */
public final class MpmcRing {
    /*
     * Overview.
     *
     *   data:  ... | rec | rec | PAD->end |  rec  | rec |   free   | ...
     *                ^head                                ^tail
     *
     * offer: lock(P); if shut down: SHUT_DOWN; room = capacity - (tail + pad + need - head) using
     *        Head cache (re-read Head only when the cache says full), count = Puts - Gets cache
     *        (re-read Gets likewise); if both fit: write Intent tail/puts, the PAD (when the record
     *        would cross the end), the record; Tail = end (release: the commit); Puts += 1;
     *        unlock(P) (a full fence); wake not-empty. Otherwise unlock and wait on not-full with
     *        WaitEngine.awaitBusy: while at least 8 items wait and consumers keep taking them, the
     *        producer naps instead of sleeping, so that consumers, who limit the rate when the ring
     *        is full, need not wake it after every take.
     * poll:  lock(C); read records at Head (Tail cache, re-read Tail when caught up), skipping PADs;
     *        copy the first item out; Intent head/gets; Head = next (release: the take); Gets += 1;
     *        unlock(C); wake not-full; a SEGMENT record's segment is read and unlinked after
     *        unlocking. Otherwise unlock and sleep on not-empty. An empty poll that finds the stop
     *        condition true takes once more before it returns STOPPED: a record published before
     *        the condition became true (a sender that sent, then closed or died) may have landed
     *        between its take and its look at the condition, and must not be left behind.
     *
     * The unlock between a commit and the wake's load of the sleepers flag is a getAndSet, the
     * full fence that the sleeper/waker handshake of WaitEngine needs. Waits do not hold a lock.
     * Tail and Head are byte counts that only grow (2^63 bytes: no wrap), records are 8-byte
     * aligned, so a record's offset is (position & mask) and a PAD is at least its 8-byte header.
     *
     * Recovery: the intents say what the holder was about to make Tail/Head and Puts/Gets. If the
     * published word equals its intent, the counter may lag by the one update the holder did not
     * make: set it to its intent. If not, the holder died before publishing: nothing to undo.
     *
     * Garbage: every word is shared, so a side checks even its own. Tail (producer) and Head
     * (consumer) must be positions (aligned, not negative, far from overflow) before they are used
     * as offsets; the other side's word is checked against them (readTail, readHead); a cache that
     * cannot be right (Head cache above Tail) is read again rather than trusted, so that no garbage
     * makes a producer write over unread records. A record that names an item segment is followed
     * only to a segment this process may attach, and only such a segment is removed (after reading
     * it, or when shutdown(immediate) drops it).
     */

    private static final Logger LOG = LoggerFactory.getLogger(MpmcRing.class);

    /** Results of {@link #offer} and {@link #poll}. */
    public static final int DONE = 1, TIMED_OUT = 0, SHUT_DOWN = -1, STOPPED = -2;

    private static final int STOP_SEEN = 2;
    private static final long RETAIN_BYTES = GrowableBuffer.RETAIN_BYTES;
    private static final int MAX_ITEM = Integer.MAX_VALUE - 64;
    private static final byte[] NO_BYTES = {};

    /** A condition besides shutdown that ends waits (for a pipe: the peer closed or died). */
    @FunctionalInterface
    public interface Stop {
        /**
         * Whether to stop.
         *
         * @param stalled true when a wait lasted another check interval: time for expensive checks
         */
        boolean stopped(boolean stalled);
    }

    /**
     * Turns a record into the caller's object straight from shared memory, without the copy into
     * {@link Received}'s array: for records whose decoding cannot fail on their bytes (raw bytes,
     * a {@code byte[]} item), so that a record is never left half taken. It runs holding the
     * consumer lock for an inline record (keep it to one copy), after the lock for a record in a
     * segment of its own.
     */
    @FunctionalInterface
    public interface Direct {
        /** The object for the {@code length} bytes at {@code offset} of {@code m}, or {@link Received#NONE} to have them copied out as usual. */
        Object decode(MemorySegment m, long offset, int length);
    }

    /** Where {@link #poll} puts a record: its bytes in a reusable array kept per consumer thread, or the object its {@link Direct} decoder made. */
    public static final class Received {
        /** What {@link #value()} is when the record was copied out instead. */
        public static final Object NONE = new Object();

        private byte[] bytes = new byte[256];
        private int length;
        private Direct direct;          // null: always copy out
        private Object value = NONE;    // the direct decoder's object for the last record

        /** The array holding the record in its first {@link #length()} bytes. */
        public byte[] bytes() {
            return bytes;
        }

        /** The record's length. */
        public int length() {
            return length;
        }

        /**
         * The object the direct decoder made of the record {@link #poll} took, or {@link #NONE}
         * when the record's bytes were copied out into {@link #bytes()}.
         */
        public Object value() {
            return value;
        }

        /** Decodes the next records with {@code d} where it accepts them ({@code null}: copy every record out). */
        public void direct(Direct d) {
            direct = d;
        }

        /** Drops a large array after use so that one big item does not stay referenced. */
        public void release() {
            if (bytes.length > RETAIN_BYTES) {
                bytes = new byte[256];
            }
            length = 0;
            value = NONE;
        }

        /** Lets the direct decoder take the record at {@code offset}; whether it did. */
        boolean decodeDirectly(MemorySegment m, long offset, int n) {
            Direct d = direct;
            if (d == null) {
                return false;
            }
            Object v = d.decode(m, offset, n);
            if (v == NONE) {
                return false;
            }
            value = v;
            length = n;
            return true;
        }

        byte[] reserve(int n) {
            if (bytes.length < n) {
                bytes = new byte[Math.max(n, Math.min(MAX_ITEM, bytes.length * 2))];
            }
            length = n;
            return bytes;
        }
    }

    private final MemorySegment m;
    private final long b;
    /** What a producer facing a full ring waits on consumers to get through: the items in it. */
    private final WaitEngine.Backlog backlog = new WaitEngine.Backlog() {
        @Override
        public long depth() {
            return size();
        }

        @Override
        public long progress() {
            return Words.getLongVolatile(m, b + RingDescriptor.GETS);
        }
    };
    private final long capacity;
    private final long mask;
    private final long inlineMax;
    private final int maxsize;
    private final String what;

    /**
     * Writes the configuration of a new ring of {@code capacity} data bytes at {@code base}
     * (the rest of a new file is zero, which is the empty state).
     */
    public static void init(MemorySegment m, long base, long capacity, int maxsize) {
        RingDescriptor.checkCapacity(capacity);
        if (maxsize < 0) {
            throw new IllegalArgumentException("maxsize must not be negative: " + maxsize);
        }
        Words.putLong(m, base + RingDescriptor.CAPACITY, capacity);
        Words.putLong(m, base + RingDescriptor.INLINE_MAX, capacity / 4);
        Words.putInt(m, base + RingDescriptor.MAXSIZE, maxsize);
        Mutex.init(m, base + RingDescriptor.PRODUCER_LOCK);
        Mutex.init(m, base + RingDescriptor.CONSUMER_LOCK);
    }

    /**
     * Opens the ring at {@code base} of {@code m}, checking its configuration.
     *
     * @param what names the ring in messages, such as {@code "queue segment 'pyconc-queue-x'"}
     * @throws IllegalStateException if the configuration is not a valid ring's
     */
    public MpmcRing(MemorySegment m, long base, String what) {
        this.m = m;
        this.b = base;
        this.what = what;
        if (base < 0 || (base & 63) != 0 || base + RingDescriptor.DATA > m.byteSize()) {
            throw new IllegalStateException(what + " has no ring at offset " + base);
        }
        long cap = Words.getLong(m, base + RingDescriptor.CAPACITY);
        if (cap < RingDescriptor.MIN_CAPACITY || cap > RingDescriptor.MAX_CAPACITY || Long.bitCount(cap) != 1
                || base + RingDescriptor.length(cap) > m.byteSize()) {
            throw new IllegalStateException(what + " is corrupt: ring capacity " + cap + " does not fit its mapping of "
                    + m.byteSize() + " bytes");
        }
        long inline = Words.getLong(m, base + RingDescriptor.INLINE_MAX);
        int max = Words.getInt(m, base + RingDescriptor.MAXSIZE);
        if (inline < RingDescriptor.RECORD_HEADER || inline > cap / 2 || max < 0) {
            throw new IllegalStateException(what + " is corrupt: inline limit " + inline + ", maxsize " + max);
        }
        this.capacity = cap;
        this.mask = cap - 1;
        this.inlineMax = inline;
        this.maxsize = max;
    }

    /** The data capacity in bytes. */
    public long capacity() {
        return capacity;
    }

    /** The bound on items; 0 when unbounded. */
    public int maxsize() {
        return maxsize;
    }

    // ---------------------------------------------------------------- produce

    /**
     * Appends a record of {@code length} bytes of {@code data}, waiting at most {@code nanos}
     * ({@link WaitEngine#FOREVER}: without limit; 0: not at all) for room.
     *
     * @return {@link #DONE}, {@link #TIMED_OUT} (full), {@link #SHUT_DOWN} or {@link #STOPPED}
     */
    public int offer(byte[] data, int length, long nanos, Stop stop) {
        return offer(data, 0, length, nanos, stop);
    }

    /** As {@link #offer(byte[], int, long, Stop)}, for {@code length} bytes of {@code data} from {@code offset}. */
    public int offer(byte[] data, int offset, int length, long nanos, Stop stop) {
        return offer(NO_BYTES, data, offset, length, nanos, stop);
    }

    /**
     * As {@link #offer(byte[], int, long, Stop)}, for one record made of all of {@code prefix}
     * followed by {@code length} bytes of {@code data} from {@code offset}: a caller that only puts
     * a few bytes in front of an array it was given copies nothing itself.
     */
    public int offer(byte[] prefix, byte[] data, int offset, int length, long nanos, Stop stop) {
        if (length > MAX_ITEM - prefix.length) {
            throw new IllegalArgumentException("a record of " + ((long) prefix.length + length) + " bytes is too large");
        }
        int total = prefix.length + length;
        if (RingDescriptor.recordLength(total) <= inlineMax) {
            return offerRecord(RingDescriptor.ITEM, prefix, data, offset, length, nanos, stop);
        }
        String name = spill(prefix, data, offset, length);
        boolean done = false;
        try {
            byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
            byte[] ref = new byte[RingDescriptor.SEGMENT_NAME + nameBytes.length];
            MemorySegment r = MemorySegment.ofArray(ref);
            r.set(ValueLayout.JAVA_LONG_UNALIGNED, RingDescriptor.SEGMENT_ITEM_LENGTH, total);
            r.set(ValueLayout.JAVA_INT_UNALIGNED, RingDescriptor.SEGMENT_NAME_LENGTH, nameBytes.length);
            System.arraycopy(nameBytes, 0, ref, RingDescriptor.SEGMENT_NAME, nameBytes.length);
            int result = offerRecord(RingDescriptor.SEGMENT, NO_BYTES, ref, 0, ref.length, nanos, stop);
            done = result == DONE;
            return result;
        } finally {
            if (!done) {
                unlinkQuietly(name);
            }
        }
    }

    /** Writes an item too large for the ring into a tracked segment of its own; returns its name. */
    private static String spill(byte[] prefix, byte[] data, int offset, int length) {
        String name = Shm.randomName("pyconc-item-");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = Shm.create(name, Math.max(prefix.length + length, 1), arena, true);
            MemorySegment.copy(prefix, 0, s, ValueLayout.JAVA_BYTE, 0, prefix.length);
            MemorySegment.copy(data, offset, s, ValueLayout.JAVA_BYTE, prefix.length, length);
        }
        return name;
    }

    private int offerRecord(int type, byte[] prefix, byte[] src, int from, int len, long nanos, Stop stop) {
        long need = RingDescriptor.recordLength(prefix.length + len);
        long deadline = nanos > 0 ? System.nanoTime() + nanos : 0;
        for (;;) {
            if (shutdownState() != RingDescriptor.OPEN) {
                return SHUT_DOWN;
            }
            if (stop != null && stop.stopped(false)) {
                return STOPPED;
            }
            int locked = Mutex.lock(m, b + RingDescriptor.PRODUCER_LOCK, lockNanos(nanos, deadline));
            if (locked == WaitEngine.TIMED_OUT) {
                return TIMED_OUT;
            }
            boolean committed = false;
            try {
                if (locked >= Mutex.RECOVERED) {
                    recoverProducer(Mutex.deadPid(locked));
                }
                if (shutdownState() != RingDescriptor.OPEN) {
                    return SHUT_DOWN;
                }
                committed = tryAppend(type, prefix, src, from, len, need);
            } finally {
                Mutex.unlock(m, b + RingDescriptor.PRODUCER_LOCK);
            }
            if (committed) {
                WaitEngine.wake(m, b + RingDescriptor.NOT_EMPTY, b + RingDescriptor.NOT_EMPTY_SLEEPERS, 1);
                return DONE;
            }
            if (nanos == 0) {
                return TIMED_OUT;
            }
            long left = remaining(nanos, deadline);
            if (left == 0) {
                return TIMED_OUT;
            }
            int w = WaitEngine.awaitBusy(m, b + RingDescriptor.NOT_FULL, b + RingDescriptor.NOT_FULL_SLEEPERS, stalled -> {
                if (shutdownState() != RingDescriptor.OPEN || hasRoom(need)) {
                    return 1;
                }
                return stop != null && stop.stopped(stalled) ? STOP_SEEN : 0;
            }, backlog, left);
            if (w == WaitEngine.TIMED_OUT) {
                return TIMED_OUT;
            }
            if (w == STOP_SEEN) {
                return STOPPED;
            }
        }
    }

    /** Under the producer lock: appends the record ({@code prefix}, then {@code len} bytes of {@code src}) if it fits now. */
    private boolean tryAppend(int type, byte[] prefix, byte[] src, int from, int len, long need) {
        long t = Words.getLong(m, b + RingDescriptor.TAIL);
        if (!isPosition(t)) {
            throw corrupt("tail " + t + " is not a record's position");
        }
        long off = t & mask;
        long room = capacity - off;
        long pad = room < need ? room : 0;
        long end = t + pad + need;
        long head = Words.getLong(m, b + RingDescriptor.HEAD_CACHE);
        if (head < 0 || head > t || end - head > capacity) {      // full by the cache, or a cache that cannot be right
            head = readHead(t);
            Words.putLongRelease(m, b + RingDescriptor.HEAD_CACHE, head);
            if (end - head > capacity) {
                return false;
            }
        }
        long puts = Words.getLong(m, b + RingDescriptor.PUTS);
        if (maxsize > 0) {
            long gets = Words.getLong(m, b + RingDescriptor.GETS_CACHE);
            if (puts - gets >= maxsize) {
                gets = Words.getLongVolatile(m, b + RingDescriptor.GETS);
                Words.putLongRelease(m, b + RingDescriptor.GETS_CACHE, gets);
                if (puts - gets >= maxsize) {
                    return false;
                }
            }
        }
        Words.putLongRelease(m, b + RingDescriptor.INTENT_TAIL, end);
        Words.putLongRelease(m, b + RingDescriptor.INTENT_PUTS, puts + 1);
        long data = b + RingDescriptor.DATA;
        if (pad > 0) {
            Words.putInt(m, data + off + RingDescriptor.RECORD_LENGTH, (int) (pad - RingDescriptor.RECORD_HEADER));
            Words.putInt(m, data + off + RingDescriptor.RECORD_TYPE, RingDescriptor.PAD);
            off = 0;
        }
        long at = data + off + RingDescriptor.RECORD_HEADER;
        Words.putInt(m, data + off + RingDescriptor.RECORD_LENGTH, prefix.length + len);
        Words.putInt(m, data + off + RingDescriptor.RECORD_TYPE, type);
        if (prefix.length > 0) {
            MemorySegment.copy(prefix, 0, m, ValueLayout.JAVA_BYTE, at, prefix.length);
        }
        MemorySegment.copy(src, from, m, ValueLayout.JAVA_BYTE, at + prefix.length, len);
        Words.putLongRelease(m, b + RingDescriptor.TAIL, end);       // the commit
        Words.putLongRelease(m, b + RingDescriptor.PUTS, puts + 1);
        return true;
    }

    /** Whether a record of {@code need} bytes would fit now (read without the lock, for waits). */
    private boolean hasRoom(long need) {
        long t = Words.getLongVolatile(m, b + RingDescriptor.TAIL);
        long h = Words.getLongVolatile(m, b + RingDescriptor.HEAD);
        long room = capacity - (t & mask);
        long end = t + (room < need ? room : 0) + need;
        if (end - h > capacity) {
            return false;
        }
        return maxsize == 0 || Words.getLongVolatile(m, b + RingDescriptor.PUTS)
                - Words.getLongVolatile(m, b + RingDescriptor.GETS) < maxsize;
    }

    private long readHead(long tail) {
        long h = Words.getLongVolatile(m, b + RingDescriptor.HEAD);
        if (h < 0 || h > tail || tail - h > capacity || (h & 7) != 0) {
            throw corrupt("head " + h + " and tail " + tail + " are not " + capacity + " bytes apart at most");
        }
        return h;
    }

    /**
     * Completes the counter update of a producer that died holding the lock (under the lock).
     * Visible for tests.
     */
    void recoverProducer(int deadPid) {
        long tail = Words.getLong(m, b + RingDescriptor.TAIL);
        long intent = Words.getLongAcquire(m, b + RingDescriptor.INTENT_TAIL);
        long intentPuts = Words.getLongAcquire(m, b + RingDescriptor.INTENT_PUTS);
        if (tail == intent && Words.getLong(m, b + RingDescriptor.PUTS) != intentPuts) {
            Words.putLongRelease(m, b + RingDescriptor.PUTS, intentPuts);
        }
        Words.putLongRelease(m, b + RingDescriptor.HEAD_CACHE, 0);
        Words.putLongRelease(m, b + RingDescriptor.GETS_CACHE, 0);
        LOG.debug("{}: producer {} died holding the ring; recovered at tail {}", what, deadPid, tail);
    }

    // ---------------------------------------------------------------- consume

    /**
     * Takes the next record into {@code out}, waiting at most {@code nanos} for one.
     *
     * @return {@link #DONE}, {@link #TIMED_OUT} (empty), {@link #SHUT_DOWN} (shut down and empty) or
     *         {@link #STOPPED} ({@code stop} said so and the ring is empty)
     */
    public int poll(long nanos, Stop stop, Received out) {
        out.value = Received.NONE;
        long deadline = nanos > 0 ? System.nanoTime() + nanos : 0;
        boolean stopSeen = false;
        for (;;) {
            int locked = Mutex.lock(m, b + RingDescriptor.CONSUMER_LOCK, lockNanos(nanos, deadline));
            if (locked == WaitEngine.TIMED_OUT) {
                return TIMED_OUT;
            }
            int type;
            try {
                if (locked >= Mutex.RECOVERED) {
                    recoverConsumer(Mutex.deadPid(locked));
                }
                type = take(out);
            } finally {
                Mutex.unlock(m, b + RingDescriptor.CONSUMER_LOCK);
            }
            if (type != 0) {
                WaitEngine.wake(m, b + RingDescriptor.NOT_FULL, b + RingDescriptor.NOT_FULL_SLEEPERS, Integer.MAX_VALUE);
                if (type == RingDescriptor.SEGMENT) {
                    readSegment(out);
                }
                return DONE;
            }
            if (shutdownState() != RingDescriptor.OPEN) {
                return SHUT_DOWN;
            }
            if (stopSeen) {
                return STOPPED;
            }
            if (stop != null && stop.stopped(false)) {
                stopSeen = true;        // look once more: a record published before the stop came may have been missed
                continue;
            }
            long left = remaining(nanos, deadline);
            if (nanos == 0 || left == 0) {
                return TIMED_OUT;
            }
            int w = WaitEngine.await(m, b + RingDescriptor.NOT_EMPTY, b + RingDescriptor.NOT_EMPTY_SLEEPERS, stalled -> {
                if (Words.getLongVolatile(m, b + RingDescriptor.TAIL) != Words.getLongVolatile(m, b + RingDescriptor.HEAD)
                        || shutdownState() != RingDescriptor.OPEN) {
                    return 1;
                }
                return stop != null && stop.stopped(stalled) ? STOP_SEEN : 0;
            }, left);
            if (w == WaitEngine.TIMED_OUT) {
                return TIMED_OUT;
            }
            stopSeen = w == STOP_SEEN;
        }
    }

    /**
     * Under the consumer lock: takes the next record into {@code out} (a SEGMENT record's payload,
     * its reference); returns its type, or 0 if there is none.
     */
    private int take(Received out) {
        long h = Words.getLong(m, b + RingDescriptor.HEAD);
        if (!isPosition(h)) {
            throw corrupt("head " + h + " is not a record's position");
        }
        long t = Words.getLong(m, b + RingDescriptor.TAIL_CACHE);
        if (t == h) {
            t = readTail(h);
            Words.putLongRelease(m, b + RingDescriptor.TAIL_CACHE, t);
        } else if (t - h < 0 || t - h > capacity) {
            t = readTail(h);      // a cache left behind by a recovered holder
            Words.putLongRelease(m, b + RingDescriptor.TAIL_CACHE, t);
        }
        long start = h;
        long data = b + RingDescriptor.DATA;
        while (h != t) {
            long off = h & mask;
            int len = Words.getInt(m, data + off + RingDescriptor.RECORD_LENGTH);
            int type = Words.getInt(m, data + off + RingDescriptor.RECORD_TYPE);
            long toEnd = capacity - off;
            if (type == RingDescriptor.PAD) {
                if (len != toEnd - RingDescriptor.RECORD_HEADER || toEnd > t - h) {
                    throw corrupt("a padding record of " + len + " bytes at offset " + off + " does not end the ring");
                }
                h += toEnd;
                continue;
            }
            if ((type != RingDescriptor.ITEM && type != RingDescriptor.SEGMENT) || len < 0) {
                throw corrupt("record at offset " + off + " has type " + type + " and length " + len);
            }
            long rec = RingDescriptor.recordLength(len);
            if (rec > toEnd || rec > t - h || rec > inlineMax) {
                throw corrupt("a record of " + len + " bytes at offset " + off + " overruns the ring or the published data");
            }
            long at = data + off + RingDescriptor.RECORD_HEADER;
            if (type != RingDescriptor.ITEM || !out.decodeDirectly(m, at, len)) {
                byte[] into = out.reserve(len);
                MemorySegment.copy(m, ValueLayout.JAVA_BYTE, at, into, 0, len);
            }
            commitHead(h + rec, 1);
            return type;
        }
        if (h != start) {
            commitHead(h, 0);    // only padding was left
        }
        return 0;
    }

    private void commitHead(long head, int items) {
        long gets = Words.getLong(m, b + RingDescriptor.GETS) + items;
        Words.putLongRelease(m, b + RingDescriptor.INTENT_HEAD, head);
        Words.putLongRelease(m, b + RingDescriptor.INTENT_GETS, gets);
        Words.putLongRelease(m, b + RingDescriptor.HEAD, head);      // the take
        Words.putLongRelease(m, b + RingDescriptor.GETS, gets);
    }

    private long readTail(long head) {
        long t = Words.getLongVolatile(m, b + RingDescriptor.TAIL);
        if (t < head || t - head > capacity || (t & 7) != 0) {
            throw corrupt("tail " + t + " and head " + head + " are not " + capacity + " bytes apart at most");
        }
        return t;
    }

    /** Replaces a SEGMENT reference in {@code out} by the item it names, and removes the segment. */
    private void readSegment(Received out) {
        MemorySegment ref = MemorySegment.ofArray(out.bytes()).asSlice(0, out.length());
        if (out.length() < RingDescriptor.SEGMENT_NAME) {
            throw corrupt("a segment reference of " + out.length() + " bytes");
        }
        long length = ref.get(ValueLayout.JAVA_LONG_UNALIGNED, RingDescriptor.SEGMENT_ITEM_LENGTH);
        int nameLength = ref.get(ValueLayout.JAVA_INT_UNALIGNED, RingDescriptor.SEGMENT_NAME_LENGTH);
        if (nameLength < 1 || nameLength > Shm.MAX_NAME_BYTES
                || RingDescriptor.SEGMENT_NAME + nameLength != out.length() || length < 0 || length > MAX_ITEM) {
            throw corrupt("a segment reference names " + nameLength + " bytes and an item of " + length + " bytes");
        }
        String name = new String(out.bytes(), RingDescriptor.SEGMENT_NAME, nameLength, StandardCharsets.UTF_8);
        String checked;
        try {
            checked = Shm.checkName(name);
        } catch (IllegalArgumentException e) {
            throw corrupt("a segment reference holds a bad name: " + e.getMessage());
        }
        if (!checked.startsWith("pyconc-item-")) {
            throw corrupt("a segment reference names '" + checked + "', which is not an item segment");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s;
            try {
                s = Shm.attach(checked, arena);
            } catch (UncheckedIOException e) {
                if (e.getCause() instanceof NoSuchFileException) {
                    throw new IllegalStateException(what + ": the segment '" + checked + "' of a large item is gone ("
                            + e.getMessage() + "): it was removed after its process tree ended", e);
                }
                // Not a segment this process may attach (a link, another user's file, a file others
                // may write): not an item of ours, so it is left as it is.
                IllegalStateException refused = corrupt("a segment reference names '" + checked
                        + "', which is refused: " + e.getMessage());
                refused.initCause(e);
                throw refused;
            }
            try {
                if (s.byteSize() < length) {
                    throw corrupt("item segment '" + checked + "' holds " + s.byteSize() + " bytes, not " + length);
                }
                if (!out.decodeDirectly(s, 0, (int) length)) {
                    byte[] into = out.reserve((int) length);
                    MemorySegment.copy(s, ValueLayout.JAVA_BYTE, 0, into, 0, (int) length);
                }
            } finally {
                unlinkQuietly(checked);
            }
        }
    }

    private static void unlinkQuietly(String name) {
        try {
            Shm.unlink(name);
        } catch (UncheckedIOException | IllegalStateException e) {
            LOG.debug("item segment {} was already removed: {}", name, e.getMessage());
        }
    }

    /**
     * Completes the counter update of a consumer that died holding the lock (under the lock).
     * Visible for tests.
     */
    void recoverConsumer(int deadPid) {
        long head = Words.getLong(m, b + RingDescriptor.HEAD);
        long intent = Words.getLongAcquire(m, b + RingDescriptor.INTENT_HEAD);
        long intentGets = Words.getLongAcquire(m, b + RingDescriptor.INTENT_GETS);
        if (head == intent && Words.getLong(m, b + RingDescriptor.GETS) != intentGets) {
            Words.putLongRelease(m, b + RingDescriptor.GETS, intentGets);
        }
        Words.putLongRelease(m, b + RingDescriptor.TAIL_CACHE, head);
        LOG.debug("{}: consumer {} died holding the ring; recovered at head {}", what, deadPid, head);
    }

    // ---------------------------------------------------------------- readiness (pipes)

    /** Whether a record waits to be taken now. */
    public boolean available() {
        return Words.getLongVolatile(m, b + RingDescriptor.TAIL) != Words.getLongVolatile(m, b + RingDescriptor.HEAD);
    }

    /**
     * Waits at most {@code nanos} until a record waits or {@code stop} says so.
     *
     * @return whether a record waits or {@code stop} said so
     */
    public boolean awaitAvailable(long nanos, Stop stop) {
        return WaitEngine.await(m, b + RingDescriptor.NOT_EMPTY, b + RingDescriptor.NOT_EMPTY_SLEEPERS,
                stalled -> available() || (stop != null && stop.stopped(stalled)) ? 1 : 0, nanos) > 0;
    }

    /** Wakes every waiter of both sides, so that they look at their stop condition again. */
    public void wakeAll() {
        WaitEngine.wake(m, b + RingDescriptor.NOT_EMPTY, b + RingDescriptor.NOT_EMPTY_SLEEPERS, Integer.MAX_VALUE);
        WaitEngine.wake(m, b + RingDescriptor.NOT_FULL, b + RingDescriptor.NOT_FULL_SLEEPERS, Integer.MAX_VALUE);
    }

    // ---------------------------------------------------------------- counts, shutdown, tasks

    /** Items in the ring now (approximately: others may change it at once). */
    public long size() {
        long gets = Words.getLongVolatile(m, b + RingDescriptor.GETS);
        long puts = Words.getLongVolatile(m, b + RingDescriptor.PUTS);
        return Math.max(0, puts - gets);
    }

    /** The shut-down state ({@link RingDescriptor#OPEN}, {@code SHUT}, {@code SHUT_IMMEDIATELY}). */
    public int shutdownState() {
        return Words.getIntVolatile(m, b + RingDescriptor.SHUTDOWN);
    }

    /**
     * Shuts the ring down: offers fail from now on; with {@code immediate}, the records left are
     * discarded (their segments removed) and counted as done. Wakes every waiter.
     */
    public void shutdown(boolean immediate) {
        int locked = WaitEngine.uninterruptibly(() -> Mutex.lock(m, b + RingDescriptor.PRODUCER_LOCK, WaitEngine.FOREVER));
        try {
            if (locked >= Mutex.RECOVERED) {
                recoverProducer(Mutex.deadPid(locked));
            }
            int state = immediate ? RingDescriptor.SHUT_IMMEDIATELY : RingDescriptor.SHUT;
            if (shutdownState() < state) {
                Words.putIntVolatile(m, b + RingDescriptor.SHUTDOWN, state);
            }
        } finally {
            Mutex.unlock(m, b + RingDescriptor.PRODUCER_LOCK);
        }
        if (immediate) {
            drain();
        }
        WaitEngine.wake(m, b + RingDescriptor.NOT_EMPTY, b + RingDescriptor.NOT_EMPTY_SLEEPERS, Integer.MAX_VALUE);
        WaitEngine.wake(m, b + RingDescriptor.NOT_FULL, b + RingDescriptor.NOT_FULL_SLEEPERS, Integer.MAX_VALUE);
        WaitEngine.wake(m, b + RingDescriptor.JOIN, b + RingDescriptor.JOIN_SLEEPERS, Integer.MAX_VALUE);
    }

    /**
     * Discards every record left and removes the segments of large items among them: the last
     * reference to the ring's queue was released, so nobody will read them.
     */
    public void discard() {
        drain();
    }

    /** Discards every record left, counting them as done. */
    private void drain() {
        List<String> segments = new ArrayList<>();
        long items = 0;
        int locked = WaitEngine.uninterruptibly(() -> Mutex.lock(m, b + RingDescriptor.CONSUMER_LOCK, WaitEngine.FOREVER));
        try {
            if (locked >= Mutex.RECOVERED) {
                recoverConsumer(Mutex.deadPid(locked));
            }
            Received scratch = new Received();
            int type;
            while ((type = take(scratch)) != 0) {
                items++;
                if (type == RingDescriptor.SEGMENT && scratch.length() > RingDescriptor.SEGMENT_NAME) {
                    int n = Math.min(scratch.length() - RingDescriptor.SEGMENT_NAME, Shm.MAX_NAME_BYTES);
                    segments.add(new String(scratch.bytes(), RingDescriptor.SEGMENT_NAME, n, StandardCharsets.UTF_8));
                }
            }
        } finally {
            Mutex.unlock(m, b + RingDescriptor.CONSUMER_LOCK);
        }
        Words.getAndAddLong(m, b + RingDescriptor.DONE, items);
        for (String s : segments) {
            try {
                String checked = Shm.checkName(s);
                if (checked.startsWith("pyconc-item-")) {
                    try (Arena arena = Arena.ofConfined()) {
                        Shm.attach(checked, arena);          // only a segment this process may attach is an item of ours
                    }
                    unlinkQuietly(checked);
                }
            } catch (IllegalArgumentException | UncheckedIOException e) {
                LOG.debug("{}: not removing item segment {}: {}", what, s, e.getMessage());
            }
        }
    }

    /**
     * Counts one task done.
     *
     * @throws IllegalStateException if every item put was already counted done
     */
    public void taskDone() {
        for (;;) {
            long done = Words.getLongVolatile(m, b + RingDescriptor.DONE);
            long puts = Words.getLongVolatile(m, b + RingDescriptor.PUTS);
            if (done >= puts) {
                throw new IllegalStateException("taskDone() called too many times");
            }
            if (Words.compareAndSetLong(m, b + RingDescriptor.DONE, done, done + 1)) {
                if (done + 1 == puts) {
                    WaitEngine.wake(m, b + RingDescriptor.JOIN, b + RingDescriptor.JOIN_SLEEPERS, Integer.MAX_VALUE);
                }
                return;
            }
        }
    }

    /** Waits until every item put has been counted done. */
    public void join() {
        WaitEngine.await(m, b + RingDescriptor.JOIN, b + RingDescriptor.JOIN_SLEEPERS,
                stalled -> Words.getLongVolatile(m, b + RingDescriptor.DONE)
                        >= Words.getLongVolatile(m, b + RingDescriptor.PUTS) ? 1 : 0, WaitEngine.FOREVER);
    }

    /**
     * How long to wait for a side's lock. A lock is held only while a record is copied (or, after
     * its holder died, until a waiter recovers it), never while its holder waits: so a call that
     * must not wait for room or for a record ({@code nanos == 0}) still waits for the lock, as
     * Python's {@code put_nowait} waits for the queue's internal lock.
     */
    private static long lockNanos(long nanos, long deadline) {
        if (nanos == 0) {
            return WaitEngine.FOREVER;
        }
        long left = remaining(nanos, deadline);
        return left == 0 ? WaitEngine.FOREVER : left;
    }

    private static long remaining(long nanos, long deadline) {
        if (nanos <= 0) {
            return nanos;       // 0 (do not wait) or FOREVER
        }
        return Math.max(0, deadline - System.nanoTime());
    }

    /**
     * Whether {@code p} can be a value of Tail or Head: 8-byte aligned, not negative, and far from
     * overflowing (they count bytes from 0 and grow by at most a ring's capacity at a time).
     */
    private static boolean isPosition(long p) {
        return p >= 0 && p <= Long.MAX_VALUE / 2 && (p & 7) == 0;
    }

    private IllegalStateException corrupt(String detail) {
        return new IllegalStateException(what + " is corrupt (a process wrote into it outside pyconc): " + detail);
    }
}
