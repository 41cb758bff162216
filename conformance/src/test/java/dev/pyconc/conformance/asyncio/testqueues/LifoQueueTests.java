package dev.pyconc.conformance.asyncio.testqueues;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.LifoQueue;
import dev.pyconc.conformance.asyncio.IsolatedAsyncioTestCase;

/** test_asyncio/test_queues.py's {@code LifoQueueTests}. */
public class LifoQueueTests extends IsolatedAsyncioTestCase {

    /** Items come out last in, first out. */
    @Test
    @DisplayName("test_order")
    void testOrder() {
        run(() -> {
            LifoQueue<Integer> q = new LifoQueue<>();
            for (int i : List.of(1, 3, 2)) {
                q.put(i);
            }
            List<Integer> items = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                items.add(q.get());
            }
            assertEquals(List.of(2, 3, 1), items);
        });
    }
}
