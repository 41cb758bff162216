package dev.pyconc.asyncio;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import dev.pyconc.builtins.BrokenPipeError;

/**
 * The writing end of a pipe as a {@link WriteTransport}: Python's {@code _UnixWritePipeTransport},
 * made by {@link EventLoop#connectWritePipe} and for a child's stdin. Writes are queued and a
 * virtual thread writes them to the pipe's blocking stream. Flow control as Python's: above the
 * high-water mark (64 KiB) the protocol's {@code pauseWriting} is called, and
 * {@code resumeWriting} once the queue is down to the low-water mark. {@code close()} and
 * {@code writeEof()} write what is queued, then close the pipe; {@code connectionLost(null)}
 * follows. A failed write loses the pipe with {@link BrokenPipeError}.
 *
 * <p>It is a {@link Transport} because {@link Protocol#connectionMade} takes one; it never reads
 * ({@code isReading()} is false and {@code pauseReading}/{@code resumeReading} throw
 * {@link IllegalStateException}).
 *
 * <p>Extra info: {@code "pipe"}, the object handed to the loop.
 */
final class WritePipeTransport extends BasePipeTransport {
    private static final byte[] EOF = new byte[0];

    private final OutputStream out;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();    // under `lock`
    private final AtomicLong queued = new AtomicLong();              // bytes queued, not yet written
    private volatile boolean stopped;
    private int high = WriteTransport.DEFAULT_HIGH_WATER;           // guarded by the baton
    private int low = WriteTransport.DEFAULT_HIGH_WATER / 4;
    private volatile int lowSeen = low;                              // the pump's copy
    private boolean protocolPaused;                                  // pauseWriting was called; guarded by the baton
    private boolean eofQueued;
    private Thread pump;

    /*
     * Overview. write() copies the data onto `chunks` and counts it in `queued`; the pump takes
     * chunks in order and writes each fully (a blocking write). When its writes bring `queued` down
     * across the low-water mark it posts a check to the loop, which calls resumeWriting if the
     * protocol was paused. EOF is a marker chunk: the pump closes the pipe when it takes it and
     * posts connectionLost(null).
     */

    private WritePipeTransport(EventLoop loop, BaseProtocol protocol, Object pipe, Closeable closer, OutputStream out, String name) {
        super(loop, protocol, pipe, closer, name);
        this.out = out;
    }

    /** A transport writing {@code out}; the pump starts now and connectionMade is called soon, if the protocol is a Protocol. */
    static WritePipeTransport start(EventLoop loop, BaseProtocol protocol, Object pipe, Closeable closer, OutputStream out, String name) {
        WritePipeTransport t = new WritePipeTransport(loop, protocol, pipe, closer, out, name);
        loop.loopThread.own(t);
        t.pump = Thread.ofVirtual().name("asyncio-write-" + name).start(t::writeLoop);
        loop.callSoon(() -> {
            if (!t.closing && t.protocol instanceof Protocol p) {
                try {
                    p.connectionMade(t);
                } catch (RuntimeException e) {
                    t.fatalError(e, "Fatal error: protocol.connectionMade() call failed.");
                }
            }
        });
        return t;
    }

    @Override
    boolean reads() {
        return false;
    }

    private void writeLoop() {
        IOException failure = null;
        try {
            for (;;) {
                byte[] c;
                lock.lock();
                try {
                    while (chunks.isEmpty() && !stopped) {
                        changed.awaitUninterruptibly();
                    }
                    if (stopped) {
                        return;                           // abort(): the loss is delivered by it
                    }
                    c = chunks.poll();
                } finally {
                    lock.unlock();
                }
                if (c == EOF) {
                    break;
                }
                out.write(c);
                out.flush();
                long before = queued.getAndAdd(-c.length);
                if (before > lowSeen && before - c.length <= lowSeen) {
                    post(this::maybeResume);
                }
            }
            out.close();
        } catch (IOException e) {
            failure = e;
        }
        if (stopped) {
            return;
        }
        IOException f = failure;
        post(() -> {
            if (lost) {
                return;
            }
            if (f == null) {
                connectionLost(null);
            } else {
                fatalError(new BrokenPipeError(String.valueOf(f.getMessage()), f), "Fatal write error on pipe transport");
            }
        });
    }

    private void maybeResume() {
        if (protocolPaused && queued.get() <= low) {
            protocolPaused = false;
            try {
                protocol.resumeWriting();
            } catch (RuntimeException e) {
                loop.callExceptionHandler(EventLoop.context("protocol.resumeWriting() failed", e, "transport", this));
            }
        }
    }

    private void maybePause() {
        if (!protocolPaused && queued.get() > high) {
            protocolPaused = true;
            try {
                protocol.pauseWriting();
            } catch (RuntimeException e) {
                loop.callExceptionHandler(EventLoop.context("protocol.pauseWriting() failed", e, "transport", this));
            }
        }
    }

    private void enqueue(byte[] chunk) {
        lock.lock();
        try {
            chunks.add(chunk);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void write(byte[] data, int off, int len) {
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
        java.util.Objects.checkFromIndexSize(off, len, data.length);
        if (len == 0 || closing) {
            return;                                   // Python drops writes to a closing or lost pipe
        }
        queued.addAndGet(len);
        enqueue(Arrays.copyOfRange(data, off, off + len));
        maybePause();
    }

    @Override
    public boolean canWriteEof() {
        return true;
    }

    /** Writes what is queued, then closes the pipe; connectionLost(null) follows. */
    @Override
    public void writeEof() {
        if (eofQueued || closing) {
            return;
        }
        eofQueued = true;
        closing = true;
        enqueue(EOF);
    }

    /** As {@link #writeEof()}: Python's close() of a write pipe. Idempotent. */
    @Override
    public void close() {
        writeEof();
    }

    @Override
    public int getWriteBufferSize() {
        return (int) Math.min(Integer.MAX_VALUE, queued.get());
    }

    @Override
    public Limits getWriteBufferLimits() {
        return new Limits(low, high);
    }

    @Override
    public void setWriteBufferLimits(int high, int low) {
        StreamTransport.checkLimits(high, low);
        this.high = high;
        this.low = low;
        this.lowSeen = low;
        maybePause();
    }

    @Override
    void stopPump() {
        lock.lock();
        try {
            stopped = true;
            chunks.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        queued.set(0);
        Thread p = pump;
        if (p != null) {
            p.interrupt();
        }
    }
}
