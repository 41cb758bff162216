package dev.pyconc.conformance.asyncio.testqueues;

import dev.pyconc.asyncio.Queue;

/** test_asyncio/test_queues.py's {@code QueueShutdownTests}: _QueueShutdownTestMixin for Queue. */
public class QueueShutdownTests extends _QueueShutdownTestMixin {
    @Override
    protected Queue<String> qClass(int maxsize) {
        return new Queue<>(maxsize);
    }
}
