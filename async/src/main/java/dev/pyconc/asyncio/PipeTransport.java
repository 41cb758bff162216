package dev.pyconc.asyncio;

import io.netty.buffer.Unpooled;

/**
 * A pipe seen by the streams API: the {@link StreamTransport} a {@link StreamWriter} writes
 * through or a {@link StreamReader} is fed by, over a {@link ReadPipeTransport} or
 * {@link WritePipeTransport}, as Python's stream protocols sit over its pipe transports. The pipe
 * transport does the I/O; the subprocess's stream protocol ({@link Process}) passes its data,
 * flow control and loss on to this view, which feeds the reader and wakes drain().
 */
final class PipeTransport extends StreamTransport {
    private BasePipeTransport pipe;            // set once made; every call below holds the baton
    private boolean writingPaused;             // pauseWriting was called and resumeWriting not yet
    private long pid;                          // the child's, for getExtraInfo("pid")

    private PipeTransport(EventLoop loop, StreamReader reader) {
        super(loop, reader);
    }

    /** A reading view: {@code reader} is fed from the protocol callbacks of the pipe transport it makes. */
    static PipeTransport reading(EventLoop loop, StreamReader reader) {
        return new PipeTransport(loop, reader);
    }

    /** A writing view. */
    static PipeTransport writing(EventLoop loop) {
        return new PipeTransport(loop, null);
    }

    /** The pipe transport this view works on, of child {@code pid}; called once, right after it is made. */
    void attach(BasePipeTransport pipe, long pid) {
        this.pipe = pipe;
        this.pid = pid;
    }

    // The protocol side, called by the subprocess's stream protocol (Process), on the loop.

    /** The pipe delivered {@code data}. */
    void fed(byte[] data) {
        reader.feed(Unpooled.wrappedBuffer(data));
    }

    /** The pipe's buffer went above its high-water mark: drain() waits. */
    void pausedWriting() {
        writingPaused = true;
    }

    /** The pipe's buffer drained to its low-water mark: drain() returns. */
    void resumedWriting() {
        writingPaused = false;
        writable();
    }

    @Override
    void write(byte[] data, int off, int len) {
        if (reader != null) {
            throw new IllegalStateException("the pipe is not writable");
        }
        if (len == 0 || dropWrite()) {
            return;
        }
        pipe.write(data, off, len);
    }

    @Override
    boolean writePaused() {
        return writingPaused;
    }

    @Override
    void setWriteBufferLimits(int high, int low) {
        pipe.setWriteBufferLimits(high, low);
    }

    @Override
    int writeBufferSize() {
        return pipe.getWriteBufferSize();
    }

    @Override
    boolean canWriteEof() {
        return reader == null;
    }

    @Override
    void writeEof() {
        if (reader != null) {
            throw new IllegalStateException("the pipe is not writable");
        }
        eofWritten = true;
        close();
    }

    @Override
    void close() {
        if (closing) {
            return;
        }
        closing = true;
        pipe.close();
    }

    @Override
    void abort() {
        closing = true;
        pipe.abort();
    }

    @Override
    void pauseReading() {
        pipe.pauseReading();
    }

    @Override
    void resumeReading() {
        pipe.resumeReading();
    }

    @Override
    Object extraInfo(String key) {
        return "pid".equals(key) ? (Object) pid : pipe.getExtraInfo(key);
    }

    @Override
    public void closeForLoop() {
        // the pipe transport is owned by the loop itself and closed with it
    }

    @Override
    public String toString() {
        return "PipeTransport[" + pipe + (closing ? " closing" : "") + (lost ? " lost" : "") + "]";
    }
}
