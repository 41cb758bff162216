package dev.pyconc.asyncio;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

import dev.pyconc.contextvars.Context;
import dev.pyconc.contextvars.Contextvars;

/**
 * Runs several bodies, one after another, on one event loop, and cleans up at the end: Python
 * 3.11's {@code asyncio.Runner}. {@link Asyncio#run} is a runner used once.
 *
 * <pre> {@code
 * try (var runner = new Runner()) {
 *     runner.run(() -> connect());
 *     runner.run(() -> serve());
 * }
 * }</pre>
 *
 * <p>{@link #close()} cancels the tasks still pending and waits for them, shuts the default
 * executor down (waiting for its calls) and closes the loop. If the thread running a body is
 * interrupted, the body's task is cancelled and {@link dev.pyconc.builtins.InterruptedError} is
 * raised once it has ended, as Python's runner turns Ctrl-C into a cancellation of the main task.
 *
 * <p>Without a {@code loopFactory} the loop is made by the event loop policy
 * ({@link Asyncio#newEventLoop()}) and set as the thread's current loop
 * ({@link Asyncio#setEventLoop}) when it is made, once, then unset by {@link #close()}, as Python's
 * runner does. A {@code loopFactory} makes the loop instead (Python's
 * {@code Runner(loop_factory=...)}), and the current loop is left alone. Without a {@code debug}
 * argument the loop keeps the debug mode it was made with (the environment's default, see
 * {@link EventLoop#getDebug()}: Python's {@code Runner(debug=None)}).
 *
 * <p>The bodies run in a copy of the context current when the loop was made, the same one for
 * every {@code run}, so a {@code ContextVar} set by one body is seen by the next, as in Python;
 * {@link #run(Callable, Context)} takes another.
 * <p><b>Ctrl-C.</b> On the main thread, while SIGINT has the JVM's own handler, {@code run}
 * installs a SIGINT handler for its duration, as Python 3.11's runner does: the first SIGINT
 * cancels the body's task, and {@code run} raises {@link dev.pyconc.builtins.InterruptedError}
 * (Python's {@code KeyboardInterrupt}) once it has ended, unless the body swallowed the
 * cancellation; a second SIGINT makes {@code run} raise at once, leaving the task to
 * {@link #close()}. The JVM's handler (the shutdown hooks) is put back after. A handler the
 * program installed itself is left alone, and where the JVM keeps SIGINT ({@code -Xrs}) none is
 * installed.
 *
 * <p>Memory consistency effects: actions of a body <i>happen-before</i> {@code run} returns.
 */
public final class Runner implements AutoCloseable {
    /*
     * Overview. A loop made lazily by the first run(); each run() creates the body's task and runs
     * the loop until it is done. Not thread-safe: one thread uses a runner, as in Python.
     */
    private final Boolean debug;                    // null: leave the loop's as it is made
    private final Supplier<EventLoop> loopFactory;
    private EventLoop loop;
    private boolean setEventLoop;                   // this runner made its loop the thread's current one
    private Context context;                        // the bodies' context, copied when the loop is made
    private boolean closed;

    /** A runner whose loop keeps the debug mode it is made with (Python's {@code Runner()}). */
    public Runner() {
        this((Boolean) null, null);
    }

    /** A runner whose loop has debug mode {@code debug}. */
    public Runner(boolean debug) {
        this(debug, null);
    }

    /**
     * A runner whose loop is made by {@code loopFactory} (Python's {@code Runner(loop_factory=...)});
     * null: {@link Asyncio#newEventLoop()}. The loop's debug mode is left as the factory made it.
     */
    public Runner(Supplier<EventLoop> loopFactory) {
        this((Boolean) null, loopFactory);
    }

    /** A runner whose loop is made by {@code loopFactory} (null: the default) with debug mode {@code debug}. */
    public Runner(boolean debug, Supplier<EventLoop> loopFactory) {
        this(Boolean.valueOf(debug), loopFactory);
    }

    private Runner(Boolean debug, Supplier<EventLoop> loopFactory) {
        this.debug = debug;
        this.loopFactory = loopFactory;
    }

    /** The runner's loop, created if needed. */
    public EventLoop getLoop() {
        lazyInit();
        return loop;
    }

    /**
     * Runs {@code body} as a task on the runner's loop and returns its result.
     *
     * @throws IllegalStateException if the runner is closed, or if called from a running loop
     */
    public <T> T run(Callable<T> body) {
        return run(body, null);
    }

    /**
     * Runs {@code body} as a task on the runner's loop, in {@code context} (null: the runner's
     * own, see above), and returns its result (Python's {@code runner.run(coro, context=ctx)}).
     *
     * @throws IllegalStateException if the runner is closed, or if called from a running loop
     */
    public <T> T run(Callable<T> body, Context context) {
        if (body == null) {
            throw new IllegalArgumentException("body must not be null");
        }
        if (EventLoop.current() != null) {
            throw new IllegalStateException("Runner.run() cannot be called from a running event loop; "
                    + "await the work from the task instead");
        }
        lazyInit();
        Task<T> task = loop.createTask(body, null, context != null ? context : this.context);
        Sigint sigint = Sigint.install(loop, task);
        try {
            return loop.runUntilComplete(task);
        } catch (CancelledError e) {
            if (sigint != null && sigint.cancelled && task.uncancel() == 0) {
                throw sigint.raised(e);
            }
            throw e;
        } catch (dev.pyconc.builtins.InterruptedError e) {
            if (sigint != null && sigint.count.get() > 1) {
                Thread.interrupted();           // our own delivery of the second Ctrl-C
                throw sigint.raised(e);         // at once, as Python: close() cancels the task
            }
            loop.callSoon(task::cancel);
            try {
                loop.runUntilComplete(task);
            } catch (CancelledError | dev.pyconc.builtins.InterruptedError ignored) {
                // the cancellation we asked for
            } catch (RuntimeException | Error other) {
                e.addSuppressed(other);
            }
            throw e;
        } finally {
            if (sigint != null) {
                sigint.uninstall();
            }
        }
    }

    /**
     * The SIGINT handler of one run(), as Python 3.11's runner installs: the first Ctrl-C cancels
     * the main task (run() then raises InterruptedError, Python's KeyboardInterrupt, unless the
     * task swallowed the cancellation), a second interrupts the waiting thread, so run() raises at
     * once. Installed only on the main thread and only while SIGINT has the JVM's own handler
     * (which runs the shutdown hooks): a program's own handler is left alone, as Python leaves a
     * handler other than default_int_handler; where the JVM refuses SIGINT (-Xrs) there is none.
     */
    private static final class Sigint implements sun.misc.SignalHandler {
        final java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
        /*
         * Whether the handler's cancellation reached the task: set on the loop, read by run() after
         * the loop stopped. The signal comes on the JDK's signal thread and the cancellation follows
         * through the loop, so a task that ended (cancelled by someone else) in between was not
         * cancelled by Ctrl-C, and run() raises its CancelledError, as Python's does when another
         * cancellation is pending (test_interrupt_cancelled_task).
         */
        boolean cancelled;
        private final EventLoop loop;
        private final Task<?> task;
        private final Thread thread = Thread.currentThread();
        private sun.misc.SignalHandler previous;

        private Sigint(EventLoop loop, Task<?> task) {
            this.loop = loop;
            this.task = task;
        }

        static Sigint install(EventLoop loop, Task<?> task) {
            if (Thread.currentThread() != dev.pyconc.threading.Threading.mainThread().javaThread()) {
                return null;
            }
            Sigint s = new Sigint(loop, task);
            sun.misc.SignalHandler previous;
            try {
                previous = Signals.install(Process.SIGINT, s);
            } catch (IllegalStateException | IllegalArgumentException refused) {
                return null;                    // the JVM keeps SIGINT (-Xrs): run without
            }
            if (!Signals.isJdkDefault(previous)) {
                Signals.restore(Process.SIGINT, previous);
                return null;
            }
            s.previous = previous;
            return s;
        }

        @Override
        public void handle(sun.misc.Signal sig) {
            if (count.incrementAndGet() == 1) {
                try {
                    loop.callSoonThreadsafe(() -> {
                        if (!task.done()) {
                            task.cancel();
                            cancelled = true;
                        }
                    });
                    return;
                } catch (IllegalStateException closed) {
                    // the loop is closed: interrupt as for a second Ctrl-C
                }
            }
            thread.interrupt();
        }

        dev.pyconc.builtins.InterruptedError raised(RuntimeException during) {
            var e = new dev.pyconc.builtins.InterruptedError("SIGINT (Ctrl-C) interrupted Runner.run(); the main task was cancelled");
            e.addSuppressed(during);            // what run() was raising: Python's __context__
            return e;
        }

        void uninstall() {
            sun.misc.SignalHandler current = Signals.restore(Process.SIGINT, previous);
            if (current != this) {
                Signals.restore(Process.SIGINT, current);   // a handler put in since: leave it
            }
        }
    }

    private void lazyInit() {
        if (closed) {
            throw new IllegalStateException("Runner is closed");
        }
        if (loop == null) {
            EventLoop l;
            if (loopFactory == null) {
                l = Asyncio.newEventLoop();
                if (l == null) {
                    throw new IllegalStateException("the event loop policy's newEventLoop() returned null instead of an event loop");
                }
                if (!setEventLoop) {
                    Asyncio.setEventLoop(l);
                    setEventLoop = true;
                }
            } else {
                l = loopFactory.get();
                if (l == null) {
                    throw new IllegalStateException("the loop factory of the Runner returned null instead of an event loop");
                }
            }
            loop = l;
            if (debug != null) {
                loop.setDebug(debug);
            }
            context = Contextvars.copyContext();
        }
    }

    /** Cancels what is left, shuts the default executor down and closes the loop. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        EventLoop l = loop;
        if (l == null) {
            return;
        }
        try {
            cancelAllTasks(l);
            l.runUntilComplete(() -> {
                l.shutdownDefaultExecutor();
                return null;
            });
        } finally {
            if (setEventLoop) {
                Asyncio.setEventLoop(null);
            }
            l.close();
        }
    }

    private static void cancelAllTasks(EventLoop loop) {
        List<Task<?>> toCancel = new ArrayList<>(loop.dispatcher.pendingTasks());
        if (toCancel.isEmpty()) {
            return;
        }
        for (Task<?> t : toCancel) {
            t.cancel();
        }
        loop.runUntilComplete(Asyncio.gather(true, toCancel));
        for (Task<?> t : toCancel) {
            if (t.cancelled()) {
                continue;
            }
            if (t.exception != null) {
                t.retrieved();
                loop.callExceptionHandler(EventLoop.context("unhandled exception during asyncio.run() shutdown",
                        t.exception, "task", t));
            }
        }
    }
}
