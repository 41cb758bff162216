package dev.pyconc.asyncio;

import java.util.ArrayDeque;

import dev.pyconc.core.internal.GilRuntime;

/**
 * The base of the async primitives: Python's {@code _LoopBoundMixin} (a primitive binds to the
 * loop that first uses it) and the module's one way of waiting, a queue of waiter futures that the
 * waiting task awaits. Every primitive waits through {@link #awaitWaiter} and wakes through
 * {@link #wakeFirst} / {@link #wakeAll}, as Python's do with their deques of futures.
 */
abstract class LoopBound {
    /*
     * Binding. Python binds a primitive to the loop of its first use. Here `loop` starts as the
     * loop running where the primitive is made (null outside any), and `used` makes it final at
     * the first use; a first use in another loop rebinds it. So the test that every use makes
     * (is this the running loop?) answers the same at the first use as later, and a primitive
     * made in a task never takes the branch that binds: a branch taken only by first uses would
     * be an uncommon trap for the JIT-compiled callers of tasks parked in their first wait.
     */
    private EventLoop loop;      // the loop of the first use, or, before it, the loop the primitive was made in
    private boolean used;        // the first use happened: `loop` is final; both guarded by the loop's baton

    LoopBound() {
        EventLoop l = EventLoop.current();
        loop = l != null && l.isRunning() ? l : null;
    }

    /** The loop of the running task, binding this primitive to it on first use. */
    final EventLoop loop() {
        EventLoop running = Asyncio.getRunningLoop();
        if (loop != running) {
            bind(running);
        }
        used = true;
        return running;
    }

    private void bind(EventLoop running) {
        if (used) {
            throw new IllegalStateException(this + " is bound to a different event loop; create one per loop");
        }
        loop = running;
    }

    /** A waiter future of the running loop, appended to `waiters`. */
    final Future<Object> addWaiter(ArrayDeque<Future<Object>> waiters) {
        GilRuntime.checkpoint();
        Future<Object> f = loop().createFuture();
        waiters.add(f);
        return f;
    }

    /** Awaits `waiter`, removing it from `waiters` however the wait ends. */
    static Object awaitWaiter(ArrayDeque<Future<Object>> waiters, Future<Object> waiter) {
        try {
            return waiter.await();
        } finally {
            waiters.remove(waiter);
        }
    }

    /** A deque for waiters, allocated when a task first has to wait (most primitives never make one wait). */
    static ArrayDeque<Future<Object>> newWaiters() {
        return new ArrayDeque<>(2);
    }

    /**
     * Completes the first waiter with `value` unless it is done already (Lock's _wake_up_first). A
     * done first waiter is about to run: woken, it takes what it was woken for; cancelled, it
     * wakes the next one itself when it leaves. Looking past it would wake a second task for one
     * release (bpo-32734).
     */
    static void wakeFirst(ArrayDeque<Future<Object>> waiters, Object value) {
        if (waiters == null) {
            return;
        }
        Future<Object> f = waiters.peekFirst();
        if (f != null && !f.done()) {
            f.setResultInternal(value);
        }
    }

    /** Takes waiters from the head until one that is not done is completed with `value` (Queue's _wakeup_next). */
    static void wakeNext(ArrayDeque<Future<Object>> waiters, Object value) {
        if (waiters == null) {
            return;
        }
        Future<Object> f;
        while ((f = waiters.poll()) != null) {
            if (!f.done()) {
                f.setResultInternal(value);
                return;
            }
        }
    }

    /** Completes every waiter that is not done with `value`; returns how many. */
    static int wakeAll(ArrayDeque<Future<Object>> waiters, Object value) {
        if (waiters == null) {
            return 0;
        }
        int n = 0;
        for (Future<Object> f : waiters) {
            if (!f.done()) {
                f.setResultInternal(value);
                n++;
            }
        }
        return n;
    }

    /** Whether every waiter is cancelled (or there are none). */
    static boolean allCancelled(ArrayDeque<Future<Object>> waiters) {
        if (waiters == null) {
            return true;
        }
        for (Future<Object> f : waiters) {
            if (!f.cancelled()) {
                return false;
            }
        }
        return true;
    }
}
