package dev.pyconc.testing.queue;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.PriorityQueue;

import dev.pyconc.queue.Empty;
import dev.pyconc.queue.Full;

/**
 * The sequential specification of Python's queues for the Lincheck tests: a {@code java.util}
 * collection and a bound. A Lincheck test's operations on the queue under test have these
 * methods' names; a subclass with a public no-argument constructor fixes the order and the bound.
 * The calls that would block (put on a full queue, get on an empty one) throw
 * IllegalStateException, which no blocking call of the queue under test returns: so an order of
 * calls in which one of them would have blocked is never taken as a linearization.
 */
public abstract class SequentialQueue {
    /** The order of a queue: first in first out, last in first out, or smallest first. */
    protected enum Order { FIFO, LIFO, PRIORITY }

    private final java.util.Queue<Integer> items;
    private final int maxsize;

    /** An empty queue of {@code order} that holds at most {@code maxsize} items (0: no bound). */
    protected SequentialQueue(Order order, int maxsize) {
        this.items = switch (order) {
            case FIFO -> new ArrayDeque<>();
            case LIFO -> Collections.asLifoQueue(new ArrayDeque<>());
            case PRIORITY -> new PriorityQueue<>();
        };
        this.maxsize = maxsize;
    }

    public void putNowait(int item) {
        if (full()) {
            throw new Full();
        }
        items.add(item);
    }

    /** put with a zero timeout. */
    public void putZero(int item) {
        putNowait(item);
    }

    public void put(int item) {
        if (full()) {
            throw new IllegalStateException("put would block");
        }
        items.add(item);
    }

    public Integer getNowait() {
        if (items.isEmpty()) {
            throw new Empty();
        }
        return items.remove();
    }

    /** get with a zero timeout. */
    public Integer getZero() {
        return getNowait();
    }

    public Integer get() {
        if (items.isEmpty()) {
            throw new IllegalStateException("get would block");
        }
        return items.remove();
    }

    public int qsize() {
        return items.size();
    }

    public boolean empty() {
        return items.isEmpty();
    }

    public boolean full() {
        return maxsize > 0 && items.size() >= maxsize;
    }
}
