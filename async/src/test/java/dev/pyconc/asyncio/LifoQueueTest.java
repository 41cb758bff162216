package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(60)
class LifoQueueTest extends LoopTesting {

    /** The newest item comes out first, and a getter waits for a put. */
    @Test
    void lifoOrder() {
        List<Integer> r = Asyncio.run(() -> {
            LifoQueue<Integer> q = new LifoQueue<>();
            for (int i = 0; i < 4; i++) {
                q.put(i);
            }
            List<Integer> out = new ArrayList<>();
            while (!q.empty()) {
                out.add(q.get());
            }
            Task<Integer> getter = Asyncio.createTask(q::get);
            q.put(9);
            out.add(getter.await());
            return out;
        });
        assertEquals(List.of(3, 2, 1, 0, 9), r);
    }
}
