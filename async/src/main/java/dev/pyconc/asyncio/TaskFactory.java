package dev.pyconc.asyncio;

import java.util.concurrent.Callable;

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
    };

    /** Makes the task of {@code body} named {@code name} (null: a generated name) on {@code loop}. */
    <T> Task<T> create(EventLoop loop, Callable<T> body, String name);
}
