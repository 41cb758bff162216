package dev.pyconc.multiprocessing;

import java.io.Serial;

/**
 * A {@link Queue} that also counts unfinished tasks across processes, Python's
 * {@code multiprocessing.JoinableQueue}: a consumer calls {@link #taskDone()} for each item it
 * has finished, and {@link #join()}, in any process, waits until every item ever put has been
 * marked so.
 *
 * <pre> {@code
 * var tasks = new JoinableQueue<Integer>();
 * // workers, in their processes:  for (;;) { int t = tasks.get(); work(t); tasks.taskDone(); }
 * for (int i = 0; i < 100; i++) tasks.put(i);
 * tasks.join();                        // all 100 done
 * }</pre>
 *
 * <p>The count lives in the queue's shared memory: the number of items put minus the number of
 * {@code taskDone} calls (and of items discarded by {@code shutdown(true)}). A consumer killed
 * after {@code get} and before {@code taskDone} leaves its task unfinished, as in Python, so
 * {@code join} then waits; use a timeout on the work or shut the queue down.
 *
 * <p>Memory consistency effects: as {@link Queue}; in addition, actions prior to
 * {@link #taskDone()} <i>happen-before</i> the return of the {@link #join()} it releases, in any
 * process. See <a href="package-summary.html#MemoryVisibility">Memory Visibility</a>.
 *
 * @param <E> the type of the items
 */
public class JoinableQueue<E> extends Queue<E> {
    @Serial
    private static final long serialVersionUID = 1L;

    /** An unbounded joinable queue. */
    public JoinableQueue() {
        this(0);
    }

    /** A joinable queue of at most {@code maxsize} items; 0 or less means unbounded. */
    public JoinableQueue(int maxsize) {
        super(RingQueue.create(Math.max(0, maxsize), RingQueue.DEFAULT_CAPACITY, Codec.standard(), "JoinableQueue"));
    }

    JoinableQueue(RingQueue q) {
        super(q);
    }

    /**
     * Tells the queue that a task taken with {@code get} is complete; when every item put has
     * been marked so, {@link #join()} returns in every process.
     *
     * @throws IllegalStateException if called more times than items were put (Python's ValueError)
     */
    public void taskDone() {
        q.taskDone();
    }

    /** Waits until every item put has been marked done with {@link #taskDone()}. */
    public void join() {
        q.join();
    }

    @Serial
    @Override
    Object writeReplace() {
        return q.handle(RingQueue.JOINABLE);
    }
}
