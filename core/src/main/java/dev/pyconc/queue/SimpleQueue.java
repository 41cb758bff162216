package dev.pyconc.queue;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;

import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.threading.Semaphore;

/**
 * An unbounded first-in, first-out queue without task tracking, Python's {@code queue.SimpleQueue}:
 * {@code put} never blocks, {@code get} waits for an item.
 *
 * <pre> {@code
 * var q = new SimpleQueue<String>();
 * q.put("hello");
 * q.get(Duration.ofSeconds(1));   // "hello", or Empty after a second
 * }</pre>
 *
 * <p>Items may be {@code null}. Python's {@code put(item, block, timeout)} takes arguments it
 * ignores; here {@link #put(Object)} is the only put.
 *
 * <p>Memory consistency effects: actions in a thread prior to {@code put} <i>happen-before</i>
 * actions subsequent to the {@code get} of that item in another thread.
 */
public class SimpleQueue<E> {
    /*
     * Overview. A lock-free linked queue holds the items; a semaphore counts them. put appends,
     * then releases a permit; get takes a permit, then polls, and finds an item because every
     * permit was released after its item was appended.
     */
    private static final Object NULL = new Object();

    private final ConcurrentLinkedQueue<Object> items = new ConcurrentLinkedQueue<>();
    private final Semaphore available = new Semaphore(0);

    /** A new, empty queue. */
    public SimpleQueue() {}

    /** Puts {@code item}; never blocks. */
    public void put(E item) {
        items.offer(item == null ? NULL : item);
        available.release();
    }

    /** Puts {@code item}; the same as {@link #put(Object)}, for Python's {@code put_nowait}. */
    public void putNowait(E item) {
        put(item);
    }

    /** Removes and returns the next item, waiting until one is available. */
    public E get() {
        available.acquire();
        return poll();
    }

    /**
     * Removes and returns the next item, waiting at most {@code timeout}.
     *
     * @throws Empty if no item came within {@code timeout}
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public E get(Duration timeout) {
        if (!available.acquire(timeout)) {
            throw new Empty();
        }
        return poll();
    }

    /**
     * Removes and returns the next item if there is one now.
     *
     * @throws Empty if the queue is empty
     */
    public E getNowait() {
        if (!available.tryAcquire()) {
            throw new Empty();
        }
        return poll();
    }

    @SuppressWarnings("unchecked")
    private E poll() {
        Object item = items.poll();
        return item == NULL ? null : (E) item;
    }

    /** The approximate number of items. */
    public int qsize() {
        GilRuntime.checkpoint();
        return available.value();
    }

    /** Whether the queue is empty now (approximately). */
    public boolean empty() {
        return qsize() == 0;
    }

    @Override
    public String toString() {
        return "SimpleQueue[qsize=" + qsize() + "]";
    }
}
