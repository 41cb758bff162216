package dev.pyconc.conformance.asyncio.testqueues;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Set;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.CancelledError;
import dev.pyconc.asyncio.Event;
import dev.pyconc.asyncio.Queue;
import dev.pyconc.asyncio.QueueFull;
import dev.pyconc.asyncio.Task;
import dev.pyconc.asyncio.TaskGroup;
import dev.pyconc.conformance.asyncio.IsolatedAsyncioTestCase;

/**
 * test_asyncio/test_queues.py's {@code QueuePutTests}. ({@code test_float_maxsize} is not
 * applicable: Java's maxsize is an int.)
 */
public class QueuePutTests extends IsolatedAsyncioTestCase {

    /** put() into an unbounded queue does not block. */
    @Test
    @DisplayName("test_blocking_put")
    void testBlockingPut() {
        run(() -> {
            Queue<Integer> q = new Queue<>();
            q.put(1);
            assertEquals(1, q.get());
        });
    }

    /** A putter of two items into Queue(1) finishes once a callback takes the first. */
    @Test
    @DisplayName("test_blocking_put_wait")
    void testBlockingPutWait() {
        run(() -> {
            Queue<Integer> q = new Queue<>(1);
            Event started = new Event();
            boolean[] finished = {false};
            Asyncio.getRunningLoop().callLater(Duration.ofMillis(10), q::getNowait);
            Task<Void> queuePutTask = Asyncio.createTask(() -> {
                started.set();
                q.put(1);
                q.put(2);
                finished[0] = true;
            });
            started.await();
            assertFalse(finished[0]);
            queuePutTask.await();
            assertTrue(finished[0]);
        });
    }

    /** putNowait() then getNowait(). */
    @Test
    @DisplayName("test_nonblocking_put")
    void testNonblockingPut() {
        Queue<Integer> q = new Queue<>();
        q.putNowait(1);
        assertEquals(1, q.getNowait());
    }

    /** A reader cancelled after items arrived does not drop one: the retry gets the first. */
    @Test
    @DisplayName("test_get_cancel_drop_one_pending_reader")
    void testGetCancelDropOnePendingReader() {
        run(() -> {
            Queue<Integer> q = new Queue<>();
            Task<Integer> reader = Asyncio.createTask(q::get);
            sleep0();
            q.putNowait(1);
            q.putNowait(2);
            reader.cancel();
            try {
                reader.await();
            } catch (CancelledError e) {
                reader = Asyncio.createTask(q::get);
                reader.await();
            }
            assertEquals(1, reader.result());
        });
    }

    /** Of three readers, one cancelled: the other two get both items. */
    @Test
    @DisplayName("test_get_cancel_drop_many_pending_readers")
    void testGetCancelDropManyPendingReaders() {
        run(() -> {
            Queue<Integer> q = new Queue<>();
            @SuppressWarnings("unchecked")
            Task<Integer>[] r = new Task[3];
            TaskGroup.run(tg -> {
                r[0] = tg.createTask(q::get);
                r[1] = tg.createTask(q::get);
                r[2] = tg.createTask(q::get);
                sleep0();
                q.putNowait(1);
                q.putNowait(2);
                r[0].cancel();
                assertThrows(CancelledError.class, r[0]::await);
                r[2].await();
            });
            assertEquals(Set.of(1, 2), Set.of(r[1].result(), r[2].result()));
        });
    }

    /** A writer cancelled after room appeared does not drop its item: the retry puts it. */
    @Test
    @DisplayName("test_put_cancel_drop")
    void testPutCancelDrop() {
        run(() -> {
            Queue<Integer> q = new Queue<>(1);
            q.putNowait(1);
            Task<Void> writer = Asyncio.createTask(() -> q.put(2));
            sleep0();
            assertEquals(1, q.getNowait());
            writer.cancel();
            try {
                writer.await();
            } catch (CancelledError e) {
                writer = Asyncio.createTask(() -> q.put(2));
                writer.await();
            }
            assertEquals(2, q.getNowait());
            assertEquals(0, q.qsize());
        });
    }

    /** putNowait() into a full queue throws QueueFull. */
    @Test
    @DisplayName("test_nonblocking_put_exception")
    void testNonblockingPutException() {
        Queue<Integer> q = new Queue<>(1);
        q.putNowait(1);
        assertThrows(QueueFull.class, () -> q.putNowait(2));
    }

    /** A putter's put() completes once its item is taken. */
    @Test
    @DisplayName("test_put_cancelled")
    void testPutCancelled() {
        run(() -> {
            Queue<Integer> q = new Queue<>();
            Task<Boolean> t = Asyncio.createTask(() -> {
                q.put(1);
                return true;
            });
            assertEquals(1, q.get());
            assertTrue(t.done());
            assertTrue(t.result());
        });
    }

    /** A cancelled putter does not take the room freed for the next one. */
    @Test
    @DisplayName("test_put_cancelled_race")
    void testPutCancelledRace() {
        run(() -> {
            Queue<String> q = new Queue<>(1);
            Task<Void> putA = Asyncio.createTask(() -> q.put("a"));
            Task<Void> putB = Asyncio.createTask(() -> q.put("b"));
            Task<Void> putC = Asyncio.createTask(() -> q.put("X"));
            sleep0();
            assertTrue(putA.done());
            assertFalse(putB.done());
            putC.cancel();
            sleep0();
            assertTrue(putC.done());
            assertEquals("a", q.getNowait());
            sleep0();
            assertEquals("b", q.getNowait());
            putB.await();
        });
    }

    /** put() hands the item to a waiting getter. */
    @Test
    @DisplayName("test_put_with_waiting_getters")
    void testPutWithWaitingGetters() {
        run(() -> {
            Queue<String> q = new Queue<>();
            Task<String> t = Asyncio.createTask(q::get);
            sleep0();
            q.put("a");
            assertEquals("a", t.await());
        });
    }

    /** Four putters into Queue(2) and a getter that empties it once: every putter finishes. */
    @Test
    @DisplayName("test_why_are_putters_waiting")
    void testWhyArePuttersWaiting() {
        run(() -> {
            Queue<Integer> queue = new Queue<>(2);
            TaskGroup.run(tg -> {
                tg.createTask(() -> {
                    sleep0();
                    int num = queue.qsize();
                    for (int i = 0; i < num; i++) {
                        queue.getNowait();
                    }
                });
                for (int item = 0; item < 4; item++) {
                    int it = item;
                    tg.createTask(() -> queue.put(it));
                }
            });
        });
    }

    /** A cancelled put() leaves no putter behind. */
    @Test
    @DisplayName("test_cancelled_puts_not_being_held_in_self_putters")
    void testCancelledPutsNotBeingHeldInSelfPutters() {
        run(() -> {
            Queue<Integer> queue = new Queue<>(1);
            queue.putNowait(1);
            Task<Void> putTask = Asyncio.createTask(() -> queue.put(1));
            sleep0();
            assertTrue(queue.toString().contains("putters=1"), queue.toString());
            putTask.cancel();
            assertThrows(CancelledError.class, putTask::await);
            assertFalse(queue.toString().contains("putters"), queue.toString());
        });
    }

    /** A putter woken by getNowait() and then cancelled raises CancelledError, nothing else. */
    @Test
    @DisplayName("test_cancelled_put_silence_value_error_exception")
    void testCancelledPutSilenceValueErrorException() {
        run(() -> {
            Queue<Integer> queue = new Queue<>(1);
            queue.putNowait(1);
            Task<Void> putTask = Asyncio.createTask(() -> queue.put(1));
            sleep0();
            queue.getNowait();
            putTask.cancel();
            assertThrows(CancelledError.class, putTask::await);
        });
    }
}
