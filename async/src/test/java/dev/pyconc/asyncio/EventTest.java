package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.builtins.TimeoutError;

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

    /** A waiter cancelled before the set leaves no waiter behind. */
    @Test
    @DisplayName("test_wait_cancel")
    void testWaitCancel() {
        Asyncio.run(() -> {
            Event ev = new Event();
            Task<Boolean> wait = Asyncio.createTask(ev::await);
            Asyncio.getRunningLoop().callSoon(wait::cancel);
            assertThrows(CancelledError.class, wait::await);
            assertEquals("asyncio.Event[unset]", ev.toString());
            return null;
        });
    }

    /** A waiter woken by set() and cancelled before it runs ends cancelled; the other waiters still wake. */
    @Test
    void cancelledAfterSet() {
        Asyncio.run(() -> {
            Event ev = new Event();
            Task<Boolean> a = Asyncio.createTask(ev::await);
            Task<Boolean> b = Asyncio.createTask(ev::await);
            Asyncio.sleep(Duration.ZERO);
            ev.set();
            a.cancel();
            assertThrows(CancelledError.class, a::await);
            assertTrue(b.await());
            assertTrue(ev.isSet());
            assertEquals("asyncio.Event[set]", ev.toString());
            return null;
        });
    }

    /** set(), clear(), set() again while a task waits wakes it once, and its waiter is gone after. */
    @Test
    @DisplayName("test_clear_with_waiters")
    void testClearWithWaiters() {
        List<Integer> result = new ArrayList<>();
        Asyncio.run(() -> {
            Event ev = new Event();
            Task<Boolean> t = Asyncio.createTask(() -> {
                if (ev.await()) {
                    result.add(1);
                }
                return true;
            });
            Asyncio.sleep(Duration.ZERO);
            ev.set();
            ev.clear();
            assertFalse(ev.isSet());
            ev.set();
            ev.set();
            assertEquals("asyncio.Event[set waiters=1]", ev.toString());
            Asyncio.sleep(Duration.ZERO);
            assertEquals("asyncio.Event[set]", ev.toString());
            assertTrue(t.await());
            return null;
        });
        assertEquals(List.of(1), result);
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
