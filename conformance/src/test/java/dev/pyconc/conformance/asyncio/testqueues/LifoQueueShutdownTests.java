package dev.pyconc.conformance.asyncio.testqueues;

import dev.pyconc.asyncio.LifoQueue;
import dev.pyconc.asyncio.Queue;

/** test_asyncio/test_queues.py's {@code LifoQueueShutdownTests}: _QueueShutdownTestMixin for LifoQueue. */
public class LifoQueueShutdownTests extends _QueueShutdownTestMixin {
    @Override
    protected Queue<String> qClass(int maxsize) {
        return new LifoQueue<>(maxsize);
    }
}
