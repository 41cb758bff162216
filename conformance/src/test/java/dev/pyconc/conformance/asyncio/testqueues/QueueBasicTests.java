package dev.pyconc.conformance.asyncio.testqueues;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.Queue;
import dev.pyconc.asyncio.Task;
import dev.pyconc.asyncio.TaskGroup;
import dev.pyconc.conformance.asyncio.IsolatedAsyncioTestCase;

/**
 * test_asyncio/test_queues.py's {@code QueueBasicTests}. Java has one string form, toString,
 * which test_str checks; test_repr's {@code id()} in the repr is not applicable.
 */
public class QueueBasicTests extends IsolatedAsyncioTestCase {

    /** toString names the class and shows the waiting getters, the waiting putters and the items. */
    @Test
    @DisplayName("test_str")
    void testStr() {
        run(() -> {
            Queue<Integer> q0 = new Queue<>();
            assertTrue(q0.toString().startsWith("Queue["), q0.toString());

            Queue<Integer> q1 = new Queue<>();
            @SuppressWarnings("unchecked")
            Task<Integer>[] getter = new Task[1];
            TaskGroup.run(tg -> {
                getter[0] = tg.createTask(q1::get);
                sleep0();
                assertTrue(q1.toString().contains("getters=1"), q1.toString());
                q1.putNowait(0);
            });
            assertEquals(0, getter[0].await());

            Queue<Integer> q2 = new Queue<>(1);
            @SuppressWarnings("unchecked")
            Task<Void>[] putter = new Task[1];
            TaskGroup.run(tg -> {
                q2.putNowait(1);
                putter[0] = tg.createTask(() -> q2.put(2));
                sleep0();
                assertTrue(q2.toString().contains("putters=1"), q2.toString());
                q2.getNowait();
            });
            assertTrue(putter[0].done());

            Queue<Integer> q3 = new Queue<>();
            q3.putNowait(1);
            assertTrue(q3.toString().contains("items=[1]"), q3.toString());
        });
    }

    /** {@code asyncio.Queue[int]}: the Java form is Queue's one type parameter, the item type. */
    @Test
    @DisplayName("test_generic_alias")
    void testGenericAlias() {
        assertEquals(1, Queue.class.getTypeParameters().length);
        Queue<Integer> q = new Queue<>();
        q.putNowait(1);
        Integer item = q.getNowait();
        assertEquals(1, item);
    }

    /** empty() before a put and after the get. */
    @Test
    @DisplayName("test_empty")
    void testEmpty() {
        run(() -> {
            Queue<Integer> q = new Queue<>();
            assertTrue(q.empty());
            q.put(1);
            assertFalse(q.empty());
            assertEquals(1, q.get());
            assertTrue(q.empty());
        });
    }

    /** An unbounded queue is never full; Queue(1) is after one put. */
    @Test
    @DisplayName("test_full")
    void testFull() {
        run(() -> {
            Queue<Integer> q = new Queue<>();
            assertFalse(q.full());
            Queue<Integer> q1 = new Queue<>(1);
            q1.put(1);
            assertTrue(q1.full());
        });
    }

    /** Items come out in the order they went in. */
    @Test
    @DisplayName("test_order")
    void testOrder() {
        run(() -> {
            Queue<Integer> q = new Queue<>();
            for (int i : List.of(1, 3, 2)) {
                q.put(i);
            }
            List<Integer> items = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                items.add(q.get());
            }
            assertEquals(List.of(1, 3, 2), items);
        });
    }

    /** A putter of three items into Queue(2) blocks after two, and resumes after a get. */
    @Test
    @DisplayName("test_maxsize")
    void testMaxsize() {
        run(() -> {
            Queue<Integer> q = new Queue<>(2);
            assertEquals(2, q.maxsize());
            List<Integer> haveBeenPut = new ArrayList<>();
            Task<Boolean> t = Asyncio.createTask(() -> {
                for (int i = 0; i < 3; i++) {
                    q.put(i);
                    haveBeenPut.add(i);
                }
                return true;
            });
            for (int i = 0; i < 2; i++) {
                sleep0();
            }
            assertEquals(List.of(0, 1), haveBeenPut);
            assertEquals(0, q.get());
            sleep0();
            assertEquals(List.of(0, 1, 2), haveBeenPut);
            assertEquals(1, q.get());
            assertEquals(2, q.get());
            assertTrue(t.done());
            assertTrue(t.result());
        });
    }
}
