package dev.pyconc.conformance.asyncio.testqueues;

import dev.pyconc.asyncio.PriorityQueue;
import dev.pyconc.asyncio.Queue;

/** test_asyncio/test_queues.py's {@code PriorityQueueJoinTests}: _QueueJoinTestMixin for PriorityQueue. */
public class PriorityQueueJoinTests extends _QueueJoinTestMixin {
    @Override
    protected Queue<Integer> qClass() {
        return new PriorityQueue<>();
    }
}
