package dev.pyconc.queue;

import java.time.Duration;

import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.core.internal.Timeouts;
import dev.pyconc.threading.Condition;
import dev.pyconc.threading.Lock;

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
     * Overview. One lock guards a FIFO store, as CPython's SimpleQueue keeps its list under its
     * lock; a condition wakes getters. A put is one critical section (add, signal), so the count
     * that qsize() and getNowait() see always matches the items a get can take: linearizable,
     * which a lock-free list beside a semaphore of permits was not (a put that had added its item
     * but not yet released its permit let a get take that item, while a finished put's item
     * stayed uncounted).
     */
    private final Lock mutex = new Lock();
    private final Condition notEmpty = new Condition(mutex);
    private final Store.Fifo<E> items = new Store.Fifo<>();
    private int getters;             // threads waiting in get; guarded by mutex

    /** A new, empty queue. */
    public SimpleQueue() {}

    /** Puts {@code item}; never blocks. */
    public void put(E item) {
        GilRuntime.checkpoint();
        try (var _ = mutex.enter()) {
            items.add(item);
            if (getters > 0) {
                notEmpty.signal();
            }
        }
    }

    /** Same as {@link #put(Object)}: Python's {@code put_nowait}. */
    public void putNowait(E item) {
        put(item);
    }

    /** Removes and returns the next item, waiting as long as it takes. */
    public E get() {
        return get(true, -1);
    }

    /**
     * Removes and returns the next item, waiting at most {@code timeout}.
     *
     * @throws Empty if no item arrived in time
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public E get(Duration timeout) {
        return get(true, Timeouts.toNanos(timeout));
    }

    /**
     * Removes and returns the next item if there is one now: Python's {@code get_nowait}.
     *
     * @throws Empty if the queue is empty
     */
    public E getNowait() {
        return get(false, 0);
    }

    private E get(boolean block, long nanos) {
        GilRuntime.checkpoint();
        try (var _ = mutex.enter()) {
            if (items.size() == 0) {
                if (!block) {
                    throw new Empty();
                }
                long deadline = nanos < 0 ? 0 : Timeouts.deadline(nanos);
                while (items.size() == 0) {
                    getters++;
                    try {
                        if (nanos < 0) {
                            notEmpty.await();
                        } else {
                            long left = Timeouts.remaining(deadline);
                            if (left <= 0) {
                                throw new Empty();
                            }
                            notEmpty.await(Duration.ofNanos(left));
                        }
                    } finally {
                        getters--;
                    }
                }
            }
            return items.remove();
        }
    }

    /** The number of items in the queue now. */
    public int qsize() {
        GilRuntime.checkpoint();
        try (var _ = mutex.enter()) {
            return items.size();
        }
    }

    /** Whether the queue is empty now. */
    public boolean empty() {
        return qsize() == 0;
    }

    @Override
    public String toString() {
        return "SimpleQueue[qsize=" + qsize() + "]";
    }
}
