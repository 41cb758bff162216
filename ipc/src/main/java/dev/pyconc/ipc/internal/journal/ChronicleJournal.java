package dev.pyconc.ipc.internal.journal;

import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.values.LongValue;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import dev.pyconc.ipc.internal.codec.GrowableBuffer;
import dev.pyconc.ipc.internal.codec.ItemDecoder;
import dev.pyconc.multiprocessing.PicklingError;
import dev.pyconc.multiprocessing.UnpicklingError;

/**
 * The only class of pyconc that touches Chronicle Queue: a journal directory opened for one
 * consumer group. {@code JournalQueue} reaches it only when a journal is opened, so nothing else
 * in ipc loads a Chronicle class.
 */
public final class ChronicleJournal implements AutoCloseable {
    /*
     * Overview.
     *
     * Items are Chronicle documents whose bytes are exactly one encoded item (WireFormat for the
     * standard codec). Appending is Chronicle's: the appender takes the queue's cross-process
     * write lock, writes the header as "not complete", the bytes, then completes the header with
     * an ordered write, so a reader never sees a partial document. A writer killed in the middle
     * leaves an incomplete header and a lock naming a dead process: Chronicle's next appender
     * breaks the lock of the dead PID and recovers the header, and readers then pass it.
     *
     * Consumer groups. Each group has one 64-bit cursor in the queue's metadata table store
     * (metadata.cq4t, memory-mapped, shared by every process that opens the directory), reached
     * through ChronicleQueue.indexForId("pyconc.group.<name>"). The cursor holds the index that
     * the group takes next; 0, the table store's initial value, means "the first item of the
     * journal" (no real index is below the first). To take an item:
     *
     *     c = cursor (volatile read)
     *     position this handle's tailer at c (toStart for 0; moveToIndex otherwise; when c is one
     *         past the last item of the queue there is nothing to take yet; when it is one past
     *         the last item of a cycle, moveToIndex(c - 1) and read past that item)
     *     read the next document: none -> the group has nothing to take; an index below c ->
     *         the tailer was left behind (moveToIndex of an end position): skip it, read on
     *     CAS cursor c -> index + 1: success -> the item is this consumer's; failure -> another
     *         consumer (thread or process) took it: repeat from the new cursor
     *
     * The CAS is made while the document is held, and the bytes are decoded only after it
     * succeeded, so an item goes to exactly one consumer of the group, every group sees every
     * item, and a consumer killed at any point before its CAS loses nothing for the group. index
     * + 1 is a valid cursor also for the last item of a cycle: moveToIndex then puts the tailer at
     * the cycle's end, and the next read moves into the next cycle. The tailer and appender are
     * not thread-safe: readLock guards the tailer and the per-handle cursor position, appendLock
     * the appender.
     *
     * Access modes: the cursor is read with getVolatileValue and changed only with
     * compareAndSwapValue or setVolatileValue (seek); both are atomic operations on the mapped
     * table store, so they order the same way in every process.
     */

    private static final String GROUP_KEY_PREFIX = "pyconc.group.";
    private static final long NOT_POSITIONED = Long.MIN_VALUE;

    private final SingleChronicleQueue queue;
    private final LongValue cursor;
    private final ReentrantLock appendLock = new ReentrantLock();
    private final ReentrantLock readLock = new ReentrantLock();
    private ExcerptAppender appender;        // guarded by appendLock; made on first append
    private ExcerptTailer tailer;            // guarded by readLock; made on first take
    private long tailerAt = NOT_POSITIONED;  // guarded by readLock: the cursor value the tailer is at
    private byte[] readBuffer = new byte[256]; // guarded by readLock

    private ChronicleJournal(SingleChronicleQueue queue, LongValue cursor) {
        this.queue = queue;
        this.cursor = cursor;
    }

    /** Opens (creating if needed) the journal in {@code directory} for {@code group}. */
    public static ChronicleJournal open(Path directory, String group, long blockSize) {
        JournalFlags.checkAccess(net.openhft.chronicle.core.OS.class.getModule());
        SingleChronicleQueueBuilder builder = SingleChronicleQueueBuilder.single(directory.toFile());
        if (blockSize > 0) {
            builder.blockSize(blockSize);
        }
        SingleChronicleQueue queue = builder.build();
        try {
            LongValue cursor = queue.indexForId(GROUP_KEY_PREFIX + group);
            return new ChronicleJournal(queue, cursor);
        } catch (RuntimeException e) {
            queue.close();
            throw e;
        }
    }

    /** Appends the item in {@code buffer}; returns its index. */
    public long append(GrowableBuffer buffer) {
        appendLock.lock();
        try {
            if (appender == null) {
                appender = queue.createAppender();
                appender.singleThreadedCheckDisabled(true);   // confined by appendLock instead
            }
            long size = buffer.size();
            if (size > maxItemBytes()) {
                throw tooLarge(size);
            }
            try (DocumentContext dc = appender.writingDocument()) {
                Bytes<?> bytes = dc.wire().bytes();
                if (bytes.writeRemaining() < size) {
                    dc.rollbackOnClose();
                    throw tooLarge(size);
                }
                bytes.write(buffer.array(), 0, (int) size);
            }
            return appender.lastIndexAppended();
        } finally {
            appendLock.unlock();
        }
    }

    /** The largest item this journal stores: Chronicle takes documents of up to a quarter of its block size. */
    public long maxItemBytes() {
        return queue.blockSize() / 4;
    }

    private PicklingError tooLarge(long size) {
        return new PicklingError("cannot put an item of " + size + " bytes: this journal stores items of up to "
                + maxItemBytes() + " bytes (a quarter of its block size, " + queue.blockSize()
                + "); open it with JournalQueue.builder(dir).blockSize(...) of at least " + Long.highestOneBit(size * 4 - 1) * 2);
    }

    /** What {@link #take} returns when the group has nothing to take now. */
    public static final Object NOTHING = new Object();

    /** The index of the item that the last successful {@link #take} returned; guarded by readLock. */
    private long lastTaken = -1;

    /**
     * Takes the group's next item and decodes it with {@code decoder}, the decode of the codec
     * whose class is {@code codecName} (for messages), or returns {@link #NOTHING}. A decoding
     * error is thrown after the item was taken, so the group moves past it.
     */
    public Object take(ItemDecoder decoder, String codecName) {
        readLock.lock();
        try {
            if (tailer == null) {
                tailer = queue.createTailer();
                tailer.singleThreadedCheckDisabled(true);     // confined by readLock instead
            }
            for (;;) {
                long c = cursor.getVolatileValue();
                if (c != tailerAt && !position(c)) {
                    return NOTHING;
                }
                int length;
                long index;
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        tailerAt = c;
                        return NOTHING;
                    }
                    index = dc.index();
                    if (index < c) {
                        tailerAt = c;       // the tailer is behind the cursor: skip what others took
                        continue;
                    }
                    tailerAt = index + 1;
                    if (!cursor.compareAndSwapValue(c, index + 1)) {
                        continue;       // another consumer of the group took it
                    }
                    Bytes<?> bytes = dc.wire().bytes();
                    long remaining = bytes.readRemaining();
                    if (remaining > Integer.MAX_VALUE - 64) {
                        throw new UnpicklingError("journal item at index " + index + " has " + remaining
                                + " bytes, more than an item may have");
                    }
                    length = (int) remaining;
                    if (readBuffer.length < length) {
                        readBuffer = new byte[Math.max(length, readBuffer.length * 2)];
                    }
                    bytes.read(readBuffer, 0, length);
                }
                lastTaken = index;
                byte[] buf = readBuffer;
                if (buf.length > GrowableBuffer.RETAIN_BYTES) {
                    readBuffer = new byte[256];
                }
                try {
                    return decoder.decode(buf, 0, length);
                } catch (UnpicklingError e) {
                    throw new UnpicklingError("journal item at index " + index + ": " + e.getMessage(),
                            e.rejectedClass(), e);
                } catch (RuntimeException e) {
                    throw new UnpicklingError("journal item at index " + index + ": the codec "
                            + codecName + " threw " + e, e);
                }
            }
        } finally {
            readLock.unlock();
        }
    }

    /**
     * Puts the tailer at cursor value {@code c}; false if there is nothing at or after it yet.
     * moveToIndex must only be trusted when it succeeds: after a failed call the tailer may report
     * indexes that do not match the documents it reads. It fails when c is one past the last item
     * of the queue (nothing to take yet: leave the tailer unpositioned) or one past the last item
     * of a cycle that has a successor (go to the item before, which exists, and read past it).
     */
    private boolean position(long c) {
        tailerAt = NOT_POSITIONED;
        if (c == 0) {
            tailer.toStart();
        } else if (!tailer.moveToIndex(c)) {
            if (queue.lastIndex() < c) {
                return false;
            }
            long before = c - 1;
            if (queue.rollCycle().toSequenceNumber(c) == 0 || !tailer.moveToIndex(before)) {
                throw new IllegalStateException("the journal in " + queue.file() + " has no item at index " + c
                        + " (group cursor) nor at the index before it: were its files removed or replaced?");
            }
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent() || dc.index() != before) {
                    throw new IllegalStateException("the journal in " + queue.file() + " cannot be read at index " + before);
                }
            }
        }
        tailerAt = c;
        return true;
    }

    /** The index of the item the last successful take of this handle returned, or -1. */
    public long lastTaken() {
        readLock.lock();
        try {
            return lastTaken;
        } finally {
            readLock.unlock();
        }
    }

    /** The index the group takes next, or the first index when the group has not started. */
    public long position() {
        long c = cursor.getVolatileValue();
        return c != 0 ? c : Math.max(0, firstIndex());
    }

    /** Sets the group's cursor so that its next take returns the item at {@code index} or the first after it. */
    public void seek(long index) {
        long first = firstIndex();
        long end = queue.lastIndex() + 1;
        if (first < 0 ? index != 0 : index < first || index > end) {
            throw new IllegalArgumentException("index " + index + " is not in the journal: its items run from "
                    + (first < 0 ? "(empty journal)" : first + " to " + (end - 1)) + "; seek to an index between them, or seekToEnd()");
        }
        cursor.setVolatileValue(first < 0 ? 0 : index);
    }

    /** Sets the group's cursor past the last item now in the journal. */
    public void seekToEnd() {
        long last = queue.lastIndex();
        cursor.setVolatileValue(last < 0 ? 0 : last + 1);
    }

    /** The number of items the group has not taken yet (a snapshot). */
    public long backlog() {
        long last = queue.lastIndex();
        if (last < 0) {
            return 0;
        }
        long from = position();
        if (from > last) {
            return 0;
        }
        return queue.countExcerpts(from, last + 1);
    }

    /** The index of the first item in the journal, or -1 if it has none. */
    public long firstIndex() {
        long first = queue.firstIndex();
        return first == Long.MAX_VALUE || queue.lastIndex() < 0 ? -1 : first;
    }

    /** The index of the last item in the journal, or -1 if it has none. */
    public long lastIndex() {
        long last = queue.lastIndex();
        return last < 0 ? -1 : last;
    }

    @Override
    public void close() {
        appendLock.lock();
        readLock.lock();
        try {
            if (tailer != null) {
                tailer.close();
            }
            if (appender != null) {
                appender.close();
            }
            cursor.close();
            queue.close();
        } finally {
            readLock.unlock();
            appendLock.unlock();
        }
    }
}
