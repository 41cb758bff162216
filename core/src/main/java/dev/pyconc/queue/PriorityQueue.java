package dev.pyconc.queue;

import java.util.Comparator;

/**
 * A priority queue, Python's {@code queue.PriorityQueue}: {@code get} returns the lowest item
 * first, by natural order or by the {@link Comparator} given. Where Python puts
 * {@code (priority, data)} tuples, put a record that implements {@link Comparable}, or give a
 * comparator. Equal items come out in no promised order, as with Python's heapq.
 *
 * <pre> {@code
 * record Job(int priority, String name) {}
 * var q = new PriorityQueue<Job>(Comparator.comparingInt(Job::priority));
 * q.put(new Job(2, "later")); q.put(new Job(1, "first"));
 * q.get().name();   // "first"
 * }</pre>
 *
 * <p>A {@code null} item, or one that is not {@link Comparable} when no comparator was given, is
 * refused with {@link IllegalArgumentException} before the queue changes; so is an item that does
 * not compare with those already queued, and the queue is left as it was.
 *
 * <p>Memory consistency effects: as {@link Queue}.
 */
public class PriorityQueue<E> extends Queue<E> {
    /** An unbounded priority queue in natural order. */
    public PriorityQueue() {
        this(0, null);
    }

    /** A priority queue in natural order holding at most {@code maxsize} items (zero or less: unbounded). */
    public PriorityQueue(int maxsize) {
        this(maxsize, null);
    }

    /** An unbounded priority queue ordered by {@code comparator}. */
    public PriorityQueue(Comparator<? super E> comparator) {
        this(0, comparator);
    }

    /** A priority queue ordered by {@code comparator} (null: natural order) holding at most {@code maxsize} items. */
    public PriorityQueue(int maxsize, Comparator<? super E> comparator) {
        super(maxsize, new Store.Priority<>(comparator));
    }
}
