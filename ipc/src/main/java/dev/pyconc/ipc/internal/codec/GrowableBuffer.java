package dev.pyconc.ipc.internal.codec;

import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

import dev.pyconc.multiprocessing.PicklingError;

/**
 * The reusable heap buffer that items are encoded into before a pipe or queue writes them: it
 * grows by doubling up to a limit, and is reset, not freed, between items, so that encoding a
 * stream of items of similar size allocates nothing. A buffer that grew past {@link #RETAIN_BYTES}
 * for one large item gives that array back at the next {@link #reset()}.
 *
 * <p>Its methods are those of {@code Codec.Output}, which the public side's subclass implements,
 * so that users' codecs write into the same buffer as the standard one.
 *
 * <p>Not thread-safe: each encoding thread uses its own.
 */
public class GrowableBuffer implements ItemSink {
    /** Arrays up to this size are kept between items; larger ones are dropped at reset. */
    public static final int RETAIN_BYTES = 4 << 20;
    private static final int INITIAL_BYTES = 256;
    private static final VarHandle INT_LE =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private byte[] bytes;
    private int size;
    private int limit;
    private OutputStream stream;

    /** A buffer that refuses to hold more than {@code limit} bytes. */
    public GrowableBuffer(int limit) {
        this.limit = limit;
        this.bytes = new byte[Math.min(INITIAL_BYTES, limit)];
    }

    /** Empties the buffer for the next item, which may hold at most {@code limit} bytes. */
    public final void reset(int limit) {
        reset();
        this.limit = limit;
    }

    /** Empties the buffer for the next item. */
    public final void reset() {
        size = 0;
        if (bytes.length > RETAIN_BYTES) {
            bytes = new byte[INITIAL_BYTES];
        }
    }

    /** The backing array: its first {@link #size()} bytes are the item. */
    public byte[] array() {
        return bytes;
    }

    /** The item's bytes as a heap segment over the backing array (no copy). */
    public MemorySegment segment() {
        return MemorySegment.ofArray(bytes).asSlice(0, size);
    }

    /** A copy of the item's bytes. */
    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    @Override
    public long size() {
        return size;
    }

    /** Grows the array at once to hold {@code n} more bytes (avoids repeated doubling for a large item). */
    public void ensureRemaining(int n) {
        if (n > bytes.length - size && n <= limit - size) {
            bytes = Arrays.copyOf(bytes, size + n);
        }
    }

    /**
     * Counts {@code n} more bytes as written and returns where they start: the caller fills them,
     * in {@link #array()} (fetched after this call), with writes of its own.
     */
    public int append(int n) {
        return reserve(n);
    }

    /** Drops what was written after the first {@code size} bytes. */
    public void truncate(long size) {
        if (size < 0 || size > this.size) {
            throw new IllegalArgumentException("cannot truncate " + this.size + " bytes to " + size);
        }
        this.size = (int) size;
    }

    /** Makes room for {@code n} more bytes and returns the position where they go. */
    private int reserve(int n) {
        int at = size;
        if (n > limit - at) {
            throw new PicklingError("item too large: more than " + limit
                    + " bytes encoded; raise the limit with Codec.builder().maxItemBytes(...)");
        }
        int needed = at + n;
        if (needed > bytes.length) {
            long grown = Math.max((long) bytes.length * 2, needed);
            bytes = Arrays.copyOf(bytes, (int) Math.min(grown, limit));
        }
        size = needed;
        return at;
    }

    @Override
    public void writeByte(int value) {
        int at = reserve(1);
        bytes[at] = (byte) value;
    }

    /** Appends {@code value}, 2 bytes little-endian. */
    public void writeShort(int value) {
        int at = reserve(2);
        bytes[at] = (byte) value;
        bytes[at + 1] = (byte) (value >>> 8);
    }

    @Override
    public void writeInt(int value) {
        int at = reserve(4);
        INT_LE.set(bytes, at, value);
    }

    @Override
    public void writeLong(long value) {
        int at = reserve(8);
        LONG_LE.set(bytes, at, value);
    }

    @Override
    public void write(byte[] src, int offset, int length) {
        if (src == null) {
            throw new IllegalArgumentException("bytes must not be null");
        }
        Objects.checkFromIndexSize(offset, length, src.length);
        int at = reserve(length);
        System.arraycopy(src, offset, bytes, at, length);
    }

    /** Appends all of {@code bytes}. */
    public void write(byte[] bytes) {
        write(bytes, 0, bytes.length);
    }

    /** Appends the contents of {@code segment}. */
    public void write(MemorySegment segment) {
        if (segment == null) {
            throw new IllegalArgumentException("segment must not be null");
        }
        long n = segment.byteSize();
        if (n > Integer.MAX_VALUE) {
            throw new PicklingError("item too large: a segment of " + n + " bytes");
        }
        int at = reserve((int) n);
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, 0, bytes, at, (int) n);
    }

    /** Appends the UTF-16 code units of {@code s}, little-endian. */
    public void writeChars(String s) {
        int n = s.length();
        if (n > (limit - size) / 2) {
            reserve(Integer.MAX_VALUE); // throws the size error
        }
        int at = reserve(n * 2);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            bytes[at++] = (byte) c;
            bytes[at++] = (byte) (c >>> 8);
        }
    }

    @Override
    public OutputStream asOutputStream() {
        OutputStream s = stream;
        if (s == null) {
            s = new OutputStream() {
                @Override
                public void write(int b) {
                    writeByte(b);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    GrowableBuffer.this.write(b, off, len);
                }
            };
            stream = s;
        }
        return s;
    }
}
