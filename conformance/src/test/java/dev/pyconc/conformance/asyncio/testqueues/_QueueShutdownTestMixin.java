package dev.pyconc.conformance.asyncio.testqueues;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.Queue;
import dev.pyconc.asyncio.QueueShutDown;
import dev.pyconc.asyncio.Task;
import dev.pyconc.conformance.asyncio.IsolatedAsyncioTestCase;

/**
 * test_asyncio/test_queues.py's {@code _QueueShutdownTestMixin}, run for Queue, LifoQueue and
 * PriorityQueue. A taskDone() too many, Python's ValueError, is IllegalStateException.
 */
public abstract class _QueueShutdownTestMixin extends IsolatedAsyncioTestCase {

    /** A new queue of the class under test: CPython's {@code self.q_class(maxsize=...)}. */
    protected abstract Queue<String> qClass(int maxsize);

    private static void assertRaisesShutdown(Executable call) {
        assertThrows(QueueShutDown.class, call, "Didn't appear to shut-down queue");
    }

    /** After every put and get raises QueueShutDown. */
    private static void assertAllShutDown(Queue<String> q) {
        assertRaisesShutdown(() -> q.put("data"));
        assertRaisesShutdown(() -> q.putNowait("data"));
        assertRaisesShutdown(q::get);
        assertRaisesShutdown(q::getNowait);
    }

    /** toString of a shut-down queue ends with shutdown. */
    @Test
    @DisplayName("test_format")
    void testFormat() {
        run(() -> {
            Queue<String> q = qClass(0);
            q.shutdown();
            assertEquals(q.getClass().getSimpleName() + "[maxsize=0 qsize=0 shutdown]", q.toString());
        });
    }

    /** shutdown() of an empty queue: join() returns, a waiting get() and every later call raise QueueShutDown. */
    @Test
    @DisplayName("test_shutdown_empty")
    void testShutdownEmpty() {
        run(() -> {
            Queue<String> q = qClass(0);
            Task<String> getTask = Asyncio.getRunningLoop().createTask(q::get);
            sleep0();
            q.shutdown(false);
            assertEquals(0, q.qsize());
            q.join();
            sleep0();
            assertTrue(getTask.done());
            assertRaisesShutdown(getTask::await);
            assertAllShutDown(q);
        });
    }

    /** shutdown() of a full queue: the waiting put() raises, the item can still be got, join() waits for its taskDone(). */
    @Test
    @DisplayName("test_shutdown_nonempty")
    void testShutdownNonempty() {
        run(() -> {
            Queue<String> q = qClass(1);
            q.putNowait("data");
            Task<Void> joinTask = Asyncio.getRunningLoop().createTask(q::join);
            Task<Void> putTask = Asyncio.getRunningLoop().createTask(() -> q.put("data2"));
            sleep0();
            assertFalse(putTask.done());
            q.shutdown(false);
            assertEquals(1, q.qsize());
            sleep0();
            assertTrue(putTask.done());
            assertRaisesShutdown(putTask::await);
            assertEquals("data", q.get());
            sleep0();
            assertFalse(joinTask.done());
            assertAllShutDown(q);
            q.taskDone();
            sleep0();
            assertTrue(joinTask.done());
            joinTask.await();
            assertThrows(IllegalStateException.class, q::taskDone, "Didn't appear to mark all tasks done");
        });
    }

    /** shutdown(true) drops the items and their unfinished tasks: join() returns. */
    @Test
    @DisplayName("test_shutdown_immediate")
    void testShutdownImmediate() {
        run(() -> {
            Queue<String> q = qClass(0);
            q.putNowait("data");
            Task<Void> joinTask = Asyncio.getRunningLoop().createTask(q::join);
            q.shutdown(true);
            assertEquals(0, q.qsize());
            sleep0();
            assertTrue(joinTask.done());
            joinTask.await();
            assertAllShutDown(q);
            assertThrows(IllegalStateException.class, q::taskDone, "Didn't appear to mark all tasks done");
        });
    }

    /** shutdown(true) with an item already got: join() waits for its taskDone(). */
    @Test
    @DisplayName("test_shutdown_immediate_with_unfinished")
    void testShutdownImmediateWithUnfinished() {
        run(() -> {
            Queue<String> q = qClass(0);
            q.putNowait("data");
            q.putNowait("data");
            Task<Void> joinTask = Asyncio.getRunningLoop().createTask(q::join);
            assertEquals("data", q.get());
            q.shutdown(true);
            assertEquals(0, q.qsize());
            sleep0();
            assertFalse(joinTask.done());
            assertAllShutDown(q);
            q.taskDone();
            assertThrows(IllegalStateException.class, q::taskDone, "Didn't appear to mark all tasks done");
            sleep0();
            assertTrue(joinTask.done());
            joinTask.await();
        });
    }
}
