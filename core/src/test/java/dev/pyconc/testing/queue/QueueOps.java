package dev.pyconc.testing.queue;

import java.time.Duration;

/**
 * The operations that Python's queues share, as the contract tests drive them. An adapter maps
 * them onto the queue under test (a thread queue, a process queue, an asyncio queue run from a
 * blocking caller). Operations a queue does not have keep the default, which throws.
 */
public interface QueueOps<E> {
    /** Puts, waiting while full. */
    void put(E item);

    /** Gets, waiting while empty. */
    E get();

    /** Gets, waiting at most {@code timeout}; throws the queue's Empty when none came. */
    E get(Duration timeout);

    /** Gets without waiting; throws the queue's Empty when there is none. */
    E getNowait();

    /** Puts without waiting; throws the queue's Full when full. */
    void putNowait(E item);

    /** The approximate size. */
    int qsize();

    /** Whether the queue is empty now. */
    boolean empty();

    /** Puts, waiting at most {@code timeout} for a slot (bounded queues). */
    default void put(E item, Duration timeout) {
        throw new UnsupportedOperationException("put(item, timeout)");
    }

    /** Whether the queue is full now (bounded queues). */
    default boolean full() {
        throw new UnsupportedOperationException("full()");
    }

    /** Marks a task done (joinable queues). */
    default void taskDone() {
        throw new UnsupportedOperationException("taskDone()");
    }

    /** Waits until every task is done (joinable queues). */
    default void join() {
        throw new UnsupportedOperationException("join()");
    }

    /** Shuts the queue down (Python 3.13). */
    default void shutdown(boolean immediate) {
        throw new UnsupportedOperationException("shutdown(immediate)");
    }
}
