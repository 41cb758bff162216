package dev.pyconc.asyncio;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.netty.buffer.Unpooled;
import dev.pyconc.builtins.BrokenPipeError;

/**
 * A child process's pipe as a stream transport: a reading pipe (stdout, stderr) feeds its
 * {@link StreamReader} from a virtual thread that reads the pipe's blocking stream and hands each
 * chunk to the loop with {@link EventLoop#callSoonThreadsafe}; a writing pipe (stdin) is written
 * by a virtual thread that takes chunks from a queue.
 *
 * <p>Flow control as for sockets: a reading pump stops reading while its reader is paused (more
 * than twice its limit buffered), so the child blocks in its writes; the writing queue counts
 * toward the 64 KiB high-water mark, and the pump wakes drain() when it falls to the low mark.
 * The pumps never hold the GIL: they run no loop code, only the blocking I/O.
 */
final class PipeTransport extends StreamTransport {
    private static final byte[] EOF = new byte[0];
    private static final int CHUNK = 64 * 1024;

    private final String name;                     // "stdin", "stdout", "stderr"
    private final Object stream;                   // the Java stream of the pipe, for get_extra_info("pipe")
    private final long pid;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Shared with the pump thread, under `lock` (or volatile/atomic as marked).
    private volatile boolean readPaused;
    private volatile boolean inFlight;              // a chunk was posted to the loop and not fed yet
    private volatile boolean stopped;               // the pump should end
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private volatile int highWater = DEFAULT_HIGH_WATER;
    private volatile int lowWater = DEFAULT_HIGH_WATER / 4;
    private Thread pump;

    private PipeTransport(EventLoop loop, StreamReader reader, String name, Object stream, long pid) {
        super(loop, reader);
        this.name = name;
        this.stream = stream;
        this.pid = pid;
    }

    /** A transport that feeds {@code reader} from {@code in}; the pump starts at once. */
    static PipeTransport reading(EventLoop loop, StreamReader reader, String name, InputStream in, long pid) {
        PipeTransport t = new PipeTransport(loop, reader, name, in, pid);
        t.pump = Thread.ofVirtual().name("asyncio-" + name + "-" + pid).start(() -> t.readLoop(in));
        return t;
    }

    /** A transport that writes to {@code out}; the pump starts at once. */
    static PipeTransport writing(EventLoop loop, String name, OutputStream out, long pid) {
        PipeTransport t = new PipeTransport(loop, null, name, out, pid);
        t.pump = Thread.ofVirtual().name("asyncio-" + name + "-" + pid).start(() -> t.writeLoop(out));
        return t;
    }

    /** Posts {@code r} to the loop; false when the loop is closed (nobody listens any more). */
    private boolean post(Runnable r) {
        try {
            loop.callSoonThreadsafe(r);
            return true;
        } catch (IllegalStateException closed) {
            return false;
        }
    }

    // ---------------------------------------------------------------- reading pipes

    private void readLoop(InputStream in) {
        Throwable failure = null;
        try {
            byte[] buf = new byte[CHUNK];
            while (!stopped) {
                if (readPaused || inFlight) {
                    lock.lock();
                    try {
                        while ((readPaused || inFlight) && !stopped) {
                            changed.awaitUninterruptibly();
                        }
                    } finally {
                        lock.unlock();
                    }
                    continue;
                }
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                if (n == 0) {
                    continue;
                }
                byte[] chunk = java.util.Arrays.copyOf(buf, n);
                inFlight = true;              // one chunk at a time: the reader's pause is seen before the next read
                if (!post(() -> {
                    if (!lost && !closing) {
                        reader.feed(Unpooled.wrappedBuffer(chunk));
                    }
                    lock.lock();
                    try {
                        inFlight = false;
                        changed.signalAll();
                    } finally {
                        lock.unlock();
                    }
                })) {
                    return;
                }
            }
        } catch (IOException e) {
            failure = stopped ? null : e;
        } finally {
            try {
                in.close();
            } catch (IOException ignored) {
                // the pipe is done either way
            }
        }
        Throwable f = failure;
        post(() -> connectionLost(f));
    }

    @Override
    void pauseReading() {
        readPaused = true;
    }

    @Override
    void resumeReading() {
        lock.lock();
        try {
            readPaused = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- writing pipes

    private void writeLoop(OutputStream out) {
        Throwable failure = null;
        try {
            for (;;) {
                byte[] c;
                lock.lock();
                try {
                    while (chunks.isEmpty() && !stopped) {
                        changed.awaitUninterruptibly();
                    }
                    if (stopped) {
                        break;
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
                long before = queuedBytes.getAndAdd(-c.length);
                long after = before - c.length;
                if (before > lowWater && after <= lowWater) {
                    post(this::writable);
                }
            }
        } catch (IOException e) {
            failure = e;
        } finally {
            try {
                out.close();
            } catch (IOException e) {
                if (failure == null && !stopped) {
                    failure = e;
                }
            }
        }
        Throwable f = stopped ? null : failure;
        RuntimeException report = f == null ? null
                : new BrokenPipeError(String.valueOf(f.getMessage()), f instanceof IOException io ? io : new IOException(f));
        post(() -> connectionLost(report));
    }

    @Override
    void write(byte[] data, int off, int len) {
        if (reader != null) {
            throw new IllegalStateException("the " + name + " pipe is not writable");
        }
        if (len == 0 || dropWrite()) {
            return;
        }
        byte[] copy = java.util.Arrays.copyOfRange(data, off, off + len);
        queuedBytes.addAndGet(len);
        enqueue(copy);
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
    boolean writePaused() {
        return queuedBytes.get() > highWater;
    }

    @Override
    void setWriteBufferLimits(int high, int low) {
        checkLimits(high, low);
        highWater = high;
        lowWater = low;
    }

    @Override
    int writeBufferSize() {
        return (int) Math.min(Integer.MAX_VALUE, queuedBytes.get());
    }

    @Override
    boolean canWriteEof() {
        return reader == null;
    }

    @Override
    void writeEof() {
        if (reader != null) {
            throw new IllegalStateException("the " + name + " pipe is not writable");
        }
        close();
    }

    @Override
    void close() {
        if (closing) {
            return;
        }
        closing = true;
        if (reader == null) {
            eofWritten = true;
            enqueue(EOF);              // written out first, then the pipe is closed
        } else {
            stop();
        }
    }

    @Override
    void abort() {
        closing = true;
        stop();
    }

    private void stop() {
        lock.lock();
        try {
            stopped = true;
            chunks.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (reader != null) {
            try {
                ((InputStream) stream).close();   // may not wake a read in progress; the child's exit does
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** The pump thread (for tests and for close to wait on). */
    Thread pump() {
        return pump;
    }

    @Override
    Object extraInfo(String key) {
        return switch (key) {
            case "pipe" -> stream;
            case "pid" -> pid;
            default -> null;
        };
    }

    @Override
    public String toString() {
        return "PipeTransport[" + name + " of " + pid + (closing ? " closing" : "") + (lost ? " lost" : "") + "]";
    }
}
