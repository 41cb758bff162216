package dev.pyconc.asyncio;

import java.nio.ByteBuffer;

/**
 * A streaming protocol that receives into its own buffers, without a copy per read: Python's
 * {@code asyncio.BufferedProtocol}. Accepted wherever a {@link Protocol} is.
 *
 * <pre> {@code
 * class Counter implements BufferedProtocol {
 *     private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
 *     long total;
 *     public ByteBuffer getBuffer(int sizeHint) { return buf.clear(); }
 *     public void bufferUpdated(int nbytes) { total += nbytes; }
 * }
 * }</pre>
 *
 * <p>The transport calls {@code getBuffer}, writes the bytes it read into the buffer from its
 * position (at most its remaining bytes), then calls {@code bufferUpdated} with their number. A
 * buffer with no room left is an error, as an empty buffer is in Python.
 *
 * <p>Memory consistency effects: as {@link BaseProtocol}; the bytes written into the buffer
 * <i>happen-before</i> the {@code bufferUpdated} call that reports them.
 */
public interface BufferedProtocol extends BaseProtocol {
    /** The connection is made: Python's {@code connection_made(transport)}. */
    default void connectionMade(Transport transport) {
    }

    /** A buffer to receive into: Python's {@code get_buffer(sizehint)}; {@code sizeHint} may be -1. */
    ByteBuffer getBuffer(int sizeHint);

    /** {@code nbytes} bytes were written into the last buffer: Python's {@code buffer_updated(nbytes)}. */
    void bufferUpdated(int nbytes);

    /** As {@link Protocol#eofReceived()}. */
    default boolean eofReceived() {
        return false;
    }
}
