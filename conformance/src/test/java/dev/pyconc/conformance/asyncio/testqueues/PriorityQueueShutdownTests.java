package dev.pyconc.conformance.asyncio.testqueues;

import dev.pyconc.asyncio.PriorityQueue;
import dev.pyconc.asyncio.Queue;

/** test_asyncio/test_queues.py's {@code PriorityQueueShutdownTests}: _QueueShutdownTestMixin for PriorityQueue. */
public class PriorityQueueShutdownTests extends _QueueShutdownTestMixin {
    @Override
    protected Queue<String> qClass(int maxsize) {
        return new PriorityQueue<>(maxsize);
    }
}
