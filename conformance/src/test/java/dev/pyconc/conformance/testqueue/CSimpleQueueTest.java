package dev.pyconc.conformance.testqueue;

import dev.pyconc.queue.SimpleQueue;

/**
 * test_queue's {@code CSimpleQueueTest}: {@link BaseSimpleQueueTest} applied to
 * {@link SimpleQueue}. CPython also runs it as {@code PySimpleQueueTest} over the pure Python
 * {@code _PySimpleQueue}; pyconc has one SimpleQueue, the default one as C's is, so it runs once,
 * under the name of the class that tests the default. (Its own two methods are not applicable:
 * {@code test_is_default} tells CPython's two implementations apart, {@code test_reentrancy}
 * needs a {@code __del__} that runs inside put on the same thread.)
 */
class CSimpleQueueTest extends BaseSimpleQueueTest {
    @Override
    protected SimpleQueue<Object> type2test() {
        return new SimpleQueue<>();
    }
}
