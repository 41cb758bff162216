/**
 * Python's {@code asyncio}: an event loop on Netty, tasks whose bodies run on virtual threads one
 * at a time per loop, and the futures, synchronization primitives and queues around them.
 *
 * <p>A Python coroutine call becomes a plain call that suspends the current task
 * ({@code await asyncio.sleep(1)} is {@code Asyncio.sleep(Duration.ofSeconds(1))},
 * {@code await queue.get()} is {@code queue.get()}), and {@code await fut} is {@code fut.await()}.
 * Module functions are static methods of {@link dev.pyconc.asyncio.Asyncio}. Streams
 * ({@link dev.pyconc.asyncio.StreamReader}, {@link dev.pyconc.asyncio.StreamWriter},
 * {@link dev.pyconc.asyncio.Server}) run on Netty channels of the loop, and child processes
 * ({@link dev.pyconc.asyncio.Process}, {@link dev.pyconc.asyncio.Subprocess}) have their pipes on
 * the same reader and writer classes.
 *
 * <h2 id="MemoryVisibility">Memory Visibility</h2>
 * Each {@link dev.pyconc.asyncio.EventLoop} has a baton that exactly one of its thread (running
 * callbacks and I/O) and its task bodies holds at a time. Every hand-over of the baton is a
 * <i>happens-before</i> edge, so each callback and each step of a task body sees every write made
 * by the callbacks and steps of the same loop that ran before it: the code of one loop shares
 * plain fields without locks, as Python code does. Actions prior to
 * {@link dev.pyconc.asyncio.EventLoop#callSoonThreadsafe} in another thread happen-before the
 * callback runs; actions of a task happen-before the completion of the
 * {@code concurrent.futures} future that {@link dev.pyconc.asyncio.Asyncio#runCoroutineThreadsafe}
 * returned for it. The futures, primitives and queues of this package are not thread-safe, as in
 * Python: use them from the task bodies and callbacks of their loop.
 */
package dev.pyconc.asyncio;
