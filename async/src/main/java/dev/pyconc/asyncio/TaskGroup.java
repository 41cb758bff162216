package dev.pyconc.asyncio;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * A block that owns the tasks created in it: Python 3.11's {@code asyncio.TaskGroup}. The end of
 * the block waits for every task; when one fails, the others and the block's body are cancelled,
 * and the failures are raised together as an {@link ExceptionGroup}.
 *
 * <pre> {@code
 * try (var tg = new TaskGroup()) {
 *     Task<User> user = tg.createTask(() -> fetchUser(id));
 *     Task<List<Order>> orders = tg.createTask(() -> fetchOrders(id));
 * } catch (ExceptionGroup eg) {
 *     // every failure of the group, e.g. eg.subgroup(IOException.class)
 * }
 * }</pre>
 *
 * <p>Unlike {@link Asyncio#gather}, a failure cancels the siblings; a task cancelled on its own is
 * not a failure. If the task running the block is cancelled from outside, the group's tasks are
 * cancelled and awaited, and the {@link CancelledError} goes on.
 *
 * <p>What Java's try-with-resources cannot express: {@link #close()} does not see an exception
 * the block's own code throws (other than a cancellation). Such an exception still leaves the
 * block, but close() waits for the tasks without cancelling them first; cancel them before you
 * throw if they should not finish. The group's own cancellation of the body is raised at the
 * body's await as the group's {@code ExceptionGroup} itself, so that it leaves the block with every
 * failure in it (see {@link ExceptionGroup}); a body that catches and swallows it loses the group's
 * failures, so re-throw it.
 *
 * <p>Memory consistency effects: actions of every task of the group <i>happen-before</i>
 * {@code close()} returns.
 */
public final class TaskGroup implements AutoCloseable, Task.CancelSource {
    /*
     * Overview. Python's taskgroups.TaskGroup:
     *
     *   createTask: tasks += t; t.addDoneCallback(onTaskDone)
     *   onTaskDone(t): tasks -= t; wake close(); if t failed: errors += e and, the first time,
     *                  abort() (cancel the other tasks) and cancel the parent task
     *   close(): if the body is unwinding from a cancellation: abort(); await every task (a
     *            cancellation while waiting aborts too); then raise the group
     *
     * The parent's cancellation is requested with cancelFrom(this), so the error delivered at
     * the body's await is `group`, the ExceptionGroup that close() fills and that leaves the
     * block. Whether the body unwinds from a cancellation is read from the parent task's count of
     * delivered cancellations. All fields are guarded by the loop's baton.
     */
    private final EventLoop loop;
    private final Task<?> parent;
    private final int deliveredAtEntry;
    private final Set<Task<?>> tasks = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Consumer<Future<?>> onDone = this::onTaskDone;
    private final ExceptionGroup group = new ExceptionGroup("unhandled errors in a TaskGroup");
    private boolean exiting;
    private boolean aborting;
    private boolean parentCancelRequested;
    private boolean groupDelivered;
    private Future<Boolean> onCompleted;

    /**
     * Opens a group in the current task.
     *
     * @throws IllegalStateException if not called from a task body
     */
    public TaskGroup() {
        this.loop = Asyncio.getRunningLoop();
        this.parent = EventLoop.currentTaskOf(loop);
        if (parent == null) {
            throw new IllegalStateException("TaskGroup must be used in a task body, not in a callback");
        }
        this.deliveredAtEntry = parent.delivered;
    }

    /** Creates a task of the group (Python's {@code tg.create_task}). */
    public <T> Task<T> createTask(Callable<T> body) {
        return createTask(body, null);
    }

    /** Creates a task of the group whose body returns nothing. */
    public Task<Void> createTask(Runnable body) {
        return createTask(new Task.RunnableBody<Void>(body), null);
    }

    /**
     * Creates a task named {@code name} of the group.
     *
     * @throws IllegalStateException if the group is finished or shutting down
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public <T> Task<T> createTask(Callable<T> body, String name) {
        if (exiting && tasks.isEmpty()) {
            throw new IllegalStateException("TaskGroup " + this + " is finished");
        }
        if (aborting) {
            throw new IllegalStateException("TaskGroup " + this + " is shutting down");
        }
        Task<T> t = loop.createTask(body, name);
        if (t.done()) {
            onTaskDone(t);
        } else {
            tasks.add(t);
            t.addDoneCallback((Consumer) onDone);
        }
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
        group.add(e);
        if (parent.done()) {
            loop.callExceptionHandler(EventLoop.context("Task " + t + " has errored out but its parent task " + parent
                    + " is already completed", e, "task", t));
            return;
        }
        if (!aborting && !parentCancelRequested) {
            abort();
            parentCancelRequested = true;
            parent.cancelFrom(this);
        }
    }

    @Override
    public CancelledError cancellationFor(Task<?> task) {
        groupDelivered = true;
        return group;
    }

    /**
     * Ends the block: waits for every task of the group and raises their failures.
     *
     * @throws ExceptionGroup if tasks of the group failed (unless the group's cancellation of the
     *         body is already leaving the block, which is that very group)
     * @throws CancelledError if the task running the block was cancelled while it waited
     */
    @Override
    public void close() {
        exiting = true;
        boolean cancelledBody = parent.delivered > deliveredAtEntry;
        CancelledError propagate = null;
        if (cancelledBody && !aborting) {
            abort();
        }
        while (!tasks.isEmpty()) {
            if (onCompleted == null) {
                onCompleted = loop.createFuture();
            }
            try {
                onCompleted.await();
            } catch (CancelledError ex) {
                if (ex == group) {
                    groupDelivered = false;    // delivered here, in close(), not into the body
                } else if (!aborting) {
                    propagate = ex;
                    abort();
                }
            }
            onCompleted = null;
        }
        if (parentCancelRequested) {
            parent.uncancelFrom(this);      // after the wait, as Python 3.13 does
        }
        if (!group.exceptions().isEmpty()) {
            if (!groupDelivered) {
                throw group;
            }
            return;     // the group is the exception leaving the block already
        }
        if (propagate != null) {
            throw propagate;
        }
    }

    @Override
    public String toString() {
        return "TaskGroup[tasks=" + tasks.size() + (aborting ? " cancelling" : "") + (exiting ? " exiting" : "") + "]";
    }
}
