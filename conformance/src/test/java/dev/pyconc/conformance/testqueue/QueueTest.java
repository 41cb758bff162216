package dev.pyconc.conformance.testqueue;

import dev.pyconc.queue.Queue;

/**
 * test_queue's {@code QueueTest}: {@link BaseQueueTestMixin} applied to {@link Queue}. CPython
 * runs it twice, as {@code PyQueueTest} over the pure Python module and {@code CQueueTest} over
 * the module with its C accelerator {@code _queue}, which supplies only SimpleQueue and Empty
 * (Queue is Python code in both); pyconc has one implementation, so it runs once, under the
 * mixin's name.
 */
class QueueTest extends BaseQueueTestMixin {
    @Override
    protected Queue<Object> type2test() {
        return new Queue<>();
    }

    @Override
    protected Queue<Object> type2test(int maxsize) {
        return new Queue<>(maxsize);
    }
}
