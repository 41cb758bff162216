package dev.pyconc.multiprocessing;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;

/**
 * A simplified queue shared by processes, Python's {@code multiprocessing.SimpleQueue}: put and
 * get without a bound, task counting or shutdown. It shares {@link Queue}'s engine and guarantees
 * (crash safety, no feeder thread, items of any size, codecs); {@code get} may also wait with a
 * timeout or not at all.
 *
 * <pre> {@code
 * var q = new SimpleQueue<String>();
 * new Process(() -> q.put("hello from " + ProcessHandle.current().pid())).start();
 * System.out.println(q.get());
 * }</pre>
 *
 * <p>Its ring holds 1 MiB of waiting items by default ({@link Queue#builder()} sets another size
 * with {@code buildSimple()}); {@code put} waits while it is full.
 *
 * <p>Memory consistency effects: actions in a thread prior to placing an object into the queue
 * <i>happen-before</i> actions subsequent to its removal by a thread of any process. See
 * <a href="package-summary.html#MemoryVisibility">Memory Visibility</a>.
 *
 * @param <E> the type of the items
 */
public class SimpleQueue<E> implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    final transient RingQueue q;

    /** A new, empty queue. */
    public SimpleQueue() {
        this(RingQueue.create(0, RingQueue.DEFAULT_CAPACITY, Codec.standard(), "SimpleQueue"));
    }

    SimpleQueue(RingQueue q) {
        this.q = q;
    }

    /** Puts {@code item}, waiting only while the ring's bytes are all taken. */
    public void put(E item) {
        q.put(item, RingQueue.forever());
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

    /** Whether the queue is empty now (approximately: other processes may change it at once). */
    public boolean empty() {
        return q.qsize() == 0;
    }

    /**
     * Says that this process will use this object no more: later calls on it throw
     * {@link IllegalStateException}. As for {@link Queue#close()}, the last object closed in any
     * process removes the queue's segment at once.
     */
    public void close() {
        q.close();
    }

    @Override
    public String toString() {
        return q.toString();
    }

    @Serial
    private Object writeReplace() {
        return q.handle(RingQueue.SIMPLE);
    }

    @Serial
    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("a SimpleQueue travels as its handle");
    }
}
