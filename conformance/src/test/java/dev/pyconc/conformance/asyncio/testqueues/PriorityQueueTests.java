package dev.pyconc.conformance.asyncio.testqueues;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.PriorityQueue;
import dev.pyconc.conformance.asyncio.IsolatedAsyncioTestCase;

/** test_asyncio/test_queues.py's {@code PriorityQueueTests}. */
public class PriorityQueueTests extends IsolatedAsyncioTestCase {

    /** Items come out smallest first. */
    @Test
    @DisplayName("test_order")
    void testOrder() {
        run(() -> {
            PriorityQueue<Integer> q = new PriorityQueue<>();
            for (int i : List.of(1, 3, 2)) {
                q.put(i);
            }
            List<Integer> items = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                items.add(q.get());
            }
            assertEquals(List.of(1, 2, 3), items);
        });
    }
}
