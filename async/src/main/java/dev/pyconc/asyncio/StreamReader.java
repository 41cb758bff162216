package dev.pyconc.asyncio;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The reading side of a stream: Python's {@code asyncio.StreamReader}. Task bodies read from it
 * with {@link #read(int)}, {@link #readline()}, {@link #readexactly(int)} and
 * {@link #readuntil(byte[])}, which suspend the task (not its thread) until enough data has
 * arrived; the connection or pipe it reads from feeds it with {@link #feedData} and
 * {@link #feedEof()}.
 *
 * <pre> {@code
 * Streams s = Asyncio.openConnection("127.0.0.1", 8888);
 * s.writer().write("GET\n".getBytes(UTF_8));
 * byte[] line = s.reader().readline();             // up to and including "\n"; empty at EOF
 * byte[] header = s.reader().readexactly(16);       // IncompleteReadError if the peer closes first
 * byte[] rest = s.reader().read(-1);               // everything up to EOF
 * for (byte[] l : s.reader()) { ... }              // async for line in reader
 * }</pre>
 *
 * <p><b>Limit and flow control.</b> The limit (64 KiB unless given) bounds what
 * {@code readline}/{@code readuntil} look through for a separator, as in Python. When more than
 * twice the limit is buffered the reader pauses its transport (the socket is no longer read, so
 * the peer's writes back up in TCP); once reads bring the buffer to the limit or below, or a read
 * needs more data, reading resumes.
 *
 * <p>At most one task may wait on a reader at a time: a second one gets
 * {@link IllegalStateException}, as Python raises {@code RuntimeError}. A task cancelled while it
 * waits leaves the buffer as it was: nothing is consumed by a read that did not return. A reader
 * fed an error ({@link #setException}, or a connection lost with an error) raises that error from
 * every read. Readers are not thread-safe, as in Python: use them from the task bodies and
 * callbacks of their loop.
 *
 * <p>Memory consistency effects: actions prior to {@code feedData} or {@code feedEof}
 * <i>happen-before</i> the return of a read that sees the data or the end. See
 * <a href="package-summary.html#MemoryVisibility">Memory Visibility</a>.
 */
public class StreamReader implements Iterable<byte[]> {
    /** Python's {@code asyncio.streams._DEFAULT_LIMIT}: 64 KiB. */
    public static final int DEFAULT_LIMIT = 64 * 1024;

    private static final byte[] EMPTY = new byte[0];
    private static final byte[] NEWLINE = {'\n'};
    private static final byte[][] NEWLINE_ONLY = {NEWLINE};

    /*
     * Overview. The buffer is a CompositeByteBuf of the buffers the transport read, kept without
     * copying; a read copies what it returns out of it once and releases the components it has
     * consumed (discardReadComponents). While the transport is open the components may be pooled
     * (direct) buffers; when it closes, what is left unread is moved to one heap buffer
     * (moveToHeap), so an abandoned reader never holds pooled memory. Every field is guarded by
     * the loop's baton.
     */
    final EventLoop loop;
    private final int limit;
    private CompositeByteBuf buffer = Unpooled.compositeBuffer(Integer.MAX_VALUE);
    private boolean eof;
    private Future<Void> waiter;              // the read waiting for data (Python's _waiter)
    private RuntimeException exception;
    private StreamTransport transport;         // null for a reader fed by hand
    private boolean paused;                    // the transport was asked to stop reading

    /**
     * A reader with the {@link #DEFAULT_LIMIT} on {@link Asyncio#getEventLoop()} (the running loop,
     * else the current loop of the thread), fed by hand.
     */
    public StreamReader() {
        this(DEFAULT_LIMIT);
    }

    /**
     * A reader with {@code limit} on {@link Asyncio#getEventLoop()} (the running loop, else the
     * current loop of the thread), fed by hand (Python's {@code StreamReader(limit)}).
     *
     * @throws IllegalArgumentException if {@code limit <= 0}
     * @throws IllegalStateException if no loop runs in this thread and none is current there
     */
    public StreamReader(int limit) {
        this(Asyncio.getEventLoop(), limit);
    }

    StreamReader(EventLoop loop, int limit) {
        checkLimit(limit);
        this.loop = loop;
        this.limit = limit;
    }

    static void checkLimit(int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be > 0, not " + limit);
        }
    }

    void setTransport(StreamTransport t) {
        this.transport = t;
    }

    /** The limit of this reader. */
    public int limit() {
        return limit;
    }

    /** The error the reader was fed, or null (Python's {@code exception()}). */
    public RuntimeException exception() {
        return exception;
    }

    /**
     * Makes every read raise {@code e} from now on, and wakes the read that waits (Python's
     * {@code set_exception}).
     *
     * @throws IllegalArgumentException if {@code e} is null
     */
    public void setException(RuntimeException e) {
        if (e == null) {
            throw new IllegalArgumentException("the exception must not be null");
        }
        exception = e;
        Future<Void> w = waiter;
        if (w != null) {
            waiter = null;
            if (!w.done()) {
                w.setExceptionInternal(e);
                w.retrieved();
            }
        }
    }

    /**
     * Appends a copy of {@code data} to the buffer and wakes the read that waits (Python's
     * {@code feed_data}).
     *
     * @throws IllegalArgumentException if {@code data} is null
     * @throws IllegalStateException after {@link #feedEof()}
     */
    public void feedData(byte[] data) {
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
        if (eof) {
            throw new IllegalStateException("feedData after feedEof");
        }
        if (data.length > 0) {
            feed(Unpooled.copiedBuffer(data));
        }
    }

    /** Marks the end of the stream and wakes the read that waits (Python's {@code feed_eof}). */
    public void feedEof() {
        eof = true;
        wakeUpWaiter();
    }

    /** Whether the stream ended and everything before the end was read (Python's {@code at_eof}). */
    public boolean atEof() {
        return eof && buffer.readableBytes() == 0;
    }

    /** Appends {@code data}, whose reference the reader takes over; data after the end is dropped. */
    void feed(ByteBuf data) {
        if (eof) {
            data.release();
            return;
        }
        if (!data.isReadable()) {
            data.release();
            return;
        }
        buffer.addComponent(true, data);
        wakeUpWaiter();
        StreamTransport t = transport;
        if (t != null && !paused && buffer.readableBytes() > 2 * limit) {
            paused = true;
            t.pauseReading();
        }
    }

    /** The transport closed: what is still unread moves to the heap, so no pooled buffer stays held. */
    void moveToHeap() {
        transport = null;
        int n = buffer.readableBytes();
        CompositeByteBuf heap = Unpooled.compositeBuffer(Integer.MAX_VALUE);
        if (n > 0) {
            byte[] copy = new byte[n];
            buffer.readBytes(copy);
            heap.addComponent(true, Unpooled.wrappedBuffer(copy));
        }
        buffer.release();
        buffer = heap;
    }

    /** The number of bytes buffered and not read yet. */
    int buffered() {
        return buffer.readableBytes();
    }

    /** Whether the reader asked its transport to stop reading. */
    boolean paused() {
        return paused;
    }

    private void wakeUpWaiter() {
        Future<Void> w = waiter;
        if (w != null) {
            waiter = null;
            if (!w.done()) {
                w.setResultInternal(null);
            }
        }
    }

    private void maybeResumeTransport() {
        if (paused && buffer.readableBytes() <= limit) {
            paused = false;
            StreamTransport t = transport;
            if (t != null) {
                t.resumeReading();
            }
        }
    }

    /** Suspends until data or the end arrives (Python's {@code _wait_for_data}). */
    private void waitForData(String what) {
        if (waiter != null) {
            throw new IllegalStateException(what + "() called while another task is already waiting for incoming data");
        }
        if (eof) {
            throw new IllegalStateException("waiting for data after EOF");
        }
        if (paused) {
            paused = false;
            StreamTransport t = transport;
            if (t != null) {
                t.resumeReading();
            }
        }
        Future<Void> w = loop.createFuture();
        waiter = w;
        try {
            w.await();
        } finally {
            if (waiter == w) {
                waiter = null;
            }
        }
    }

    private void checkException() {
        RuntimeException e = exception;
        if (e != null) {
            throw e;
        }
    }

    private byte[] take(int n) {
        if (n == 0) {
            return EMPTY;
        }
        byte[] out = new byte[n];
        buffer.readBytes(out);
        buffer.discardReadComponents();
        return out;
    }

    /**
     * Reads up to {@code n} bytes: waits until some data or the end has arrived and returns at
     * most {@code n} of the bytes buffered; an empty array means the end (Python's
     * {@code read(n)}). {@code read(-1)} reads everything up to the end. {@code read(0)} returns
     * an empty array at once.
     *
     * @throws IllegalArgumentException if {@code n < -1}
     * @throws IllegalStateException if another task waits on this reader
     * @throws CancelledError if the task is cancelled while it waits; nothing is consumed
     */
    public byte[] read(int n) {
        if (n < -1) {
            throw new IllegalArgumentException("n must be >= -1 (-1 reads to EOF), not " + n);
        }
        checkException();
        if (n == 0) {
            return EMPTY;
        }
        if (n == -1) {
            return readToEof();
        }
        if (buffer.readableBytes() == 0 && !eof) {
            waitForData("read");
            checkException();
        }
        byte[] data = take(Math.min(n, buffer.readableBytes()));
        maybeResumeTransport();
        return data;
    }

    /** {@code read(-1)}: every byte up to the end of the stream. */
    public byte[] read() {
        return read(-1);
    }

    private byte[] readToEof() {
        ByteArrayOutputStream all = null;
        while (!eof) {
            if (buffer.readableBytes() > 0) {
                if (all == null) {
                    all = new ByteArrayOutputStream(Math.max(256, buffer.readableBytes() * 2));
                }
                all.writeBytes(take(buffer.readableBytes()));
                maybeResumeTransport();
            }
            waitForData("read");
            checkException();
        }
        byte[] tail = take(buffer.readableBytes());
        if (all == null) {
            return tail;
        }
        all.writeBytes(tail);
        return all.toByteArray();
    }

    /**
     * Reads one line, up to and including {@code '\n'} (Python's {@code readline}). At the end of
     * the stream it returns the partial line without the newline, or an empty array when nothing
     * is left.
     *
     * @throws IllegalArgumentException (Python's {@code ValueError}) if no newline was found
     *         within the limit; the data up to the newline, or the whole buffer, is dropped
     */
    public byte[] readline() {
        try {
            return until(NEWLINE_ONLY);
        } catch (IncompleteReadError e) {
            return e.partial();
        } catch (LimitOverrunError e) {
            int c = e.consumed();
            if (buffer.readableBytes() > c && buffer.getByte(buffer.readerIndex() + c) == '\n') {
                buffer.skipBytes(c + 1);
            } else {
                buffer.skipBytes(buffer.readableBytes());
            }
            buffer.discardReadComponents();
            maybeResumeTransport();
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** {@code readuntil(b"\n")}. */
    public byte[] readuntil() {
        return until(NEWLINE_ONLY);
    }

    /**
     * Reads up to and including {@code separator} (Python's {@code readuntil}).
     *
     * @throws IncompleteReadError if the stream ends before the separator; its
     *         {@link IncompleteReadError#partial()} holds (and consumes) what was left
     * @throws LimitOverrunError if the separator is not found within the limit, or found past
     *         it; the data stays in the buffer, as in Python
     * @throws IllegalArgumentException if {@code separator} is null or empty
     */
    public byte[] readuntil(byte[] separator) {
        checkSeparator(separator);
        return until(new byte[][] {separator});
    }

    /**
     * Reads up to and including the first of {@code separators} found, the one whose match ends
     * first (Python 3.13's {@code readuntil} with a tuple of separators): {@code readuntil(b"\r",
     * b"\n")} reads a line ended by either.
     *
     * @throws IncompleteReadError if the stream ends before a separator; its
     *         {@link IncompleteReadError#partial()} holds (and consumes) what was left
     * @throws LimitOverrunError if no separator is found within the limit, or found past it; the
     *         data stays in the buffer
     * @throws IllegalArgumentException if there is no separator, or one is null or empty
     */
    public byte[] readuntil(byte[]... separators) {
        if (separators == null || separators.length == 0) {
            throw new IllegalArgumentException("Separator should contain at least one element");
        }
        byte[][] seps = separators.clone();
        for (byte[] sep : seps) {
            checkSeparator(sep);
        }
        Arrays.sort(seps, Comparator.comparingInt(sep -> sep.length));
        return until(seps);
    }

    private static void checkSeparator(byte[] separator) {
        if (separator == null || separator.length == 0) {
            throw new IllegalArgumentException("Separator should be at least one-byte string");
        }
    }

    /** readuntil over checked separators, shortest first: the match that ends first wins. */
    private byte[] until(byte[][] seps) {
        int minSeplen = seps[0].length;
        int maxSeplen = seps[seps.length - 1].length;
        checkException();
        int offset = 0;
        int matchStart;
        int matchEnd;
        for (;;) {
            int buflen = buffer.readableBytes();
            if (buflen - offset >= minSeplen) {
                matchStart = -1;
                matchEnd = -1;
                for (byte[] sep : seps) {
                    int isep = indexOf(sep, offset);
                    if (isep != -1) {
                        int end = isep + sep.length;
                        if (matchEnd == -1 || end < matchEnd) {
                            matchEnd = end;
                            matchStart = isep;
                        }
                    }
                }
                if (matchEnd != -1) {
                    break;
                }
                offset = Math.max(0, buflen + 1 - maxSeplen);
                if (offset > limit) {
                    throw new LimitOverrunError("Separator is not found, and chunk exceed the limit", offset);
                }
            }
            if (eof) {
                byte[] chunk = take(buflen);
                throw new IncompleteReadError(chunk, null);
            }
            waitForData("readuntil");
            checkException();
        }
        if (matchStart > limit) {
            throw new LimitOverrunError("Separator is found, but chunk is longer than limit", matchStart);
        }
        byte[] chunk = take(matchEnd);
        maybeResumeTransport();
        return chunk;
    }

    /** Where {@code sep} starts in the unread bytes, searching from {@code from}; -1 if nowhere. */
    private int indexOf(byte[] sep, int from) {
        int base = buffer.readerIndex();
        int end = buffer.writerIndex();
        byte first = sep[0];
        int i = base + from;
        while (i <= end - sep.length) {
            int at = buffer.indexOf(i, end - sep.length + 1, first);
            if (at < 0) {
                return -1;
            }
            boolean match = true;
            for (int k = 1; k < sep.length; k++) {
                if (buffer.getByte(at + k) != sep[k]) {
                    match = false;
                    break;
                }
            }
            if (match) {
                return at - base;
            }
            i = at + 1;
        }
        return -1;
    }

    /**
     * Reads exactly {@code n} bytes (Python's {@code readexactly}).
     *
     * @throws IncompleteReadError if the stream ends first; its {@link IncompleteReadError#partial()}
     *         holds (and consumes) the bytes that were left
     * @throws IllegalArgumentException if {@code n < 0}
     */
    public byte[] readexactly(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("readexactly size can not be less than zero");
        }
        checkException();
        if (n == 0) {
            return EMPTY;
        }
        while (buffer.readableBytes() < n) {
            if (eof) {
                byte[] incomplete = take(buffer.readableBytes());
                throw new IncompleteReadError(incomplete, n);
            }
            waitForData("readexactly");
            checkException();
        }
        byte[] data = take(n);
        maybeResumeTransport();
        return data;
    }

    /**
     * The lines of the stream, read with {@link #readline()} as they are iterated, until the end:
     * Python's {@code async for line in reader}. {@code hasNext()} suspends the task.
     */
    @Override
    public Iterator<byte[]> iterator() {
        return new Iterator<>() {
            private byte[] next;

            @Override
            public boolean hasNext() {
                if (next == null) {
                    next = readline();
                }
                return next.length > 0;
            }

            @Override
            public byte[] next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("end of stream");
                }
                byte[] l = next;
                next = null;
                return l;
            }
        };
    }

    /**
     * What Python's repr shows, in its order, each part only when it applies:
     * {@code StreamReader[4 bytes, eof, limit=123, waiter=..., exception=..., transport=..., paused]};
     * {@code StreamReader[]} for a new reader.
     */
    @Override
    public String toString() {
        List<String> info = new ArrayList<>();
        if (buffer.readableBytes() > 0) {
            info.add(buffer.readableBytes() + " bytes");
        }
        if (eof) {
            info.add("eof");
        }
        if (limit != DEFAULT_LIMIT) {
            info.add("limit=" + limit);
        }
        if (waiter != null) {
            info.add("waiter=" + waiter);
        }
        if (exception != null) {
            info.add("exception=" + exception);
        }
        if (transport != null) {
            info.add("transport=" + transport);
        }
        if (paused) {
            info.add("paused");
        }
        return "StreamReader[" + String.join(", ", info) + "]";
    }
}
