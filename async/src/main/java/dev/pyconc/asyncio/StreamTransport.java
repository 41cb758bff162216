package dev.pyconc.asyncio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import dev.pyconc.builtins.BrokenPipeError;
import dev.pyconc.builtins.ConnectionRefusedError;
import dev.pyconc.builtins.ConnectionResetError;

/**
 * What a {@link StreamWriter} writes through and a {@link StreamReader} is fed by: Python's
 * transport together with its {@code StreamReaderProtocol} (flow control of writes, the drain
 * waiters, the closed future). Two kinds: {@link SocketTransport} (a Netty channel of the loop)
 * and {@link PipeTransport} (a child process's pipe, pumped by a thread). Every method is called
 * holding the loop's baton; the subclasses hand work to their channel or thread.
 */
abstract class StreamTransport implements LoopThread.Resource {
    /** Python's default high-water mark of a transport's write buffer: 64 KiB; low is a quarter. */
    static final int DEFAULT_HIGH_WATER = 64 * 1024;

    final EventLoop loop;
    final StreamReader reader;                 // fed by this transport; null for a write-only pipe
    private final Future<Void> closed;         // done when the connection is lost (Python's _closed)
    private List<Future<Void>> drainWaiters;   // drain() calls waiting for the buffer to go below low water
    boolean closing;                           // close() or abort() was called
    boolean eofWritten;                        // writeEof() was called
    boolean lost;                              // the connection is gone (Python's _connection_lost)
    private int lostWrites;                    // writes dropped after the loss, for one warning

    StreamTransport(EventLoop loop, StreamReader reader) {
        this.loop = loop;
        this.reader = reader;
        this.closed = loop.createFuture();
        if (reader != null) {
            reader.setTransport(this);
        }
    }

    // ---------------------------------------------------------------- for the writer

    /** Writes {@code data[off, off+len)}, copied: it is sent later. */
    abstract void write(byte[] data, int off, int len);

    /** Closes the write side once what was written is sent. */
    abstract void writeEof();

    abstract boolean canWriteEof();

    /** Stops reading, sends what was written, then closes. */
    abstract void close();

    /** Closes at once, dropping what was not sent. */
    abstract void abort();

    /** Whether the buffer of unsent data is above the high-water mark (Python's protocol._paused). */
    abstract boolean writePaused();

    abstract void setWriteBufferLimits(int high, int low);

    abstract int writeBufferSize();

    abstract Object extraInfo(String name);

    abstract void pauseReading();

    abstract void resumeReading();

    boolean isClosing() {
        return closing || lost;
    }

    /** A write after the connection was lost or closed is dropped, as in Python; drain() reports it. */
    final boolean dropWrite() {
        if (eofWritten && !lost && !closing) {
            throw new IllegalStateException("Cannot call write() after writeEof()");
        }
        if (closing || lost) {
            if (++lostWrites == 5) {
                EventLoop.LOG.warn("writes to a closed {} are dropped", this);
            }
            return true;
        }
        return false;
    }

    /** Python's StreamWriter.drain: raises the reader's error or the loss; waits while writes are paused. */
    final void drain() {
        if (reader != null) {
            RuntimeException e = reader.exception();
            if (e != null) {
                throw e;
            }
        }
        if (isClosing() && !lost) {
            if (writeBufferSize() == 0) {
                try {
                    closed.await();                      // nothing left to send: the loss follows at once (Python's sleep(0))
                } catch (RuntimeException e) {
                    if (Task.isCancellation(e)) {
                        throw e;
                    }
                }
            } else {
                Asyncio.sleep(java.time.Duration.ZERO);  // let the loss be delivered
            }
        }
        for (;;) {
            if (lost) {
                throw new ConnectionResetError("Connection lost");
            }
            if (!writePaused()) {
                return;
            }
            Future<Void> w = loop.createFuture();
            if (drainWaiters == null) {
                drainWaiters = new ArrayList<>(2);
            }
            drainWaiters.add(w);
            try {
                w.await();
                return;
            } finally {
                drainWaiters.remove(w);
            }
        }
    }

    /** Waits until the connection is lost: Python's {@code wait_closed}; raises the error it was lost with. */
    final void waitClosed() {
        closed.await();
    }

    // ---------------------------------------------------------------- for the subclasses

    /** The write buffer went below the low-water mark: wake drain() (Python's resume_writing). */
    final void writable() {
        List<Future<Void>> ws = drainWaiters;
        if (ws != null) {
            for (Future<Void> w : ws) {
                if (!w.done()) {
                    w.setResultInternal(null);
                }
            }
        }
    }

    /** Python's connection_lost: the reader gets the end or the error, drain() and waitClosed() wake. */
    final void connectionLost(Throwable cause) {
        if (lost) {
            return;
        }
        lost = true;
        RuntimeException error = cause == null ? null : translate(cause, false);
        if (reader != null) {
            if (error == null) {
                reader.feedEof();
            } else {
                reader.setException(error);
            }
            reader.moveToHeap();
        }
        List<Future<Void>> ws = drainWaiters;
        if (ws != null) {
            for (Future<Void> w : ws) {
                if (!w.done()) {
                    if (error == null) {
                        w.setResultInternal(null);
                    } else {
                        w.setExceptionInternal(error);
                        w.retrieved();
                    }
                }
            }
        }
        if (!closed.done()) {
            if (error == null) {
                closed.setResultInternal(null);
            } else {
                closed.setExceptionInternal(error);
                closed.retrieved();
            }
        }
        loop.loopThread.disown(this);
        lostCallback();
    }

    /** Called once the connection is lost (a server counts its connections here). */
    void lostCallback() {
    }

    @Override
    public void closeForLoop() {
        abort();
    }

    /** Python's exception names for what a socket or pipe raised. */
    static RuntimeException translate(Throwable cause, boolean connecting) {
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();          // how a loop future carries a checked exception
        }
        if (cause instanceof RuntimeException r && !(cause instanceof UncheckedIOException u && u.getClass() == UncheckedIOException.class)) {
            return r;
        }
        if (cause instanceof UncheckedIOException u) {
            cause = u.getCause();
        }
        String m = String.valueOf(cause.getMessage());
        if (cause instanceof java.io.FileNotFoundException && cause.getMessage() == null) {
            m = "No such file or directory";      // a Unix socket's path that does not exist (Netty's epoll connect)
        }
        if (cause instanceof ConnectException || connecting && m.contains("refused")) {
            if (m.contains("refused")) {
                return new ConnectionRefusedError(m, (IOException) cause);
            }
            return new UncheckedIOException(m, (IOException) cause);
        }
        if (cause instanceof ClosedChannelException c) {
            return new ConnectionResetError("Connection lost", c);
        }
        if (cause instanceof IOException io) {
            if (m.contains("reset")) {
                return new ConnectionResetError(m, io);
            }
            if (m.contains("Broken pipe") || m.contains("broken pipe")) {
                return new BrokenPipeError(m, io);
            }
            return new UncheckedIOException(m, io);
        }
        if (cause instanceof Error e) {
            throw e;
        }
        return new UncheckedIOException(m, new IOException(m, cause));
    }

    static void checkLimits(int high, int low) {
        if (high < 0 || low < 0 || low > high) {
            throw new IllegalArgumentException("high (" + high + ") must be >= low (" + low + ") >= 0");
        }
    }
}
