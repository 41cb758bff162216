package dev.pyconc.conformance.testqueue;

import dev.pyconc.queue.LifoQueue;
import dev.pyconc.queue.Queue;

/**
 * test_queue's {@code LifoQueueTest}: {@link BaseQueueTestMixin} applied to {@link LifoQueue}. CPython
 * runs it twice, as {@code PyLifoQueueTest} over the pure Python module and {@code CLifoQueueTest} over
 * the module with its C accelerator {@code _queue}, which supplies only SimpleQueue and Empty
 * (LifoQueue is Python code in both); pyconc has one implementation, so it runs once, under the
 * mixin's name.
 */
class LifoQueueTest extends BaseQueueTestMixin {
    @Override
    protected Queue<Object> type2test() {
        return new LifoQueue<>();
    }

    @Override
    protected Queue<Object> type2test(int maxsize) {
        return new LifoQueue<>(maxsize);
    }
}
