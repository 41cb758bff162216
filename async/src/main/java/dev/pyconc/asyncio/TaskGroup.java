package dev.pyconc.asyncio;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

import dev.pyconc.contextvars.Context;

import dev.pyconc.builtins.ExceptionGroup;
import dev.pyconc.core.internal.Failures;

/**
 * A block that owns the tasks created in it: Python 3.11's {@code asyncio.TaskGroup}. The end of
 * the block waits for every task; when one fails, or the block's own body throws, the other
 * tasks and the body are cancelled, and the failures are raised together as an
 * {@link ExceptionGroup} (the built-in {@code dev.pyconc.builtins.ExceptionGroup}).
 *
 * <pre> {@code
 * User user = TaskGroup.call(tg -> {               // async with asyncio.TaskGroup() as tg:
 *     Task<User> u = tg.createTask(() -> fetchUser(id));
 *     Task<List<Order>> orders = tg.createTask(() -> fetchOrders(id));
 *     return u.await().withOrders(orders.await());
 * });
 * }</pre>
 *
 * <p><b>Two forms.</b> {@link #run(Body)} and {@link #call(ValueBody)} take the block's body as a
 * lambda and keep Python's semantics exactly: an exception the body throws cancels the tasks,
 * the group waits for them and the exception joins the {@code ExceptionGroup}; the body sees the
 * group's cancellation as a {@link CancelledError}, as in Python. Prefer them.
 *
 * <p>The try-with-resources form needs {@link #join()} at the end of the block, as
 * {@code java.util.concurrent.StructuredTaskScope} does, because {@code close()} cannot see
 * whether the body threw:
 *
 * <pre> {@code
 * try (var tg = new TaskGroup()) {
 *     tg.createTask(() -> fetch("a"));
 *     tg.createTask(() -> fetch("b"));
 *     tg.join();                     // waits for both; throws the group's ExceptionGroup
 * }
 * }</pre>
 *
 * A {@code close()} reached without {@code join()} (the body threw, or forgot it) cancels the
 * tasks still running, waits for them, and throws {@link IllegalStateException}: Java attaches it
 * as a suppressed exception to what the body threw, or it surfaces where the body forgot
 * {@code join()}; it never hangs on a task that serves forever. In this form, an exception thrown
 * by the body leaves the block as it is (not in an {@code ExceptionGroup}, as Python would put
 * it), and when a task fails, the body's cancellation arrives at its await as the group's
 * {@code ExceptionGroup} itself, once every task of the group has finished: not as a
 * {@code CancelledError}, so in-block clean-up written as {@code catch (CancelledError e)} does
 * not run for it (use {@code finally}).
 *
 * <p>A task cancelled on its own is not a failure. If the task running the block is cancelled
 * from outside, the group's tasks are cancelled and awaited, and the {@link CancelledError} goes
 * on, unless tasks failed meanwhile: the {@code ExceptionGroup} then has priority and the
 * cancellation stays requested for the next await. A {@link java.lang.Error} (a failed assertion,
 * an {@code OutOfMemoryError}) of a task or of the body is raised alone, after the group has
 * waited for its tasks, as Python raises {@code KeyboardInterrupt} and {@code SystemExit}; the
 * other failures then go to the loop's exception handler.
 *
 * <p>Memory consistency effects: actions of every task of the group <i>happen-before</i> the
 * return of {@code run}, {@code call} and {@code join()}.
 */
public final class TaskGroup implements AutoCloseable {
    /*
     * Overview. Python's taskgroups.TaskGroup (3.13):
     *
     *   createTask: tasks += t; t.addDoneCallback(onTaskDone)
     *   onTaskDone(t): tasks -= t; wake the exit; if t failed: errors += e and, the first time,
     *                  abort() (cancel the other tasks) and cancel the parent task
     *   exit(et): Python's _aexit: abort if the body threw; await every task (a cancellation
     *             while waiting aborts too); withdraw the parent's cancellation; then the
     *             CancelledError, the ExceptionGroup or nothing
     *
     * exit() runs at the end of run()/call() with what the body threw, in join() with nothing,
     * and, in the try-with-resources form, where the group's own cancellation of the parent is
     * raised in the body (Task.Scope.translate): there its ExceptionGroup is computed after the
     * wait, and close() later withdraws the request and re-arms an outside cancellation, at the
     * moment Python's __aexit__ would. A close() with no exit behind it aborts, waits and throws
     * IllegalStateException. The group is one of the parent task's scopes (see Task's overview):
     * the run/call form is exact, the try-with-resources form is not. All fields are guarded by
     * the loop's baton.
     */
    private final EventLoop loop;
    private final Task<?> parent;
    private final boolean exact;                  // run/call: the body sees CancelledError; exit() converts after it
    private final Task.Scope scope = new GroupScope();
    private final Set<Task<?>> tasks = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Consumer<Future<?>> onDone = this::onTaskDone;
    private final List<Throwable> errors = new ArrayList<>();
    private Error baseError;                      // an Error of a task or the body: raised alone
    private boolean exiting;                      // exit() began
    private boolean exited;                       // exit() ended: join() or close() have nothing left to wait for
    private boolean aborting;
    private boolean parentCancelRequested;
    private boolean settled;                      // the parent's cancellation, if requested, is withdrawn
    private boolean rearmOnClose;                 // close() re-arms an outside cancellation (after the delivered exit)
    private boolean closed;
    private Future<Boolean> onCompleted;

    /**
     * Opens a group in the current task, for the try-with-resources form; end the block with
     * {@link #join()}.
     *
     * @throws IllegalStateException if not called from a task body
     */
    public TaskGroup() {
        this(false);
    }

    private TaskGroup(boolean exact) {
        this.loop = Asyncio.getRunningLoop();
        this.parent = EventLoop.currentTaskOf(loop);
        if (parent == null) {
            throw new IllegalStateException("TaskGroup cannot determine the parent task: "
                    + "use it in a task body, not in a callback");
        }
        this.exact = exact;
        parent.enterScope(scope);
    }

    /** The body of {@link #run(Body)}: the block of {@code async with TaskGroup() as tg:}. */
    @FunctionalInterface
    public interface Body {
        /** Runs the block with its group {@code tg}. */
        void run(TaskGroup tg) throws Exception;
    }

    /** The body of {@link #call(ValueBody)}: a block that returns a value. */
    @FunctionalInterface
    public interface ValueBody<T> {
        /** Runs the block with its group {@code tg} and returns its value. */
        T call(TaskGroup tg) throws Exception;
    }

    /**
     * Runs {@code body} as the block of a new group in the current task, with Python's semantics
     * exactly: when the body ends, waits for every task of the group; when a task fails or the
     * body throws, cancels the others (and the body), waits for them, and throws the failures
     * together as an {@link ExceptionGroup}, the body's own exception among them. A checked
     * exception of the body is carried in the group as it is.
     *
     * @throws ExceptionGroup if tasks of the group or the body failed
     * @throws CancelledError if the task running the block was cancelled (from outside the group)
     * @throws IllegalStateException if not called from a task body
     */
    public static void run(Body body) {
        if (body == null) {
            throw new IllegalArgumentException("body must not be null");
        }
        call(tg -> {
            body.run(tg);
            return null;
        });
    }

    /**
     * As {@link #run(Body)} for a body that returns a value: returns it once every task of the
     * group has finished.
     */
    public static <T> T call(ValueBody<T> body) {
        if (body == null) {
            throw new IllegalArgumentException("body must not be null");
        }
        TaskGroup tg = new TaskGroup(true);
        T value = null;
        Throwable error = null;
        try {
            value = body.call(tg);
        } catch (Throwable e) {
            error = e;
        }
        Throwable out = tg.exit(error, false);
        int index = tg.parent.exitScope(tg.scope);
        tg.exited = true;
        tg.closed = true;
        if (out instanceof CancelledError c && index >= 0) {
            out = tg.parent.cancellationError(index - 1, c);      // into the blocks around the group
        }
        if (out != null) {
            throw Failures.propagate(out);
        }
        return error == null ? value : null;
    }

    /** Creates a task of the group (Python's {@code tg.create_task}). */
    public <T> Task<T> createTask(Callable<T> body) {
        return createTask(body, null);
    }

    /** Creates a task of the group whose body returns nothing. */
    public Task<Void> createTask(Runnable body) {
        return createTask(new Task.RunnableBody<Void>(body), null);
    }

    /** Creates a task named {@code name} of the group whose body returns nothing. */
    public Task<Void> createTask(Runnable body, String name) {
        return createTask(new Task.RunnableBody<Void>(body), name);
    }

    /**
     * Creates a task named {@code name} of the group.
     *
     * @throws IllegalStateException if the group is finished or shutting down
     */
    public <T> Task<T> createTask(Callable<T> body, String name) {
        return createTask(body, name, null);
    }

    /** Creates a task named {@code name} of the group whose body returns nothing, running in {@code context}. */
    public Task<Void> createTask(Runnable body, String name, Context context) {
        return createTask(new Task.RunnableBody<Void>(body), name, context);
    }

    /**
     * Creates a task named {@code name} (null: a generated name) of the group, running in
     * {@code context} (Python's {@code tg.create_task(coro, name=..., context=ctx)}); null: a copy
     * of the current context.
     *
     * @throws IllegalStateException if the group is finished or shutting down
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public <T> Task<T> createTask(Callable<T> body, String name, Context context) {
        if (exiting && tasks.isEmpty()) {
            throw new IllegalStateException("TaskGroup " + this + " is finished");
        }
        if (aborting) {
            throw new IllegalStateException("TaskGroup " + this + " is shutting down");
        }
        Task<T> t = loop.createTask(body, name, context);
        // Always through the done-callback, even for a task that finished eagerly: a failure
        // must not cancel the parent before this call returns (cpython gh-128550).
        tasks.add(t);
        t.addDoneCallback((Consumer) onDone);
        return t;
    }

    private void abort() {
        aborting = true;
        for (Task<?> t : tasks) {
            if (!t.done()) {
                t.cancel();
            }
        }
    }

    private void onTaskDone(Future<?> f) {
        Task<?> t = (Task<?>) f;
        tasks.remove(t);
        if (onCompleted != null && tasks.isEmpty() && !onCompleted.done()) {
            onCompleted.setResultInternal(true);
        }
        if (t.cancelled()) {
            return;
        }
        Throwable e = t.exception();
        if (e == null) {
            return;
        }
        errors.add(e);
        if (e instanceof Error err && baseError == null) {
            baseError = err;
        }
        if (parent.done()) {
            loop.callExceptionHandler(EventLoop.context("Task " + t + " has errored out but its parent task " + parent
                    + " is already completed", e, "task", t));
            return;
        }
        if (!aborting && !parentCancelRequested) {
            abort();
            parentCancelRequested = true;
            parent.cancel();
        }
    }

    /**
     * Ends the block of the try-with-resources form, as Python's {@code __aexit__} does when the
     * body ended normally: waits for every task of the group and throws their failures together.
     * Call it as the last statement of the block; afterwards the group takes no new tasks.
     *
     * @throws ExceptionGroup if tasks of the group failed
     * @throws CancelledError if the task running the block was cancelled while it waited (the
     *         group's tasks are then cancelled and awaited first)
     * @throws IllegalStateException if called twice, from another task, or on a group of
     *         {@link #run}/{@link #call}, which end by themselves
     */
    public void join() {
        if (exact) {
            throw new IllegalStateException("TaskGroup.run() and call() join their group themselves; "
                    + "do not call join() in their body");
        }
        if (EventLoop.currentTaskOf(loop) != parent) {
            throw new IllegalStateException("join() must be called by the task that opened the TaskGroup");
        }
        if (exiting) {
            throw new IllegalStateException("TaskGroup " + this + " has already been joined");
        }
        Throwable out = exit(null, false);
        exited = true;
        int index = parent.scopeIndex(scope);
        if (out instanceof CancelledError c && index >= 0) {
            out = parent.cancellationError(index - 1, c);      // it leaves the group's block
        }
        if (out != null) {
            throw Failures.propagate(out);
        }
    }

    /**
     * Python's _aexit with {@code et} leaving the body (null: none): returns what leaves the
     * block (the CancelledError, the ExceptionGroup, an Error) or null. With {@code deferred}
     * (the group's own cancellation raised in the body of the try-with-resources form), the
     * request is withdrawn by close() instead, when the body has unwound.
     */
    private Throwable exit(Throwable et, boolean deferred) {
        exiting = true;
        if (et instanceof Error e && baseError == null) {
            baseError = e;
        }
        Throwable propagate = et instanceof CancelledError ? et : null;
        if (et != null && !aborting) {
            abort();
        }
        while (!tasks.isEmpty()) {
            if (onCompleted == null) {
                onCompleted = loop.createFuture();
            }
            try {
                onCompleted.await();
            } catch (RuntimeException | Error ex) {
                // The parent is cancelled while it waits (the future itself only completes).
                if (!aborting) {
                    propagate = ex;
                    abort();
                }
            }
            onCompleted = null;
        }
        if (deferred) {
            rearmOnClose = true;
        } else if (withdraw()) {
            propagate = null;       // no cancellation left to pass on
        }
        if (baseError != null) {
            reportBesides(baseError, et);
            return baseError;
        }
        if (propagate != null && errors.isEmpty()) {
            return propagate;
        }
        if (et != null && !(et instanceof CancelledError)) {
            errors.add(et);
        }
        if (!errors.isEmpty()) {
            if (!deferred) {
                rearm();
            }
            return new ExceptionGroup("unhandled errors in a TaskGroup", errors);
        }
        return null;
    }

    /** Withdraws the parent's cancellation that the group requested, if any; true when none is left then. */
    private boolean withdraw() {
        if (parentCancelRequested && !settled) {
            settled = true;
            return parent.uncancel() == 0;
        }
        return false;
    }

    /** An outside cancellation of the parent stays requested for its next await (Python's uncancel + cancel). */
    private void rearm() {
        if (parent.cancelling() > 0 && !parent.done()) {
            parent.uncancel();
            parent.cancel();
        }
    }

    private void reportBesides(Error raised, Throwable bodyError) {
        List<Throwable> others = new ArrayList<>(errors);
        if (bodyError != null && bodyError != raised && !(bodyError instanceof CancelledError)) {
            others.add(bodyError);
        }
        for (Throwable e : others) {
            if (e != raised) {
                var c = EventLoop.context("TaskGroup task exception was not propagated because the TaskGroup is being "
                        + "closed with an Error", e, "task_group", this);
                loop.callExceptionHandler(c);
            }
        }
    }

    /**
     * Ends the block of the try-with-resources form. After {@link #join()} (or once the group's
     * {@code ExceptionGroup} was raised in the body) it only withdraws the group's cancellation
     * of the task. Reached without either, it cannot tell whether the body threw: it cancels
     * the tasks still running, waits for them (it never hangs on a task that serves forever),
     * and throws {@link IllegalStateException}, whose cause is the group's
     * {@code ExceptionGroup} if tasks failed. Idempotent.
     *
     * @throws IllegalStateException if the body did not end with {@code join()}
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (exact) {
            throw new IllegalStateException("TaskGroup.run() and call() close their group themselves; "
                    + "do not call close() in their body");
        }
        closed = true;
        boolean joined = exited;
        boolean absorbed = false;
        if (!exiting) {
            exiting = true;
            abort();
            while (!tasks.isEmpty()) {
                if (onCompleted == null) {
                    onCompleted = loop.createFuture();
                }
                try {
                    onCompleted.await();
                } catch (RuntimeException | Error ex) {
                    absorbed = true;      // a cancellation of the parent: it stays requested (rearm below)
                }
                onCompleted = null;
            }
            exited = true;
        }
        withdraw();
        if (rearmOnClose || absorbed || (!joined && !errors.isEmpty())) {
            rearm();
        }
        parent.exitScope(scope);
        if (!joined) {
            IllegalStateException e = new IllegalStateException("TaskGroup closed without join(): end the try block "
                    + "with tg.join(), or use TaskGroup.run(tg -> ...); the group's tasks were cancelled and awaited");
            if (baseError != null) {
                e.initCause(baseError);
            } else if (!errors.isEmpty()) {
                e.initCause(new ExceptionGroup("unhandled errors in a TaskGroup", errors));
            }
            throw e;
        }
    }

    @Override
    public String toString() {
        return "TaskGroup[tasks=" + tasks.size() + (errors.isEmpty() ? "" : " errors=" + errors.size())
                + (aborting ? " cancelling" : "") + (exited ? " exited" : exiting ? " exiting" : "") + "]";
    }

    /** The group as its parent task's scope. */
    private final class GroupScope extends Task.Scope {
        @Override
        boolean exact() {
            return exact;
        }

        @Override
        boolean exiting() {
            return exiting && !exited;
        }

        @Override
        boolean requestPending() {
            return parentCancelRequested && !settled;
        }

        @Override
        Throwable translate(int remaining, CancelledError cancellation) {
            if (exiting) {
                return null;
            }
            // The group's own cancellation, raised in the body of the try-with-resources form:
            // what would leave the block is the group's ExceptionGroup, known once every task
            // has finished. Wait for them here, where the cancellation is raised.
            Throwable out = exit(cancellation, true);
            exited = true;
            return out;
        }
    }
}
