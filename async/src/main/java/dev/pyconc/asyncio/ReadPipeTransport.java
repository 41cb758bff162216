package dev.pyconc.asyncio;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The reading end of a pipe as a {@link ReadTransport}: Python's {@code _UnixReadPipeTransport},
 * made by {@link EventLoop#connectReadPipe} and for a child's stdout and stderr. A virtual thread
 * reads the pipe's blocking stream and hands each chunk to the loop, where the protocol's
 * {@code dataReceived} runs; at the end of the pipe {@code eofReceived} then
 * {@code connectionLost(null)} follow, as in Python.
 *
 * <p>It is a {@link Transport} because {@link Protocol#connectionMade} takes one; its write
 * methods throw {@link IllegalStateException}, as a read pipe has none in Python.
 *
 * <p>Extra info: {@code "pipe"}, the object handed to the loop.
 */
final class ReadPipeTransport extends BasePipeTransport {
    private static final int CHUNK = 64 * 1024;       // a pipe's default capacity on Linux: a reader is over its limit by at most this

    private final InputStream in;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Shared with the pump, under `lock` when waited on.
    private volatile boolean paused;
    private volatile boolean inFlight;                 // a chunk was posted and not delivered yet
    private volatile boolean stopped;
    private Thread pump;

    /*
     * Overview. One chunk at a time: the pump posts a chunk and waits until the loop has delivered
     * it before it reads again, so a pauseReading() made by dataReceived (or by a StreamReader
     * over its limit) is seen before the next read, and the writer at the other end blocks once
     * the pipe's kernel buffer is full. Closing stops the pump and closes the pipe; a read in
     * progress on a process's stream may only end when the other end closes or the child exits.
     */

    private ReadPipeTransport(EventLoop loop, Protocol protocol, Object pipe, Closeable closer, InputStream in, String name) {
        super(loop, protocol, pipe, closer, name);
        this.in = in;
    }

    /**
     * A transport reading {@code in}; connectionMade is called soon on the loop, then the pump
     * starts. {@code closer} closes the pipe itself.
     */
    static ReadPipeTransport start(EventLoop loop, Protocol protocol, Object pipe, Closeable closer, InputStream in, String name) {
        ReadPipeTransport t = new ReadPipeTransport(loop, protocol, pipe, closer, in, name);
        loop.loopThread.own(t);
        loop.callSoon(() -> {
            if (t.closing) {
                return;
            }
            try {
                ((Protocol) t.protocol).connectionMade(t);
            } catch (RuntimeException e) {
                t.fatalError(e, "Fatal error: protocol.connectionMade() call failed.");
                return;
            }
            if (!t.closing) {
                t.pump = Thread.ofVirtual().name("asyncio-read-" + name).start(t::readLoop);
            }
        });
        return t;
    }

    private void readLoop() {
        Exception failure = null;
        boolean eof = false;
        try {
            byte[] buf = new byte[CHUNK];
            while (!stopped) {
                if (paused || inFlight) {
                    lock.lock();
                    try {
                        while ((paused || inFlight) && !stopped) {
                            changed.awaitUninterruptibly();
                        }
                    } finally {
                        lock.unlock();
                    }
                    continue;
                }
                int n = in.read(buf);
                if (n < 0) {
                    eof = true;
                    break;
                }
                if (n == 0) {
                    continue;
                }
                byte[] chunk = Arrays.copyOf(buf, n);
                inFlight = true;
                if (!post(() -> deliver(chunk))) {
                    return;
                }
            }
        } catch (IOException e) {
            failure = stopped ? null : e;
        }
        if (stopped) {
            return;                                    // close() or abort() delivers the loss
        }
        Exception f = failure;
        boolean atEof = eof;
        post(() -> {
            if (closing) {
                return;
            }
            if (f != null) {
                fatalError(StreamTransport.translate(f, false), "Fatal read error on pipe transport");
                return;
            }
            if (atEof) {
                closing = true;
                try {
                    ((Protocol) protocol).eofReceived();
                } catch (RuntimeException e) {
                    loop.callExceptionHandler(EventLoop.context("Exception in protocol.eofReceived()", e, "transport", this));
                }
                connectionLost(null);
            }
        });
    }

    /** On the loop: one chunk to the protocol, then the pump may read again. */
    private void deliver(byte[] chunk) {
        try {
            if (!closing) {
                ((Protocol) protocol).dataReceived(chunk);
            }
        } catch (RuntimeException e) {
            fatalError(e, "Fatal error: protocol.dataReceived() call failed.");
        } finally {
            wake(() -> inFlight = false);
        }
    }

    private void wake(Runnable change) {
        lock.lock();
        try {
            change.run();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    boolean reads() {
        return true;
    }

    @Override
    public boolean isReading() {
        return !paused && !closing;
    }

    @Override
    public void pauseReading() {
        if (!closing) {
            paused = true;
        }
    }

    @Override
    public void resumeReading() {
        if (!closing && paused) {
            wake(() -> paused = false);
        }
    }

    /** Python's close(): stops reading and calls connectionLost(null) soon. Idempotent. */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        stopPump();
        loop.callSoon(() -> connectionLost(null));
    }

    @Override
    void stopPump() {
        wake(() -> stopped = true);
        closeQuietly();
        Thread p = pump;
        if (p != null) {
            p.interrupt();                 // ends a read of an interruptible channel at once
        }
    }
}
