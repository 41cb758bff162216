package dev.pyconc.asyncio;

import io.netty.buffer.ByteBuf;

/**
 * The protocol that puts streams on a transport: Python's {@code asyncio.StreamReaderProtocol}.
 * It feeds the {@link StreamReader}, keeps the writer's flow control (Python's
 * {@code FlowControlMixin}: {@code pauseWriting} and {@code resumeWriting} of the transport stop
 * and wake {@link StreamWriter#drain()}) and the closed future, and, on a server, starts the
 * client-connected callback as a task once the connection is made. {@link StreamWriter} writes
 * through the {@link Transport}.
 *
 * <p>The socket transport hands this protocol its Netty buffers without a copy ({@link #feed});
 * any other transport calls {@link #dataReceived(byte[])}.
 */
final class StreamReaderProtocol extends StreamTransport implements Protocol {
    private Transport transport;                 // set by connectionMade
    private boolean paused;                      // pauseWriting() without resumeWriting() (Python's _paused)
    private final ClientConnectedCallback clientConnected;   // a server's handler, or null

    StreamReaderProtocol(EventLoop loop, StreamReader reader, ClientConnectedCallback clientConnected) {
        super(loop, reader);
        this.clientConnected = clientConnected;
    }

    /** The writer of the connection, for open_connection; valid once connected. */
    StreamWriter writer() {
        return new StreamWriter(this, reader);
    }

    Transport transport() {
        return transport;
    }

    // ---------------------------------------------------------------- Protocol

    @Override
    public void connectionMade(Transport t) {
        this.transport = t;
        if (clientConnected == null) {
            return;
        }
        StreamWriter writer = writer();
        Task<Void> task = loop.createTask(() -> {
            clientConnected.accept(reader, writer);
            return (Void) null;
        }, null);
        task.addDoneCallback(done -> {
            if (done.cancelled()) {
                t.close();
                return;
            }
            Throwable e = done.exception();
            if (e != null) {
                loop.callExceptionHandler(EventLoop.context("Unhandled exception in client_connected_cb", e, "transport", t));
                t.close();
            }
        });
    }

    @Override
    public void dataReceived(byte[] data) {
        reader.feedData(data);
    }

    /** The zero-copy path of the socket transport: the reader takes over {@code buf}. */
    void feed(ByteBuf buf) {
        reader.feed(buf);
    }

    /** Keeps the transport open for writing after the peer's EOF, as Python's does without TLS. */
    @Override
    public boolean eofReceived() {
        reader.feedEof();
        return true;
    }

    @Override
    public void connectionLost(Exception exc) {
        super.connectionLost(exc);
        paused = false;
    }

    @Override
    public void pauseWriting() {
        paused = true;
    }

    @Override
    public void resumeWriting() {
        paused = false;
        writable();
    }

    // ---------------------------------------------------------------- StreamTransport, through the transport

    @Override
    void write(byte[] data, int off, int len) {
        transport.write(data, off, len);
    }

    @Override
    void writeEof() {
        transport.writeEof();
    }

    @Override
    boolean canWriteEof() {
        return transport.canWriteEof();
    }

    @Override
    void close() {
        transport.close();
    }

    @Override
    void abort() {
        transport.abort();
    }

    @Override
    boolean isClosing() {
        return lost || transport.isClosing();
    }

    @Override
    boolean writePaused() {
        return paused;
    }

    @Override
    void setWriteBufferLimits(int high, int low) {
        transport.setWriteBufferLimits(high, low);
    }

    @Override
    int writeBufferSize() {
        return transport.getWriteBufferSize();
    }

    @Override
    Object extraInfo(String name) {
        return transport.getExtraInfo(name);
    }

    @Override
    void pauseReading() {
        Transport t = transport;
        if (t != null) {
            t.pauseReading();
        }
    }

    @Override
    void resumeReading() {
        Transport t = transport;
        if (t != null) {
            t.resumeReading();
        }
    }

    /** The transport's: the reader and writer show their transport, as Python's reprs do. */
    @Override
    public String toString() {
        return String.valueOf(transport);
    }
}
