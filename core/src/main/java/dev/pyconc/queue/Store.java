package dev.pyconc.queue;

import java.util.Arrays;
import java.util.Comparator;

/**
 * The storage order of a {@link Queue}: Python's {@code _init}/{@code _qsize}/{@code _put}/{@code _get}
 * hooks. Called only holding the queue's lock.
 */
interface Store<E> {
    int size();

    void add(E item);

    E remove();

    /** Rejects an item this store cannot hold, before the queue takes its lock. */
    default void check(E item) {}

    /** First in, first out, on a growing circular array; null items are allowed, as None is in Python. */
    final class Fifo<E> implements Store<E> {
        private Object[] items = new Object[16];
        private int head, size;

        @Override
        public int size() {
            return size;
        }

        @Override
        public void add(E item) {
            if (size == items.length) {
                Object[] grown = new Object[items.length * 2];
                int firstPart = items.length - head;
                System.arraycopy(items, head, grown, 0, firstPart);
                System.arraycopy(items, 0, grown, firstPart, head);
                items = grown;
                head = 0;
            }
            items[(head + size) & (items.length - 1)] = item;
            size++;
        }

        @Override
        @SuppressWarnings("unchecked")
        public E remove() {
            E item = (E) items[head];
            items[head] = null;
            head = (head + 1) & (items.length - 1);
            size--;
            return item;
        }
    }

    /** Last in, first out; null items are allowed. */
    final class Lifo<E> implements Store<E> {
        private Object[] items = new Object[16];
        private int size;

        @Override
        public int size() {
            return size;
        }

        @Override
        public void add(E item) {
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
            }
            items[size++] = item;
        }

        @Override
        @SuppressWarnings("unchecked")
        public E remove() {
            E item = (E) items[--size];
            items[size] = null;
            return item;
        }
    }

    /**
     * Lowest first, by natural order or a comparator: a binary heap, as Python's heapq. Each sift
     * first finds where the item goes, comparing only, and then moves items, so a comparison that
     * throws (items that do not compare, a failing comparator) leaves the heap as it was.
     */
    final class Priority<E> implements Store<E> {
        private final Comparator<? super E> comparator;   // null: natural order
        private Object[] heap = new Object[16];
        private int size;

        Priority(Comparator<? super E> comparator) {
            this.comparator = comparator;
        }

        @Override
        public void check(E item) {
            if (item == null) {
                throw new IllegalArgumentException("a PriorityQueue cannot hold null");
            }
            if (comparator == null && !(item instanceof Comparable)) {
                throw new IllegalArgumentException("items of a PriorityQueue without a Comparator must be Comparable, not "
                        + item.getClass().getName());
            }
        }

        @SuppressWarnings("unchecked")
        private int compare(Object a, Object b) {
            try {
                return comparator != null ? comparator.compare((E) a, (E) b) : ((Comparable<Object>) a).compareTo(b);
            } catch (ClassCastException e) {
                throw new IllegalArgumentException("PriorityQueue items do not compare: " + a.getClass().getName()
                        + " and " + b.getClass().getName(), e);
            }
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public void add(E item) {
            int k = size;
            while (k > 0) {                               // find the slot, comparing only
                int parent = (k - 1) >>> 1;
                if (compare(item, heap[parent]) >= 0) {
                    break;
                }
                k = parent;
            }
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, size * 2);
            }
            for (int i = size; i > k; i = (i - 1) >>> 1) { // then move the parents down
                heap[i] = heap[(i - 1) >>> 1];
            }
            heap[k] = item;
            size++;
        }

        @Override
        @SuppressWarnings("unchecked")
        public E remove() {
            E top = (E) heap[0];
            int last = size - 1;
            Object moved = heap[last];
            int half = last >>> 1;
            int k = 0;
            int[] path = new int[33];
            int depth = 0;
            while (k < half) {                            // find the slot for the last item, comparing only
                int child = 2 * k + 1;
                int right = child + 1;
                if (right < last && compare(heap[child], heap[right]) > 0) {
                    child = right;
                }
                if (compare(moved, heap[child]) <= 0) {
                    break;
                }
                path[depth++] = child;
                k = child;
            }
            int hole = 0;
            for (int i = 0; i < depth; i++) {             // then move the smaller children up
                heap[hole] = heap[path[i]];
                hole = path[i];
            }
            heap[hole] = moved;
            heap[last] = null;
            size = last;
            return top;
        }
    }
}
