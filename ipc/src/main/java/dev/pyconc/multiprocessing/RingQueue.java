package dev.pyconc.multiprocessing;

import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.core.internal.Timeouts;
import dev.pyconc.ipc.internal.codec.GrowableBuffer;
import dev.pyconc.ipc.internal.ring.DirectItems;
import dev.pyconc.ipc.internal.ring.MpmcRing;
import dev.pyconc.ipc.internal.ring.QueueDescriptor;
import dev.pyconc.ipc.internal.ring.RingDescriptor;
import dev.pyconc.ipc.internal.shm.HeaderDescriptor;
import dev.pyconc.ipc.internal.shm.Holders;
import dev.pyconc.ipc.internal.shm.InFlight;
import dev.pyconc.ipc.internal.shm.References;
import dev.pyconc.ipc.internal.shm.Segments;
import dev.pyconc.ipc.internal.sync.WaitEngine;
import dev.pyconc.queue.Empty;
import dev.pyconc.queue.Full;
import dev.pyconc.queue.ShutDown;

/**
 * What {@link Queue}, {@link JoinableQueue} and {@link SimpleQueue} share: the segment holding an
 * {@link MpmcRing}, the codec, and the translation of the ring's results into Python's
 * exceptions. One per queue object; the public classes delegate to it.
 */
final class RingQueue {
    /*
     * Overview. The segment is a pyconc header followed by one ring at HeaderDescriptor.BODY. put
     * encodes into the thread's GrowableBuffer first (a codec failure leaves the ring untouched),
     * then offers the bytes; get polls into the thread's Received array and decodes from it after
     * the ring's locks are released. A byte[] item of a standard codec skips both copies
     * (DirectItems): put offers its tag and the caller's array, get takes a new array straight
     * from the ring. `closed` is this object's own flag (Python's close() is per process), plain
     * volatile.
     *
     * Lifetime (Holders, QueueDescriptor): each RingQueue counts one object for its process when
     * it is made (create, or a handle received, which then stops counting in flight). handle()
     * counts one in flight and registers with InFlight what gives it back if the item carrying it
     * does not go out. close(), or the collection of an object never closed (References.Held),
     * gives the object's count back once and ends its mapping (each object maps the segment on
     * its own). The call that leaves the queue unused - nothing in flight, no live process with an
     * object open - discards the records left (removing their item segments) and removes the
     * segment. A process that ended holds nothing.
     */

    /** Default data bytes of a queue's ring. */
    static final long DEFAULT_CAPACITY = 1L << 20;

    /** Where a queue's holders region is in its segment. */
    private static final long HOLDERS = HeaderDescriptor.BODY + QueueDescriptor.HOLDERS;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RingQueue.class);
    private static final ThreadLocal<MpmcRing.Received> RECEIVED = ThreadLocal.withInitial(MpmcRing.Received::new);

    final Segments.Mapped mapped;
    final MpmcRing ring;
    final Codec<Object> codec;
    private final MpmcRing.Direct direct;     // takes byte[] items straight from the ring, or null
    private final String type;
    private final References.Held reference;      // this object's reference: given back once
    private volatile boolean closed;

    private RingQueue(Segments.Mapped mapped, Codec<Object> codec, String type, boolean fromHandle) {
        this.mapped = mapped;
        this.ring = new MpmcRing(mapped.memory(), HeaderDescriptor.BODY + QueueDescriptor.RING,
                "queue segment '" + mapped.name() + "'");
        this.codec = codec;
        this.direct = DirectItems.decoderFor(StandardCodec.formatOf(codec));
        this.type = type;
        Holders.open(mapped.memory(), HOLDERS);
        if (fromHandle) {
            Holders.received(mapped.memory(), HOLDERS);
        }
        this.reference = References.hold(this, new Release(mapped, ring, codec, true));
    }

    /**
     * Gives back an object's count ({@code object}: and ends its mapping) or a handle's in flight,
     * and removes the segment when that leaves the queue unused, with the items left: each is
     * decoded first, so that the handles among them give back what they hold.
     */
    private record Release(Segments.Mapped mapped, MpmcRing ring, Codec<Object> codec, boolean object) implements Runnable {
        @Override
        public void run() {
            try {
                MemorySegment m = mapped.memory();
                if (object ? Holders.close(m, HOLDERS) : Holders.unsent(m, HOLDERS)) {
                    try {
                        if (ring != null) {      // null: a handle refused for its corrupt ring
                            InFlight.closeReceived(() -> decodeLeftovers(ring, codec));
                            ring.discard();
                        }
                    } catch (RuntimeException e) {
                        LOG.warn("{}: the items left could not be discarded: {}", mapped.name(), e.getMessage());
                    } finally {
                        Segments.remove(mapped);
                    }
                }
            } finally {
                if (object) {
                    Segments.unmap(mapped);
                }
            }
        }
    }

    /**
     * Takes and decodes the items left in {@code ring}, which nobody will read, for the handles
     * among them (see {@link InFlight#closeReceived}); an item that cannot be decoded is dropped.
     */
    static void decodeLeftovers(MpmcRing ring, Codec<Object> codec) {
        MpmcRing.Received in = new MpmcRing.Received();
        while (ring.poll(0, null, in) == MpmcRing.DONE) {
            try {
                codec.decode(in.bytes(), 0, in.length());
            } catch (RuntimeException e) {
                LOG.debug("{}: an item left could not be decoded: {}", ring, e.getMessage());
            } finally {
                in.release();
            }
        }
    }

    /** A new queue in a new segment. */
    @SuppressWarnings("unchecked")
    static RingQueue create(int maxsize, long capacity, Codec<?> codec, String type) {
        if (maxsize < 0) {
            throw new IllegalArgumentException("maxsize must not be negative: " + maxsize);
        }
        RingDescriptor.checkCapacity(capacity);
        if (codec == null) {
            throw new IllegalArgumentException("codec must not be null (Codec.standard() is the default)");
        }
        Segments.Mapped mapped = Segments.createReleasedByClose(HeaderDescriptor.QUEUE, QueueDescriptor.length(capacity),
                mem -> MpmcRing.init(mem, HeaderDescriptor.BODY + QueueDescriptor.RING, capacity, maxsize));
        return new RingQueue(mapped, (Codec<Object>) codec, type, false);
    }

    /** Attaches the queue of segment {@code name}. */
    @SuppressWarnings("unchecked")
    /** The queue of a handle received: it adopts the reference the handle counted. */
    static RingQueue attach(String name, Codec<?> codec, String type) {
        Segments.Mapped mapped = Segments.attachReleasedByClose(name, QueueDescriptor.RING + RingDescriptor.DATA,
                HeaderDescriptor.QUEUE);
        RingQueue q;
        try {
            q = new RingQueue(mapped, codec == null ? (Codec<Object>) (Codec<?>) Codec.standard() : (Codec<Object>) codec,
                    type, true);
        } catch (RuntimeException e) {
            new Release(mapped, null, null, false).run();     // refused here (a corrupt ring): its hold goes back
            Segments.unmap(mapped);
            throw e;
        }
        InFlight.opened(q::close);
        return q;
    }

    void put(Object item, long nanos) {
        GilRuntime.checkpoint();
        checkOpen();
        byte[] bytes = DirectItems.bytesItem(StandardCodec.formatOf(codec), item);
        if (bytes != null) {
            offered(ring.offer(DirectItems.BYTES_HEAD, bytes, 0, bytes.length, nanos, null));
            return;
        }
        int mark = InFlight.begin();
        boolean sent = false;
        GrowableBuffer buffer = null;
        try {
            buffer = StandardCodec.encodeToBuffer(codec, item);
            offered(ring.offer(buffer.array(), (int) buffer.size(), nanos, null));
            sent = true;
        } finally {
            if (buffer != null) {
                buffer.reset();
            }
            InFlight.end(mark, sent);
        }
    }

    private static void offered(int result) {
        switch (result) {
            case MpmcRing.DONE -> { }
            case MpmcRing.SHUT_DOWN -> throw new ShutDown("put on a shut-down queue");
            default -> throw new Full();
        }
    }

    Object get(long nanos) {
        GilRuntime.checkpoint();
        checkOpen();
        MpmcRing.Received in = RECEIVED.get();
        in.direct(direct);
        int r = ring.poll(nanos, null, in);
        switch (r) {
            case MpmcRing.DONE -> {
                try {
                    Object v = in.value();
                    return v != MpmcRing.Received.NONE ? v : codec.decode(in.bytes(), 0, in.length());
                } finally {
                    in.release();
                }
            }
            case MpmcRing.SHUT_DOWN -> throw new ShutDown("get on a shut-down queue that is empty");
            default -> throw new Empty();
        }
    }

    static long nanos(Duration timeout) {
        return Timeouts.toNanos(timeout);
    }

    static long forever() {
        return WaitEngine.FOREVER;
    }

    int qsize() {
        checkOpen();
        return (int) Math.min(Integer.MAX_VALUE, ring.size());
    }

    int maxsize() {
        checkOpen();
        return ring.maxsize();
    }

    boolean full() {
        checkOpen();
        return ring.maxsize() > 0 && ring.size() >= ring.maxsize();
    }

    void shutdown(boolean immediate) {
        GilRuntime.checkpoint();
        checkOpen();
        ring.shutdown(immediate);
    }

    boolean isShutdown() {
        checkOpen();
        return ring.shutdownState() != RingDescriptor.OPEN;
    }

    void taskDone() {
        GilRuntime.checkpoint();
        checkOpen();
        ring.taskDone();
    }

    void join() {
        GilRuntime.checkpoint();
        checkOpen();
        ring.join();
    }

    /** Closes this object: it releases its reference, and the last reference removes the segment. */
    void close() {
        closed = true;
        reference.release();
    }

    boolean closed() {
        return closed;
    }

    void joinThread() {
        if (!closed) {
            throw new IllegalStateException(type + " is not closed: joinThread() may only be called after close()");
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(type + " is closed");
        }
    }

    @Override
    public String toString() {
        if (closed) {
            return type + "[" + mapped.name() + ", closed]";
        }
        return type + "[" + mapped.name() + ", qsize=" + qsize() + (ring.maxsize() > 0 ? ", maxsize=" + ring.maxsize() : "")
                + (isShutdown() ? ", shut down" : "") + "]";
    }

    /** What a serialized queue is: its segment, its codec (null for the standard one) and its class. */
    /**
     * The handle as which the queue travels; it counts a reference, which the queue made of it
     * adopts, or which is given back if the item carrying it does not go out (see InFlight).
     */
    Handle handle(int kind) {
        Codec<Object> c = codec == Codec.standard() ? null : codec;
        if (c != null && !(c instanceof Serializable)) {
            throw new PicklingError(type + " with codec " + c.getClass().getName() + " cannot travel to another process:"
                    + " the codec is not Serializable (make it Serializable, or give it to the queue there)");
        }
        if (closed) {
            throw new IllegalStateException(type + " is closed: a closed queue cannot travel to another process");
        }
        Holders.sent(mapped.memory(), HOLDERS);
        InFlight.taken(new Release(mapped, ring, codec, false));
        return new Handle(mapped.name(), c, kind);
    }

    static final int QUEUE = 0, JOINABLE = 1, SIMPLE = 2;

    /** A queue's handle: attaches in the receiving process. */
    record Handle(String segment, Codec<?> codec, int kind) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Serial
        private Object readResolve() {
            return switch (kind) {
                case QUEUE -> new Queue<>(attach(segment, codec, "Queue"));
                case JOINABLE -> new JoinableQueue<>(attach(segment, codec, "JoinableQueue"));
                case SIMPLE -> new SimpleQueue<>(attach(segment, codec, "SimpleQueue"));
                default -> throw new IllegalStateException("unknown queue kind " + kind);
            };
        }
    }
}
