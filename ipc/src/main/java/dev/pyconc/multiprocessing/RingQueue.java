package dev.pyconc.multiprocessing;

import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;

import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.core.internal.Timeouts;
import dev.pyconc.multiprocessing.internal.DirectItems;
import dev.pyconc.multiprocessing.internal.GrowableBuffer;
import dev.pyconc.multiprocessing.internal.HeaderDescriptor;
import dev.pyconc.multiprocessing.internal.MpmcRing;
import dev.pyconc.multiprocessing.internal.RingDescriptor;
import dev.pyconc.multiprocessing.internal.Segments;
import dev.pyconc.multiprocessing.internal.StandardCodec;
import dev.pyconc.multiprocessing.internal.WaitEngine;
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
     */

    /** Default data bytes of a queue's ring. */
    static final long DEFAULT_CAPACITY = 1L << 20;

    private static final ThreadLocal<MpmcRing.Received> RECEIVED = ThreadLocal.withInitial(MpmcRing.Received::new);

    final Segments.Mapped mapped;
    final MpmcRing ring;
    final Codec<Object> codec;
    private final MpmcRing.Direct direct;     // takes byte[] items straight from the ring, or null
    private final String type;
    private volatile boolean closed;

    private RingQueue(Segments.Mapped mapped, Codec<Object> codec, String type) {
        this.mapped = mapped;
        this.ring = new MpmcRing(mapped.memory(), HeaderDescriptor.BODY, "queue segment '" + mapped.name() + "'");
        this.codec = codec;
        this.direct = DirectItems.decoderFor(codec);
        this.type = type;
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
        Segments.Mapped mapped = Segments.create(HeaderDescriptor.QUEUE, RingDescriptor.length(capacity),
                mem -> MpmcRing.init(mem, HeaderDescriptor.BODY, capacity, maxsize));
        return new RingQueue(mapped, (Codec<Object>) codec, type);
    }

    /** Attaches the queue of segment {@code name}. */
    @SuppressWarnings("unchecked")
    static RingQueue attach(String name, Codec<?> codec, String type) {
        Segments.Mapped mapped = Segments.attach(name, RingDescriptor.DATA, HeaderDescriptor.QUEUE);
        return new RingQueue(mapped, codec == null ? (Codec<Object>) (Codec<?>) Codec.standard() : (Codec<Object>) codec, type);
    }

    void put(Object item, long nanos) {
        GilRuntime.checkpoint();
        checkOpen();
        byte[] bytes = DirectItems.bytesItem(codec, item);
        if (bytes != null) {
            offered(ring.offer(DirectItems.BYTES_HEAD, bytes, 0, bytes.length, nanos, null));
            return;
        }
        GrowableBuffer buffer = StandardCodec.encodeToBuffer(codec, item);
        try {
            offered(ring.offer(buffer.array(), (int) buffer.size(), nanos, null));
        } finally {
            buffer.reset();
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
        return (int) Math.min(Integer.MAX_VALUE, ring.size());
    }

    boolean full() {
        return ring.maxsize() > 0 && ring.size() >= ring.maxsize();
    }

    void shutdown(boolean immediate) {
        GilRuntime.checkpoint();
        ring.shutdown(immediate);
    }

    boolean isShutdown() {
        return ring.shutdownState() != RingDescriptor.OPEN;
    }

    void taskDone() {
        GilRuntime.checkpoint();
        ring.taskDone();
    }

    void join() {
        GilRuntime.checkpoint();
        ring.join();
    }

    void close() {
        closed = true;
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
        return type + "[" + mapped.name() + ", qsize=" + qsize() + (ring.maxsize() > 0 ? ", maxsize=" + ring.maxsize() : "")
                + (isShutdown() ? ", shut down" : "") + "]";
    }

    /** What a serialized queue is: its segment, its codec (null for the standard one) and its class. */
    Handle handle(int kind) {
        Codec<Object> c = codec == Codec.standard() ? null : codec;
        if (c != null && !(c instanceof Serializable)) {
            throw new PicklingError(type + " with codec " + c.getClass().getName() + " cannot travel to another process:"
                    + " the codec is not Serializable (make it Serializable, or give it to the queue there)");
        }
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
