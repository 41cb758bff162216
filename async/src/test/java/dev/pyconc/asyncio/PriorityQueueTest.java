package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(60)
class PriorityQueueTest extends LoopTesting {

    /** The smallest item comes out first, in natural order or a comparator's. */
    @Test
    void priorityOrder() {
        Asyncio.run(() -> {
            PriorityQueue<Integer> q = new PriorityQueue<>();
            for (int v : new int[] {5, 1, 4, 2, 3}) {
                q.put(v);
            }
            List<Integer> out = new ArrayList<>();
            while (!q.empty()) {
                out.add(q.get());
            }
            assertEquals(List.of(1, 2, 3, 4, 5), out);
            PriorityQueue<String> r = new PriorityQueue<>(Comparator.comparing(String::length));
            r.put("ccc");
            r.put("a");
            r.put("bb");
            assertEquals("a", r.get());
            return null;
        });
    }

    /** null and non-comparable items are refused and leave the queue as it was. */
    @Test
    void badItems() {
        Asyncio.run(() -> {
            PriorityQueue<Object> q = new PriorityQueue<>();
            assertThrows(IllegalArgumentException.class, () -> q.putNowait(null));
            var e = assertThrows(IllegalArgumentException.class, () -> q.putNowait(new Object()));
            assertTrue(e.getMessage().contains("Comparable"), e.getMessage());
            assertEquals(0, q.qsize());
            q.putNowait("fine");
            assertEquals("fine", q.getNowait());
            q.taskDone();
            assertThrows(IllegalStateException.class, q::taskDone, "the refused item was counted");
            return null;
        });
    }
}
