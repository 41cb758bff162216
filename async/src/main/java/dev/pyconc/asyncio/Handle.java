package dev.pyconc.asyncio;

/**
 * A callback scheduled on an {@link EventLoop} by {@link EventLoop#callSoon} or
 * {@link EventLoop#callSoonThreadsafe}: Python's {@code asyncio.Handle}.
 *
 * <pre> {@code
 * Handle h = loop.callSoon(() -> System.out.println("later"));
 * h.cancel();       // it will not run
 * }</pre>
 *
 * <p>Memory consistency effects: actions prior to scheduling a callback <i>happen-before</i> it
 * runs. {@link #cancel()} must be called on the loop (from a task body or a callback), or it races
 * with the callback as in Python; from other threads, schedule the cancel with
 * {@code callSoonThreadsafe}.
 */
public class Handle {
    /*
     * Overview. A node of the loop's ready queue. `cancelled` is a plain field: the loop's baton
     * orders every access (see Dispatcher). Subclasses override run(); the loop calls it only
     * when the handle is not cancelled.
     */
    final Runnable callback;   // null for the loop's own handles, which override run()
    boolean cancelled;         // guarded by the loop's baton

    Handle(Runnable callback) {
        this.callback = callback;
    }

    /** Cancels the callback: if it has not run yet, it will not run. Idempotent. */
    public void cancel() {
        cancelled = true;
    }

    /** Whether {@link #cancel()} was called. */
    public boolean cancelled() {
        return cancelled;
    }

    /** Runs the callback; the loop catches what it throws. */
    void run() throws Exception {
        callback.run();
    }

    @Override
    public String toString() {
        return "Handle[" + (cancelled ? "cancelled " : "") + callback + "]";
    }
}
