package dev.pyconc.asyncio;

import java.util.concurrent.Callable;

import dev.pyconc.contextvars.Context;

/**
 * How {@link EventLoop#createTask(Callable, String)} makes tasks: Python's task factory
 * ({@code loop.set_task_factory}). {@link #EAGER} is Python 3.12's {@code eager_task_factory}.
 *
 * <pre> {@code
 * loop.setTaskFactory(TaskFactory.EAGER);
 * Task<Integer> t = loop.createTask(() -> cache.get(key));   // a cache hit finishes here, unscheduled
 * }</pre>
 *
 * <p>An implementation is called on the loop; it usually ends with
 * {@link EventLoop#createTask(Callable, String, boolean)}, which does not consult the factory.
 *
 * <p>Memory consistency effects: as for {@link EventLoop#createTask(Callable)}.
 */
public interface TaskFactory {
    /** Eager tasks: the body starts inside {@code createTask} and runs until its first suspension. */
    TaskFactory EAGER = new TaskFactory() {
        @Override
        public <T> Task<T> create(EventLoop loop, Callable<T> body, String name) {
            return loop.createTask(body, name, true);
        }

        @Override
        public <T> Task<T> create(EventLoop loop, Callable<T> body, String name, Context context) {
            return loop.createTask(body, name, true, context);
        }
    };

    /** Makes the task of {@code body} named {@code name} (null: a generated name) on {@code loop}. */
    <T> Task<T> create(EventLoop loop, Callable<T> body, String name);

    /**
     * Makes the task of {@code body} named {@code name} whose body runs in {@code context} (null:
     * a copy of the current context), as Python passes {@code context} to a task factory. By
     * default, {@link #create(EventLoop, Callable, String)} makes the task, and a non-null
     * {@code context} then replaces the task's own if its body has not started.
     */
    default <T> Task<T> create(EventLoop loop, Callable<T> body, String name, Context context) {
        Task<T> t = create(loop, body, name);
        if (context != null && t != null && t.worker == null && !t.done()) {
            t.context = context;
        }
        return t;
    }
}
