/**
 * Python's {@code queue} module: synchronized FIFO, LIFO and priority queues for passing work
 * between threads, with task accounting ({@code taskDone}/{@code join}) and Python 3.13's
 * {@code shutdown}.
 *
 * <h2 id="MemoryVisibility">Memory Visibility</h2>
 * Actions in a thread prior to placing an object into a queue <i>happen-before</i> actions
 * subsequent to the access or removal of that element from the queue in another thread, as for
 * {@link java.util.concurrent.BlockingQueue}. Actions prior to {@code taskDone()} happen-before the
 * return of a {@code join()} that it releases.
 */
package dev.pyconc.queue;
