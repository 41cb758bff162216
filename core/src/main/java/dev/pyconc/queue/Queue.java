package dev.pyconc.queue;

import java.time.Duration;

import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.core.internal.Timeouts;
import dev.pyconc.threading.Condition;
import dev.pyconc.threading.Lock;

/**
 * A synchronized first-in, first-out queue, Python's {@code queue.Queue}: producers {@code put}
 * items, consumers {@code get} them; a queue with a {@code maxsize} blocks producers while full.
 * It also counts unfinished tasks, so that a producer can {@link #join()} until consumers have
 * called {@link #taskDone()} for every item, and it can be {@link #shutdown() shut down} (Python 3.13).
 *
 * <pre> {@code
 * var q = new Queue<String>(100);
 * // consumer thread                        // producer
 * for (;;) {                                for (var job : jobs) q.put(job);
 *     String job = q.get();                 q.join();          // every job done
 *     if (job == null) break;               q.put(null);       // sentinel: Python's None
 *     handle(job);
 *     q.taskDone();
 * }
 * }</pre>
 *
 * <p>Items may be {@code null}, as {@code None} may be in Python. Blocking and timed calls wait
 * with the GIL dropped (GIL mode). {@code get(Duration.ZERO)} and {@link #getNowait()} do not wait.
 *
 * <p>Memory consistency effects: as with other concurrent collections, actions in a thread prior
 * to placing an object into a queue <i>happen-before</i> actions subsequent to the removal of
 * that object in another thread; actions prior to {@link #taskDone()} happen-before the return of
 * the {@link #join()} it releases. See <a href="package-summary.html#MemoryVisibility">Memory Visibility</a>.
 */
public class Queue<E> {
    /*
     * Overview. CPython's queue.Queue: one lock and three conditions on it. put waits on notFull
     * and signals notEmpty; get waits on notEmpty and signals notFull; taskDone signals
     * allTasksDone when the count of unfinished tasks reaches zero. shutdown signals all three,
     * and each waiter checks the flag when it wakes. getters and putters count the threads that
     * wait on notEmpty and notFull, so that put and get skip a signal nobody waits for (its
     * checks and the scan of the condition queue would run holding the lock). The storage order
     * is the Store's; every field below is guarded by mutex.
     */
    private final Lock mutex = new Lock();
    private final Condition notEmpty = new Condition(mutex);
    private final Condition notFull = new Condition(mutex);
    private final Condition allTasksDone = new Condition(mutex);
    private final Store<E> store;
    private final int maxsize;
    private long unfinishedTasks;
    private boolean isShutdown;
    private int getters;          // threads waiting on notEmpty
    private int putters;          // threads waiting on notFull

    /** An unbounded queue. */
    public Queue() {
        this(0);
    }

    /**
     * A queue that holds at most {@code maxsize} items; zero or less means unbounded, as in Python.
     */
    public Queue(int maxsize) {
        this(maxsize, new Store.Fifo<>());
    }

    Queue(int maxsize, Store<E> store) {
        this.maxsize = Math.max(0, maxsize);
        this.store = store;
    }

    /**
     * Puts {@code item}, waiting while the queue is full.
     *
     * @throws ShutDown if the queue is or gets shut down
     */
    public void put(E item) {
        put(item, true, -1);
    }

    /**
     * Puts {@code item}, waiting at most {@code timeout} for a free slot.
     *
     * @throws Full if the queue stayed full for {@code timeout}
     * @throws ShutDown if the queue is or gets shut down
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public void put(E item, Duration timeout) {
        put(item, true, Timeouts.toNanos(timeout));
    }

    /**
     * Puts {@code item} if a slot is free now: Python's {@code put_nowait}.
     *
     * @throws Full if the queue is full
     * @throws ShutDown if the queue is shut down
     */
    public void putNowait(E item) {
        put(item, false, 0);
    }

    private void put(E item, boolean block, long nanos) {
        store.check(item);
        GilRuntime.checkpoint();
        try (var _ = mutex.enter()) {
            if (isShutdown) {
                throw new ShutDown();
            }
            if (maxsize > 0 && store.size() >= maxsize) {
                if (!block) {
                    throw new Full();
                }
                long deadline = nanos < 0 ? 0 : Timeouts.deadline(nanos);
                while (store.size() >= maxsize) {
                    putters++;
                    try {
                        if (nanos < 0) {
                            notFull.await();
                        } else {
                            long left = Timeouts.remaining(deadline);
                            if (left <= 0) {
                                throw new Full();
                            }
                            notFull.await(Duration.ofNanos(left));
                        }
                    } finally {
                        putters--;
                    }
                    if (isShutdown) {
                        throw new ShutDown();
                    }
                }
            }
            store.add(item);
            unfinishedTasks++;
            if (getters > 0) {
                notEmpty.signal();
            }
        }
    }

    /**
     * Removes and returns the next item, waiting until one is available.
     *
     * @throws ShutDown if the queue is shut down and empty, or gets so while waiting
     */
    public E get() {
        return get(true, -1);
    }

    /**
     * Removes and returns the next item, waiting at most {@code timeout}.
     *
     * @throws Empty if no item came within {@code timeout}
     * @throws ShutDown if the queue is shut down and empty, or gets so while waiting
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public E get(Duration timeout) {
        return get(true, Timeouts.toNanos(timeout));
    }

    /**
     * Removes and returns the next item if one is available now: Python's {@code get_nowait}.
     *
     * @throws Empty if the queue is empty
     * @throws ShutDown if the queue is shut down and empty
     */
    public E getNowait() {
        return get(false, 0);
    }

    private E get(boolean block, long nanos) {
        GilRuntime.checkpoint();
        try (var _ = mutex.enter()) {
            if (store.size() == 0) {
                if (isShutdown) {
                    throw new ShutDown();
                }
                if (!block) {
                    throw new Empty();
                }
                long deadline = nanos < 0 ? 0 : Timeouts.deadline(nanos);
                while (store.size() == 0) {
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
                    if (isShutdown && store.size() == 0) {
                        throw new ShutDown();
                    }
                }
            }
            E item = store.remove();
            if (putters > 0) {
                notFull.signal();
            }
            return item;
        }
    }

    /**
     * Tells the queue that a task taken with {@code get} is complete; when every item put has
     * been marked so, {@link #join()} returns.
     *
     * @throws IllegalStateException if called more times than items were put (Python's ValueError)
     */
    public void taskDone() {
        GilRuntime.checkpoint();
        try (var _ = mutex.enter()) {
            long unfinished = unfinishedTasks - 1;
            if (unfinished <= 0) {
                if (unfinished < 0) {
                    throw new IllegalStateException("taskDone() called too many times");
                }
                allTasksDone.signalAll();
            }
            unfinishedTasks = unfinished;
        }
    }

    /** Waits until every item put has been marked done with {@link #taskDone()}. */
    public void join() {
        GilRuntime.checkpoint();
        try (var _ = mutex.enter()) {
            while (unfinishedTasks > 0) {
                allTasksDone.await();
            }
        }
    }

    /**
     * Shuts the queue down, as {@code shutdown(false)}: later puts throw {@link ShutDown}; gets
     * take what is left, then throw it.
     */
    public void shutdown() {
        shutdown(false);
    }

    /**
     * Shuts the queue down (Python 3.13). {@code put} throws {@link ShutDown} from now on, and so
     * does every blocked {@code put}. With {@code immediate}, the items left are discarded and
     * counted as done, which releases {@link #join()}; without it, {@code get} takes the items
     * left and then throws {@link ShutDown}, as do the blocked gets once the queue is empty.
     */
    public void shutdown(boolean immediate) {
        GilRuntime.checkpoint();
        try (var _ = mutex.enter()) {
            isShutdown = true;
            if (immediate) {
                while (store.size() > 0) {
                    store.remove();
                    if (unfinishedTasks > 0) {
                        unfinishedTasks--;
                    }
                }
                allTasksDone.signalAll();
            }
            notEmpty.signalAll();
            notFull.signalAll();
        }
    }

    /** The approximate number of items: another thread may change it at once. */
    public int qsize() {
        try (var _ = mutex.enter()) {
            return store.size();
        }
    }

    /** Whether the queue is empty now (approximately, as {@link #qsize()}). */
    public boolean empty() {
        return qsize() == 0;
    }

    /** Whether the queue is full now (approximately); an unbounded queue never is. */
    public boolean full() {
        try (var _ = mutex.enter()) {
            return maxsize > 0 && store.size() >= maxsize;
        }
    }

    /** The bound given at construction; 0 for an unbounded queue. */
    public int maxsize() {
        return maxsize;
    }

    /**
     * The number of items put and not yet marked done with {@link #taskDone()}, Python's
     * {@code unfinished_tasks}: what {@link #join()} waits to reach zero. Approximate, as
     * {@link #qsize()}.
     */
    public long unfinishedTasks() {
        try (var _ = mutex.enter()) {
            return unfinishedTasks;
        }
    }

    /** Whether {@link #shutdown} was called (Python's {@code is_shutdown}). */
    public boolean isShutdown() {
        try (var _ = mutex.enter()) {
            return isShutdown;
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[qsize=" + qsize() + ", maxsize=" + maxsize + "]";
    }
}
