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
 * <p><b>TLS.</b> A connection opened or served with {@link SslOptions}, or upgraded with
 * {@link #startTls}, encrypts what is written; {@link #canWriteEof()} is then false.
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

    /** Whether the transport can close its write side with {@link #writeEof()} (Python's {@code can_write_eof}); false over TLS. */
    public boolean canWriteEof() {
        return transport.canWriteEof();
    }

    /**
     * Closes the write side once the buffered bytes are sent; the peer reads the end (Python's {@code write_eof}).
     *
     * @throws UnsupportedOperationException over TLS, which has no half-closes (Python's NotImplementedError)
     */
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
     * Java stream) and {@code "pid"}. Over TLS also {@code "ssl_object"} (the
     * {@link javax.net.ssl.SSLEngine}: its {@code getSession()} and {@code getApplicationProtocol()}
     * are Python's SSLObject's), {@code "sslcontext"} (the {@link javax.net.ssl.SSLContext}),
     * {@code "peercert"} (the peer's {@link java.security.cert.X509Certificate}, null if it sent
     * none; Python gives a dict of its fields), {@code "cipher"} (a {@code List} of the cipher
     * suite's standard name and the protocol, e.g. {@code [TLS_AES_256_GCM_SHA384, TLSv1.3]};
     * Python adds the secret bits) and {@code "compression"} (null: the JDK never compresses).
     * Null for other names.
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

    /**
     * Upgrades the connection to TLS (Python 3.11's {@code start_tls}): waits until what was
     * written is sent, then does the handshake, as a client, or as the server for a connection
     * accepted by {@link Asyncio#startServer}. A client checks the server's certificate against the
     * host it connected to unless {@code ssl} names another ({@code serverHostname}) or turns the
     * check off. Reading and writing go through TLS once it returns; data the reader buffered
     * before stays as it came.
     *
     * <pre> {@code
     * w.write("STARTTLS\r\n".getBytes(US_ASCII));
     * r.readline();                                    // the server's go-ahead
     * w.startTls(SslOptions.of(Ssl.createDefaultContext()));
     * }</pre>
     *
     * @throws dev.pyconc.ssl.SSLError if the handshake fails (a
     *         {@link dev.pyconc.ssl.SSLCertVerificationError} if the peer's certificate is refused);
     *         the connection is then aborted and nothing more is sent
     * @throws dev.pyconc.builtins.ConnectionAbortedError if it takes longer than the handshake timeout
     * @throws ConnectionResetError if the connection is lost or closing
     * @throws IllegalStateException if the connection already uses TLS
     * @throws IllegalArgumentException for a child process's pipe, which has no TLS
     */
    public void startTls(SslOptions ssl) {
        if (!(transport instanceof StreamReaderProtocol p) || !(p.transport() instanceof SocketTransport t)) {
            throw new IllegalArgumentException("start_tls needs a socket connection, not " + transport);
        }
        if (ssl == null) {
            throw new IllegalArgumentException("the SslOptions must not be null");
        }
        transport.drain();
        t.startTls(ssl);
    }

    /** {@code startTls(SslOptions.of(sslContext))}. */
    public void startTls(javax.net.ssl.SSLContext sslContext) {
        startTls(SslOptions.of(sslContext));
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
