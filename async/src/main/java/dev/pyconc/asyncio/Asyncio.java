package dev.pyconc.asyncio;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.pyconc.contextvars.Context;
import dev.pyconc.contextvars.Contextvars;
import dev.pyconc.core.internal.Failures;
import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.core.internal.Timeouts;
import dev.pyconc.futures.ReturnWhen;
import dev.pyconc.builtins.ConnectionRefusedError;
import dev.pyconc.builtins.TimeoutError;

/**
 * The functions of Python's {@code asyncio} module: running a program, sleeping, and combining
 * futures and tasks. A Python coroutine call becomes a plain call that suspends the current task
 * ({@code await asyncio.sleep(1)} is {@code Asyncio.sleep(Duration.ofSeconds(1))}), and
 * {@code await fut} is {@code fut.await()}.
 *
 * <pre> {@code
 * List<Integer> r = Asyncio.run(() -> {
 *     Task<Integer> a = Asyncio.createTask(() -> { Asyncio.sleep(Duration.ofSeconds(1)); return 1; });
 *     Task<Integer> b = Asyncio.createTask(() -> { Asyncio.sleep(Duration.ofSeconds(2)); return 2; });
 *     return Asyncio.gather(a, b).await();       // [1, 2] after about 2 s
 * });
 * }</pre>
 *
 * <p>The functions that suspend ({@code sleep}, {@code wait}, {@code waitFor}, {@code toThread},
 * {@code await()}) must be called from a task body; elsewhere they throw
 * {@link IllegalStateException} saying what to do instead. The others are called on the running
 * loop, except {@link #run}, {@link #newEventLoop()} and {@link #runCoroutineThreadsafe}, which
 * any thread may call, and those that Python 3.13 writes with {@code get_event_loop()}
 * ({@link #getEventLoop()}: the running loop, else the loop set current in the thread with
 * {@link #setEventLoop}), which also take a current loop that is not running.
 *
 * <p>Memory consistency effects: as for {@link EventLoop} and {@link Future}.
 */
public final class Asyncio {
    private Asyncio() {}

    // ---------------------------------------------------------------- loops and running

    /**
     * Runs {@code main} as a task of a new event loop and returns its result (Python's
     * {@code asyncio.run}): when it ends, the tasks still pending are cancelled and awaited, the
     * default executor is shut down and the loop is closed. The loop is made by the event loop
     * policy, set as the thread's current loop while it runs ({@link #setEventLoop}) and unset
     * after; its debug mode is the environment's default (see {@link EventLoop#getDebug()}).
     *
     * @throws IllegalStateException if called from a task or callback of a running loop
     */
    public static <T> T run(Callable<T> main) {
        try (Runner runner = new Runner()) {
            return runner.run(main);
        }
    }

    /** As {@link #run(Callable)}, with the loop's debug mode set to {@code debug}. */
    public static <T> T run(Callable<T> main, boolean debug) {
        try (Runner runner = new Runner(debug)) {
            return runner.run(main);
        }
    }

    /**
     * As {@link #run(Callable)} on a loop made by {@code loopFactory} (Python's
     * {@code asyncio.run(main, loop_factory=...)}); null: {@link #newEventLoop()}.
     */
    public static <T> T run(Callable<T> main, Supplier<EventLoop> loopFactory) {
        try (Runner runner = new Runner(loopFactory)) {
            return runner.run(main);
        }
    }

    /** As {@link #run(Callable, Supplier)}, with the loop's debug mode set to {@code debug}. */
    public static <T> T run(Callable<T> main, boolean debug, Supplier<EventLoop> loopFactory) {
        try (Runner runner = new Runner(debug, loopFactory)) {
            return runner.run(main);
        }
    }

    /** As {@link #run(Callable)} for a body that returns nothing. */
    public static void run(Runnable main) {
        if (main == null) {
            throw new IllegalArgumentException("main must not be null");
        }
        run(() -> {
            main.run();
            return null;
        });
    }

    /**
     * Whether {@code obj} is an asyncio future, a {@link Task} included (Python's
     * {@code asyncio.isfuture}); a {@code concurrent.futures} future is not one, as in Python.
     */
    public static boolean isFuture(Object obj) {
        return obj instanceof Future<?>;
    }

    /**
     * A new event loop, made by the event loop policy (Python's {@code asyncio.new_event_loop()});
     * close it when done. The default policy's loops start in the debug mode of the environment
     * (see {@link EventLoop#getDebug()}).
     */
    public static EventLoop newEventLoop() {
        return getEventLoopPolicy().newEventLoop();
    }

    // ---------------------------------------------------------------- the current loop of a thread

    private static final Object POLICY_LOCK = new Object();
    private static volatile AbstractEventLoopPolicy policy;    // null until first asked for, or after set(null)

    /**
     * The event loop policy (Python's {@code asyncio.get_event_loop_policy()}): the one set with
     * {@link #setEventLoopPolicy}, else a {@link DefaultEventLoopPolicy} made the first time.
     * Thread-safe.
     */
    public static AbstractEventLoopPolicy getEventLoopPolicy() {
        AbstractEventLoopPolicy p = policy;
        if (p == null) {
            synchronized (POLICY_LOCK) {
                p = policy;
                if (p == null) {
                    p = new DefaultEventLoopPolicy();
                    policy = p;
                }
            }
        }
        return p;
    }

    /**
     * Sets the event loop policy (Python's {@code asyncio.set_event_loop_policy(policy)}); null puts
     * a new default policy back, with no loop set in any thread. Thread-safe.
     */
    public static void setEventLoopPolicy(AbstractEventLoopPolicy newPolicy) {
        synchronized (POLICY_LOCK) {
            policy = newPolicy;
        }
    }

    /**
     * The running loop of the calling thread, else the current loop of the thread from the policy
     * (Python 3.13's {@code asyncio.get_event_loop()}). The default policy makes and sets a loop the
     * first time in the main thread when none was ever set there (logging a warning, Python's
     * {@code DeprecationWarning}).
     *
     * <pre> {@code
     * EventLoop loop = Asyncio.getEventLoop();
     * loop.runUntilComplete(loop.createTask(() -> main()));
     * }</pre>
     *
     * @throws IllegalStateException "There is no current event loop in thread 'NAME'." when no loop
     *         runs in the thread and the policy has none for it
     */
    public static EventLoop getEventLoop() {
        EventLoop running = EventLoop.current();
        if (running != null && running.isRunning()) {
            return running;
        }
        return getEventLoopPolicy().getEventLoop();
    }

    /**
     * Makes {@code loop} the current loop of the calling thread, or none when null (Python's
     * {@code asyncio.set_event_loop(loop)}), through the policy. It does not run the loop: the
     * thread runs it with {@link EventLoop#runUntilComplete}.
     */
    public static void setEventLoop(EventLoop loop) {
        getEventLoopPolicy().setEventLoop(loop);
    }

    /**
     * The loop running the current task or callback (Python's {@code get_running_loop()}).
     *
     * @throws IllegalStateException if there is none
     */
    public static EventLoop getRunningLoop() {
        EventLoop loop = EventLoop.current();
        if (loop == null || !loop.isRunning()) {
            throw new IllegalStateException("no running event loop: call this from a task body or callback, "
                    + "or start one with Asyncio.run(...)");
        }
        return loop;
    }

    /**
     * The task whose body is running, or null in a callback (Python's {@code current_task()}).
     *
     * @throws IllegalStateException if no loop is running in this thread
     */
    public static Task<?> currentTask() {
        return EventLoop.currentTaskOf(getRunningLoop());
    }

    /**
     * The task whose body is running on {@code loop}, or null when the loop runs none: it is not
     * running, or it runs a callback (Python's {@code current_task(loop)}); a null {@code loop} is
     * the running loop's, as {@link #currentTask()}. Asked from a thread that does not run
     * {@code loop}, the answer may be out of date as soon as it is given.
     */
    public static Task<?> currentTask(EventLoop loop) {
        if (loop == null) {
            return currentTask();
        }
        return loop.isRunning() ? loop.dispatcher.currentTask : null;
    }

    /** The tasks of the running loop that are not done yet (Python's {@code all_tasks()}). */
    public static Set<Task<?>> allTasks() {
        return getRunningLoop().dispatcher.pendingTasks();
    }

    /** Schedules {@code body} as a task of the running loop (Python's {@code create_task}). */
    public static <T> Task<T> createTask(Callable<T> body) {
        return getRunningLoop().createTask(body);
    }

    /** Schedules {@code body} as a task named {@code name} of the running loop. */
    public static <T> Task<T> createTask(Callable<T> body, String name) {
        return getRunningLoop().createTask(body, name);
    }

    /** Schedules {@code body}, which returns nothing, as a task of the running loop. */
    public static Task<Void> createTask(Runnable body) {
        return getRunningLoop().createTask(body);
    }

    /** Schedules {@code body}, which returns nothing, as a task named {@code name} of the running loop. */
    public static Task<Void> createTask(Runnable body, String name) {
        return getRunningLoop().createTask(body, name);
    }

    /**
     * Schedules {@code body} as a task named {@code name} (null: a generated name) of the running
     * loop, running in {@code context} (Python's {@code create_task(coro, name=..., context=ctx)});
     * null: a copy of the current context.
     */
    public static <T> Task<T> createTask(Callable<T> body, String name, Context context) {
        return getRunningLoop().createTask(body, name, context);
    }

    /** As {@link #createTask(Callable, String, Context)} for a body that returns nothing. */
    public static Task<Void> createTask(Runnable body, String name, Context context) {
        return getRunningLoop().createTask(body, name, context);
    }

    // ---------------------------------------------------------------- sleeping

    /**
     * Suspends the current task for {@code delay} (Python's {@code asyncio.sleep}).
     * {@link Duration#ZERO} lets every other ready task and callback run once, then continues.
     *
     * @throws CancelledError if the task is cancelled while it sleeps
     * @throws IllegalArgumentException if {@code delay} is null or negative
     */
    public static void sleep(Duration delay) {
        sleep(delay, null);
    }

    /** As {@link #sleep(Duration)}, then returns {@code result}. */
    public static <T> T sleep(Duration delay, T result) {
        long nanos = Timeouts.toNanos(delay, "delay");
        GilRuntime.checkpoint();
        Task<?> task = EventLoop.awaitingTask(null);
        EventLoop loop = task.loop;
        if (nanos == 0) {
            task.suspend(null);
            return result;
        }
        Future<T> f = loop.createFuture();
        TimerHandle h = loop.schedule(Timeouts.deadline(nanos), () -> {
            if (!f.done()) {
                f.setResultInternal(result);
            }
        });
        try {
            return f.await();
        } finally {
            h.cancel();
        }
    }

    // ---------------------------------------------------------------- futures of anything

    /**
     * Returns {@code f} itself (Python's {@code ensure_future} of a future).
     */
    public static <T> Future<T> ensureFuture(Future<T> f) {
        if (f == null) {
            throw new IllegalArgumentException("the future must not be null");
        }
        return f;
    }

    /**
     * Schedules {@code body} as a task of {@link #getEventLoop()}, the running loop or else the
     * thread's current one (Python's {@code ensure_future} of a coroutine).
     */
    public static <T> Future<T> ensureFuture(Callable<T> body) {
        return getEventLoop().createTask(body);
    }

    /**
     * Returns {@code f} itself, which must belong to {@code loop} (Python's
     * {@code ensure_future(fut, loop=loop)}); a null {@code loop} checks nothing.
     *
     * @throws IllegalArgumentException if {@code f} belongs to another loop (Python's ValueError)
     */
    public static <T> Future<T> ensureFuture(Future<T> f, EventLoop loop) {
        ensureFuture(f);
        if (loop != null && f.loop != loop) {
            throw new IllegalArgumentException("The future belongs to a different loop than the one specified as the loop argument");
        }
        return f;
    }

    /**
     * Schedules {@code body} as a task of {@code loop}, or of {@link #getEventLoop()} when it is null
     * (Python's {@code ensure_future(coro, loop=loop)}).
     */
    public static <T> Future<T> ensureFuture(Callable<T> body, EventLoop loop) {
        return loop == null ? ensureFuture(body) : loop.createTask(body);
    }

    /**
     * A future of {@code loop} that follows {@code source}, a future of
     * {@code concurrent.futures} (Python's {@code wrap_future}): it gets the source's outcome on the
     * loop, and cancelling it cancels the source.
     */
    public static <T> Future<T> wrapFuture(dev.pyconc.futures.Future<T> source, EventLoop loop) {
        if (source == null || loop == null) {
            throw new IllegalArgumentException("source and loop must not be null");
        }
        Future<T> dest = loop.createFuture();
        dest.addDoneCallback(d -> {
            if (d.cancelled()) {
                source.cancel();
            }
        });
        source.addDoneCallback(s -> {
            Runnable copy = () -> {
                if (dest.done()) {
                    return;
                }
                if (s.cancelled()) {
                    dest.cancelInternal(null);
                    return;
                }
                Throwable e = s.exception();
                if (e != null) {
                    dest.setExceptionInternal(convertFutureException(e));
                } else {
                    dest.setResultInternal(s.result());
                }
            };
            try {
                loop.callSoonThreadsafe(copy);
            } catch (IllegalStateException closed) {
                // the loop was closed: nobody can await dest any more
            }
        });
        return dest;
    }

    /**
     * The exception of a concurrent future as asyncio raises it (Python's _convert_future_exc):
     * concurrent.futures' CancelledError and InvalidStateError become asyncio's, the original as
     * the cause.
     */
    private static Throwable convertFutureException(Throwable e) {
        Throwable converted;
        if (e instanceof dev.pyconc.futures.CancelledError) {
            converted = new CancelledError(e.getMessage());
        } else if (e instanceof dev.pyconc.futures.InvalidStateError) {
            converted = new InvalidStateError(e.getMessage());
        } else {
            return e;
        }
        converted.initCause(e);
        return converted;
    }

    /** Returns {@code future} itself, which is an asyncio future already (Python's {@code wrap_future} of one). */
    public static <T> Future<T> wrapFuture(Future<T> future) {
        return ensureFuture(future);
    }

    /**
     * {@link #wrapFuture(dev.pyconc.futures.Future, EventLoop)} on {@link #getEventLoop()}: the
     * running loop, else the thread's current one.
     */
    public static <T> Future<T> wrapFuture(dev.pyconc.futures.Future<T> source) {
        return wrapFuture(source, getEventLoop());
    }

    /**
     * Runs {@code body} as a task of {@code loop} from another thread and returns a
     * {@code concurrent.futures} future of its result (Python's {@code run_coroutine_threadsafe}).
     * Cancelling the returned future cancels the task, and a task cancelled leaves the future
     * cancelled ({@code cancelled()} is true, {@code result()} throws its
     * {@code CancellationException}). Thread-safe.
     */
    public static <T> dev.pyconc.futures.Future<T> runCoroutineThreadsafe(Callable<T> body, EventLoop loop) {
        if (body == null || loop == null) {
            throw new IllegalArgumentException("body and loop must not be null");
        }
        dev.pyconc.futures.Future<T> result = new dev.pyconc.futures.Future<>();
        loop.callSoonThreadsafe(() -> {
            if (result.cancelled()) {
                return;
            }
            Task<T> task;
            try {
                task = loop.createTask(body);
            } catch (Throwable e) {
                if (result.setRunningOrNotifyCancel()) {
                    result.setException(e);
                }
                throw e;
            }
            result.addDoneCallback(r -> {
                if (r.cancelled()) {
                    try {
                        loop.callSoonThreadsafe(task::cancel);
                    } catch (IllegalStateException closed) {
                        // the loop is gone and so is the task
                    }
                }
            });
            task.addDoneCallback(t -> {
                if (t.cancelled()) {
                    result.cancel();         // as Python's _set_concurrent_future_state: cancelled() is true
                }
                if (!result.setRunningOrNotifyCancel()) {
                    return;
                }
                if (t.exception != null) {
                    t.retrieved();
                    result.setException(t.exception);
                } else {
                    result.setResult(t.result());
                }
            });
        });
        return result;
    }

    /**
     * Runs {@code fn} in the loop's default executor and returns its result, suspending the current
     * task meanwhile (Python's {@code asyncio.to_thread}).
     */
    public static <T> T toThread(Callable<T> fn) {
        if (fn == null) {
            throw new IllegalArgumentException("fn must not be null");
        }
        Context ctx = Contextvars.copyContext();      // as Python's to_thread: fn sees the caller's variables
        return getRunningLoop().runInExecutor(null, () -> ctx.run(fn)).await();
    }

    // ---------------------------------------------------------------- gather

    /**
     * A future of the results of {@code futures}, in their order (Python's {@code gather}). If a
     * child fails, the gather fails with its exception at once and the other children go on
     * running; a child cancelled on its own fails the gather with {@link CancelledError}.
     * Cancelling the gather cancels every child that is not done, and the gather ends failed with
     * a {@link CancelledError}, as Python's does: awaiting it raises that error, {@code exception()}
     * returns it, and {@code cancelled()} is false. A gather of nothing is a future of
     * {@link #getEventLoop()} (the running loop, else the thread's current one) done with an empty
     * list.
     */
    @SafeVarargs
    @SuppressWarnings("varargs")
    public static <T> Future<List<T>> gather(Future<? extends T>... futures) {
        return gather(Arrays.asList(futures));
    }

    /**
     * Schedules each body as a task of {@link #getEventLoop()} (the running loop, else the thread's
     * current one) and gathers them (Python's {@code gather} of coroutines).
     */
    @SafeVarargs
    public static <T> Future<List<T>> gather(Callable<? extends T>... bodies) {
        EventLoop loop = getEventLoop();
        List<Future<? extends T>> children = new ArrayList<>(bodies.length);
        for (Callable<? extends T> b : bodies) {
            children.add(loop.createTask(b));
        }
        return gather(children);
    }

    /** As {@link #gather(Future[])} for a collection. */
    @SuppressWarnings("unchecked")
    public static <T> Future<List<T>> gather(Collection<? extends Future<? extends T>> futures) {
        return (Future<List<T>>) (Future<?>) gatherImpl(futures, false);
    }

    /**
     * As {@link #gather(Collection)}, but with {@code returnExceptions} a failed or cancelled child
     * puts its exception (a {@link CancelledError} for a cancelled one) in the list instead of
     * failing the gather.
     */
    public static Future<List<Object>> gather(boolean returnExceptions, Collection<? extends Future<?>> futures) {
        return gatherImpl(futures, returnExceptions);
    }

    private static Future<List<Object>> gatherImpl(Collection<? extends Future<?>> futures, boolean returnExceptions) {
        if (futures == null) {
            throw new IllegalArgumentException("futures must not be null");
        }
        List<Future<?>> children = new ArrayList<>(futures);
        for (Future<?> f : children) {
            if (f == null) {
                throw new IllegalArgumentException("gather() got a null future");
            }
        }
        EventLoop loop = children.isEmpty() ? getEventLoop() : children.getFirst().loop;
        for (Future<?> f : children) {
            if (f.loop != loop) {
                throw new IllegalArgumentException("futures given to gather() must all belong to the same event loop");
            }
        }
        GatheringFuture outer = new GatheringFuture(loop, children, returnExceptions);
        if (children.isEmpty()) {
            outer.setResultInternal(new ArrayList<>());
        }
        return outer;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void addCallback(Future<?> f, Consumer<Future<?>> fn) {
        f.addDoneCallback((Consumer) fn);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void removeCallback(Future<?> f, Consumer<Future<?>> fn) {
        f.removeDoneCallback((Consumer) fn);
    }

    /** Python's _GatheringFuture: cancel() cancels the children. */
    private static final class GatheringFuture extends Future<List<Object>> {
        private final List<Future<?>> children;
        private final boolean returnExceptions;
        private int finished;
        private boolean cancelRequested;

        GatheringFuture(EventLoop loop, List<Future<?>> children, boolean returnExceptions) {
            super(loop);
            this.children = children;
            this.returnExceptions = returnExceptions;
            // the same future twice counts once, as Python's arg_to_fut mapping
            Consumer<Future<?>> onChildDone = this::childDone;
            int n = 0;
            for (Future<?> c : children) {
                if (c.gatherMark != this) {
                    c.gatherMark = this;
                    n++;
                    addCallback(c, onChildDone);
                }
            }
            this.distinct = n;
            for (Future<?> c : children) {
                c.gatherMark = null;     // keep no reference from a child to this gather
            }
        }

        private final int distinct;

        private void childDone(Future<?> child) {
            finished++;
            if (done()) {
                if (!child.cancelled()) {
                    child.retrieved();
                }
                return;
            }
            if (!returnExceptions) {
                if (child.cancelled()) {
                    // the gather itself cancelled or not, it finishes with the child's CancelledError
                    // as its exception, as Python's does: it is not cancelled()
                    setExceptionInternal(child.makeCancelledError());
                    return;
                }
                if (child.exception != null) {
                    child.retrieved();
                    setExceptionInternal(child.exception);
                    return;
                }
            }
            if (finished == distinct) {
                List<Object> results = new ArrayList<>(children.size());
                for (Future<?> c : children) {
                    if (c.cancelled()) {
                        results.add(c.makeCancelledError());
                    } else if (c.exception != null) {
                        c.retrieved();
                        results.add(c.exception);
                    } else {
                        results.add(c.result());
                    }
                }
                if (cancelRequested) {
                    setExceptionInternal(child.makeCancelledError());   // Python's issue 32684
                } else {
                    setResultInternal(results);
                }
            }
        }

        @Override
        public boolean cancel(String msg) {
            loop.checkThread("gather.cancel");
            if (done()) {
                return false;
            }
            boolean any = false;
            for (Future<?> c : children) {
                if (c.cancel(msg)) {
                    any = true;
                }
            }
            if (any) {
                cancelRequested = true;
                cancelMessage = msg;
            }
            return any;
        }
    }

    // ---------------------------------------------------------------- wait, waitFor, asCompleted

    /** {@code wait(futures, ALL_COMPLETED)} without a timeout. */
    public static <T> DoneAndPending<T> wait(Collection<? extends Future<T>> futures) {
        return waitImpl(futures, -1, ReturnWhen.ALL_COMPLETED);
    }

    /** {@link #wait(Collection, Duration, ReturnWhen)} without a timeout. */
    public static <T> DoneAndPending<T> wait(Collection<? extends Future<T>> futures, ReturnWhen returnWhen) {
        return waitImpl(futures, -1, returnWhen);
    }

    /**
     * Waits until {@code returnWhen} holds for {@code futures} or {@code timeout} passes, and
     * returns which are done (Python's {@code asyncio.wait}). It cancels nothing.
     *
     * @throws IllegalArgumentException if {@code futures} is empty or {@code timeout} is negative
     */
    public static <T> DoneAndPending<T> wait(Collection<? extends Future<T>> futures, Duration timeout, ReturnWhen returnWhen) {
        return waitImpl(futures, Timeouts.toNanos(timeout), returnWhen);
    }

    private static <T> DoneAndPending<T> waitImpl(Collection<? extends Future<T>> futures, long timeoutNanos, ReturnWhen returnWhen) {
        if (futures == null || futures.isEmpty()) {
            throw new IllegalArgumentException("Set of Tasks/Futures is empty.");
        }
        if (returnWhen == null) {
            throw new IllegalArgumentException("returnWhen must be FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED");
        }
        Set<Future<T>> fs = new LinkedHashSet<>(futures);
        EventLoop loop = getRunningLoop();
        Future<Void> waiter = loop.createFuture();
        TimerHandle timer = timeoutNanos >= 0 ? loop.schedule(Timeouts.deadline(timeoutNanos), () -> {
            if (!waiter.done()) {
                waiter.setResultInternal(null);
            }
        }) : null;
        int[] counter = {fs.size()};
        Consumer<Future<T>> onDone = f -> {
            counter[0]--;
            if (counter[0] <= 0 || returnWhen == ReturnWhen.FIRST_COMPLETED
                    || (returnWhen == ReturnWhen.FIRST_EXCEPTION && !f.cancelled() && f.exception != null)) {
                if (timer != null) {
                    timer.cancel();
                }
                if (!waiter.done()) {
                    waiter.setResultInternal(null);
                }
            }
        };
        boolean satisfied = false;
        int doneCount = 0;
        for (Future<T> f : fs) {
            if (f.done()) {
                doneCount++;
                if (returnWhen == ReturnWhen.FIRST_COMPLETED
                        || (returnWhen == ReturnWhen.FIRST_EXCEPTION && !f.cancelled() && f.exception != null)) {
                    satisfied = true;
                }
            }
        }
        if (doneCount == fs.size()) {
            satisfied = true;
        }
        if (!satisfied && timeoutNanos != 0) {
            for (Future<T> f : fs) {
                f.addDoneCallback(onDone);
            }
            try {
                waiter.await();
            } finally {
                if (timer != null) {
                    timer.cancel();
                }
                for (Future<T> f : fs) {
                    f.removeDoneCallback(onDone);
                }
            }
        } else if (timer != null) {
            timer.cancel();
        }
        Set<Future<T>> done = new LinkedHashSet<>();
        Set<Future<T>> pending = new LinkedHashSet<>();
        for (Future<T> f : fs) {
            (f.done() ? done : pending).add(f);
        }
        return new DoneAndPending<>(done, pending);
    }

    /**
     * Waits for {@code future} to finish, at most {@code timeout}, and returns its result (Python's
     * {@code wait_for}, 3.12 semantics): it awaits the future in the calling task under a
     * {@link #timeout}; on timeout the future is cancelled, its end is awaited (a task's clean-up
     * runs to its end first) and {@link TimeoutError} is raised, unless the future finished with
     * a result or another exception meanwhile, which then leaves instead. If the waiting task is
     * cancelled, the future is cancelled too. {@link Duration#ZERO} returns the result of a future
     * that is done, and otherwise cancels it, awaits its end and raises {@code TimeoutError}.
     *
     * @throws TimeoutError (the built-in {@code dev.pyconc.builtins.TimeoutError}) on timeout
     * @throws CancelledError if the waiting task is cancelled
     * @throws IllegalArgumentException if {@code future} is null or {@code timeout} is null or
     *         negative (Python treats a negative timeout as zero)
     * @throws IllegalStateException if not called from a task body
     */
    public static <T> T waitFor(Future<T> future, Duration timeout) {
        if (future == null) {
            throw new IllegalArgumentException("the future must not be null");
        }
        long nanos = Timeouts.toNanos(timeout);
        Task<?> task = EventLoop.awaitingTask(future.loop);
        if (nanos == 0) {
            if (future.done()) {
                return future.result();
            }
            cancelAndWait(future);
            try {
                return future.result();
            } catch (CancelledError e) {
                TimeoutError timedOut = new TimeoutError("waitFor() timed out");
                timedOut.addSuppressed(e);
                throw timedOut;
            }
        }
        return Timeout.call(task.loop, Timeouts.deadline(nanos), future::await);
    }

    /** {@link #waitFor(Future, Duration)} without a timeout (Python's {@code timeout=None}): {@code future.await()}. */
    public static <T> T waitFor(Future<T> future) {
        if (future == null) {
            throw new IllegalArgumentException("the future must not be null");
        }
        return future.await();
    }

    /**
     * Runs {@code body} in the calling task, at most {@code timeout}, and returns its value
     * (Python's {@code wait_for} of a coroutine, 3.12 semantics): the body runs under a
     * {@link #timeout} with exactly Python's semantics. {@link #currentTask()} in the body is the
     * caller. On timeout the body gets a {@link CancelledError} at its await, as in Python, and
     * when it has ended with it, {@code waitFor} raises {@link TimeoutError}; a body that
     * catches the cancellation and returns gives its value. A cancelled {@code waitFor} whose body
     * ignores the cancellation waits for the body to end. {@link Duration#ZERO} raises
     * {@code TimeoutError} without running the body at all.
     *
     * <pre> {@code
     * try {
     *     String page = Asyncio.waitFor(() -> fetch(url), Duration.ofSeconds(5));
     * } catch (TimeoutError e) {
     *     ...
     * }
     * }</pre>
     *
     * @throws TimeoutError (the built-in {@code dev.pyconc.builtins.TimeoutError}) on timeout
     * @throws IllegalArgumentException if {@code body} is null or {@code timeout} is null or
     *         negative (Python treats a negative timeout as zero); the body does not run
     * @throws IllegalStateException if not called from a task body
     * @throws RuntimeException what the body threw (a checked exception wrapped in a
     *         {@link java.util.concurrent.CompletionException})
     */
    public static <T> T waitFor(Callable<T> body, Duration timeout) {
        if (body == null) {
            throw new IllegalArgumentException("the body must not be null");
        }
        long nanos = Timeouts.toNanos(timeout);
        Task<?> task = EventLoop.awaitingTask(null);
        if (nanos == 0) {
            throw new TimeoutError("waitFor() timed out: a zero timeout does not start the body");
        }
        return Timeout.call(task.loop, Timeouts.deadline(nanos), body);
    }

    /**
     * {@link #waitFor(Callable, Duration)} without a timeout (Python's {@code timeout=None}): runs
     * {@code body} in the calling task and returns its value.
     */
    public static <T> T waitFor(Callable<T> body) {
        if (body == null) {
            throw new IllegalArgumentException("the body must not be null");
        }
        EventLoop.awaitingTask(null);
        try {
            return body.call();
        } catch (Exception e) {
            throw Failures.propagate(e);
        }
    }

    /**
     * Cancels {@code fut} and waits for its end without awaiting it, so that the wait itself
     * stays cancellable (Python's _cancel_and_wait).
     */
    private static void cancelAndWait(Future<?> fut) {
        Future<Void> waiter = fut.loop.createFuture();
        Consumer<Future<?>> release = f -> {
            if (!waiter.done()) {
                waiter.setResultInternal(null);
            }
        };
        addCallback(fut, release);
        try {
            fut.cancel();
            waiter.await();
        } finally {
            removeCallback(fut, release);
        }
    }

    /**
     * The futures' results in the order they complete (Python 3.13's {@code as_completed}): each
     * element is a future to await, which gives the result (or throws the exception) of the next
     * future to complete. As in Python 3.13, an element takes the next result when it is first
     * awaited (or given a done-callback, as {@link #wait} and {@link #gather} do), not when it is
     * handed out: the first element awaited gets the first result, whatever its place.
     * {@link AsCompleted#aiter()} is Python's {@code async for} over it, which returns the futures
     * given themselves, as they complete.
     *
     * <pre> {@code
     * for (Future<String> next : Asyncio.asCompleted(pages)) {
     *     System.out.println(next.await());
     * }
     * }</pre>
     */
    public static <T> AsCompleted<T> asCompleted(Collection<? extends Future<T>> futures) {
        return asCompletedImpl(futures, -1);
    }

    /**
     * As {@link #asCompleted(Collection)}; awaiting an element raises {@link TimeoutError} once
     * {@code timeout} has passed since this call and futures are left.
     */
    public static <T> AsCompleted<T> asCompleted(Collection<? extends Future<T>> futures, Duration timeout) {
        return asCompletedImpl(futures, Timeouts.toNanos(timeout));
    }

    private static <T> AsCompleted<T> asCompletedImpl(Collection<? extends Future<T>> futures, long timeoutNanos) {
        if (futures == null) {
            throw new IllegalArgumentException("futures must not be null");
        }
        return new AsCompleted<>(getEventLoop(), futures, timeoutNanos);
    }

    // ---------------------------------------------------------------- shield

    /**
     * A future that follows {@code inner} but whose cancellation does not cancel {@code inner}
     * (Python's {@code shield}): a task awaiting the shield is cancelled, the inner operation goes
     * on.
     */
    public static <T> Future<T> shield(Future<T> inner) {
        if (inner == null) {
            throw new IllegalArgumentException("the future must not be null");
        }
        if (inner.done()) {
            return inner;
        }
        EventLoop loop = inner.loop;
        Future<T> outer = loop.createFuture();
        Consumer<Future<T>> innerDone = i -> {
            if (outer.cancelled()) {
                if (!i.cancelled()) {
                    i.retrieved();
                }
                return;
            }
            outer.copyStateFrom(i);
        };
        inner.addDoneCallback(innerDone);
        outer.addDoneCallback(o -> {
            if (!inner.done()) {
                inner.removeDoneCallback(innerDone);
            }
        });
        return outer;
    }

    /**
     * Schedules {@code body} as a task of {@link #getEventLoop()} (the running loop, else the
     * thread's current one) and shields it.
     */
    public static <T> Future<T> shield(Callable<T> body) {
        return shield(ensureFuture(body));
    }

    // ---------------------------------------------------------------- timeouts

    /**
     * A block that is cancelled once {@code delay} has passed, raising {@link TimeoutError} (the
     * built-in {@code dev.pyconc.builtins.TimeoutError}) out of it (Python's
     * {@code asyncio.timeout}); use in a task body with try-with-resources. {@link Duration#ZERO}
     * expires the block at its first await, even one that only yields.
     *
     * <pre> {@code
     * try (var t = Asyncio.timeout(Duration.ofSeconds(10))) {
     *     longRunning();
     * } catch (TimeoutError e) {
     *     ...
     * }
     * }</pre>
     *
     * The await where the block's own cancellation arrives raises the {@code TimeoutError} itself,
     * not a {@link CancelledError}: see {@link Timeout} for what the body sees, and
     * {@link #waitFor(Callable, Duration)} for a body that must see a {@code CancelledError}.
     *
     * @throws IllegalArgumentException if {@code delay} is null or negative
     * @throws IllegalStateException if not called from a task body
     */
    public static Timeout timeout(Duration delay) {
        long nanos = Timeouts.toNanos(delay, "delay");
        EventLoop loop = getRunningLoop();
        long deadline = Timeouts.deadline(nanos);
        return Timeout.enter(loop, EventLoop.toLoopTime(deadline), deadline);
    }

    /** A {@link #timeout} block without a deadline yet; set one with {@link Timeout#reschedule}. */
    public static Timeout timeout() {
        return Timeout.enter(getRunningLoop(), null, 0);
    }

    /** A {@link #timeout} block that expires at {@code when}, in the loop's {@link EventLoop#time()}. */
    public static Timeout timeoutAt(double when) {
        if (Double.isNaN(when)) {
            throw new IllegalArgumentException("when must be a number, not NaN");
        }
        return Timeout.enter(getRunningLoop(), when, EventLoop.toNanoTime(when));
    }

    // ---------------------------------------------------------------- streams

    /**
     * Connects to {@code host}:{@code port} over TCP and returns the connection's reader and
     * writer (Python's {@code open_connection}); the reader has the default 64 KiB limit. A host
     * name is resolved in the default executor; each of its addresses is tried in turn. Must be
     * called from a task body.
     *
     * @throws ConnectionRefusedError if nothing listens there
     * @throws java.io.UncheckedIOException for other failures (an unknown host, no route, ...)
     * @throws IllegalArgumentException if {@code host} is null or empty or {@code port} is not in 0..65535
     */
    public static Streams openConnection(String host, int port) {
        return Connections.openConnection(host, port, StreamReader.DEFAULT_LIMIT);
    }

    /**
     * As {@link #openConnection(String, int)}, with the reader's {@code limit}.
     *
     * @throws IllegalArgumentException also if {@code limit <= 0}
     */
    public static Streams openConnection(String host, int port, int limit) {
        return Connections.openConnection(host, port, limit);
    }

    /**
     * Starts a TCP server on {@code host}:{@code port} that runs {@code handler} as a task for
     * each connection (Python's {@code start_server}); it accepts at once. {@code host} {@code ""}
     * listens on every interface; a name listens on each of its addresses; port 0 picks a free
     * port (see {@link Server#sockets()}). Must be called from a task body.
     *
     * @throws java.io.UncheckedIOException if an address cannot be bound (in use, ...)
     * @throws IllegalArgumentException if {@code handler} or {@code host} is null or {@code port}
     *         is not in 0..65535
     */
    public static Server startServer(ClientConnectedCallback handler, String host, int port) {
        return Connections.startServer(handler, host, port, StreamReader.DEFAULT_LIMIT, 100, true);
    }

    /** As {@link #startServer(ClientConnectedCallback, String, int)}, with the readers' {@code limit}. */
    public static Server startServer(ClientConnectedCallback handler, String host, int port, int limit) {
        return Connections.startServer(handler, host, port, limit, 100, true);
    }

    /**
     * As {@link #startServer(ClientConnectedCallback, String, int)}, with the readers'
     * {@code limit}, the listen {@code backlog} (Python's default 100) and {@code startServing}
     * (false: listening, but not accepting until {@link Server#startServing()} or
     * {@link Server#serveForever()}).
     */
    public static Server startServer(ClientConnectedCallback handler, String host, int port, int limit, int backlog,
            boolean startServing) {
        return Connections.startServer(handler, host, port, limit, backlog, startServing);
    }

    /**
     * Connects to the Unix domain socket at {@code path} and returns the connection's reader and
     * writer (Python's {@code open_unix_connection}); the reader has the default 64 KiB limit. The
     * writer's {@code getExtraInfo("peername")} is the path. Must be called from a task body.
     *
     * @throws dev.pyconc.builtins.ConnectionRefusedError if no server listens on that socket file
     * @throws java.io.UncheckedIOException if the path does not exist or is not a socket
     * @throws IllegalArgumentException if {@code path} is null, empty or holds a NUL
     */
    public static Streams openUnixConnection(String path) {
        return Connections.openUnixConnection(path, StreamReader.DEFAULT_LIMIT);
    }

    /** As {@link #openUnixConnection(String)}, with the reader's {@code limit}. */
    public static Streams openUnixConnection(String path, int limit) {
        return Connections.openUnixConnection(path, limit);
    }

    /**
     * Starts a server on a Unix domain socket at {@code path} that runs {@code handler} as a task
     * for each connection (Python's {@code start_unix_server}); it accepts at once. A socket file
     * already at the path is removed first and closing the server removes it, as in Python. Must
     * be called from a task body.
     *
     * @throws java.io.UncheckedIOException if the path cannot be bound (a file that is not a socket, ...)
     * @throws IllegalArgumentException if {@code handler} or {@code path} is null or {@code path} is empty
     */
    public static Server startUnixServer(ClientConnectedCallback handler, String path) {
        return Connections.startUnixServer(handler, path, StreamReader.DEFAULT_LIMIT, Connections.DEFAULT_BACKLOG, true);
    }

    /** As {@link #startUnixServer(ClientConnectedCallback, String)}, with the readers' {@code limit}. */
    public static Server startUnixServer(ClientConnectedCallback handler, String path, int limit) {
        return Connections.startUnixServer(handler, path, limit, Connections.DEFAULT_BACKLOG, true);
    }

    /**
     * As {@link #openUnixConnection(String)}, over TLS (Python's
     * {@code open_unix_connection(path, ssl=..., server_hostname=...)}): {@code ssl} must name the
     * server ({@code serverHostname}) unless it checks no host name, as in Python.
     *
     * <pre> {@code
     * Streams s = Asyncio.openUnixConnection("/run/app.sock", SslOptions.builder(ctx).serverHostname("localhost").build());
     * }</pre>
     *
     * @throws dev.pyconc.ssl.SSLError if the handshake fails
     * @throws IllegalArgumentException if {@code ssl} checks the host name and names none
     */
    public static Streams openUnixConnection(String path, SslOptions ssl) {
        if (ssl == null) {
            throw new IllegalArgumentException("ssl must not be null");
        }
        return Connections.openUnixConnection(path, StreamReader.DEFAULT_LIMIT, ssl);
    }

    /** As {@link #startUnixServer(ClientConnectedCallback, String)}, over TLS: the callback runs once a client's handshake is done. */
    public static Server startUnixServer(ClientConnectedCallback handler, String path, SslOptions ssl) {
        if (ssl == null) {
            throw new IllegalArgumentException("ssl must not be null");
        }
        return Connections.startUnixServer(handler, path, StreamReader.DEFAULT_LIMIT, Connections.DEFAULT_BACKLOG, true, ssl);
    }

    /**
     * As {@link #openConnection(String, int)}, over TLS: Python's
     * {@code open_connection(host, port, ssl=..., server_hostname=..., ssl_handshake_timeout=...)}.
     * Returns once the handshake is done; the server's certificate is checked against
     * {@code ssl}'s context and, unless {@code ssl} turns it off, against the host name
     * ({@code ssl.serverHostname()} or else {@code host}).
     *
     * <pre> {@code
     * Streams s = Asyncio.openConnection("example.org", 443, SslOptions.of(Ssl.createDefaultContext()));
     * }</pre>
     *
     * @throws dev.pyconc.ssl.SSLCertVerificationError if the server's certificate is refused
     * @throws dev.pyconc.ssl.SSLError if the handshake fails otherwise
     * @throws dev.pyconc.builtins.ConnectionAbortedError if it takes longer than {@code ssl.handshakeTimeout()}
     */
    public static Streams openConnection(String host, int port, SslOptions ssl) {
        return openConnection(host, port, StreamReader.DEFAULT_LIMIT, ssl);
    }

    /** As {@link #openConnection(String, int, SslOptions)}, with the reader's {@code limit}; {@code ssl} null: plain TCP. */
    public static Streams openConnection(String host, int port, int limit, SslOptions ssl) {
        return Connections.openConnection(host, port, limit, ssl);
    }

    /** {@code openConnection(host, port, SslOptions.of(sslContext))}. */
    public static Streams openConnection(String host, int port, javax.net.ssl.SSLContext sslContext) {
        return openConnection(host, port, SslOptions.of(sslContext));
    }

    /**
     * As {@link #startServer(ClientConnectedCallback, String, int)}, over TLS: Python's
     * {@code start_server(cb, host, port, ssl=...)}. {@code handler} runs once a client's
     * handshake is done; a client whose handshake fails is disconnected without it.
     *
     * <pre> {@code
     * SSLContext ctx = Ssl.createServerContext(Path.of("chain.pem"), Path.of("key.pem"));
     * Server server = Asyncio.startServer(handler, "127.0.0.1", 8443, SslOptions.of(ctx));
     * }</pre>
     */
    public static Server startServer(ClientConnectedCallback handler, String host, int port, SslOptions ssl) {
        return Connections.startServer(handler, host, port, StreamReader.DEFAULT_LIMIT, 100, true, ssl);
    }

    /** {@code startServer(handler, host, port, SslOptions.of(sslContext))}. */
    public static Server startServer(ClientConnectedCallback handler, String host, int port, javax.net.ssl.SSLContext sslContext) {
        return startServer(handler, host, port, SslOptions.of(sslContext));
    }

    /** As {@link #startServer(ClientConnectedCallback, String, int, int, int, boolean)}, over TLS when {@code ssl} is not null. */
    public static Server startServer(ClientConnectedCallback handler, String host, int port, int limit, int backlog,
            boolean startServing, SslOptions ssl) {
        return Connections.startServer(handler, host, port, limit, backlog, startServing, ssl);
    }

    // ---------------------------------------------------------------- subprocesses

    /**
     * Starts {@code args[0]} with the arguments that follow, without a shell, its streams
     * inherited from the parent (Python's {@code create_subprocess_exec(*args)}); for pipes and
     * the other keyword arguments use {@link Subprocess#exec(String...)}. Must be called from a
     * task body or callback of the running loop.
     *
     * @throws java.io.UncheckedIOException if the program cannot be started (it does not exist, ...)
     */
    public static Process createSubprocessExec(String... args) {
        return Subprocess.exec(args).start();
    }

    /** As {@link #createSubprocessExec(String...)}. */
    public static Process createSubprocessExec(List<String> args) {
        return Subprocess.exec(args).start();
    }

    /**
     * Runs {@code cmd} with {@code /bin/sh -c}, its streams inherited from the parent (Python's
     * {@code create_subprocess_shell(cmd)}); for pipes use {@link Subprocess#shell(String)}.
     */
    public static Process createSubprocessShell(String cmd) {
        return Subprocess.shell(cmd).start();
    }
}
