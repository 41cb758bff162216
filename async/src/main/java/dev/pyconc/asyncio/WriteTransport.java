package dev.pyconc.asyncio;

/**
 * The writing side of a streaming transport: Python's {@code asyncio.WriteTransport}. Writes never
 * block: they are buffered, and the protocol's {@code pauseWriting()} and {@code resumeWriting()}
 * report when the buffer goes above its high-water mark and back to its low-water mark.
 *
 * <pre> {@code
 * transport.setWriteBufferLimits(256 * 1024);     // low water: a quarter, as in Python
 * transport.write("hello\n".getBytes(StandardCharsets.US_ASCII));
 * transport.writeEof();
 * }</pre>
 *
 * <p>Memory consistency effects: as {@link BaseTransport}; the bytes of a write are copied or
 * handed on before it returns, so the caller may reuse its array.
 */
public interface WriteTransport extends BaseTransport {
    /** Python's default high-water mark of a write buffer, 64 KiB; the low-water mark defaults to a quarter of the high. */
    int DEFAULT_HIGH_WATER = 64 * 1024;

    /** The write buffer's marks: the {@code (low, high)} tuple of Python's {@code get_write_buffer_limits()}. */
    record Limits(int low, int high) {
    }

    /** Sends {@code data}, buffered: Python's {@code write(data)}. */
    default void write(byte[] data) {
        write(data, 0, data.length);
    }

    /** Sends {@code data[off, off+len)}, buffered. */
    void write(byte[] data, int off, int len);

    /** Sends each array in turn: Python's {@code writelines(list_of_data)}. */
    default void writelines(Iterable<byte[]> data) {
        for (byte[] d : data) {
            write(d);
        }
    }

    /** Closes the write side once the buffer is sent: Python's {@code write_eof()}. */
    void writeEof();

    /** Whether {@link #writeEof()} is supported: Python's {@code can_write_eof()}. */
    boolean canWriteEof();

    /** Closes at once, dropping the buffer: Python's {@code abort()}; {@code connectionLost(null)} follows. */
    void abort();

    /** The number of bytes buffered, not yet sent: Python's {@code get_write_buffer_size()}. */
    int getWriteBufferSize();

    /** The marks in force: Python's {@code get_write_buffer_limits()}. */
    Limits getWriteBufferLimits();

    /**
     * Sets the marks: Python's {@code set_write_buffer_limits(high, low)}.
     *
     * @throws IllegalArgumentException unless {@code high >= low >= 0}
     */
    void setWriteBufferLimits(int high, int low);

    /** Sets the high-water mark; the low-water mark becomes a quarter of it, as in Python. */
    default void setWriteBufferLimits(int high) {
        setWriteBufferLimits(high, high / 4);
    }

    /** Restores Python's default marks (64 KiB and 16 KiB). */
    default void setWriteBufferLimits() {
        setWriteBufferLimits(DEFAULT_HIGH_WATER);
    }
}
