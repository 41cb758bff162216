package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.builtins.TimeoutError;

@org.junit.jupiter.api.Timeout(60)
class QueueTest extends LoopTesting {

    /** Items come out in FIFO order; the sum checks that none is lost or duplicated. */
    @Test
    void producerConsumerChecksum() {
        long sum = Asyncio.run(() -> {
            Queue<Integer> q = new Queue<>(4);
            List<Task<Void>> producers = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                int base = p * 1000;
                producers.add(Asyncio.createTask(() -> {
                    for (int i = 0; i < 1000; i++) {
                        q.put(base + i);
                    }
                }));
            }
            long s = 0;
            for (int i = 0; i < 3000; i++) {
                s += q.get();
                q.taskDone();
            }
            Asyncio.gather(producers).await();
            q.join();
            return s;
        });
        assertEquals(3000L * 2999 / 2, sum);
    }

    /** A bounded queue suspends put while full; maxsize 0 is unbounded. */
    @Test
    void boundedAndUnbounded() {
        Asyncio.run(() -> {
            Queue<Integer> q = new Queue<>(1);
            q.putNowait(1);
            assertTrue(q.full());
            assertThrows(QueueFull.class, () -> q.putNowait(2));
            Task<Void> putter = Asyncio.createTask(() -> q.put(2));
            Asyncio.sleep(Duration.ZERO);
            assertFalse(putter.done());
            assertEquals(1, q.get());
            putter.await();
            assertEquals(2, q.getNowait());
            assertThrows(QueueEmpty.class, q::getNowait);
            Queue<Integer> u = new Queue<>();
            for (int i = 0; i < 10_000; i++) {
                u.putNowait(i);
            }
            assertEquals(10_000, u.qsize());
            assertFalse(u.full());
            assertEquals(0, u.maxsize());
            return null;
        });
    }

    /** FIFO wake-ups of getters, and a cancelled getter that was woken passes the item on (gh-90155). */
    @Test
    void cancelledGetterPassesWakeUp() {
        List<String> log = new ArrayList<>();
        Asyncio.run(() -> {
            Queue<String> q = new Queue<>();
            Task<Void> a = Asyncio.createTask(() -> log.add("a:" + q.get()) ? null : null);
            Task<Void> b = Asyncio.createTask(() -> log.add("b:" + q.get()) ? null : null);
            Asyncio.sleep(Duration.ZERO);
            q.putNowait("x");     // wakes a
            a.cancel();           // a is cancelled before it runs: b must get x
            Asyncio.gather(true, List.of(a, b)).await();
            return null;
        });
        assertEquals(List.of("b:x"), log);
    }

    /** A cancelled putter that was woken passes the free slot on. */
    @Test
    void cancelledPutterPassesWakeUp() {
        Asyncio.run(() -> {
            Queue<String> q = new Queue<>(1);
            q.putNowait("full");
            Task<Void> a = Asyncio.createTask(() -> q.put("a"));
            Task<Void> b = Asyncio.createTask(() -> q.put("b"));
            Asyncio.sleep(Duration.ZERO);
            assertEquals("full", q.getNowait());    // wakes a
            a.cancel();
            Asyncio.gather(true, List.of(a, b)).await();
            assertEquals("b", q.getNowait());
            assertTrue(q.empty());
            return null;
        });
    }

    /** A getter that times out in waitFor leaves no getter behind. */
    @Test
    @DisplayName("test_cancelled_getters_not_being_held_in_self_getters")
    void testCancelledGettersNotBeingHeldInSelfGetters() {
        Asyncio.run(() -> {
            Queue<Integer> queue = new Queue<>(5);
            assertThrows(TimeoutError.class, () -> Asyncio.waitFor(queue::get, Duration.ofMillis(100)));
            assertEquals("Queue[maxsize=5 qsize=0]", queue.toString());
            return null;
        });
    }

    /** A cancelled putter leaves no putter behind. */
    @Test
    @DisplayName("test_cancelled_puts_not_being_held_in_self_putters")
    void testCancelledPutsNotBeingHeldInSelfPutters() {
        Asyncio.run(() -> {
            Queue<Integer> queue = new Queue<>(1);
            queue.putNowait(1);
            Task<Void> putTask = Asyncio.createTask(() -> queue.put(1));
            Asyncio.sleep(Duration.ZERO);
            assertEquals("Queue[maxsize=1 qsize=1 items=[1] putters=1 tasks=1]", queue.toString());
            putTask.cancel();
            assertThrows(CancelledError.class, putTask::await);
            assertEquals("Queue[maxsize=1 qsize=1 items=[1] tasks=1]", queue.toString());
            return null;
        });
    }

    /** A putter woken by getNowait() and cancelled before it runs ends cancelled, quietly. */
    @Test
    @DisplayName("test_cancelled_put_silence_value_error_exception")
    void testCancelledPutSilenceValueErrorException() {
        Asyncio.run(() -> {
            Queue<Integer> queue = new Queue<>(1);
            queue.putNowait(1);
            Task<Void> putTask = Asyncio.createTask(() -> queue.put(1));
            Asyncio.sleep(Duration.ZERO);
            queue.getNowait();           // takes the putter off the deque and wakes it
            putTask.cancel();
            assertThrows(CancelledError.class, putTask::await);
            assertTrue(queue.empty());
            return null;
        });
    }

    /** A producer and a consumer through a queue of one: neither waits forever. */
    @Test
    @DisplayName("test_why_are_getters_waiting")
    void testWhyAreGettersWaiting() {
        List<Integer> got = new ArrayList<>();
        Asyncio.run(() -> {
            Queue<Integer> q = new Queue<>(1);
            Task<Void> producer = Asyncio.createTask(() -> {
                for (int i = 0; i < 5; i++) {
                    q.put(i);
                }
            });
            Task<Void> consumer = Asyncio.createTask(() -> {
                for (int i = 0; i < 5; i++) {
                    got.add(q.get());
                }
            });
            Asyncio.gather(producer, consumer).await();
            return null;
        });
        assertEquals(List.of(0, 1, 2, 3, 4), got);
    }

    /** Four putters, a queue of two and a getter that empties it once: every put gets in. */
    @Test
    @DisplayName("test_why_are_putters_waiting")
    void testWhyArePuttersWaiting() {
        Asyncio.run(() -> {
            Queue<Integer> queue = new Queue<>(2);
            List<Task<Void>> ts = new ArrayList<>();
            ts.add(Asyncio.createTask(() -> {
                Asyncio.sleep(Duration.ZERO);
                int num = queue.qsize();
                for (int i = 0; i < num; i++) {
                    queue.getNowait();
                }
            }));
            for (int i = 0; i < 4; i++) {
                int k = i;
                ts.add(Asyncio.createTask(() -> queue.put(k)));
            }
            Asyncio.gather(ts).await();
            assertEquals(2, queue.qsize());
            assertEquals(2, queue.getNowait());
            assertEquals(3, queue.getNowait());
            return null;
        });
    }

    /** A getter cancelled while it waits is skipped: the next put goes to the other getter. */
    @Test
    @DisplayName("test_get_cancelled_race")
    void testGetCancelledRace() {
        Asyncio.run(() -> {
            Queue<String> q = new Queue<>();
            Task<String> t1 = Asyncio.createTask(q::get);
            Task<String> t2 = Asyncio.createTask(q::get);
            Asyncio.sleep(Duration.ZERO);
            t1.cancel();
            Asyncio.sleep(Duration.ZERO);
            assertTrue(t1.done());
            q.put("a");
            Asyncio.sleep(Duration.ZERO);
            assertEquals("a", t2.await());
            return null;
        });
    }

    /** A putter cancelled while it waits is skipped: the slot goes to the next putter. */
    @Test
    @DisplayName("test_put_cancelled_race")
    void testPutCancelledRace() {
        Asyncio.run(() -> {
            Queue<String> q = new Queue<>(1);
            Task<Void> putA = Asyncio.createTask(() -> q.put("a"));
            Task<Void> putB = Asyncio.createTask(() -> q.put("b"));
            Task<Void> putC = Asyncio.createTask(() -> q.put("X"));
            Asyncio.sleep(Duration.ZERO);
            assertTrue(putA.done());
            assertFalse(putB.done());
            putC.cancel();
            Asyncio.sleep(Duration.ZERO);
            assertTrue(putC.done());
            assertEquals("a", q.getNowait());
            Asyncio.sleep(Duration.ZERO);
            assertEquals("b", q.getNowait());
            putB.await();
            assertTrue(q.empty());
            return null;
        });
    }

    /** A reader woken with two items and cancelled before it runs takes neither: a new reader gets the first. */
    @Test
    @DisplayName("test_get_cancel_drop_one_pending_reader")
    void testGetCancelDropOnePendingReader() {
        Asyncio.run(() -> {
            Queue<Integer> q = new Queue<>();
            Task<Integer> reader = Asyncio.createTask(q::get);
            Asyncio.sleep(Duration.ZERO);
            q.putNowait(1);
            q.putNowait(2);
            reader.cancel();
            assertThrows(CancelledError.class, reader::await);
            assertEquals(1, Asyncio.createTask(q::get).await(), "1 was dropped");
            return null;
        });
    }

    /** Three readers, two items, the first woken reader cancelled: the other two get both items. */
    @Test
    @DisplayName("test_get_cancel_drop_many_pending_readers")
    void testGetCancelDropManyPendingReaders() {
        Asyncio.run(() -> {
            Queue<Integer> q = new Queue<>();
            Task<Integer> reader1 = Asyncio.createTask(q::get);
            Task<Integer> reader2 = Asyncio.createTask(q::get);
            Task<Integer> reader3 = Asyncio.createTask(q::get);
            Asyncio.sleep(Duration.ZERO);
            q.putNowait(1);
            q.putNowait(2);
            reader1.cancel();
            assertThrows(CancelledError.class, reader1::await);
            reader3.await();
            assertEquals(java.util.Set.of(1, 2), java.util.Set.of(reader2.await(), reader3.await()));
            return null;
        });
    }

    /** A writer woken by a get and cancelled before it runs puts nothing: a new writer's item goes in. */
    @Test
    @DisplayName("test_put_cancel_drop")
    void testPutCancelDrop() {
        Asyncio.run(() -> {
            Queue<Integer> q = new Queue<>(1);
            q.putNowait(1);
            Task<Void> writer = Asyncio.createTask(() -> q.put(2));
            Asyncio.sleep(Duration.ZERO);
            assertEquals(1, q.getNowait());
            writer.cancel();
            assertThrows(CancelledError.class, writer::await);
            Asyncio.createTask(() -> q.put(2)).await();
            assertEquals(2, q.getNowait());
            assertEquals(0, q.qsize());
            return null;
        });
    }

    /** taskDone too often is refused; join waits for every taskDone. */
    @Test
    void joinAndTaskDone() {
        List<String> log = new ArrayList<>();
        Asyncio.run(() -> {
            Queue<Integer> q = new Queue<>();
            assertThrows(IllegalStateException.class, q::taskDone);
            q.putNowait(1);
            q.putNowait(2);
            Task<Void> joiner = Asyncio.createTask(() -> {
                q.join();
                log.add("joined");
            });
            q.getNowait();
            q.taskDone();
            Asyncio.sleep(Duration.ZERO);
            log.add("one left");
            q.getNowait();
            q.taskDone();
            joiner.await();
            return null;
        });
        assertEquals(List.of("one left", "joined"), log);
    }

    /** shutdown(): puts fail, gets drain what is left then fail, waiters wake with QueueShutDown. */
    @Test
    void shutdownGraceful() {
        Asyncio.run(() -> {
            Queue<Integer> q = new Queue<>();
            Task<Integer> getter = Asyncio.createTask(q::get);
            Asyncio.sleep(Duration.ZERO);
            q.shutdown();
            assertThrows(QueueShutDown.class, getter::await);
            assertThrows(QueueShutDown.class, () -> q.put(1));
            Queue<Integer> r = new Queue<>();
            r.putNowait(5);
            r.shutdown(false);
            assertEquals(5, r.get());
            assertThrows(QueueShutDown.class, r::get);
            assertThrows(QueueShutDown.class, r::getNowait);
            return null;
        });
    }

    /** shutdown(true) empties the queue, releases join(), and wakes blocked putters. */
    @Test
    void shutdownImmediate() {
        Asyncio.run(() -> {
            Queue<Integer> q = new Queue<>(1);
            q.putNowait(1);
            Task<Void> putter = Asyncio.createTask(() -> q.put(2));
            Task<Void> joiner = Asyncio.createTask(q::join);
            Asyncio.sleep(Duration.ZERO);
            q.shutdown(true);
            assertTrue(q.empty());
            assertThrows(QueueShutDown.class, putter::await);
            joiner.await();
            return null;
        });
    }

    /** A queue made in one loop but first waited on in another binds to that one, as Python binds at first use; then the first loop is refused. */
    @Test
    void bindsToTheLoopOfItsFirstWait() {
        Object[] made = new Object[1];
        Asyncio.run(() -> {
            Queue<String> q = new Queue<>();
            q.putNowait("made here, never waited on");
            made[0] = q;
            return null;
        });
        @SuppressWarnings("unchecked")
        Queue<String> q = (Queue<String>) made[0];
        assertEquals("made here, never waited on", q.getNowait());
        assertEquals("second", Asyncio.run(() -> {
            Task<String> getter = Asyncio.createTask(q::get);
            Asyncio.sleep(Duration.ZERO);
            q.putNowait("second");
            return getter.await();
        }));
        var e = assertThrows(IllegalStateException.class, () -> Asyncio.run(() -> q.get()));
        assertTrue(e.getMessage().contains("different event loop"), e.getMessage());
    }
}
