package dev.pyconc.asyncio;

import java.util.ArrayDeque;

import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.threading.Held;

/**
 * A mutual-exclusion lock for tasks: Python's {@code asyncio.Lock}. It is not thread-safe: it
 * orders the tasks of one loop, which only switch where they await.
 *
 * <pre> {@code
 * try (var _ = lock.enter()) {      // async with lock:
 *     var v = shared.get();
 *     Asyncio.sleep(Duration.ofMillis(1));
 *     shared.set(v + 1);
 * }
 * }</pre>
 *
 * <p>Waiters are woken in FIFO order, one per release. A waiter cancelled after it was woken
 * passes the wake-up on to the next one, so a cancellation never leaves the lock free with tasks
 * waiting (cpython gh-90155), and a cancellation at the moment of a release never lets two tasks
 * take the lock (bpo-32734).
 *
 * <p>Memory consistency effects: actions of a task prior to {@code release()} <i>happen-before</i>
 * the return of the {@code acquire()} that takes the lock next.
 */
public class Lock extends LoopBound {
    /*
     * Overview. Python 3.12's asyncio.Lock: `locked` and a deque of waiter futures. release()
     * clears `locked` and wakes the first waiter, which sets `locked` when it runs; new arrivals
     * queue behind waiters that are not cancelled, so the lock is FIFO without hand-over. Fields
     * are guarded by the loop's baton.
     */
    private ArrayDeque<Future<Object>> waiters;    // allocated at the first wait
    private boolean locked;
    private final Held held = this::release;

    /** A lock that is not held. */
    public Lock() {}

    /**
     * Acquires the lock, suspending the task until it is free.
     *
     * @return true
     * @throws CancelledError if the task is cancelled while it waits (the lock is then not held)
     */
    public boolean acquire() {
        GilRuntime.checkpoint();
        if (!locked && allCancelled(waiters)) {
            locked = true;
            return true;
        }
        if (waiters == null) {
            waiters = newWaiters();
        }
        Future<Object> fut = addWaiter(waiters);
        try {
            awaitWaiter(waiters, fut);
        } catch (RuntimeException | Error e) {
            // A cancellation, whatever form it takes here (a timeout block's may arrive as its
            // TimeoutError): if the lock is free, the waiter now first in line must run.
            if (!locked) {
                wakeFirst(waiters, Boolean.TRUE);
            }
            throw e;
        }
        locked = true;
        return true;
    }

    /**
     * Releases the lock and wakes the first waiter.
     *
     * @throws IllegalStateException if the lock is not held
     */
    public void release() {
        if (!locked) {
            throw new IllegalStateException("Lock is not acquired.");
        }
        locked = false;
        wakeFirst(waiters, Boolean.TRUE);
    }

    /** Whether the lock is held. */
    public boolean locked() {
        return locked;
    }

    /** Acquires the lock and returns what releases it: {@code try (var _ = lock.enter()) { ... }}. */
    public Held enter() {
        acquire();
        return held;
    }

    @Override
    public String toString() {
        return "asyncio.Lock[" + (locked ? "locked" : "unlocked") + (waiters == null || waiters.isEmpty() ? "" : " waiters=" + waiters.size()) + "]";
    }
}
