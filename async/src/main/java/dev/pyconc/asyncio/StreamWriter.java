package dev.pyconc.asyncio;

import dev.pyconc.builtins.BrokenPipeError;
import dev.pyconc.builtins.ConnectionResetError;

/**
 * The writing side of a stream: Python's {@code asyncio.StreamWriter}. {@link #write} never
 * blocks: the bytes are buffered and sent by the loop; {@link #drain()} suspends the task while
 * the buffer of unsent bytes is above its high-water mark (64 KiB unless changed with
 * {@link #setWriteBufferLimits}), which is how a writer waits for a slow peer.
 *
 * <pre> {@code
 * Streams s = Asyncio.openConnection("127.0.0.1", 8888);
 * StreamWriter w = s.writer();
 * w.write("hello\n".getBytes(UTF_8));
 * w.drain();                    // back-pressure: waits while the peer does not keep up
 * w.close();
 * w.waitClosed();               // until the connection is closed; raises what it was lost with
 * }</pre>
 *
 * <p><b>Errors.</b> As in Python, a write after the connection was lost or closed is dropped,
 * and {@code drain()} raises {@link ConnectionResetError} (or the error the reader was fed, e.g.
 * the {@link ConnectionResetError} of a reset, or a {@link BrokenPipeError} of a pipe).
 * {@code write} after {@link #writeEof()} throws {@link IllegalStateException}. A task cancelled in
 * {@code drain()} leaves the stream as it was: what was written stays queued.
 *
 * <p><b>Closing.</b> {@link #close()} stops reading, sends what was written and then closes the
 * connection; the reader then sees the end of the stream. {@link #waitClosed()} waits for that.
 * Writers are not thread-safe, as in Python: use them from the task bodies and callbacks of their
 * loop.
 *
 * <p>Memory consistency effects: the bytes passed to {@code write} are copied before it returns;
 * actions prior to {@code write} <i>happen-before</i> the return of a {@code drain()} that
 * follows it. See <a href="package-summary.html#MemoryVisibility">Memory Visibility</a>.
 */
public final class StreamWriter {
    private final StreamTransport transport;
    private final StreamReader reader;

    StreamWriter(StreamTransport transport, StreamReader reader) {
        this.transport = transport;
        this.reader = reader;
    }

    /**
     * Buffers {@code data} to be sent (Python's {@code write}); copies it, so the array may be
     * reused at once.
     *
     * @throws IllegalArgumentException if {@code data} is null
     * @throws IllegalStateException after {@link #writeEof()}
     */
    public void write(byte[] data) {
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
        transport.write(data, 0, data.length);
    }

    /**
     * Buffers {@code len} bytes of {@code data} from {@code off}.
     *
     * @throws IllegalArgumentException if the range is not inside {@code data}
     */
    public void write(byte[] data, int off, int len) {
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
        if (off < 0 || len < 0 || off > data.length - len) {
            throw new IllegalArgumentException("range [" + off + ", " + off + "+" + len + ") is not inside an array of " + data.length);
        }
        transport.write(data, off, len);
    }

    /** Buffers each of {@code lines} in order (Python's {@code writelines}). */
    public void writelines(Iterable<byte[]> lines) {
        if (lines == null) {
            throw new IllegalArgumentException("lines must not be null");
        }
        for (byte[] l : lines) {
            write(l);
        }
    }

    /**
     * Waits until the buffer of unsent bytes is at or below the low-water mark, when it is above
     * the high-water mark; returns at once otherwise (Python's {@code drain}).
     *
     * @throws ConnectionResetError if the connection was lost
     * @throws RuntimeException the error the reader was fed, if any
     * @throws CancelledError if the task is cancelled while it waits
     */
    public void drain() {
        transport.drain();
    }

    /** Whether the transport can close its write side with {@link #writeEof()} (Python's {@code can_write_eof}). */
    public boolean canWriteEof() {
        return transport.canWriteEof();
    }

    /** Closes the write side once the buffered bytes are sent; the peer reads the end (Python's {@code write_eof}). */
    public void writeEof() {
        transport.writeEof();
    }

    /** Sends what was written, then closes the connection (Python's {@code close}). Idempotent. */
    public void close() {
        transport.close();
    }

    /** Whether the connection is closed or closing (Python's {@code is_closing}). */
    public boolean isClosing() {
        return transport.isClosing();
    }

    /**
     * Waits until the connection is closed (Python's {@code wait_closed}).
     *
     * @throws RuntimeException the error the connection was lost with, e.g. {@link ConnectionResetError}
     */
    public void waitClosed() {
        transport.waitClosed();
    }

    /**
     * Information about the transport (Python's {@code get_extra_info}): for sockets
     * {@code "peername"} and {@code "sockname"} (an {@link java.net.InetSocketAddress}) and
     * {@code "socket"} (the Netty {@code Channel}); for a child process's pipe {@code "pipe"} (the
     * Java stream) and {@code "pid"}. Null for other names.
     */
    public Object getExtraInfo(String name) {
        if (name == null) {
            throw new IllegalArgumentException("name must not be null");
        }
        return transport.extraInfo(name);
    }

    /** As {@link #getExtraInfo(String)}, with {@code defaultValue} for a name the transport does not know. */
    public Object getExtraInfo(String name, Object defaultValue) {
        Object v = getExtraInfo(name);
        return v == null ? defaultValue : v;
    }

    /**
     * Sets the high- and low-water marks of the write buffer (Python's
     * {@code transport.set_write_buffer_limits(high, low)}).
     *
     * @throws IllegalArgumentException unless {@code high >= low >= 0}
     */
    public void setWriteBufferLimits(int high, int low) {
        transport.setWriteBufferLimits(high, low);
    }

    /** {@code setWriteBufferLimits(high, high / 4)}, Python's default for the low mark. */
    public void setWriteBufferLimits(int high) {
        setWriteBufferLimits(high, high / 4);
    }

    /** The number of bytes written and not sent yet (Python's {@code transport.get_write_buffer_size()}). */
    public int getWriteBufferSize() {
        return transport.writeBufferSize();
    }

    /** The reader of the same connection, or null (a child's stdin). */
    StreamReader reader() {
        return reader;
    }

    /**
     * The transport the writer writes through (Python's {@code transport} attribute): the
     * connection's {@link Transport} for a TCP or Unix socket; null for a child process's pipe.
     */
    public Transport transport() {
        return transport instanceof StreamReaderProtocol p ? p.transport() : null;
    }

    @Override
    public String toString() {
        return "StreamWriter[" + transport + (reader != null ? ", " + reader : "") + "]";
    }
}
