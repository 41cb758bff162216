package dev.pyconc.ipc.internal.codec;

import java.io.OutputStream;

/**
 * Where an encoder appends one item's bytes: a {@link GrowableBuffer}, or a user's own
 * {@code Codec.Output} that a caller of the standard codec passed (the public side adapts it).
 * Multi-byte values are written little-endian.
 *
 * <p>Memory consistency effects: none; a sink belongs to the one call that encodes.
 */
public interface ItemSink {
    /** Appends the low 8 bits of {@code value}. */
    void writeByte(int value);

    /** Appends {@code value}, 4 bytes little-endian. */
    void writeInt(int value);

    /** Appends {@code value}, 8 bytes little-endian. */
    void writeLong(long value);

    /** Appends {@code length} bytes of {@code bytes} from {@code offset}. */
    void write(byte[] bytes, int offset, int length);

    /** The number of bytes this item has so far. */
    long size();

    /** This sink as an {@link OutputStream}, for Java serialization; closing it does nothing. */
    OutputStream asOutputStream();
}
