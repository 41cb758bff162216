package dev.pyconc.queue;

import java.time.Duration;

import dev.pyconc.testing.queue.QueueOps;

/** {@link QueueOps} over this package's {@link Queue} family. */
record ThreadQueueOps<E>(Queue<E> q) implements QueueOps<E> {
    @Override public void put(E item) { q.put(item); }
    @Override public void put(E item, Duration timeout) { q.put(item, timeout); }
    @Override public void putNowait(E item) { q.putNowait(item); }
    @Override public E get() { return q.get(); }
    @Override public E get(Duration timeout) { return q.get(timeout); }
    @Override public E getNowait() { return q.getNowait(); }
    @Override public int qsize() { return q.qsize(); }
    @Override public boolean empty() { return q.empty(); }
    @Override public boolean full() { return q.full(); }
    @Override public void taskDone() { q.taskDone(); }
    @Override public void join() { q.join(); }
    @Override public void shutdown(boolean immediate) { q.shutdown(immediate); }
}
