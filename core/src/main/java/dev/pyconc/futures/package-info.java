/**
 * Python's {@code concurrent.futures}: executors that run callables asynchronously and the futures
 * that hold their results.
 *
 * <h2 id="MemoryVisibility">Memory Visibility</h2>
 * Actions in a thread prior to submitting a task to an executor <i>happen-before</i> the task
 * runs, which happens-before the result is retrieved with {@code Future.result()}, seen by
 * {@code done()}, or passed to a done-callback, as for {@link java.util.concurrent.ExecutorService}.
 */
package dev.pyconc.futures;
