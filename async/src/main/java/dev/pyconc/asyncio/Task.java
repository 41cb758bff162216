package dev.pyconc.asyncio;

import java.io.PrintStream;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import dev.pyconc.contextvars.Context;
import dev.pyconc.contextvars.Contextvars;
import dev.pyconc.core.internal.ContextSupport;
import dev.pyconc.core.internal.Failures;
import dev.pyconc.core.internal.GilRuntime;

/**
 * A body that runs on its {@link EventLoop} as Python's coroutine does: Python's
 * {@code asyncio.Task}. The body is a {@link Callable} that runs on a virtual thread; at most one
 * task of a loop runs at a time, and control passes to another task or callback only where the
 * body awaits ({@link Future#await()}, {@link Asyncio#sleep}, {@code queue.get()}, ...).
 *
 * <pre> {@code
 * Task<Integer> t = loop.createTask(() -> {
 *     Asyncio.sleep(Duration.ofMillis(10));
 *     return 42;
 * }, "answer");
 * int v = t.await();                 // from another task
 * t.cancel("no longer needed");      // CancelledError at the body's current or next await
 * }</pre>
 *
 * <p>Cancellation follows Python 3.12: {@link #cancel(String)} cancels the future the body awaits,
 * or, when it awaits none, makes its next await raise {@link CancelledError}; a task not started
 * yet never runs its body. {@link #cancelling()} counts the requests and {@link #uncancel()}
 * withdraws one, which is how {@link TaskGroup} and {@link Asyncio#timeout} tell their own
 * cancellations from others. A body that ends by throwing {@code CancelledError} leaves the task
 * cancelled (the first {@code result()} or {@code await()} of the task throws that very
 * exception, as in Python); one that catches it and returns normally finishes the task normally.
 * A body that ends by throwing anything else, a {@code TimeoutError} or an {@code ExceptionGroup}
 * included, finishes the task with that exception.
 *
 * <p>Inside a {@code try (var t = Asyncio.timeout(...))} block or a try-with-resources
 * {@link TaskGroup}, the block's own cancellation of the task arrives at the await as the error
 * the block raises (its {@code TimeoutError}, the group's {@code ExceptionGroup}), not as a
 * {@code CancelledError}: see {@link Timeout}.
 *
 * <p>The body runs in a {@link Context} of its own: the one given to
 * {@code createTask(body, name, context)}, else a copy of the context current when the task was
 * created, as in Python; {@link #getContext()} returns it. A {@code ContextVar.set} in the body
 * changes that context only.
 *
 * <p>The virtual thread of a body may have run other bodies of the same loop before, and may run
 * others after it: do not keep state in {@link ThreadLocal}s across tasks (a
 * {@link dev.pyconc.contextvars.ContextVar} is the per-task variable).
 *
 * <p>Memory consistency effects: actions prior to {@code createTask} <i>happen-before</i> the body
 * starts; actions of the body <i>happen-before</i> an {@code await()} of the task returns. Because
 * only one body or callback of a loop runs at a time, and each switch between them is a
 * happens-before edge, the bodies of one loop may share plain fields without locks, as in Python.
 */
public class Task<T> extends Future<T> {
    /*
     * Overview. Python's Task.__step split across a thread: the body runs on a Worker's virtual
     * thread (Dispatcher.Worker) and suspends in suspend(), which hands the loop's baton to the
     * next holder and parks until `step` is dispatched again. `step` is the one handle that ever
     * schedules this task, so a suspension costs no allocation.
     *
     * Cancellation state (all guarded by the baton):
     *   fwaiter         the future the body awaits (Python's _fut_waiter), or null
     *   mustCancel      deliver a CancelledError at the next resume or await (Python's _must_cancel)
     *   numCancels      Python's _num_cancels_requested, for cancelling()/uncancel()
     *   cancelledWaiter the waiter that cancel() cancelled: its CancelledError is replaced by the
     *                   task's own when the body resumes
     *   scopes          the Timeout and TaskGroup blocks the body is in, innermost last
     *   lastDelivered   the error the body was last given for a cancellation (isCancellation)
     *   destroyed       the loop closed while the task was pending: every await raises at once
     *
     * Scopes. Python's blocks turn their own cancellation of the task into their error in
     * __aexit__, as the CancelledError leaves them: a timeout whose request is outstanding
     * raises TimeoutError if, once its request is withdrawn, no more requests are left than when
     * it was entered; a group that cancelled the task for a failed child raises its
     * ExceptionGroup. A Java try-with-resources block cannot replace the exception leaving it, so
     * for such a block (not "exact") the conversion is made where the cancellation is raised:
     * cancellationError() walks the blocks from the innermost out, withdrawing each outstanding
     * request in its head as the block's close() will, and asks each block with a request whether
     * the error leaving it would be its own. An exact block (TaskGroup.run, waitFor's timeout)
     * runs code after its body and converts there with the live counts, as Python does; the walk
     * stops at it, and it converts what leaves it for the blocks around it with the same walk.
     * A block in its exit (a group waiting for its tasks) stops the walk too: the cancellations
     * raised in that wait are its own to handle.
     *
     * Context (Python's Task._context, entered by each step's context.run). `context` is the
     * task's, or null while no ContextVar existed when the task was created: every context was
     * empty then, so the task's copy is a new empty one, made when first needed (bodyContext,
     * getContext). A step enters the context (ContextSupport.enter, a CAS, so that a context runs
     * in one thread at a time) when the body starts or resumes and leaves it when the body
     * suspends or ends; `contextEntered` says whether this step holds it. The binding of the body's
     * thread to the context is not a thread-local: ContextVar asks EventLoop for the running
     * task's context (bodyContext), so a step costs a program that uses no context variable one
     * field read.
     */
    private static final AtomicLong COUNTER = new AtomicLong();

    final Callable<T> body;
    final StepHandle step = new StepHandle(this);
    private String name;
    Dispatcher.Worker worker;     // the worker running the body, from start to finish
    Task<?> prevTask, nextTask;   // the loop's list of tasks not done
    boolean linked;
    private Future<?> fwaiter;
    private Future<?> cancelledWaiter;
    boolean mustCancel;
    private int numCancels;
    private ArrayList<Scope> scopes;      // allocated by the first block
    private Throwable lastDelivered;
    boolean destroyed;
    Context context;              // the body's context, or null: an empty one not made yet (see the overview)
    private boolean contextEntered;

    Task(EventLoop loop, Callable<T> body, String name) {
        super(loop);
        if (body == null) {
            throw new IllegalArgumentException("the task body must not be null");
        }
        this.body = body;
        this.name = name;
    }

    /** The task's name; {@code Task-<n>} unless one was given. */
    public String getName() {
        if (name == null) {
            name = "Task-" + COUNTER.incrementAndGet();
        }
        return name;
    }

    /** Renames the task. */
    public void setName(String name) {
        this.name = name;
    }

    /** The context a task created now runs in when none is given: a copy of the current one, or null for an empty one. */
    static Context capturedContext() {
        return ContextSupport.used() ? Contextvars.copyContext() : null;
    }

    /** The context the body runs in (Python's {@code task.get_context()}). */
    public Context getContext() {
        Context c = context;
        if (c == null) {
            c = EventLoop.currentTaskOf(loop) == this ? bodyContext() : (context = new Context());
        }
        return c;
    }

    /** The context of the body, asked by the body's own thread: made and entered if it was not yet. */
    Context bodyContext() {
        Context c = context;
        if (c == null) {
            c = new Context();
            context = c;
            contextEntered = ContextSupport.enter(c);
        }
        return c;
    }

    /** The body starts or resumes: enter its context (see the overview). */
    private void enterContext() {
        Context c = context;
        if (!ContextSupport.enter(c)) {
            throw new IllegalStateException("cannot enter context: " + c + " is already entered (the context of "
                    + this + " runs in another thread or task)");
        }
        contextEntered = true;
    }

    /** The body suspends or ends: leave its context. */
    private void exitContext() {
        contextEntered = false;
        ContextSupport.exit(context);
    }

    /** The body the task runs (Python's {@code get_coro()}). */
    public Callable<T> getCoro() {
        return body;
    }

    /**
     * Requests cancellation: the awaited future is cancelled, or the body's next await raises
     * {@link CancelledError}; a body not started yet never runs.
     *
     * @return {@code false} if the task is done already
     */
    @Override
    public boolean cancel(String msg) {
        loop.checkThread("Task.cancel");
        retrieved();            // as Future.cancel: Python's clears _log_traceback first
        if (done()) {
            return false;
        }
        numCancels++;
        Future<?> w = fwaiter;
        if (w != null && w.cancel(msg)) {
            cancelledWaiter = w;
            cancelMessage = msg;
            return true;
        }
        mustCancel = true;
        cancelMessage = msg;
        return true;
    }

    /** How many cancellation requests are outstanding (Python 3.11's {@code cancelling()}). */
    public int cancelling() {
        return numCancels;
    }

    /**
     * Withdraws one cancellation request and returns how many are left (Python's
     * {@code uncancel()}). When none are left, a pending delivery of the cancellation is dropped.
     */
    public int uncancel() {
        if (numCancels > 0) {
            numCancels--;
            if (numCancels == 0) {
                mustCancel = false;
            }
        }
        return numCancels;
    }

    // ---------------------------------------------------------------- stack

    /**
     * The frames of the body, oldest first (Python's {@code get_stack()}): while the task is
     * pending, the stack of its virtual thread from the body's own frame to where it is suspended
     * (or runs, when the body asks about itself), without the frames of the JDK and of pyconc
     * above it; once it has failed, the body's frames of its exception's stack trace; otherwise
     * (not started, returned or cancelled) none. Call it on the loop: from another thread, a
     * running task's stack may change while it is read.
     */
    public List<StackTraceElement> getStack() {
        return getStack(Integer.MAX_VALUE);
    }

    /**
     * As {@link #getStack()}, at most {@code limit} frames, counted from the body's own frame
     * inwards, as CPython counts from the coroutine's frame; {@code limit <= 0} gives none.
     */
    public List<StackTraceElement> getStack(int limit) {
        List<StackTraceElement> frames;
        if (!done()) {
            Dispatcher.Worker w = worker;
            Thread th = w == null ? null : w.thread;
            if (th == null) {
                return List.of();
            }
            StackTraceElement[] st = th == Thread.currentThread() ? new Throwable().getStackTrace() : th.getStackTrace();
            frames = bodyFrames(st, true);
        } else if (state != CANCELLED && exception != null) {
            frames = bodyFrames(exception.getStackTrace(), false);
        } else {
            return List.of();
        }
        return limit >= frames.size() ? frames : frames.subList(0, Math.max(0, limit));
    }

    /** Prints {@link #getStack()} to {@code System.err} (Python's {@code print_stack()}). */
    public void printStack() {
        printStack(Integer.MAX_VALUE, System.err);
    }

    /** Prints {@link #getStack()} to {@code file} (Python's {@code print_stack(file=file)}). */
    public void printStack(PrintStream file) {
        printStack(Integer.MAX_VALUE, file);
    }

    /**
     * Prints {@link #getStack(int) getStack(limit)} to {@code file}, most recent call last, as
     * Python's {@code print_stack(limit=limit, file=file)}: a header naming the task, one
     * {@code at} line per frame, and for a failed task its exception.
     */
    public void printStack(int limit, PrintStream file) {
        if (file == null) {
            throw new IllegalArgumentException("file must not be null");
        }
        List<StackTraceElement> frames = getStack(limit);
        Throwable exc = done() && state != CANCELLED ? exception : null;
        StringBuilder b = new StringBuilder();
        if (frames.isEmpty()) {
            b.append("No stack for ").append(this).append('\n');
        } else {
            b.append(exc != null ? "Traceback for " : "Stack for ").append(this).append(" (most recent call last):\n");
        }
        for (StackTraceElement f : frames) {
            b.append("\tat ").append(f).append('\n');
        }
        if (exc != null) {
            b.append(exc).append('\n');
        }
        file.print(b);
        file.flush();
    }

    private static final List<String> RUNTIME_LOCATIONS = List.of(location(Task.class), location(ContextSupport.class));

    private static String location(Class<?> c) {
        CodeSource cs = c.getProtectionDomain().getCodeSource();
        return cs == null || cs.getLocation() == null ? "" : cs.getLocation().toString();
    }

    /** Whether `e` is a frame of the JDK or of pyconc itself (not of the program or its tests). */
    private static boolean runtimeFrame(StackTraceElement e) {
        String c = e.getClassName();
        if (c.startsWith("java.") || c.startsWith("jdk.") || c.startsWith("sun.")) {
            return true;
        }
        if (!c.startsWith("dev.pyconc.")) {
            return false;
        }
        try {
            return RUNTIME_LOCATIONS.contains(location(Class.forName(c, false, Task.class.getClassLoader())));
        } catch (ClassNotFoundException | LinkageError | SecurityException notFound) {
            return false;
        }
    }

    /**
     * The body's frames of `st` (newest first), oldest first: those above Task.runBody, less the
     * runtime's frames at the bottom (the call of the body) and, with `stripTop`, at the top (the
     * suspension, or this very call).
     */
    private static List<StackTraceElement> bodyFrames(StackTraceElement[] st, boolean stripTop) {
        int end = st.length;
        for (int i = 0; i < st.length; i++) {
            if (st[i].getMethodName().equals("runBody") && st[i].getClassName().equals(Task.class.getName())) {
                end = i;
                break;
            }
        }
        int start = 0;
        if (stripTop) {
            while (start < end && runtimeFrame(st[start])) {
                start++;
            }
        }
        while (end > start && runtimeFrame(st[end - 1])) {
            end--;
        }
        List<StackTraceElement> frames = new ArrayList<>(end - start);
        for (int i = end - 1; i >= start; i--) {
            frames.add(st[i]);
        }
        return frames;
    }

    /** Tasks are completed by their body: always throws {@link IllegalStateException}. */
    @Override
    public void setResult(T value) {
        throw new IllegalStateException("Task does not support setResult(); its body's return value is its result");
    }

    /** Tasks are completed by their body: always throws {@link IllegalStateException}. */
    @Override
    public void setException(Throwable failure) {
        throw new IllegalStateException("Task does not support setException(); throw from its body instead");
    }

    // ---------------------------------------------------------------- blocks: Timeout and TaskGroup

    /** A block of the body that may cancel its task: a Timeout or a TaskGroup (see the overview). */
    abstract static class Scope {
        /** The block converts what leaves it itself, after its body: the walk stops here. */
        abstract boolean exact();

        /** The block waits in its exit: the cancellations raised meanwhile are its own to handle. */
        abstract boolean exiting();

        /** The block's own cancellation of the task is requested and not withdrawn. */
        abstract boolean requestPending();

        /**
         * The error to raise for {@code cancellation} as it would leave this block, whose request
         * is pending, with {@code remaining} requests left once that one is withdrawn; null when
         * it would leave as it is.
         */
        abstract Throwable translate(int remaining, CancelledError cancellation);
    }

    /** The body enters block `s` (the innermost now). */
    void enterScope(Scope s) {
        if (scopes == null) {
            scopes = new ArrayList<>(2);
        }
        scopes.add(s);
    }

    /** Block `s` ends; returns the index it had (-1 if it was gone already). */
    int exitScope(Scope s) {
        int i = scopeIndex(s);
        if (i >= 0) {
            scopes.remove(i);
        }
        return i;
    }

    /** The index of block `s` among the body's blocks, or -1. */
    int scopeIndex(Scope s) {
        if (scopes != null) {
            for (int i = scopes.size() - 1; i >= 0; i--) {
                if (scopes.get(i) == s) {
                    return i;
                }
            }
        }
        return -1;
    }

    /**
     * The error that {@code cancellation} becomes as it leaves the blocks from {@code top}
     * outwards (see the overview): {@code cancellation} itself, a timeout's TimeoutError, a
     * group's ExceptionGroup.
     */
    Throwable cancellationError(int top, CancelledError cancellation) {
        int remaining = numCancels;
        for (int i = top; i >= 0; i--) {
            Scope s = scopes.get(i);
            if (s.exact() || s.exiting()) {
                break;
            }
            if (s.requestPending()) {
                remaining--;
                Throwable t = s.translate(remaining, cancellation);
                if (t != null) {
                    return t;
                }
            }
        }
        return cancellation;
    }

    /**
     * Whether {@code e}, caught in the current task, is a cancellation of it: a
     * {@link CancelledError}, or the error that a block's cancellation of the task arrived as.
     * Internal code that must clean up on cancellation (a waiter that passes its wake-up on)
     * asks this rather than catching CancelledError alone.
     */
    static boolean isCancellation(Throwable e) {
        if (e instanceof CancelledError) {
            return true;
        }
        EventLoop loop = EventLoop.current();
        Task<?> t = loop == null ? null : loop.dispatcher.currentTask;
        return t != null && t.lastDelivered == e;
    }

    // ---------------------------------------------------------------- running on the worker

    /** Runs the body to its end on the current worker, which holds the baton, and completes the task. */
    void runBody() {
        if (mustCancel) {
            mustCancel = false;     // cancelled before it started: Python throws into the fresh coroutine
            cancelInternal(cancelMessage);
            return;
        }
        T value;
        try {
            if (context != null) {
                enterContext();
            }
            if (body instanceof RunnableBody<?> r) {
                r.runnable.run();          // called here, not through call(): one frame less while parked
                value = null;
            } else {
                value = body.call();
            }
        } catch (CancelledError e) {
            cancelledExc = e;
            cancelInternal(e.getMessage());
            return;
        } catch (Throwable e) {
            setExceptionInternal(e);
            return;
        } finally {
            if (contextEntered) {
                exitContext();
            }
            lastDelivered = null;   // the body is over: keep no exception and no block alive
            scopes = null;
        }
        if (mustCancel) {
            mustCancel = false;     // cancelled right before the body returned
            cancelInternal(cancelMessage);
        } else {
            setResultInternal(value);
        }
    }

    /**
     * The body awaits `f` (pending, of this loop), or yields when `f` is null (sleep(0)): hand the
     * baton on and park until this task's step is dispatched. This is the module's one place where
     * a task waits; it is written flat so that a parked task keeps few frames.
     */
    void suspend(Future<?> f) {
        if (destroyed) {
            throw destroyedError();
        }
        Dispatcher.Worker me = worker;
        if (f == null) {
            me.dispatcher.pushReady(step);
        } else {
            if (mustCancel && f.cancel(cancelMessage)) {
                mustCancel = false;
                cancelledWaiter = f;
            }
            if (f.done()) {
                me.dispatcher.pushReady(step);
            } else {
                f.addWakeup(this);
            }
            fwaiter = f;
        }
        if (contextEntered) {
            exitContext();
        }
        Dispatcher.Worker next = me.dispatcher.suspending(this);
        boolean dropped = GilRuntime.beginBlocking();
        me.dispatcher.handOff(next);
        boolean interrupted = false;
        // Two tests of `go`, not one loop condition: the JIT compiles this method while the tasks
        // that made it hot are all still parked, when the test before parking has only ever seen
        // false. Had the test after parking the same bytecode, each of those tasks would hit an
        // uncommon trap there when it resumes and deoptimize its frame (100,000 tasks: 100,000
        // deoptimizations); a test of its own, not yet profiled, is compiled for both outcomes.
        if (!me.go) {
            do {
                LockSupport.park(me);
                interrupted |= Thread.interrupted();    // a body's interrupt must not turn the wait into a spin
            } while (!me.go);
        }
        me.go = false;
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        GilRuntime.endBlocking(dropped);
        me.dispatcher.resumed(this);
        fwaiter = null;
        if (destroyed) {
            throw destroyedError();
        }
        if (context != null) {
            enterContext();
        }
        if (mustCancel) {
            mustCancel = false;
            cancelledWaiter = null;
            throw deliverCancellation();
        }
        if (f != null && cancelledWaiter == f) {
            cancelledWaiter = null;
            if (f.cancelled()) {
                throw deliverCancellation();
            }
        }
    }

    /** A future this task awaits completed: schedule the task's next step. */
    void wakeUp(Future<?> f) {
        loop.pushReady(step);
    }

    /** The error the body gets at the await where its cancellation arrives: see the overview. */
    private RuntimeException deliverCancellation() {
        CancelledError plain = new CancelledError(cancelMessage);
        Throwable e = scopes == null || scopes.isEmpty() ? plain : cancellationError(scopes.size() - 1, plain);
        lastDelivered = e;
        return Failures.propagate(e);
    }

    private CancelledError destroyedError() {
        return new CancelledError("the event loop was closed while the task was pending");
    }

    /**
     * The task's class, state, name, the future it awaits and its outcome, as Python's repr shows
     * them: {@code Task@1b6d3586[pending name='fetch' wait_for=Future@4554617c[pending]]}; a task
     * with a cancellation requested and not done is {@code cancelling}.
     */
    @Override
    public String toString() {
        String shown = state == PENDING && numCancels > 0 ? "cancelling" : stateName();
        StringBuilder b = new StringBuilder(96).append(identity()).append('[').append(shown)
                .append(" name='").append(getName()).append('\'');
        Future<?> w = fwaiter;
        if (w != null) {
            b.append(" wait_for=").append(w);
        }
        return b.append(outcome()).append(']').toString();
    }

    /** The body of a task made from a Runnable. */
    static final class RunnableBody<T> implements Callable<T> {
        final Runnable runnable;

        RunnableBody(Runnable runnable) {
            if (runnable == null) {
                throw new IllegalArgumentException("the task body must not be null");
            }
            this.runnable = runnable;
        }

        @Override
        public T call() {
            runnable.run();
            return null;
        }

        @Override
        public String toString() {
            return runnable.toString();
        }
    }

    /** The handle that runs (starts or resumes) a task; dispatched specially by the loop. */
    static final class StepHandle extends Handle {
        final Task<?> task;

        StepHandle(Task<?> task) {
            super(null);
            this.task = task;
        }

        @Override
        void run() {
            throw new AssertionError("task steps are dispatched by the loop");
        }

        @Override
        public String toString() {
            return "Step[" + task + "]";
        }
    }
}
