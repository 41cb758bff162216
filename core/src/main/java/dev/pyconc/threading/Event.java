package dev.pyconc.threading;

import java.time.Duration;

import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.core.internal.Sync;
import dev.pyconc.core.internal.Timeouts;

/**
 * An event flag, Python's {@code threading.Event}: threads wait until another thread sets it.
 *
 * <pre> {@code
 * var go = new Event();
 * // workers:  go.await();  work();
 * go.set();    // starts every worker at once
 * }</pre>
 *
 * <p>As in Python, a waiter woken by {@link #set()} returns {@code true} even if the flag was
 * cleared again before it ran.
 *
 * <p>Memory consistency effects: actions prior to {@link #set()} <i>happen-before</i> the return
 * of every {@link #await()} it wakes and of every {@link #isSet()} that sees it.
 * See <a href="package-summary.html#MemoryVisibility">Memory Visibility</a>.
 */
public class Event {
    private final EventSync sync = new EventSync();

    /*
     * The state counts the flag's changes: odd while set, even while clear. A waiter that saw the
     * even state s succeeds once the state is anything but s, so a set() followed at once by a
     * clear() still releases it. (The count would have to wrap 2^32 times while one waiter is
     * being woken to be mistaken.) set() wakes waiters through AQS's shared-mode release, which
     * propagates to every waiter queued before it.
     */
    static final class EventSync extends Sync {
        private static final long serialVersionUID = 1L;

        @Override
        protected int tryAcquireShared(int seen) {
            return getState() != seen ? 1 : -1;
        }

        @Override
        protected boolean tryReleaseShared(int unused) {
            for (;;) {
                int s = getState();
                if ((s & 1) != 0) {
                    return false;     // already set: nobody to wake
                }
                if (compareAndSetState(s, s + 1)) {
                    return true;
                }
            }
        }

        void clear() {
            for (;;) {
                int s = getState();
                if ((s & 1) == 0 || compareAndSetState(s, s + 1)) {
                    return;
                }
            }
        }

        int state() {
            return getState();
        }
    }

    /** A new event, not set. */
    public Event() {}

    /** Whether the flag is set. */
    public boolean isSet() {
        return (sync.state() & 1) != 0;
    }

    /** Sets the flag and wakes every waiting thread. */
    public void set() {
        GilRuntime.checkpoint();
        sync.releaseShared(0);
    }

    /** Clears the flag: later waits block until the next {@link #set()}. */
    public void clear() {
        GilRuntime.checkpoint();
        sync.clear();
    }

    /**
     * Waits until the flag is set.
     *
     * @return {@code true}
     */
    public boolean await() {
        GilRuntime.checkpoint();
        int seen = sync.state();
        if ((seen & 1) == 0) {
            sync.acquireSharedBlocking(seen);
        }
        return true;
    }

    /**
     * Waits until the flag is set or {@code timeout} elapses.
     *
     * @return {@code true} if the flag was set, or set while waiting; {@code false} on timeout
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public boolean await(Duration timeout) {
        long nanos = Timeouts.toNanos(timeout);
        GilRuntime.checkpoint();
        int seen = sync.state();
        return (seen & 1) != 0 || sync.acquireSharedTimed(seen, nanos);
    }

    @Override
    public String toString() {
        return "Event[" + (isSet() ? "set" : "unset") + "]";
    }
}
