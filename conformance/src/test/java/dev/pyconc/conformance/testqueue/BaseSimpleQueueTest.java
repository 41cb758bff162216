package dev.pyconc.conformance.testqueue;

import static dev.pyconc.testing.Threads.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.queue.Empty;
import dev.pyconc.queue.SimpleQueue;
import dev.pyconc.testing.Threads;

/**
 * test_queue's {@code BaseSimpleQueueTest}: {@link BaseQueueTestMixin} applied to {@link BaseSimpleQueue}. CPython
 * runs it twice, as {@code PyBaseSimpleQueueTest} over the pure Python module and {@code CBaseSimpleQueueTest} over
 * the module with its C accelerator {@code _queue}, which supplies only SimpleQueue and Empty
 * (BaseSimpleQueue is Python code in both); pyconc has one implementation, so it runs once, under the
 * mixin's name.
 */
public abstract class BaseSimpleQueueTest {
    /** The queue under test, new for each test: CPython's {@code self.q}. */
    protected SimpleQueue<Object> q;

    /** A new queue of the type under test: CPython's {@code self.type2test()}. */
    protected abstract SimpleQueue<Object> type2test();

    @BeforeEach
    void setUp() {
        q = type2test();
    }

    /** A Python function a thread runs: {@code feed} or one of the {@code consume}s. */
    private interface Worker {
        void run(SimpleQueue<Object> q, ConcurrentLinkedDeque<Integer> seq, Random rnd, List<Object> results);
    }

    private static void feed(SimpleQueue<Object> q, ConcurrentLinkedDeque<Integer> seq, Random rnd) {
        while (true) {
            Integer val = seq.pollLast();
            if (val == null) {
                q.put(null);     // the sentinel
                return;
            }
            q.put(val);
            if (rnd.nextDouble() > 0.5) {
                sleep(Duration.ofNanos((long) (rnd.nextDouble() * 1e6)));
            }
        }
    }

    private static void consume(SimpleQueue<Object> q, List<Object> results) {
        while (true) {
            Object val = q.get();
            if (val == null) {
                return;
            }
            results.add(val);
        }
    }

    private static void consumeNonblock(SimpleQueue<Object> q, List<Object> results) {
        while (true) {
            Object val;
            while (true) {
                try {
                    val = q.getNowait();
                    break;
                } catch (Empty e) {
                    sleep(Duration.ofNanos(10_000));
                }
            }
            if (val == null) {
                return;
            }
            results.add(val);
        }
    }

    private static void consumeTimeout(SimpleQueue<Object> q, List<Object> results) {
        while (true) {
            Object val;
            while (true) {
                try {
                    val = q.get(Duration.ofNanos(10_000));
                    break;
                } catch (Empty e) {
                    // again
                }
            }
            if (val == null) {
                return;
            }
            results.add(val);
        }
    }

    private static void sleep(Duration d) {
        try {
            java.lang.Thread.sleep(d);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * CPython's {@code run_threads}: {@code nThreads} feeders share the reversed inputs (popped
     * from the end, as Python's {@code list.pop()}) and one Random(42), {@code nThreads} consumers
     * collect; no thread may throw, and the queue ends empty.
     */
    private List<Object> runThreads(int nThreads, SimpleQueue<Object> q, List<Integer> inputs, Worker consumeFunc) {
        List<Object> results = Collections.synchronizedList(new ArrayList<>());
        ConcurrentLinkedDeque<Integer> seq = new ConcurrentLinkedDeque<>(inputs.reversed());
        Random rnd = new Random(42);
        ConcurrentLinkedQueue<Throwable> exceptions = new ConcurrentLinkedQueue<>();
        List<Threads.Async<Void>> threads = new ArrayList<>();
        for (int i = 0; i < nThreads; i++) {
            threads.add(Threads.run("feeder-" + i, () -> {
                try {
                    feed(q, seq, rnd);
                } catch (Throwable e) {
                    exceptions.add(e);
                }
            }));
        }
        for (int i = 0; i < nThreads; i++) {
            threads.add(Threads.run("consumer-" + i, () -> {
                try {
                    consumeFunc.run(q, seq, rnd, results);
                } catch (Throwable e) {
                    exceptions.add(e);
                }
            }));
        }
        threads.forEach(Threads.Async::join);
        assertTrue(exceptions.isEmpty(), () -> "the threads threw " + exceptions);
        assertTrue(q.empty());
        assertEquals(0, q.qsize());
        return results;
    }

    private static List<Object> sorted(List<Object> results) {
        List<Object> s = new ArrayList<>(results);
        s.sort((a, b) -> Integer.compare((Integer) a, (Integer) b));
        return s;
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    /** put, putNowait, get, getNowait and timed get, with qsize and empty after each. */
    @Test
    @DisplayName("test_basic")
    void testBasic() {
        assertTrue(q.empty());
        assertEquals(0, q.qsize());
        q.put(1);
        assertFalse(q.empty());
        assertEquals(1, q.qsize());
        q.put(2);
        q.putNowait(3);
        q.put(4);
        assertFalse(q.empty());
        assertEquals(4, q.qsize());

        assertEquals(1, q.get());
        assertEquals(3, q.qsize());

        assertEquals(2, q.getNowait());
        assertEquals(2, q.qsize());

        assertEquals(3, q.get(Duration.ZERO));    // Python's get(block=False)
        assertFalse(q.empty());
        assertEquals(1, q.qsize());

        assertEquals(4, q.get(Duration.ofMillis(100)));
        assertTrue(q.empty());
        assertEquals(0, q.qsize());

        assertThrows(Empty.class, () -> q.get(Duration.ZERO));
        assertThrows(Empty.class, () -> q.get(Duration.ofMillis(1)));
        assertThrows(Empty.class, q::getNowait);
        assertTrue(q.empty());
        assertEquals(0, q.qsize());
    }

    /** A negative timeout is refused (Python's ValueError), even with an item queued. */
    @Test
    @DisplayName("test_negative_timeout_raises_exception")
    void testNegativeTimeoutRaisesException() {
        q.put(1);
        assertThrows(IllegalArgumentException.class, () -> q.get(Duration.ofSeconds(-1)));
    }

    /** One feeder and one consumer: the consumer sees the 100 items in order. */
    @Test
    @DisplayName("test_order")
    void testOrder() {
        List<Integer> inputs = range(100);
        List<Object> results = runThreads(1, q, inputs, (q, seq, rnd, res) -> consume(q, res));
        assertEquals(inputs, results);
    }

    /** 50 feeders and 50 blocking consumers move 10000 items, each exactly once. */
    @Test
    @DisplayName("test_many_threads")
    void testManyThreads() {
        List<Integer> inputs = range(10000);
        List<Object> results = runThreads(50, q, inputs, (q, seq, rnd, res) -> consume(q, res));
        assertEquals(inputs, sorted(results));
    }

    /** 50 feeders and 50 consumers polling with getNowait move 10000 items, each exactly once. */
    @Test
    @DisplayName("test_many_threads_nonblock")
    void testManyThreadsNonblock() {
        List<Integer> inputs = range(10000);
        List<Object> results = runThreads(50, q, inputs, (q, seq, rnd, res) -> consumeNonblock(q, res));
        assertEquals(inputs, sorted(results));
    }

    /** 50 feeders and 50 consumers polling with a 10 µs timeout move 1000 items, each exactly once. */
    @Test
    @DisplayName("test_many_threads_timeout")
    void testManyThreadsTimeout() {
        List<Integer> inputs = range(1000);
        List<Object> results = runThreads(50, q, inputs, (q, seq, rnd, res) -> consumeTimeout(q, res));
        assertEquals(inputs, sorted(results));
    }

    /**
     * The queue drops its reference to an item as soon as get returns it. Python checks a weak
     * reference after gc_collect(); the Java form is a {@link WeakReference} that the collector
     * clears once nothing but it refers to the item (System.gc() until it is cleared).
     */
    @Test
    @DisplayName("test_references")
    void testReferences() {
        int n = 20;
        for (int i = 0; i < n; i++) {
            q.put(new Object());
        }
        for (int i = 0; i < n; i++) {
            WeakReference<Object> wr = new WeakReference<>(q.get());
            until("the item taken is collected", () -> {
                System.gc();
                return wr.get() == null;
            });
            assertNull(wr.get());
        }
    }
}
