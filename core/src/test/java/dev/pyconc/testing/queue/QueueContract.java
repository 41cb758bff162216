package dev.pyconc.testing.queue;

import static dev.pyconc.testing.Threads.untilParkedIn;
import static dev.pyconc.testing.Timing.SHORT;
import static dev.pyconc.testing.Timing.assertRejectsBadTimeouts;
import static dev.pyconc.testing.Timing.assertThrowsNoEarlierThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.pyconc.testing.Threads;

/**
 * The contract every Python-style queue keeps: order, blocking/timed/non-blocking get, Empty,
 * qsize/empty, interrupts, and no lost or duplicated item under concurrency. A queue's test
 * extends this class (or a richer contract: {@link BoundedQueueContract},
 * {@link JoinableQueueContract}, {@link ShutDownQueueContract}) and says how to make the queue
 * and what it promises; the tests come from here, in the style of JCTools' QueueSanityTest.
 */
public abstract class QueueContract {

    /** The order in which items leave the queue. */
    public enum Order {
        /** First in, first out. */
        FIFO,
        /** Last in, first out. */
        LIFO,
        /** Lowest first (natural order of Integer). */
        PRIORITY
    }

    /** A new queue holding at most {@code maxsize} items (0: unbounded; unbounded queues ignore it). */
    protected abstract QueueOps<Integer> newQueue(int maxsize);

    /** The order this queue promises. */
    protected abstract Order order();

    /** Whether {@code null} (Python's None) is an item; if not, put(null) throws IllegalArgumentException. */
    protected abstract boolean acceptsNull();

    /** A class whose method is on the stack of a caller blocked in this queue. */
    protected abstract Class<?> blockingClass();

    /** The exception of get on an empty queue (Python's queue.Empty). */
    protected Class<? extends RuntimeException> emptyType() {
        return dev.pyconc.queue.Empty.class;
    }

    /** The items of {@code put}, in the order get returns them. */
    protected final List<Integer> expectedOrder(List<Integer> put) {
        List<Integer> expected = new ArrayList<>(put);
        switch (order()) {
            case FIFO -> { }
            case LIFO -> Collections.reverse(expected);
            case PRIORITY -> Collections.sort(expected);
        }
        return expected;
    }

    /** Gets {@code n} items without waiting. */
    protected static List<Integer> drain(QueueOps<Integer> q, int n) {
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            got.add(q.getNowait());
        }
        return got;
    }

    /** A new queue is empty: qsize 0, and get without waiting throws Empty. */
    @Test
    void newQueueIsEmpty() {
        QueueOps<Integer> q = newQueue(0);
        assertEquals(0, q.qsize());
        assertTrue(q.empty());
        assertThrows(emptyType(), q::getNowait);
        assertThrows(emptyType(), () -> q.get(Duration.ZERO));
    }

    /** Items come out in the queue's order, with put, putNowait, get, get(timeout) and getNowait. */
    @Test
    void itemsLeaveInOrder() {
        QueueOps<Integer> q = newQueue(0);
        List<Integer> put = List.of(5, 1, 4, 2, 3, 9, 0);
        for (int i = 0; i < put.size(); i++) {
            if (i % 2 == 0) {
                q.put(put.get(i));
            } else {
                q.putNowait(put.get(i));
            }
        }
        assertEquals(put.size(), q.qsize());
        assertFalse(q.empty());
        List<Integer> got = new ArrayList<>();
        got.add(q.get());
        got.add(q.get(Duration.ofSeconds(30)));
        got.add(q.get(Duration.ZERO));
        got.addAll(drain(q, put.size() - 3));
        assertEquals(expectedOrder(put), got);
        assertTrue(q.empty());
    }

    /** Many items keep the order as the storage grows and wraps. */
    @Test
    void orderAcrossGrowth() {
        QueueOps<Integer> q = newQueue(0);
        List<Integer> all = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            List<Integer> put = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                int v = (i * 37 + round * 11) % 101;
                put.add(v);
                q.put(v);
            }
            List<Integer> got = drain(q, 40);    // leave some behind, so the next round wraps
            all.addAll(put);
            assertEquals(40, got.size());
            for (Integer g : got) {
                all.remove(g);
            }
        }
        assertEquals(all.size(), q.qsize());
        List<Integer> rest = drain(q, all.size());
        Collections.sort(rest);
        Collections.sort(all);
        assertEquals(all, rest);
    }

    /** null is an item when the queue accepts it; otherwise it is refused and the queue is unchanged. */
    @Test
    void nullItems() {
        QueueOps<Integer> q = newQueue(0);
        if (acceptsNull()) {
            q.put(null);
            q.putNowait(null);
            assertEquals(2, q.qsize());
            assertNull(q.get());
            assertNull(q.getNowait());
        } else {
            q.put(1);
            assertThrows(IllegalArgumentException.class, () -> q.put(null));
            assertThrows(IllegalArgumentException.class, () -> q.putNowait(null));
            assertEquals(1, q.qsize());
            assertEquals(1, q.get());
        }
        assertTrue(q.empty());
    }

    /** A timed get on an empty queue throws Empty, no earlier than its timeout. */
    @Test
    void timedGetTimesOut() {
        QueueOps<Integer> q = newQueue(0);
        assertThrowsNoEarlierThan(emptyType(), SHORT, () -> q.get(SHORT));
    }

    /** A blocked get returns the item that another thread puts. */
    @Test
    void blockedGetWakesOnPut() {
        QueueOps<Integer> q = newQueue(0);
        var untimed = Threads.start("getter", q::get);
        untilParkedIn(untimed.thread(), blockingClass());
        var timed = Threads.start("timed-getter", () -> q.get(Duration.ofSeconds(30)));
        untilParkedIn(timed.thread(), blockingClass());
        q.put(7);
        q.put(8);
        List<Integer> got = new ArrayList<>(List.of(untimed.get(), timed.get()));
        Collections.sort(got);
        assertEquals(List.of(7, 8), got);
        assertTrue(q.empty());
    }

    /** An interrupted get throws InterruptedError with the flag set and takes no item. */
    @Test
    void interruptedGet() {
        QueueOps<Integer> q = newQueue(0);
        Threads.assertInterruptible(blockingClass(), q::get);
        Threads.assertInterruptible(blockingClass(), () -> q.get(Duration.ofSeconds(30)));
        q.put(3);
        assertEquals(1, q.qsize());
        assertEquals(3, q.getNowait());
    }

    /** Null and negative timeouts of get are refused with IllegalArgumentException. */
    @Test
    void badGetTimeouts() {
        QueueOps<Integer> q = newQueue(0);
        q.put(1);
        assertRejectsBadTimeouts(q::get);
        assertEquals(1, q.qsize());
    }

    /** Two producers and two consumers: every item is got exactly once. */
    @Test
    void noLostOrDuplicatedItems() {
        QueueOps<Integer> q = newQueue(0);
        int perProducer = 5_000;
        List<Threads.Async<Void>> producers = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            int base = p * perProducer;
            producers.add(Threads.run("producer-" + p, () -> {
                for (int i = 0; i < perProducer; i++) {
                    q.put(base + i);
                }
            }));
        }
        List<Threads.Async<List<Integer>>> consumers = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            consumers.add(Threads.start("consumer-" + c, () -> {
                List<Integer> got = new ArrayList<>();
                for (int i = 0; i < perProducer; i++) {
                    got.add(q.get());
                }
                return got;
            }));
        }
        producers.forEach(Threads.Async::get);
        List<Integer> all = new ArrayList<>();
        consumers.forEach(c -> all.addAll(c.get()));
        Collections.sort(all);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 2 * perProducer; i++) {
            expected.add(i);
        }
        assertEquals(expected, all);
        assertTrue(q.empty());
    }
}
