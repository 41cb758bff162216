package dev.pyconc.conformance.asyncio.testqueues;

import dev.pyconc.asyncio.Queue;

/** test_asyncio/test_queues.py's {@code QueueJoinTests}: _QueueJoinTestMixin for Queue. */
public class QueueJoinTests extends _QueueJoinTestMixin {
    @Override
    protected Queue<Integer> qClass() {
        return new Queue<>();
    }
}
