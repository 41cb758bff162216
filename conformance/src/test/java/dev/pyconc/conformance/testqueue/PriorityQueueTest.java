package dev.pyconc.conformance.testqueue;

import dev.pyconc.queue.PriorityQueue;
import dev.pyconc.queue.Queue;

/**
 * test_queue's {@code PriorityQueueTest}: {@link BaseQueueTestMixin} applied to {@link PriorityQueue}. CPython
 * runs it twice, as {@code PyPriorityQueueTest} over the pure Python module and {@code CPriorityQueueTest} over
 * the module with its C accelerator {@code _queue}, which supplies only SimpleQueue and Empty
 * (PriorityQueue is Python code in both); pyconc has one implementation, so it runs once, under the
 * mixin's name.
 */
class PriorityQueueTest extends BaseQueueTestMixin {
    @Override
    protected Queue<Object> type2test() {
        return new PriorityQueue<>();
    }

    @Override
    protected Queue<Object> type2test(int maxsize) {
        return new PriorityQueue<>(maxsize);
    }
}
