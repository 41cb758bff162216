package dev.pyconc.asyncio;

import java.util.Comparator;
import java.util.Iterator;

/**
 * A {@link Queue} that returns the smallest item first: Python's {@code asyncio.PriorityQueue}.
 * Items are ordered by their natural order or by a {@link Comparator}; {@code null} is refused.
 *
 * <pre> {@code
 * PriorityQueue<Job> q = new PriorityQueue<>(Comparator.comparingInt(Job::priority));
 * q.put(job);
 * Job next = q.get();
 * }</pre>
 *
 * <p>Memory consistency effects: as for {@link Queue}.
 */
public class PriorityQueue<E> extends Queue<E> {
    private final java.util.PriorityQueue<E> heap;

    /** An unbounded queue in natural order. */
    public PriorityQueue() {
        this(0, null);
    }

    /** A queue of at most {@code maxsize} items (0: unbounded) in natural order. */
    public PriorityQueue(int maxsize) {
        this(maxsize, null);
    }

    /** An unbounded queue ordered by {@code comparator}. */
    public PriorityQueue(Comparator<? super E> comparator) {
        this(0, comparator);
    }

    /** A queue of at most {@code maxsize} items (0: unbounded) ordered by {@code comparator}. */
    public PriorityQueue(int maxsize, Comparator<? super E> comparator) {
        super(maxsize);
        this.heap = new java.util.PriorityQueue<>(comparator);
    }

    @Override
    void putItem(E item) {
        if (item == null) {
            throw new IllegalArgumentException("a PriorityQueue cannot hold null");
        }
        try {
            heap.add(item);
        } catch (ClassCastException e) {
            throw new IllegalArgumentException("items of a PriorityQueue without a Comparator must be Comparable: " + item.getClass().getName(), e);
        }
    }

    @Override
    E getItem() {
        return heap.poll();
    }

    @Override
    int size() {
        return heap.size();
    }

    @Override
    Iterator<?> storeIterator() {
        return heap.iterator();                // the heap's array order, as Python's list
    }
}
