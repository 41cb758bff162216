package dev.pyconc.asyncio;

import dev.pyconc.contextvars.Context;
import dev.pyconc.contextvars.Contextvars;
import dev.pyconc.core.internal.ContextSupport;

/**
 * A callback scheduled on an {@link EventLoop} by {@link EventLoop#callSoon} or
 * {@link EventLoop#callSoonThreadsafe}: Python's {@code asyncio.Handle}.
 *
 * <pre> {@code
 * Handle h = loop.callSoon(() -> System.out.println("later"));
 * h.cancel();       // it will not run
 * }</pre>
 *
 * <p>The callback runs in a {@link Context}: the one given to {@code callSoon(callback, context)},
 * else a copy of the context current when it was scheduled, as in Python; {@link #getContext()}
 * returns it.
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
     *
     * `context` is where the callback of a user's handle runs. The loop's own handles have none
     * (null). A user's handle scheduled while no ContextVar existed in the JVM has LAZY: every
     * context was empty then, so its copy of the current one is a new empty context, made only
     * if asked for (getContext) or if a variable exists by the time it runs. So a program that
     * uses no context variable pays one volatile read per callSoon for them.
     */
    static final Context LAZY = new Context();    // a marker, never entered

    final Runnable callback;   // null for the loop's own handles, which override run()
    boolean cancelled;         // guarded by the loop's baton
    Context context;           // null, LAZY or the context the callback runs in; guarded by the baton

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

    /** A user's callback: it runs in {@code context}, or in a copy of the current context when that is null. */
    Handle(Runnable callback, Context context) {
        this.callback = callback;
        this.context = context != null ? context : captured();
    }

    /** The context a user's callback scheduled now runs in when none is given: a copy of the current one. */
    static Context captured() {
        return ContextSupport.used() ? Contextvars.copyContext() : LAZY;
    }

    /** The context the callback runs in (Python's {@code handle.get_context()}); null for the loop's own handles. */
    public Context getContext() {
        Context c = context;
        if (c == LAZY) {
            c = new Context();
            context = c;
        }
        return c;
    }

    /** Runs the callback; the loop catches what it throws. */
    void run() throws Exception {
        Context c = context;
        if (c == null) {
            callback.run();
        } else if (c == LAZY) {
            if (ContextSupport.used()) {
                getContext().run(callback);
            } else {
                callback.run();
            }
        } else {
            c.run(callback);
        }
    }

    @Override
    public String toString() {
        return "Handle[" + (cancelled ? "cancelled " : "") + callback + "]";
    }
}
