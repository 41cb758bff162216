package dev.pyconc.ipc.internal.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The one descriptor of the messages of a process pool ({@code Pool}, {@code ProcessPoolExecutor}):
 * the records the parent writes into each worker's task ring, and those the workers write into the
 * pool's result ring (both {@code MpmcRing}s of the ring wing). Every offset is a constant here
 * and nowhere else.
 *
 * <p>Every record starts with the same 24-byte header; multi-byte fields are little-endian.
 *
 * <pre>
 *   0               1               2               3               4
 *   0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
 *  +---------------+---------------+---------------+---------------+
 *  |     Kind      |     Arity     |    Packing    |    (zero)     |   0
 *  +---------------+---------------+---------------+---------------+
 *  |              Count, or the index of an item (int)             |   4
 *  +---------------------------------------------------------------+
 *  |                   Sequence number (long)                      |   8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |              Worker id (long; results only, else zero)        |  16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Body (layout by kind)                        ...  24
 * </pre>
 *
 * <pre>
 *   Task records, parent -&gt; one worker (its own ring):
 *   Kind        Fields                   Body
 *   CHUNK   1   arity, packing, count,   | function length (int) | the function in Java serialization:  |
 *               sequence                 | a Callable (arity 0), Function (1) or BiFunction (2)         |
 *                                        | then the count x arity values, laid out as `packing` says     |
 *   STOP    2   -                        none: exit once every earlier record is done
 *
 *   Result records, any worker -&gt; the parent (the pool's one ring):
 *   RESULT      3   packing, count,          the count results, in order, laid out as `packing` says
 *                   sequence, worker
 *   ERROR       4   index, sequence, worker  a FAILURE: item `index` of the chunk raised it
 *   INIT_ERROR  5   worker                   a FAILURE: the worker's initializer raised it
 *   READY       6   worker                   none: the worker's initializer is done; it takes chunks
 *
 *   Packing     Values
 *   VALUES  0   each a VALUE: | length (int) | length bytes: the value as the pool's Codec encodes it |
 *   INTS    1   every value an Integer: count ints, 4 bytes each   (only with the standard codec,
 *   LONGS   2   every value a Long: count longs, 8 bytes each       which writes these types
 *   DOUBLES 3   every value a Double: count raw IEEE bits, 8 each   natively: the same values)

 *   FAILURE:  | trace length (int) | the stack trace as the worker printed it, UTF-8 |
 *             | the exception in Java serialization, to the end of the record            |
 * </pre>
 *
 * <p>The packed layouts keep a chunk of small numbers compact and cheap to write and read (no
 * length and tag per value): a map of 100,000 Integers is 400 KB of ints each way, not 900 KB of
 * tagged values. Arity 2 (argument pairs) and any other codec always use VALUES.
 *
 * <p>A CHUNK is self-contained: any worker can run it, which lets the parent move a chunk that a
 * worker has not taken to another worker. A worker keeps the functions it has read, by their bytes,
 * so that one function is deserialized once per worker however many chunks carry it. The sequence
 * number names one sending of a chunk: the parent sets it just before it writes the chunk, and the
 * worker copies it into the RESULT or ERROR. A worker processes its records in order, one chunk at a
 * time. Every field read from a ring is checked against the record's length before use
 * ({@link #checkValue}, {@link #checkFailure}): a corrupt record causes an
 * {@link IllegalStateException}, never an out-of-bounds access.
 */
public final class PoolWireFormat {
    private PoolWireFormat() {}

    public static final int KIND = 0;
    public static final int ARITY = 1;
    public static final int PACKING = 2;
    public static final int COUNT = 4;
    public static final int SEQUENCE = 8;
    public static final int WORKER = 16;
    /** Where the body starts; also the header's length. */
    public static final int BODY = 24;
    /** The length field of a VALUE or of a FAILURE's trace. */
    public static final int LENGTH_BYTES = 4;

    public static final int CHUNK = 1, STOP = 2;
    public static final int RESULT = 3, ERROR = 4, INIT_ERROR = 5, READY = 6;
    public static final int VALUES = 0, INTS = 1, LONGS = 2, DOUBLES = 3;

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int LIMIT = Integer.MAX_VALUE - 64;

    // ---------------------------------------------------------------- writing

    /** A new buffer holding the header of a record of {@code kind} with {@code arity}; the rest zero. */
    public static GrowableBuffer start(int kind, int arity) {
        GrowableBuffer out = new GrowableBuffer(LIMIT);
        restart(out, kind, arity);
        return out;
    }

    /** Empties {@code out} and writes the header of a record of {@code kind} with {@code arity}. */
    public static void restart(GrowableBuffer out, int kind, int arity) {
        out.reset();
        out.writeByte(kind);
        out.writeByte(arity);
        out.writeByte(0);
        out.writeByte(0);
        out.writeInt(0);
        out.writeLong(0);
        out.writeLong(0);
    }

    /**
     * Appends one VALUE: {@code value} encoded by {@code encoder}, the pool codec's. The standard
     * format appends in place; the encoder of another codec encodes into the thread's scratch
     * buffer first, so that its {@code Codec.Output.size()} counts this value alone, as the codec
     * contract says, and copies the bytes here.
     *
     * @throws dev.pyconc.multiprocessing.PicklingError if the codec refuses the value
     */
    public static void appendValue(GrowableBuffer out, ItemEncoder encoder, Object value) {
        int at = (int) out.size();
        out.writeInt(0);
        encoder.encode(value, out);     // throws only PicklingError
        INT.set(out.array(), at, (int) (out.size() - at - LENGTH_BYTES));
    }

    /**
     * Appends {@code values} from {@code from} to {@code to} (arity 1: one value each) in the most
     * compact layout the codec allows, and records that layout in the record's header: packed
     * ints, longs or doubles when every value is an Integer, a Long or a Double and the encoder is
     * a standard format; VALUEs otherwise.
     *
     * @throws dev.pyconc.multiprocessing.PicklingError if the codec refuses a value
     */
    public static void appendValues(GrowableBuffer out, ItemEncoder encoder, java.util.List<?> values, int from, int to) {
        int n = to - from;
        if (n > 0 && encoder instanceof StandardFormat && appendPacked(out, values, from, to)) {
            return;
        }
        out.array()[PACKING] = VALUES;
        for (int i = from; i < to; i++) {
            long before = out.size();
            appendValue(out, encoder, values.get(i));
            if (i == from && n > 1) {      // room for the rest at the first value's size, instead of doubling up to it
                out.ensureRemaining((int) Math.min(GrowableBuffer.RETAIN_BYTES, (out.size() - before) * (n - 1)));
            }
        }
    }

    /**
     * Appends the values packed if they are all Integers, all Longs or all Doubles, in one pass
     * that writes as it checks; otherwise leaves {@code out} as it was and returns false.
     */
    private static boolean appendPacked(GrowableBuffer out, java.util.List<?> values, int from, int to) {
        Object first = values.get(from);
        Class<?> type = first == null ? null : first.getClass();
        int packing = type == Integer.class ? INTS : type == Long.class ? LONGS : type == Double.class ? DOUBLES : VALUES;
        if (packing == VALUES) {
            return false;
        }
        long start = out.size();
        int at = out.append((packing == INTS ? 4 : 8) * (to - from));
        byte[] b = out.array();
        for (int i = from; i < to; i++) {
            Object v = values.get(i);
            if (v == null || v.getClass() != type) {
                out.truncate(start);
                return false;
            }
            switch (packing) {
                case INTS -> {
                    INT.set(b, at, (int) (Integer) v);
                    at += 4;
                }
                case LONGS -> {
                    LONG.set(b, at, (long) (Long) v);
                    at += 8;
                }
                default -> {
                    LONG.set(b, at, Double.doubleToRawLongBits((Double) v));
                    at += 8;
                }
            }
        }
        b[PACKING] = (byte) packing;
        return true;
    }

    /**
     * Reads the {@code count} values (arity 1) that start at {@code at} in the record's
     * {@code length} bytes, laid out as its header's packing says; checks every length against
     * the record.
     */
    public static Object[] readValues(byte[] b, int at, int length, int count, ItemDecoder decoder, String what) {
        int packing = b[PACKING];
        int size = packing == INTS ? 4 : packing == LONGS || packing == DOUBLES ? 8 : packing == VALUES ? LENGTH_BYTES : -1;
        if (size < 0 || count < 0 || at < BODY || at > length || count > (length - at) / size
                || (packing != VALUES && count * size != length - at)) {
            throw corrupt(what, "a record of " + count + " values (packing " + packing + ") in " + (length - at) + " bytes");
        }
        Object[] values = new Object[count];
        switch (packing) {
            case INTS -> {
                for (int i = 0; i < count; i++, at += 4) {
                    values[i] = (int) INT.get(b, at);
                }
            }
            case LONGS -> {
                for (int i = 0; i < count; i++, at += 8) {
                    values[i] = (long) LONG.get(b, at);
                }
            }
            case DOUBLES -> {
                for (int i = 0; i < count; i++, at += 8) {
                    values[i] = Double.longBitsToDouble((long) LONG.get(b, at));
                }
            }
            default -> {
                for (int i = 0; i < count; i++) {
                    int n = checkValue(b, at, length, what);
                    values[i] = decoder.decode(b, at + LENGTH_BYTES, n);
                    at += LENGTH_BYTES + n;
                }
            }
        }
        return values;
    }

    /** Appends a FAILURE: the printed {@code trace}, then the serialized exception. */
    public static void appendFailure(GrowableBuffer out, String trace, byte[] serialized) {
        byte[] text = trace.getBytes(StandardCharsets.UTF_8);
        out.writeInt(text.length);
        out.write(text);
        out.write(serialized);
    }

    /** A header-only record of {@code kind} ({@code STOP}). */
    public static byte[] control(int kind) {
        byte[] b = new byte[BODY];
        b[KIND] = (byte) kind;
        return b;
    }

    /** A new CHUNK record of {@code arity} that carries {@code function}; its values follow. */
    public static GrowableBuffer chunk(int arity, byte[] function) {
        GrowableBuffer out = start(CHUNK, arity);
        out.writeInt(function.length);
        out.write(function);
        return out;
    }

    /** Sets the count (or item index) of a record. */
    public static void setCount(byte[] record, int count) {
        INT.set(record, COUNT, count);
    }

    /** Sets the sequence number of a record. */
    public static void setSequence(byte[] record, long sequence) {
        LONG.set(record, SEQUENCE, sequence);
    }

    /** Sets the worker id of a result record. */
    public static void setWorker(byte[] record, long id) {
        LONG.set(record, WORKER, id);
    }

    // ---------------------------------------------------------------- reading

    /**
     * The kind of the record in the first {@code length} bytes of {@code b}.
     *
     * @throws IllegalStateException if the record is shorter than a header or of no known kind
     */
    public static int kind(byte[] b, int length, String what) {
        if (length < BODY) {
            throw corrupt(what, "a record of " + length + " bytes, shorter than its header");
        }
        int kind = b[KIND];
        if (kind < CHUNK || kind > READY) {
            throw corrupt(what, "a record of unknown kind " + kind);
        }
        return kind;
    }

    public static int arity(byte[] b) {
        return b[ARITY];
    }

    public static int count(byte[] b) {
        return (int) INT.get(b, COUNT);
    }

    public static long sequence(byte[] b) {
        return (long) LONG.get(b, SEQUENCE);
    }

    public static long worker(byte[] b) {
        return (long) LONG.get(b, WORKER);
    }

    /**
     * The length of the VALUE at {@code at}, checked to lie within the record's {@code length} bytes;
     * the value's bytes start at {@code at + LENGTH_BYTES}.
     */
    public static int checkValue(byte[] b, int at, int length, String what) {
        if (at < BODY || at > length - LENGTH_BYTES) {
            throw corrupt(what, "a value at offset " + at + " overruns a record of " + length + " bytes");
        }
        int n = (int) INT.get(b, at);
        if (n < 0 || n > length - at - LENGTH_BYTES) {
            throw corrupt(what, "a value of " + n + " bytes at offset " + at + " overruns a record of " + length + " bytes");
        }
        return n;
    }

    /** The length of a CHUNK's function, checked; its bytes start at {@code BODY + LENGTH_BYTES}. */
    public static int checkFunction(byte[] b, int length, String what) {
        return checkValue(b, BODY, length, what);
    }

    /** Where a CHUNK's first value starts. */
    public static int firstValue(byte[] b, int length, String what) {
        return BODY + LENGTH_BYTES + checkFunction(b, length, what);
    }

    /** The length of the trace of the FAILURE in the record's body, checked. */
    public static int checkFailure(byte[] b, int length, String what) {
        return checkValue(b, BODY, length, what);
    }

    /** The trace of the FAILURE in the record's body. */
    public static String trace(byte[] b, int length, String what) {
        int n = checkFailure(b, length, what);
        return new String(b, BODY + LENGTH_BYTES, n, StandardCharsets.UTF_8);
    }

    /** Where the serialized exception of the FAILURE in the record's body starts. */
    public static int exceptionOffset(byte[] b, int length, String what) {
        return BODY + LENGTH_BYTES + checkFailure(b, length, what);
    }

    private static IllegalStateException corrupt(String what, String detail) {
        return new IllegalStateException(what + " is corrupt (a process wrote into it outside pyconc): " + detail);
    }
}
