package dev.pyconc.asyncio;

import java.util.ArrayDeque;
import java.util.Iterator;

import dev.pyconc.core.internal.GilRuntime;

/**
 * A FIFO queue for tasks: Python's {@code asyncio.Queue}, with Python 3.13's {@code shutdown}.
 * {@code put} suspends while the queue is full and {@code get} while it is empty. Not thread-safe;
 * from other threads use {@code loop.callSoonThreadsafe(() -> q.putNowait(x))}.
 *
 * <pre> {@code
 * Queue<String> q = new Queue<>(100);
 * loop.createTask(() -> { for (var line : lines) q.put(line); q.shutdown(); return null; });
 * try {
 *     while (true) { handle(q.get()); q.taskDone(); }
 * } catch (QueueShutDown e) { ... }
 * }</pre>
 *
 * <p>Waiters are woken in FIFO order; a waiter cancelled after it was woken passes the wake-up
 * on to the next one. {@code null} items are allowed.
 *
 * <p>Memory consistency effects: actions prior to putting an item <i>happen-before</i> the
 * return of the {@code get} that takes it.
 */
public class Queue<E> extends LoopBound {
    /*
     * Overview. Python 3.13's asyncio.Queue: items in a store (overridden by the subclasses),
     * deques of getter and putter futures, and an Event for join(). A put wakes the next getter, a
     * get the next putter; a woken waiter loops (the item may be gone again) and, when cancelled
     * after it was woken, wakes the next waiter instead. All state is guarded by the baton.
     */
    private final int maxsize;
    static final Object NULL = new Object();    // stands for a null item in the deque (LifoQueue's too)

    private final ArrayDeque<Future<Object>> getters = new ArrayDeque<>(1);   // see get()
    private ArrayDeque<Future<Object>> putters;     // allocated at the first wait
    private Event finished;                          // allocated by the first join() that waits
    private int unfinishedTasks;
    private boolean isShutdown;
    private final ArrayDeque<Object> items = new ArrayDeque<>(2);

    /** An unbounded queue. */
    public Queue() {
        this(0);
    }

    /** A queue of at most {@code maxsize} items; 0 or less means unbounded, as in Python. */
    public Queue(int maxsize) {
        this.maxsize = maxsize;
    }

    // ---------------------------------------------------------------- the store (overridden)

    void putItem(E item) {
        items.addLast(item == null ? NULL : item);
    }

    @SuppressWarnings("unchecked")
    E getItem() {
        Object o = items.pollFirst();
        return o == NULL ? null : (E) o;
    }

    int size() {
        return items.size();
    }

    /** The items in the store's own order, for toString (Python's {@code list(self._queue)}). */
    Iterator<?> storeIterator() {
        return items.iterator();
    }

    // ---------------------------------------------------------------- API

    /** The number of items in the queue. */
    public int qsize() {
        return size();
    }

    /** The largest number of items the queue holds (0: unbounded). */
    public int maxsize() {
        return maxsize;
    }

    /** Whether the queue is empty. */
    public boolean empty() {
        return size() == 0;
    }

    /** Whether the queue holds {@code maxsize} items. */
    public boolean full() {
        return maxsize > 0 && size() >= maxsize;
    }

    /**
     * Puts {@code item}, suspending the task while the queue is full.
     *
     * @throws QueueShutDown if the queue is shut down
     */
    public void put(E item) {
        GilRuntime.checkpoint();
        if (maxsize > 0 && size() >= maxsize) {
            awaitRoom();
        }
        putNowait(item);
    }

    /** Waits until the queue has room (see get() for why the test after a wait is written apart). */
    private void awaitRoom() {
        do {
            if (isShutdown) {
                throw new QueueShutDown();
            }
            if (putters == null) {
                putters = newWaiters();
            }
            Future<Object> putter = addWaiter(putters);
            try {
                putter.await();
            } catch (RuntimeException | Error e) {
                putter.cancelInternal(null);
                putters.remove(putter);
                if (!full() && !putter.cancelled()) {
                    wakeNext(putters, null);
                }
                throw e;
            }
        } while (maxsize > 0 && size() >= maxsize);
    }

    /**
     * Puts {@code item} if there is room.
     *
     * @throws QueueFull if the queue is full
     * @throws QueueShutDown if the queue is shut down
     */
    public void putNowait(E item) {
        if (isShutdown) {
            throw new QueueShutDown();
        }
        if (full()) {
            throw new QueueFull();
        }
        putItem(item);
        unfinishedTasks++;
        if (finished != null) {
            finished.clear();
        }
        wakeNext(getters, null);
    }

    /**
     * Takes the next item, suspending the task while the queue is empty.
     *
     * @throws QueueShutDown if the queue is shut down and empty
     */
    public E get() {
        GilRuntime.checkpoint();
        if (size() == 0) {
            awaitItem();
        }
        return getNowait();
    }

    /*
     * Why get() tests twice, with the getters' deque made up front: the JIT compiles get() and the
     * body that calls it while the tasks that made them hot are still parked in their first get(),
     * when every test so far saw an empty queue and a queue with no deque yet. A test that later
     * answers otherwise, in the same bytecode, is an uncommon trap in that compiled code, and each
     * of those parked tasks deoptimizes its frame when it hits it (100,000 tasks: 100,000
     * deoptimizations). The test after a wait is its own bytecode, not profiled yet when the JIT
     * compiles it, so it is compiled for both outcomes; a deque that always exists needs no test.
     */

    /** Waits until the queue holds an item. */
    private void awaitItem() {
        do {
            if (isShutdown) {
                throw new QueueShutDown();
            }
            Future<Object> getter = addWaiter(getters);
            try {
                getter.await();
            } catch (RuntimeException | Error e) {
                getter.cancelInternal(null);
                getters.remove(getter);
                if (!empty() && !getter.cancelled()) {
                    wakeNext(getters, null);
                }
                throw e;
            }
        } while (size() == 0);
    }

    /**
     * Takes the next item if there is one.
     *
     * @throws QueueEmpty if the queue is empty
     * @throws QueueShutDown if the queue is shut down and empty
     */
    public E getNowait() {
        if (empty()) {
            if (isShutdown) {
                throw new QueueShutDown();
            }
            throw new QueueEmpty();
        }
        E item = getItem();
        wakeNext(putters, null);
        return item;
    }

    /**
     * Says that an item taken with {@code get} is processed; {@link #join()} returns when every
     * item put has been.
     *
     * @throws IllegalStateException if called more times than items were put
     */
    public void taskDone() {
        if (unfinishedTasks <= 0) {
            throw new IllegalStateException("taskDone() called too many times");
        }
        unfinishedTasks--;
        if (unfinishedTasks == 0 && finished != null) {
            finished.set();
        }
    }

    /** Suspends the task until every item put has been taken and marked done. */
    public void join() {
        if (unfinishedTasks > 0) {
            if (finished == null) {
                finished = new Event();
            }
            finished.await();
        }
    }

    /** {@code shutdown(false)}. */
    public void shutdown() {
        shutdown(false);
    }

    /**
     * Shuts the queue down: puts raise {@link QueueShutDown}, and gets raise it once the queue is
     * empty; with {@code immediate}, the queue is emptied now (its items count as done for
     * {@link #join()}). Every waiting task wakes up.
     */
    public void shutdown(boolean immediate) {
        isShutdown = true;
        if (immediate) {
            while (!empty()) {
                getItem();
                if (unfinishedTasks > 0) {
                    unfinishedTasks--;
                }
            }
            if (unfinishedTasks == 0 && finished != null) {
                finished.set();
            }
        }
        drain(getters);
        drain(putters);
    }

    private static void drain(ArrayDeque<Future<Object>> waiters) {
        if (waiters == null) {
            return;
        }
        Future<Object> f;
        while ((f = waiters.poll()) != null) {
            if (!f.done()) {
                f.setResultInternal(null);
            }
        }
    }

    /**
     * The queue's state as Python's repr shows it: {@code Queue[maxsize=1 qsize=1 items=[7] putters=1 tasks=1]},
     * with the items, the waiting getters and putters, the unfinished tasks and the shutdown flag
     * where there are any.
     */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(getClass().getSimpleName()).append("[maxsize=").append(maxsize)
                .append(" qsize=").append(size());
        if (size() > 0) {
            b.append(" items=[");
            String sep = "";
            for (Iterator<?> it = storeIterator(); it.hasNext(); ) {
                Object o = it.next();
                b.append(sep).append(o == NULL ? null : o);
                sep = ", ";
            }
            b.append(']');
        }
        return b.append(getters.isEmpty() ? "" : " getters=" + getters.size())
                .append(putters == null || putters.isEmpty() ? "" : " putters=" + putters.size())
                .append(unfinishedTasks == 0 ? "" : " tasks=" + unfinishedTasks)
                .append(isShutdown ? " shutdown" : "").append(']').toString();
    }
}
