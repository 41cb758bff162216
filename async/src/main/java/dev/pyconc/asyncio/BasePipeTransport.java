package dev.pyconc.asyncio;

import java.io.Closeable;
import java.io.IOException;

/**
 * What the two pipe transports share: the loop, the protocol, the closing and lost states, the
 * report of a fatal error and the Java object of the pipe. Every method but {@link #post} is
 * called holding the loop's baton.
 */
abstract class BasePipeTransport implements Transport, LoopThread.Resource {
    final EventLoop loop;
    final Object pipe;                 // what the user handed over, for getExtraInfo("pipe")
    final Closeable closer;            // closes the pipe (the channel itself, not a stream view of it)
    final String name;                 // "stdin", "stdout", "stderr" or "pipe", for messages
    BaseProtocol protocol;
    boolean closing;                   // close() or abort() was called, or the pipe failed
    boolean lost;                      // connectionLost was delivered

    BasePipeTransport(EventLoop loop, BaseProtocol protocol, Object pipe, Closeable closer, String name) {
        this.loop = loop;
        this.protocol = protocol;
        this.pipe = pipe;
        this.closer = closer;
        this.name = name;
    }

    /** Posts {@code r} to the loop from a pump thread; false when the loop is closed (nobody listens any more). */
    final boolean post(Runnable r) {
        try {
            loop.callSoonThreadsafe(r);
            return true;
        } catch (IllegalStateException closed) {
            return false;
        }
    }

    /**
     * Python's _fatal_error: reports {@code e} to the exception handler (an I/O error only to the
     * debug log, as Python reports an OSError) and loses the pipe with it.
     */
    final void fatalError(Throwable e, String message) {
        if (e instanceof java.io.UncheckedIOException) {
            EventLoop.LOG.debug("{}: {}", this, message, e);
        } else {
            loop.callExceptionHandler(EventLoop.context(message, e, "transport", this));
        }
        closing = true;
        stopPump();
        connectionLost(e instanceof Exception x ? x : new RuntimeException(e));
    }

    /** Delivers the protocol's connectionLost once. */
    final void connectionLost(Exception exc) {
        if (lost) {
            return;
        }
        lost = true;
        closing = true;
        loop.loopThread.disown(this);
        closeQuietly();
        try {
            protocol.connectionLost(exc);
        } catch (RuntimeException e) {
            loop.callExceptionHandler(EventLoop.context("Exception in protocol.connectionLost()", e, "transport", this));
        }
    }

    final void closeQuietly() {
        try {
            closer.close();
        } catch (IOException ignored) {
            // the pipe is done either way
        }
    }

    /** Ends the pump thread (it may be blocked in I/O: closing the pipe wakes it where the JDK can). */
    abstract void stopPump();

    /** Whether this is the reading end. */
    abstract boolean reads();

    private IllegalStateException notThisSide(String what) {
        return new IllegalStateException(what + "() is not available on the " + (reads() ? "read" : "write")
                + " end of a pipe (" + name + ")");
    }

    @Override
    public boolean isReading() {
        return false;
    }

    @Override
    public void pauseReading() {
        throw notThisSide("pauseReading");
    }

    @Override
    public void resumeReading() {
        throw notThisSide("resumeReading");
    }

    @Override
    public void write(byte[] data, int off, int len) {
        throw notThisSide("write");
    }

    @Override
    public void writeEof() {
        throw notThisSide("writeEof");
    }

    @Override
    public boolean canWriteEof() {
        return false;
    }

    @Override
    public int getWriteBufferSize() {
        return 0;
    }

    @Override
    public Limits getWriteBufferLimits() {
        throw notThisSide("getWriteBufferLimits");
    }

    @Override
    public void setWriteBufferLimits(int high, int low) {
        throw notThisSide("setWriteBufferLimits");
    }

    /** Closes at once, dropping what was not written; connectionLost(null) follows soon. */
    @Override
    public void abort() {
        if (lost) {
            return;
        }
        closing = true;
        stopPump();
        loop.callSoon(() -> connectionLost(null));
    }

    @Override
    public Object getExtraInfo(String key) {
        return "pipe".equals(key) ? pipe : null;
    }

    @Override
    public boolean isClosing() {
        return closing;
    }

    @Override
    public void setProtocol(BaseProtocol protocol) {
        if (protocol == null) {
            throw new IllegalArgumentException("protocol must not be null");
        }
        this.protocol = protocol;
    }

    @Override
    public BaseProtocol getProtocol() {
        return protocol;
    }

    @Override
    public void closeForLoop() {
        closing = true;
        stopPump();
        closeQuietly();
    }

    @Override
    public String toString() {
        return "<" + getClass().getSimpleName() + " " + name + (lost ? " closed" : closing ? " closing" : " open") + ">";
    }
}
