package dev.pyconc.multiprocessing;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;

/**
 * A first-in, first-out queue shared by processes, Python's {@code multiprocessing.Queue}: any
 * number of producers and consumers in any processes put and get items, each item reaching
 * exactly one consumer, in the order each producer put them. A queue travels to child processes
 * as an argument (it is {@link Serializable} as a handle to its shared segment).
 *
 * <pre> {@code
 * var results = new Queue<Long>();
 * var worker = new Process(() -> results.put(fib(30)));
 * worker.start();
 * long r = results.get();             // blocks until the child put it
 * worker.join();
 * }</pre>
 *
 * <p>Items are encoded by a {@link Codec} ({@link Codec#standard()} unless the {@link #builder()}
 * names another) before anything is written: an item the codec refuses throws
 * {@link PicklingError} from {@code put} in the caller and leaves the queue as it was. There is no
 * feeder thread: {@code put} copies the encoded item into shared memory before it returns, so
 * an item whose {@code put} returned is delivered however the producer ends (return, exit, kill -9)
 * and a full queue never keeps a process from exiting (unlike CPython, gh-85927). Hence
 * {@link #joinThread()} and {@link #cancelJoinThread()} do nothing.
 *
 * <p>Crash safety: a producer or consumer killed at any point, inside {@code put} or {@code get}
 * included, never makes another process see a partial or duplicated item, and does not block the
 * queue for good: the next caller takes over its side of the queue within about 20 ms. An item is
 * lost only if its consumer is killed after taking it and before {@code get} returned it.
 * Items up to the codec's limit (256 MiB encoded by default) are accepted; those larger than a
 * quarter of the queue's ring (256 KiB by default) travel in a shared-memory segment of their
 * own, removed once read (or, if every process of the tree died first, by the segment tracker).
 *
 * <p>Bounds: {@code maxsize} bounds the number of items, as in Python; the ring also holds at most
 * {@link Builder#capacityBytes} bytes of items (1 MiB by default), so even an unbounded queue
 * makes {@code put} wait (and {@code putNowait} throw {@link dev.pyconc.queue.Full}) when that
 * many bytes wait to be read.
 *
 * <p>Methods follow {@code dev.pyconc.queue.Queue}: {@code put}/{@code get} block,
 * {@code put(item, timeout)}/{@code get(timeout)} wait at most the timeout, {@code putNowait}/
 * {@code getNowait} do not wait, throwing {@link dev.pyconc.queue.Full} and
 * {@link dev.pyconc.queue.Empty}; {@link #shutdown(boolean)} is Python 3.13's and throws
 * {@link dev.pyconc.queue.ShutDown}. {@link #close()} concerns this process only, as in Python.
 *
 * <p>Memory consistency effects: actions in a thread prior to placing an object into the queue
 * <i>happen-before</i> actions subsequent to its removal by a thread of any process. See
 * <a href="package-summary.html#MemoryVisibility">Memory Visibility</a>.
 *
 * @param <E> the type of the items
 */
public class Queue<E> implements Serializable {
    /*
     * Overview. A thin facade over RingQueue (segment, ring, codec), shared with JoinableQueue and
     * SimpleQueue; the algorithm and its crash analysis are MpmcRing's.
     */
    @Serial
    private static final long serialVersionUID = 1L;

    final transient RingQueue q;

    /** An unbounded queue (bounded only by its ring's bytes, see the class comment). */
    public Queue() {
        this(0);
    }

    /**
     * A queue of at most {@code maxsize} items; 0 or less means unbounded, as in Python.
     */
    public Queue(int maxsize) {
        this(RingQueue.create(Math.max(0, maxsize), RingQueue.DEFAULT_CAPACITY, Codec.standard(), "Queue"));
    }

    Queue(RingQueue q) {
        this.q = q;
    }

    /** A builder for a queue with a codec or ring size of its own. */
    public static <E> Builder<E> builder() {
        return new Builder<>();
    }

    /** Puts {@code item}, waiting while the queue is full. */
    public void put(E item) {
        q.put(item, RingQueue.forever());
    }

    /**
     * Puts {@code item}, waiting at most {@code timeout} while the queue is full.
     *
     * @throws dev.pyconc.queue.Full if it is still full after the timeout
     */
    public void put(E item, Duration timeout) {
        q.put(item, RingQueue.nanos(timeout));
    }

    /** Puts {@code item} if there is room now; else throws {@link dev.pyconc.queue.Full}. */
    public void putNowait(E item) {
        q.put(item, 0);
    }

    /** Takes the next item, waiting while the queue is empty. */
    @SuppressWarnings("unchecked")
    public E get() {
        return (E) q.get(RingQueue.forever());
    }

    /**
     * Takes the next item, waiting at most {@code timeout}.
     *
     * @throws dev.pyconc.queue.Empty if none came within the timeout
     */
    @SuppressWarnings("unchecked")
    public E get(Duration timeout) {
        return (E) q.get(RingQueue.nanos(timeout));
    }

    /** Takes the next item if there is one now; else throws {@link dev.pyconc.queue.Empty}. */
    @SuppressWarnings("unchecked")
    public E getNowait() {
        return (E) q.get(0);
    }

    /** The approximate number of items: other processes may change it at once. */
    public int qsize() {
        return q.qsize();
    }

    /** Whether the queue is empty now (approximately, as {@link #qsize()}). */
    public boolean empty() {
        return q.qsize() == 0;
    }

    /** Whether the queue holds {@code maxsize} items now (approximately); an unbounded queue never does. */
    public boolean full() {
        return q.full();
    }

    /** The bound given at construction; 0 for an unbounded queue. */
    public int maxsize() {
        return q.maxsize();
    }

    /**
     * Shuts the queue down for every process, as {@code shutdown(false)}: later puts throw
     * {@link dev.pyconc.queue.ShutDown}; gets take what is left, then throw it.
     */
    public void shutdown() {
        q.shutdown(false);
    }

    /**
     * Shuts the queue down for every process (Python 3.13). {@code put} throws
     * {@link dev.pyconc.queue.ShutDown} from now on, and so does every blocked {@code put}. With
     * {@code immediate}, the items left are discarded (and counted as done for
     * {@link JoinableQueue#join()}); without it, {@code get} takes the items left and then throws,
     * as do blocked gets once the queue is empty.
     */
    public void shutdown(boolean immediate) {
        q.shutdown(immediate);
    }

    /** Whether the queue was shut down, by any process. */
    public boolean isShutdown() {
        return q.isShutdown();
    }

    /**
     * Says that this process will use this queue object no more: later calls on it throw
     * {@link IllegalStateException}. Other processes, and other objects of this queue, are not
     * affected. Nothing needs flushing: every put item is already in shared memory. The object's
     * mapping ends at once, and when no object of this queue is left open in any process (and no
     * handle to it is in flight) the queue's segment is removed at once, with the items nobody took:
     * the garbage collector is not needed. An object that is never closed gives its reference back
     * when it is collected or when its JVM exits.
     */
    public void close() {
        q.close();
    }

    /**
     * Python's {@code join_thread()}: waits for the feeder thread, of which this queue has none,
     * so it returns at once, after {@link #close()} as in Python.
     *
     * @throws IllegalStateException if the queue was not closed
     */
    public void joinThread() {
        q.joinThread();
    }

    /**
     * Python's {@code cancel_join_thread()}: keeps a process from waiting for the feeder thread at
     * exit. There is none, and no put item can be lost at exit, so this does nothing.
     */
    public void cancelJoinThread() {
        // nothing to cancel: put writes into shared memory before it returns
    }

    @Override
    public String toString() {
        return q.toString();
    }

    @Serial
    Object writeReplace() {
        return q.handle(RingQueue.QUEUE);
    }

    @Serial
    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("a Queue travels as its handle");
    }

    /**
     * Builds a {@link Queue}, {@link JoinableQueue} or {@link SimpleQueue} with a bound, a ring
     * size or a codec of its own.
     *
     * <pre> {@code
     * Queue<Order> orders = Queue.<Order>builder()
     *         .maxsize(1000)
     *         .codec(Codec.builder().allowPackage("com.example.orders").build())
     *         .build();
     * }</pre>
     *
     * <p>Memory consistency effects: none; a builder is used by one thread.
     *
     * @param <E> the type of the items
     */
    public static final class Builder<E> {
        private int maxsize;
        private long capacity = RingQueue.DEFAULT_CAPACITY;
        private Codec<?> codec = Codec.standard();

        Builder() {}

        /** The bound on items; 0 (the default) for unbounded. */
        public Builder<E> maxsize(int maxsize) {
            if (maxsize < 0) {
                throw new IllegalArgumentException("maxsize must not be negative: " + maxsize);
            }
            this.maxsize = maxsize;
            return this;
        }

        /**
         * The bytes of the shared ring that holds items waiting to be read: a power of two from
         * 4096 (default 1 MiB). Items larger than a quarter of it travel in segments of their own.
         */
        public Builder<E> capacityBytes(long capacity) {
            this.capacity = dev.pyconc.ipc.internal.ring.RingDescriptor.checkCapacity(capacity);
            return this;
        }

        /**
         * The codec of the items. To travel to other processes with the queue, it must be
         * {@link Serializable} (the standard one, and those of {@link Codec#builder()}, always travel).
         */
        public Builder<E> codec(Codec<? super E> codec) {
            if (codec == null) {
                throw new IllegalArgumentException("codec must not be null (Codec.standard() is the default)");
            }
            this.codec = codec;
            return this;
        }

        /** A new {@link Queue}. */
        public Queue<E> build() {
            return new Queue<>(RingQueue.create(maxsize, capacity, codec, "Queue"));
        }

        /** A new {@link JoinableQueue}. */
        public JoinableQueue<E> buildJoinable() {
            return new JoinableQueue<>(RingQueue.create(maxsize, capacity, codec, "JoinableQueue"));
        }

        /** A new {@link SimpleQueue} (the bound does not apply to it). */
        public SimpleQueue<E> buildSimple() {
            return new SimpleQueue<>(RingQueue.create(0, capacity, codec, "SimpleQueue"));
        }
    }
}
