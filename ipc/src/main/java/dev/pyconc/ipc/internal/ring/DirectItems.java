package dev.pyconc.ipc.internal.ring;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import dev.pyconc.ipc.internal.codec.StandardFormat;
import dev.pyconc.ipc.internal.codec.WireFormat;

/**
 * The items that pipes and queues move between the caller's arrays and a ring without an
 * intermediate copy: a {@code byte[]} item of the standard codec, whose encoding is the
 * {@link WireFormat#BYTES} tag in front of the array's bytes unchanged, and the raw messages of
 * {@code Connection.sendBytes}. A put offers the tag and the caller's array as one record
 * ({@link MpmcRing#offer(byte[], byte[], int, int, long, MpmcRing.Stop)}); a get lets a
 * {@link MpmcRing.Direct} decoder copy the bytes from shared memory straight into the array it
 * returns. Every other item is encoded into a buffer first and decoded after the copy-out, as
 * before: decoding them can fail or run user code, which must not happen while the consumer
 * lock is held.
 *
 * <p>Memory consistency effects: none of its own; the ring's apply.
 */
public final class DirectItems {
    /** The record head of a {@code byte[]} item of the standard codec. */
    public static final byte[] BYTES_HEAD = {WireFormat.BYTES};

    /** Copies a raw message out into a new array of its length. */
    public static final MpmcRing.Direct RAW = (m, offset, length) -> copy(m, offset, length);

    private DirectItems() {}

    /**
     * The bytes of {@code item} when {@code format}, the standard format of a pipe's or queue's
     * codec (null for another codec), encodes it as {@link #BYTES_HEAD} followed by them unchanged
     * and within its item limit; otherwise {@code null} (encode it as usual).
     */
    public static byte[] bytesItem(StandardFormat format, Object item) {
        return item instanceof byte[] b && format != null && b.length < format.maxItemBytes() ? b : null;
    }

    /**
     * The direct decoder for items of {@code format}, the standard format of a pipe's or queue's
     * codec, or {@code null} (another codec) when its items are always copied out.
     */
    public static MpmcRing.Direct decoderFor(StandardFormat format) {
        return format != null ? (m, offset, length) -> bytesItem(format, m, offset, length) : null;
    }

    private static Object bytesItem(StandardFormat codec, MemorySegment m, long offset, int length) {
        if (length < 1 || length > codec.maxItemBytes() || m.get(ValueLayout.JAVA_BYTE, offset) != WireFormat.BYTES) {
            return MpmcRing.Received.NONE;      // another kind of item, or one the codec refuses: decoded after the copy-out
        }
        return copy(m, offset + 1, length - 1);
    }

    private static byte[] copy(MemorySegment m, long offset, int length) {
        byte[] out = new byte[length];
        MemorySegment.copy(m, ValueLayout.JAVA_BYTE, offset, out, 0, length);
        return out;
    }
}
