package dev.pyconc.asyncio;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * A {@link Queue} that returns the newest item first: Python's {@code asyncio.LifoQueue}.
 *
 * <pre> {@code
 * LifoQueue<Integer> q = new LifoQueue<>();
 * q.putNowait(1);
 * q.putNowait(2);
 * q.getNowait();      // 2
 * }</pre>
 *
 * <p>Memory consistency effects: as for {@link Queue}.
 */
public class LifoQueue<E> extends Queue<E> {
    private final ArrayDeque<Object> stack = new ArrayDeque<>(2);

    /** An unbounded LIFO queue. */
    public LifoQueue() {
        super(0);
    }

    /** A LIFO queue of at most {@code maxsize} items (0: unbounded). */
    public LifoQueue(int maxsize) {
        super(maxsize);
    }

    @Override
    void putItem(E item) {
        stack.push(item == null ? NULL : item);
    }

    @Override
    @SuppressWarnings("unchecked")
    E getItem() {
        Object o = stack.pop();
        return o == NULL ? null : (E) o;
    }

    @Override
    int size() {
        return stack.size();
    }

    @Override
    Iterator<?> storeIterator() {
        return stack.descendingIterator();     // bottom first, as Python's list
    }
}
