package dev.pyconc.conformance.asyncio.testqueues;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.Event;
import dev.pyconc.asyncio.Queue;
import dev.pyconc.asyncio.QueueEmpty;
import dev.pyconc.asyncio.Task;
import dev.pyconc.asyncio.TaskGroup;
import dev.pyconc.builtins.TimeoutError;
import dev.pyconc.conformance.asyncio.IsolatedAsyncioTestCase;

/**
 * test_asyncio/test_queues.py's {@code QueueGetTests}. CPython's private {@code _getters} and
 * {@code _putters} are read where toString shows them ({@code getters=n}, {@code putters=n}).
 */
public class QueueGetTests extends IsolatedAsyncioTestCase {

    /** get() of a queue with an item returns it. */
    @Test
    @DisplayName("test_blocking_get")
    void testBlockingGet() {
        run(() -> {
            Queue<Integer> q = new Queue<>();
            q.putNowait(1);
            assertEquals(1, q.get());
        });
    }

    /**
     * get() from a full queue wakes a waiting putter. CPython appends a future to the private
     * {@code _putters}; here a task waits in put(), and get() takes its waiter off the putters.
     */
    @Test
    @DisplayName("test_get_with_putters")
    void testGetWithPutters() {
        run(() -> {
            Queue<Integer> q = new Queue<>(1);
            q.put(1);
            Task<Void> putter = Asyncio.createTask(() -> q.put(2));
            sleep0();
            assertTrue(q.toString().contains("putters=1"), q.toString());
            assertEquals(1, q.get());
            assertFalse(q.toString().contains("putters"), q.toString());
            putter.await();
            assertEquals(2, q.getNowait());
        });
    }

    /** A getter waits until a callback puts an item 10 ms later. */
    @Test
    @DisplayName("test_blocking_get_wait")
    void testBlockingGetWait() {
        run(() -> {
            Queue<Integer> q = new Queue<>();
            Event started = new Event();
            boolean[] finished = {false};
            Task<Integer> queueGetTask = Asyncio.createTask(() -> {
                started.set();
                int res = q.get();
                finished[0] = true;
                return res;
            });
            started.await();
            assertFalse(finished[0]);
            Asyncio.getRunningLoop().callLater(Duration.ofMillis(10), () -> q.putNowait(1));
            int res = queueGetTask.await();
            assertTrue(finished[0]);
            assertEquals(1, res);
        });
    }

    /** getNowait() returns an item. */
    @Test
    @DisplayName("test_nonblocking_get")
    void testNonblockingGet() {
        Queue<Integer> q = new Queue<>();
        q.putNowait(1);
        assertEquals(1, q.getNowait());
    }

    /** getNowait() of an empty queue throws QueueEmpty. */
    @Test
    @DisplayName("test_nonblocking_get_exception")
    void testNonblockingGetException() {
        Queue<Integer> q = new Queue<>();
        assertThrows(QueueEmpty.class, q::getNowait);
    }

    /** A cancelled getter does not take the item from the next one. */
    @Test
    @DisplayName("test_get_cancelled_race")
    void testGetCancelledRace() {
        run(() -> {
            Queue<String> q = new Queue<>();
            Task<String> t1 = Asyncio.createTask(q::get);
            Task<String> t2 = Asyncio.createTask(q::get);
            sleep0();
            t1.cancel();
            sleep0();
            assertTrue(t1.done());
            q.put("a");
            sleep0();
            assertEquals("a", t2.await());
        });
    }

    /** Two putters of a Queue(1) deliver in order to the getter. */
    @Test
    @DisplayName("test_get_with_waiting_putters")
    void testGetWithWaitingPutters() {
        run(() -> {
            Queue<String> q = new Queue<>(1);
            Asyncio.createTask(() -> q.put("a"));
            Asyncio.createTask(() -> q.put("b"));
            assertEquals("a", q.get());
            assertEquals("b", q.get());
        });
    }

    /** A producer and a consumer of five items through Queue(1) both finish. */
    @Test
    @DisplayName("test_why_are_getters_waiting")
    void testWhyAreGettersWaiting() {
        run(() -> {
            int producerNumItems = 5;
            Queue<Integer> q = new Queue<>(1);
            TaskGroup.run(tg -> {
                tg.createTask(() -> {
                    for (int i = 0; i < producerNumItems; i++) {
                        q.put(i);
                    }
                });
                tg.createTask(() -> {
                    for (int i = 0; i < producerNumItems; i++) {
                        q.get();
                    }
                });
            });
        });
    }

    /** A get() that waitFor times out leaves no getter behind. */
    @Test
    @DisplayName("test_cancelled_getters_not_being_held_in_self_getters")
    void testCancelledGettersNotBeingHeldInSelfGetters() {
        run(() -> {
            Queue<Integer> queue = new Queue<>(5);
            assertThrows(TimeoutError.class, () -> Asyncio.waitFor(queue::get, Duration.ofMillis(100)));
            assertFalse(queue.toString().contains("getters"), queue.toString());
        });
    }
}
