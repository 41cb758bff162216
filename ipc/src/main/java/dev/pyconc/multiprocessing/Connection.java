package dev.pyconc.multiprocessing;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.Arrays;

import dev.pyconc.builtins.BrokenPipeError;
import dev.pyconc.builtins.EOFError;
import dev.pyconc.builtins.OSError;
import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.core.internal.Timeouts;
import dev.pyconc.ipc.internal.codec.GrowableBuffer;
import dev.pyconc.ipc.internal.codec.StandardFormat;
import dev.pyconc.ipc.internal.ring.DirectItems;
import dev.pyconc.ipc.internal.ring.MpmcRing;
import dev.pyconc.ipc.internal.ring.PipeDescriptor;
import dev.pyconc.ipc.internal.ring.RingDescriptor;
import dev.pyconc.ipc.internal.shm.HeaderDescriptor;
import dev.pyconc.ipc.internal.shm.Holders;
import dev.pyconc.ipc.internal.shm.InFlight;
import dev.pyconc.ipc.internal.shm.Liveness;
import dev.pyconc.ipc.internal.shm.ProcessId;
import dev.pyconc.ipc.internal.shm.References;
import dev.pyconc.ipc.internal.shm.Segments;
import dev.pyconc.ipc.internal.shm.Words;
import dev.pyconc.ipc.internal.sync.WaitEngine;

/**
 * One end of a pipe between processes, Python's {@code multiprocessing.connection.Connection}:
 * {@link Multiprocessing#pipe()} makes the two ends, and an end travels to a child process as an
 * argument. Objects are sent whole ({@link #send} / {@link #recv}, encoded by
 * {@link Codec#standard()}), and so are raw byte messages ({@link #sendBytes} / {@link #recvBytes}).
 *
 * <pre> {@code
 * var pipe = Multiprocessing.pipe();
 * Connection parent = pipe.conn1(), child = pipe.conn2();
 * new Process(() -> { child.send("ping"); child.close(); }).start();
 * System.out.println(parent.recv());      // ping
 * parent.recv();                          // EOFError: the child closed its end
 * }</pre>
 *
 * <p>Each direction is a ring of 1 MiB in shared memory; a message larger than a quarter of it
 * travels in a segment of its own, removed once received. A send returns once the message is in
 * shared memory; it waits only while the ring is full. A receive waits (spinning briefly, then
 * asleep on a futex) until a message is there, or throws {@link EOFError} once nothing is left
 * and the other end was closed or its process ended; a sender killed while sending leaves no
 * part of its message behind, so the receiver sees end of file, never a mis-framed message.
 * Sending to an end that was closed, or whose process ended, throws {@link BrokenPipeError}.
 * An end stays open while any live process has an object for it, as a Python end stays open
 * while a process holds its file descriptor: the end's marks are those of the last process that
 * received it (or created it), and once that process has ended, the checks below ask whether an
 * earlier holder still has an object open (a /proc read per holder) before they call it closed.
 *
 * <p>A peer's death is seen as Python's pipes see it: every send checks, before it puts its
 * message in the ring, that the other end is still open, and the first send that starts after the
 * other end's process has ended (killed with kill -9 included; a zombie not yet reaped has ended)
 * throws {@link BrokenPipeError}; a receive gives {@link EOFError} once the messages sent before
 * the death are taken. On Linux the ending process's kernel marks its end in shared memory (see
 * {@code Liveness}), so the check reads two words of shared memory and makes no system call.
 * What is lost, as with Python's pipes: the messages the dead reader had not received; and a
 * send that raced the death (its check came just before the reader's process ended) returns
 * normally although nobody will read its message: at most one such message per thread sending
 * at that moment. Where the other end's process cannot be marked (off Linux, without native
 * access in that process, when one process holds more than 2,000 ends, or more than 8 processes
 * hold one end at once), its death is seen only by a send that finds the ring full, or a receive
 * that waits, within one check interval (2 to 22 ms): until then sends are accepted, up to the
 * ring's 1 MiB, and lost.
 *
 * <p>Unlike Python's, a connection may be used by several threads at once: each message is sent
 * and received whole. {@link #close()} closes this object; the end closes for the peer when no
 * object or handle in flight is left for it, and when neither end has one left the pipe's segment
 * is removed at once (the garbage collector is not needed). An object that is never closed closes
 * when it is collected or when its JVM exits, as Python's does. A handle sent inside a message that
 * never arrives (left in a queue nobody reads) keeps its end open until the sender's process ends.
 *
 * <p>Memory consistency effects: actions in a thread prior to sending a message
 * <i>happen-before</i> actions subsequent to its receipt in any process. See
 * <a href="package-summary.html#MemoryVisibility">Memory Visibility</a>.
 */
public final class Connection implements AutoCloseable, Serializable {
    /*
     * Overview. A pipe is one segment (PipeDescriptor): a line per end (owner, references, the
     * owner's liveness slot, holders), a table of liveness slots per end, and a ring (MpmcRing) per
     * direction; end e reads the ring "to e" and writes the ring "to 1-e". The rings' stop
     * condition is the peer's end closing, checked by every send before it appends and by a
     * receive that finds the ring empty:
     *
     *   references <= 0                                  one volatile load      closed
     *   the owner's slot is marked OWNER_DIED, and       two volatile loads,    its process ended,
     *   no other live process holds the end              then /proc reads       and all holders did
     *   (when a wait stalls) only processes that ended   /proc reads            all holders ended
     *   hold the end
     *
     * The owner is the last process that received the end; an earlier holder (the parent that
     * passed it on, as Python's parent keeps its descriptor) keeps it open after the owner ended.
     *
     * The mark is how a send learns of a reader killed before the ring fills: each object that
     * opens an end (creating the pipe or receiving the end) claims a slot of the end's table
     * (Liveness: the kernel marks it when the process ends) and publishes its number in the end's
     * line with its identity. The alternatives, a system call per send (poll of a pidfd,
     * kill(pid, 0)) or one per interval, cost 1.4 to 4 us on the development VM against a send of
     * well under 1 us, or lose the interval's sends; Liveness's overview has the figures. The
     * /proc check stays for owners without a mark. The mark's only window is the one between a
     * send's check and its append: the reader may die in it, and that message is accepted and
     * lost (one per sending thread).
     *
     * Lifetime (References, Holders): each Connection object holds one reference of its end and
     * counts one for its process in the end's holders; it gives both back once (EndRelease,
     * through References.Held), by close() or at the collection of an object never closed, then
     * releases its liveness claim and ends its own mapping, in that order (the kernel must never
     * follow a robust-list link into unmapped memory). A handle counts one more reference and one
     * in flight, which the receiving object adopts, or which InFlight gives back if the message
     * carrying it does not go out. Whoever leaves both ends closed discards what the rings still
     * hold (decoding it, so that handles among the messages give theirs back) and removes the
     * segment. close() wakes every waiter of both rings so that the peer looks again. `closed` is
     * this object's flag, guarded by `this`.
     */
    @Serial
    private static final long serialVersionUID = 1L;

    /** Data bytes of each direction's ring. */
    static final long CAPACITY = 1L << 20;

    private static final ThreadLocal<MpmcRing.Received> RECEIVED = ThreadLocal.withInitial(MpmcRing.Received::new);
    private static final MpmcRing.Direct STANDARD_ITEMS = DirectItems.decoderFor(StandardFormat.DEFAULT);
    private static final byte[] NO_HEAD = {};

    private final transient Segments.Mapped mapped;
    private final transient MemorySegment memory;
    private final transient int end;
    private final transient MpmcRing in;      // null unless readable
    private final transient MpmcRing out;     // null unless writable
    private final transient MpmcRing.Stop peerGone;
    private final transient References.Held reference;    // this object's reference: given back once
    private transient boolean closed;

    private Connection(Segments.Mapped mapped, int end, MpmcRing in, MpmcRing out, Liveness.Claim claim,
            boolean received) {
        this.mapped = mapped;
        this.memory = mapped.memory();
        this.end = end;
        this.in = in;
        this.out = out;
        long holders = line(end) + PipeDescriptor.HOLDERS;
        Holders.open(memory, holders);
        if (received) {
            Holders.received(memory, holders);
        }
        this.reference = References.hold(this, new EndRelease(mapped, end, in, out, claim));
        long peer = line(1 - end);
        long peerSlots = HeaderDescriptor.BODY + PipeDescriptor.slots(1 - end);
        this.peerGone = stalled -> {
            if (Words.getIntVolatile(memory, peer + PipeDescriptor.REFS) <= 0) {
                return true;
            }
            if (Liveness.ended(memory, peerSlots, PipeDescriptor.SLOTS,
                    Words.getIntVolatile(memory, peer + PipeDescriptor.OWNER_SLOT))) {
                return Holders.unused(memory, peer + PipeDescriptor.HOLDERS);   // an earlier holder may still have it
            }
            return stalled && endClosed(memory, 1 - end);
        };
    }

    /** Where end {@code e}'s line is in the segment. */
    private static long line(int e) {
        return HeaderDescriptor.BODY + PipeDescriptor.end(e);
    }

    /**
     * Whether end {@code e} is closed for good: no reference is left, or only processes that ended
     * hold it (a /proc read each). Whether its owner ended (its slot marked, or its process gone)
     * does not decide it: an earlier holder may still have an object for it.
     */
    private static boolean endClosed(MemorySegment memory, int e) {
        long line = line(e);
        if (Words.getIntVolatile(memory, line + PipeDescriptor.REFS) <= 0) {
            return true;
        }
        return Holders.unused(memory, line + PipeDescriptor.HOLDERS);
    }

    /** The two ends of a new pipe; see {@link Multiprocessing#pipe(boolean)}. */
    static Pair pipe(boolean duplex) {
        GilRuntime.checkpoint();
        long cap = CAPACITY;
        Segments.Mapped mapped = Segments.createReleasedByClose(HeaderDescriptor.PIPE, PipeDescriptor.length(cap, duplex), mem -> {
            long body = HeaderDescriptor.BODY;
            MpmcRing.init(mem, body + PipeDescriptor.ringTo(0, cap), cap, 0);
            if (duplex) {
                MpmcRing.init(mem, body + PipeDescriptor.ringTo(1, cap), cap, 0);
            }
            for (int e = 0; e < 2; e++) {
                Words.putLong(mem, body + PipeDescriptor.end(e) + PipeDescriptor.OWNER, ProcessId.SELF);
                Words.putInt(mem, body + PipeDescriptor.end(e) + PipeDescriptor.REFS, 1);
            }
            Words.putInt(mem, body + PipeDescriptor.DUPLEX, duplex ? 1 : 0);
        });
        return new Pair(open(mapped, 0, false), open(Segments.mapAgain(mapped), 1, false));
    }

    /** This process's object for end {@code end} of the pipe in {@code mapped}. */
    private static Connection open(Segments.Mapped mapped, int end, boolean received) {
        MemorySegment mem = mapped.memory();
        long body = HeaderDescriptor.BODY;
        String what = "pipe segment '" + mapped.name() + "'";
        int duplex = Words.getInt(mem, body + PipeDescriptor.DUPLEX);
        if (duplex != 0 && duplex != 1) {
            throw new IllegalStateException(what + " is corrupt: duplex flag " + duplex);
        }
        MpmcRing to0 = new MpmcRing(mem, body + PipeDescriptor.RING_TO_0, what);
        MpmcRing to1 = duplex == 1 ? new MpmcRing(mem, body + PipeDescriptor.ringTo(1, to0.capacity()), what) : null;
        MpmcRing in = end == 0 ? to0 : to1;
        MpmcRing out = end == 0 ? to1 : to0;
        Liveness.Claim claim = Liveness.claim(mapped, body + PipeDescriptor.slots(end), PipeDescriptor.SLOTS);
        long line = body + PipeDescriptor.end(end);
        if (received) {
            Words.putLongVolatile(mem, line + PipeDescriptor.OWNER, ProcessId.SELF);
        }
        Words.putIntVolatile(mem, line + PipeDescriptor.OWNER_SLOT, claim.number());
        Connection c = new Connection(mapped, end, in, out, claim, received);
        if (received) {
            InFlight.opened(c::close);
        }
        return c;
    }

    /**
     * The two ends that {@link Multiprocessing#pipe()} returns, named as in Python's
     * {@code conn1, conn2 = Pipe()}: with a one-way pipe, {@code conn1} only receives and
     * {@code conn2} only sends.
     *
     * <p>Memory consistency effects: none of its own.
     *
     * @param conn1 the first end
     * @param conn2 the second end
     */
    public record Pair(Connection conn1, Connection conn2) {}

    // ---------------------------------------------------------------- sending

    /**
     * Sends {@code obj}, encoded by {@link Codec#standard()}, waiting while the pipe is full.
     *
     * @throws PicklingError   if it cannot be encoded (nothing is sent)
     * @throws BrokenPipeError if the other end was closed or its process ended
     * @throws OSError         if this object was closed, or is the receiving end of a one-way pipe
     */
    public void send(Object obj) {
        GilRuntime.checkpoint();
        checkWritable();
        byte[] bytes = DirectItems.bytesItem(StandardFormat.DEFAULT, obj);
        if (bytes != null) {
            offer(DirectItems.BYTES_HEAD, bytes, 0, bytes.length);
            return;
        }
        int mark = InFlight.begin();
        boolean sent = false;
        GrowableBuffer buffer = null;
        try {
            buffer = StandardCodec.encodeToBuffer(Codec.standard(), obj);
            offer(NO_HEAD, buffer.array(), 0, (int) buffer.size());
            sent = true;
        } finally {
            if (buffer != null) {
                buffer.reset();
            }
            InFlight.end(mark, sent);
        }
    }

    /** Sends all of {@code buf} as one message of raw bytes. */
    public void sendBytes(byte[] buf) {
        if (buf == null) {
            throw new IllegalArgumentException("buf must not be null");
        }
        sendBytes(buf, 0, buf.length);
    }

    /**
     * Sends {@code length} bytes of {@code buf} from {@code offset} as one message of raw bytes.
     *
     * @throws IllegalArgumentException if the range does not lie within {@code buf}
     * @throws BrokenPipeError          if the other end was closed or its process ended
     */
    public void sendBytes(byte[] buf, int offset, int length) {
        GilRuntime.checkpoint();
        if (buf == null) {
            throw new IllegalArgumentException("buf must not be null");
        }
        if (offset < 0 || length < 0 || length > buf.length - offset) {
            throw new IllegalArgumentException("offset " + offset + " and length " + length
                    + " do not lie within a buffer of " + buf.length + " bytes");
        }
        checkWritable();
        offer(NO_HEAD, buf, offset, length);
    }

    private void offer(byte[] head, byte[] data, int offset, int length) {
        int r = out.offer(head, data, offset, length, WaitEngine.FOREVER, peerGone);
        if (r != MpmcRing.DONE) {
            throw new BrokenPipeError(peerGoneMessage());
        }
    }

    /** Why the other end is no longer open: closed, or its process (named) ended. */
    private String peerGoneMessage() {
        long peer = HeaderDescriptor.BODY + PipeDescriptor.end(1 - end);
        String which = in == null ? "the reading end" : out == null ? "the sending end" : "the other end";
        String what = which + " of pipe '" + mapped.name() + "'";
        if (Words.getIntVolatile(memory, peer + PipeDescriptor.REFS) <= 0) {
            return what + " was closed";
        }
        long owner = Words.getLongVolatile(memory, peer + PipeDescriptor.OWNER);
        return what + " is gone: its process (pid " + ProcessId.pid(owner) + ") has ended";
    }

    // ---------------------------------------------------------------- receiving

    /**
     * Receives the next object sent with {@link #send}, waiting for it.
     *
     * @throws EOFError        if nothing is left and the other end was closed or its process ended
     * @throws UnpicklingError if the message is not a valid encoded object
     * @throws OSError         if this object was closed, or is the sending end of a one-way pipe
     */
    public Object recv() {
        MpmcRing.Received r = take(STANDARD_ITEMS);
        try {
            Object v = r.value();
            return v != MpmcRing.Received.NONE ? v : Codec.standard().decode(r.bytes(), 0, r.length());
        } finally {
            r.release();
        }
    }

    /** Receives the next message as raw bytes, waiting for it; throws {@link EOFError} at end of file. */
    public byte[] recvBytes() {
        MpmcRing.Received r = take(DirectItems.RAW);
        try {
            return (byte[]) r.value();
        } finally {
            r.release();
        }
    }

    /**
     * Receives the next message as raw bytes, if it has at most {@code maxLength} bytes.
     *
     * @throws BufferTooShort           if it is longer (the exception holds the whole message)
     * @throws IllegalArgumentException if {@code maxLength} is negative
     */
    public byte[] recvBytes(int maxLength) {
        if (maxLength < 0) {
            throw new IllegalArgumentException("maxLength must not be negative: " + maxLength);
        }
        byte[] message = recvBytes();
        if (message.length > maxLength) {
            throw new BufferTooShort(message, maxLength);
        }
        return message;
    }

    /** As {@link #recvBytesInto(byte[], int)} at offset 0. */
    public int recvBytesInto(byte[] buf) {
        return recvBytesInto(buf, 0);
    }

    /**
     * Receives the next message into {@code buf} from {@code offset}; returns its length.
     *
     * @throws BufferTooShort if it does not fit (the exception holds the whole message)
     */
    public int recvBytesInto(byte[] buf, int offset) {
        if (buf == null) {
            throw new IllegalArgumentException("buf must not be null");
        }
        if (offset < 0 || offset > buf.length) {
            throw new IllegalArgumentException("offset " + offset + " is outside a buffer of " + buf.length + " bytes");
        }
        int room = buf.length - offset;
        MpmcRing.Received r = take((m, at, length) -> {
            if (length > room) {
                return MpmcRing.Received.NONE;      // copied out, for BufferTooShort
            }
            MemorySegment.copy(m, ValueLayout.JAVA_BYTE, at, buf, offset, length);
            return buf;
        });
        try {
            int n = r.length();
            if (r.value() == MpmcRing.Received.NONE) {
                throw new BufferTooShort(Arrays.copyOf(r.bytes(), n), room);
            }
            return n;
        } finally {
            r.release();
        }
    }

    /** Takes the next message, letting {@code direct} decode it straight from the ring where it will. */
    private MpmcRing.Received take(MpmcRing.Direct direct) {
        GilRuntime.checkpoint();
        checkReadable();
        MpmcRing.Received r = RECEIVED.get();
        r.direct(direct);
        if (in.poll(WaitEngine.FOREVER, peerGone, r) != MpmcRing.DONE) {
            throw new EOFError(peerGoneMessage());
        }
        return r;
    }

    /** Whether a message (or end of file) can be received without waiting. */
    public boolean poll() {
        GilRuntime.checkpoint();
        checkReadable();
        return in.available() || peerGone.stopped(true);
    }

    /**
     * Waits at most {@code timeout} until a message (or end of file) can be received.
     *
     * @return whether it can; {@code false} on timeout
     */
    public boolean poll(Duration timeout) {
        long nanos = Timeouts.toNanos(timeout);
        GilRuntime.checkpoint();
        checkReadable();
        return in.awaitAvailable(nanos, peerGone) || peerGone.stopped(true);
    }

    // ---------------------------------------------------------------- state

    /** Whether this object can receive (false for the sending end of a one-way pipe). */
    public boolean readable() {
        return in != null;
    }

    /** Whether this object can send (false for the receiving end of a one-way pipe). */
    public boolean writable() {
        return out != null;
    }

    /** Whether {@link #close()} was called on this object. */
    public synchronized boolean closed() {
        return closed;
    }

    /**
     * Closes this object and ends its mapping; when no other object or handle in flight is left for
     * its end, the peer receives {@link EOFError} after the messages already sent, and its sends
     * fail with {@link BrokenPipeError}; when neither end has one left, the pipe's segment is
     * removed. Closing twice does nothing.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        reference.release();
    }

    /**
     * Gives back one reference of end {@code end} and wakes every waiter of both rings, so that the
     * peer looks again; when both ends are closed, discards what the rings hold and removes the
     * segment. For an object's own reference (with its liveness {@code claim}), then releases the
     * claim and ends the object's mapping; a handle's reference given back ({@code claim} null)
     * leaves both to its object.
     */
    private record EndRelease(Segments.Mapped mapped, int end, MpmcRing in, MpmcRing out, Liveness.Claim claim)
            implements Runnable {
        @Override
        public void run() {
            boolean object = claim != null;
            try {
                giveBack(object);
            } finally {
                if (object) {
                    try {
                        claim.release();          // before the unmap: the kernel follows its link
                    } finally {
                        Segments.unmap(mapped);
                    }
                }
            }
        }

        private void giveBack(boolean object) {
            MemorySegment memory = mapped.memory();
            long line = line(end);
            References.release(memory, line + PipeDescriptor.REFS);
            if (object) {
                Holders.close(memory, line + PipeDescriptor.HOLDERS);
            } else {
                Holders.unsent(memory, line + PipeDescriptor.HOLDERS);
            }
            boolean last = endClosed(memory, end) && endClosed(memory, 1 - end);
            if (in != null) {
                in.wakeAll();
            }
            if (out != null) {
                out.wakeAll();
            }
            if (last) {
                try {
                    InFlight.closeReceived(() -> {
                        for (MpmcRing ring : new MpmcRing[] {in, out}) {
                            if (ring != null) {
                                RingQueue.decodeLeftovers(ring, Codec.standard());
                            }
                        }
                    });
                    if (in != null) {
                        in.discard();
                    }
                    if (out != null) {
                        out.discard();
                    }
                } catch (RuntimeException e) {
                    org.slf4j.LoggerFactory.getLogger(Connection.class)
                            .warn("{}: the messages left could not be discarded: {}", mapped.name(), e.getMessage());
                } finally {
                    Segments.remove(mapped);
                }
            }
        }
    }

    private void checkReadable() {
        if (closed()) {
            throw new OSError("handle is closed");
        }
        if (in == null) {
            throw new OSError("connection is write-only");
        }
    }

    private void checkWritable() {
        if (closed()) {
            throw new OSError("handle is closed");
        }
        if (out == null) {
            throw new OSError("connection is read-only");
        }
    }

    /** The name of the pipe's segment (for tests and messages). */
    String segmentName() {
        return mapped.name();
    }

    @Override
    public String toString() {
        return "Connection[" + mapped.name() + ", end " + end + (readable() ? ", readable" : "")
                + (writable() ? ", writable" : "") + (closed() ? ", closed" : "") + "]";
    }

    @Serial
    private Object writeReplace() {
        if (closed()) {
            throw new OSError("handle is closed: a closed connection cannot be sent");
        }
        References.retain(memory, line(end) + PipeDescriptor.REFS, "end " + end + " of pipe '" + mapped.name() + "'");
        Holders.sent(memory, line(end) + PipeDescriptor.HOLDERS);
        InFlight.taken(new EndRelease(mapped, end, in, out, null));
        return new Handle(mapped.name(), end);
    }

    @Serial
    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("a Connection travels as its handle");
    }

    /** What a serialized end is: its pipe's segment and which end; it counts as one reference in flight. */
    private record Handle(String segment, int end) implements Serializable {
        @Serial
        private Object readResolve() throws InvalidObjectException {
            if (end != 0 && end != 1) {
                throw new InvalidObjectException("a pipe has ends 0 and 1, not " + end);
            }
            Segments.Mapped mapped = Segments.attachReleasedByClose(segment, PipeDescriptor.RING_TO_0 + RingDescriptor.DATA,
                    HeaderDescriptor.PIPE);
            try {
                return open(mapped, end, true);
            } catch (RuntimeException e) {
                new EndRelease(mapped, end, null, null, null).run();    // refused here (corrupt): its hold goes back
                Segments.unmap(mapped);
                throw e;
            }
        }
    }
}
