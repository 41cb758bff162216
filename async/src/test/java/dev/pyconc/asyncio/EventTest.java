package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(60)
class EventTest extends LoopTesting {

    /** set() wakes every waiter; await() on a set event returns at once. */
    @Test
    void setWakesAll() {
        int woken = Asyncio.run(() -> {
            Event e = new Event();
            List<Task<Boolean>> ts = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                ts.add(Asyncio.createTask(e::await));
            }
            Asyncio.sleep(Duration.ZERO);
            assertFalse(e.isSet());
            e.set();
            int n = 0;
            for (var t : ts) {
                n += t.await() ? 1 : 0;
            }
            assertTrue(e.await());
            return n;
        });
        assertEquals(10, woken);
    }

    /** clear() makes later awaits wait again. */
    @Test
    void clearResets() {
        Asyncio.run(() -> {
            Event e = new Event();
            e.set();
            e.clear();
            assertFalse(e.isSet());
            assertThrows(TimeoutError.class, () -> Asyncio.waitFor(Asyncio.createTask(e::await), Duration.ofMillis(10)));
            return null;
        });
    }

    /** A cancelled waiter leaves the others waiting for the set. */
    @Test
    void cancelledWaiter() {
        Asyncio.run(() -> {
            Event e = new Event();
            Task<Boolean> a = Asyncio.createTask(e::await);
            Task<Boolean> b = Asyncio.createTask(e::await);
            Asyncio.sleep(Duration.ZERO);
            a.cancel();
            Asyncio.sleep(Duration.ZERO);
            e.set();
            assertTrue(b.await());
            assertTrue(a.cancelled());
            return null;
        });
    }

    /** Setting from another thread through callSoonThreadsafe wakes the waiter. */
    @Test
    void setFromAnotherThread() {
        assertTrue(Asyncio.run(() -> {
            Event e = new Event();
            EventLoop loop = Asyncio.getRunningLoop();
            Thread t = new Thread(() -> loop.callSoonThreadsafe(e::set));
            t.start();
            boolean r = e.await();
            t.join();
            return r;
        }));
    }
}
