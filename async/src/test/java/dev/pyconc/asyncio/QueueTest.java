package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

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
