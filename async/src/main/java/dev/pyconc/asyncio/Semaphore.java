package dev.pyconc.asyncio;

import java.util.ArrayDeque;

import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.threading.Held;

/**
 * A counter of permits for tasks: Python's {@code asyncio.Semaphore}.
 *
 * <pre> {@code
 * Semaphore slots = new Semaphore(10);
 * try (var _ = slots.enter()) {       // at most 10 tasks in here
 *     fetch(url);
 * }
 * }</pre>
 *
 * <p>Waiters are served in FIFO order, and newcomers queue behind them. A waiter cancelled after
 * it was given a permit gives it back and wakes the next one (cpython gh-90155).
 *
 * <p>Memory consistency effects: actions prior to {@code release()} <i>happen-before</i> the
 * return of an {@code acquire()} that takes the permit it returned.
 */
public class Semaphore extends LoopBound {
    /*
     * Overview. Python 3.11.?+ asyncio.Semaphore after the gh-90155 fix: `value` counts free
     * permits; release() and a cancelled waiter call wakeUpNext(), which takes a permit for the
     * first waiter that is not done and completes its future. The permit travels with the
     * completed future, so a waiter that is cancelled after being completed returns it.
     */
    private ArrayDeque<Future<Object>> waiters;    // allocated at the first wait
    int value;
    private final Held held = this::release;

    /**
     * A semaphore with {@code value} permits.
     *
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public Semaphore(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("Semaphore initial value must be >= 0, not " + value);
        }
        this.value = value;
    }

    /** A semaphore with one permit. */
    public Semaphore() {
        this(1);
    }

    /** Whether {@link #acquire()} would suspend now. */
    public boolean locked() {
        if (value == 0) {
            return true;
        }
        if (waiters == null) {
            return false;
        }
        for (Future<Object> f : waiters) {
            if (!f.cancelled()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Takes a permit, suspending the task until one is free.
     *
     * @return true
     */
    public boolean acquire() {
        GilRuntime.checkpoint();
        if (!locked()) {
            value--;
            return true;
        }
        if (waiters == null) {
            waiters = newWaiters();
        }
        Future<Object> fut = addWaiter(waiters);
        try {
            awaitWaiter(waiters, fut);
        } catch (RuntimeException | Error e) {
            // a cancellation, whatever form it takes here
            if (fut.done() && !fut.cancelled()) {
                value++;       // we were given a permit but will not use it
            }
            throw e;
        } finally {
            while (value > 0) {
                if (!wakeUpNext()) {
                    break;
                }
            }
        }
        return true;
    }

    /** Returns a permit and wakes the first waiter. */
    public void release() {
        value++;
        wakeUpNext();
    }

    private boolean wakeUpNext() {
        if (waiters == null) {
            return false;
        }
        for (Future<Object> f : waiters) {
            if (!f.done()) {
                value--;
                f.setResultInternal(Boolean.TRUE);
                return true;
            }
        }
        return false;
    }

    /** Takes a permit and returns what gives it back: {@code try (var _ = sem.enter()) { ... }}. */
    public Held enter() {
        acquire();
        return held;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + (locked() ? "locked" : "unlocked") + " value=" + value + (waiters == null || waiters.isEmpty() ? "" : " waiters=" + waiters.size()) + "]";
    }
}
