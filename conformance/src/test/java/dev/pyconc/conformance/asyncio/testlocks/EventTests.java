package dev.pyconc.conformance.asyncio.testlocks;

import static dev.pyconc.conformance.asyncio.testlocks.LockTests.waiters;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.CancelledError;
import dev.pyconc.asyncio.Event;
import dev.pyconc.asyncio.Task;
import dev.pyconc.conformance.asyncio.IsolatedAsyncioTestCase;

/**
 * test_asyncio/test_locks.py's {@code EventTests}. CPython appends a mock to the private
 * {@code _waiters} to see {@code waiters:1} in the repr; here a task waits instead.
 */
public class EventTests extends IsolatedAsyncioTestCase {

    /** toString says unset, set, and the number of waiters. */
    @Test
    @DisplayName("test_repr")
    void testRepr() {
        run(() -> {
            Event ev = new Event();
            assertTrue(ev.toString().endsWith("[unset]"), ev.toString());
            ev.set();
            assertTrue(ev.toString().endsWith("[set]"), ev.toString());
            ev.clear();
            Task<Boolean> w = Asyncio.createTask(ev::await);
            sleep0();
            assertTrue(ev.toString().contains("waiters=1"), ev.toString());
            ev.set();
            w.await();
        });
    }

    /** set() wakes every waiter; the one that arrived last after the loop ran the others first runs first. */
    @Test
    @DisplayName("test_wait")
    void testWait() {
        run(() -> {
            Event ev = new Event();
            assertFalse(ev.isSet());
            List<Integer> result = new ArrayList<>();
            Task<Void> t1 = Asyncio.createTask(() -> {
                if (ev.await()) {
                    result.add(1);
                }
            });
            Task<Void> t2 = Asyncio.createTask(() -> {
                if (ev.await()) {
                    result.add(2);
                }
            });
            sleep0();
            assertEquals(List.of(), result);
            Task<Void> t3 = Asyncio.createTask(() -> {
                if (ev.await()) {
                    result.add(3);
                }
            });
            ev.set();
            sleep0();
            assertEquals(List.of(3, 1, 2), result);
            for (Task<Void> t : List.of(t1, t2, t3)) {
                assertTrue(t.done());
                assertNull(t.result());
            }
        });
    }

    /** await() on a set event returns true at once. */
    @Test
    @DisplayName("test_wait_on_set")
    void testWaitOnSet() {
        run(() -> {
            Event ev = new Event();
            ev.set();
            assertTrue(ev.await());
        });
    }

    /** A waiter cancelled in await() raises CancelledError and leaves no waiter. */
    @Test
    @DisplayName("test_wait_cancel")
    void testWaitCancel() {
        run(() -> {
            Event ev = new Event();
            Task<Boolean> wait = Asyncio.createTask(ev::await);
            Asyncio.getRunningLoop().callSoon(() -> wait.cancel());
            assertThrows(CancelledError.class, wait::await);
            assertEquals(0, waiters(ev));
        });
    }

    /** clear() unsets a set event. */
    @Test
    @DisplayName("test_clear")
    void testClear() {
        run(() -> {
            Event ev = new Event();
            assertFalse(ev.isSet());
            ev.set();
            assertTrue(ev.isSet());
            ev.clear();
            assertFalse(ev.isSet());
        });
    }

    /** A waiter woken by set() still returns true after clear(); it leaves the waiters when it runs. */
    @Test
    @DisplayName("test_clear_with_waiters")
    void testClearWithWaiters() {
        run(() -> {
            Event ev = new Event();
            List<Integer> result = new ArrayList<>();
            Task<Boolean> t = Asyncio.createTask(() -> {
                if (ev.await()) {
                    result.add(1);
                }
                return true;
            });
            sleep0();
            assertEquals(List.of(), result);
            ev.set();
            ev.clear();
            assertFalse(ev.isSet());
            ev.set();
            ev.set();
            assertEquals(1, waiters(ev));
            sleep0();
            assertEquals(List.of(1), result);
            assertEquals(0, waiters(ev));
            assertTrue(t.done());
            assertTrue(t.result());
        });
    }
}
