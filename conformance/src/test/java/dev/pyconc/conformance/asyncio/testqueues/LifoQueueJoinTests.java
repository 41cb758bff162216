package dev.pyconc.conformance.asyncio.testqueues;

import dev.pyconc.asyncio.LifoQueue;
import dev.pyconc.asyncio.Queue;

/** test_asyncio/test_queues.py's {@code LifoQueueJoinTests}: _QueueJoinTestMixin for LifoQueue. */
public class LifoQueueJoinTests extends _QueueJoinTestMixin {
    @Override
    protected Queue<Integer> qClass() {
        return new LifoQueue<>();
    }
}
