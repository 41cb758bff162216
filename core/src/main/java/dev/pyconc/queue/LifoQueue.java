package dev.pyconc.queue;

/**
 * A last-in, first-out queue (a stack), Python's {@code queue.LifoQueue}: the most recently put
 * item is the next one got. Everything else is as {@link Queue}.
 *
 * <pre> {@code
 * var stack = new LifoQueue<Integer>();
 * stack.put(1); stack.put(2);
 * stack.get();     // 2
 * }</pre>
 *
 * <p>Memory consistency effects: as {@link Queue}.
 */
public class LifoQueue<E> extends Queue<E> {
    /** An unbounded LIFO queue. */
    public LifoQueue() {
        this(0);
    }

    /** A LIFO queue that holds at most {@code maxsize} items; zero or less means unbounded. */
    public LifoQueue(int maxsize) {
        super(maxsize, new Store.Lifo<>());
    }
}
