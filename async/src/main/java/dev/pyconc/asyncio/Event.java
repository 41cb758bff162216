package dev.pyconc.asyncio;

import java.util.ArrayDeque;

import dev.pyconc.core.internal.GilRuntime;

/**
 * A flag that tasks can wait for: Python's {@code asyncio.Event}. Not thread-safe; from another
 * thread, set it with {@code loop.callSoonThreadsafe(event::set)}.
 *
 * <pre> {@code
 * Event ready = new Event();
 * loop.createTask(() -> { ready.await(); return go(); });
 * ready.set();                       // wakes every waiter
 * }</pre>
 *
 * <p>Memory consistency effects: actions prior to {@code set()} <i>happen-before</i> the return of
 * an {@code await()} that it wakes.
 */
public class Event extends LoopBound {
    /* Overview. Python's asyncio.Event: `value` and a deque of waiter futures, guarded by the baton. */
    private ArrayDeque<Future<Object>> waiters;    // allocated at the first wait
    private boolean value;

    /** An event that is not set. */
    public Event() {}

    /** Whether the event is set. */
    public boolean isSet() {
        return value;
    }

    /** Sets the event and wakes every waiter. */
    public void set() {
        if (!value) {
            value = true;
            wakeAll(waiters, Boolean.TRUE);
        }
    }

    /** Clears the event: later awaits wait for the next {@link #set()}. */
    public void clear() {
        value = false;
    }

    /**
     * Suspends the task until the event is set; returns at once if it is.
     *
     * @return true
     */
    public boolean await() {
        GilRuntime.checkpoint();
        if (value) {
            return true;
        }
        if (waiters == null) {
            waiters = newWaiters();
        }
        awaitWaiter(waiters, addWaiter(waiters));
        return true;
    }

    @Override
    public String toString() {
        return "asyncio.Event[" + (value ? "set" : "unset") + (waiters == null || waiters.isEmpty() ? "" : " waiters=" + waiters.size()) + "]";
    }
}
