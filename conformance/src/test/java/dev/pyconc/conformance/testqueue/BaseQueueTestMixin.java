package dev.pyconc.conformance.testqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.queue.Empty;
import dev.pyconc.queue.Full;
import dev.pyconc.queue.Queue;
import dev.pyconc.queue.ShutDown;
import dev.pyconc.testing.Threads;
import dev.pyconc.threading.Barrier;
import dev.pyconc.threading.Event;
import dev.pyconc.threading.Lock;

/**
 * test_queue's {@code BaseQueueTestMixin}: the tests every {@link Queue} type passes, with
 * CPython's numbers of threads and items. The threads are pyconc's {@link dev.pyconc.threading.Thread}s
 * where CPython's are {@code threading.Thread}s, and the barriers and events are pyconc's.
 *
 * <p>Where Java differs: Python's {@code block=0} is {@code putNowait}/{@code getNowait}, a float
 * timeout a {@link Duration}; {@code task_done()} called too often throws
 * {@link IllegalStateException} (Python's ValueError for misuse of a state); a {@code (i, str)}
 * tuple is a {@link Item} record that compares as the tuple does.
 */
public abstract class BaseQueueTestMixin extends BlockingTestMixin {
    static final int QUEUE_SIZE = 5;

    /** A Python {@code (int, str)} tuple: ordered by the number, then the text. */
    record Item(int i, String s) implements Comparable<Item> {
        @Override
        public int compareTo(Item o) {
            int c = Integer.compare(i, o.i);
            return c != 0 ? c : s.compareTo(o.s);
        }
    }

    private long cum;
    private Lock cumlock;

    /** A new unbounded queue of the type under test: CPython's {@code self.type2test()}. */
    protected abstract Queue<Object> type2test();

    /** A new queue of the type under test holding at most {@code maxsize} items. */
    protected abstract Queue<Object> type2test(int maxsize);

    @Override
    protected Class<?> blockedIn() {
        return Queue.class;
    }

    @BeforeEach
    void setUp() {
        cum = 0;
        cumlock = new Lock();
    }

    static boolean qfull(Queue<?> q) {
        return q.maxsize() > 0 && q.qsize() == q.maxsize();
    }

    private static dev.pyconc.threading.Thread start(Runnable target) {
        var t = new dev.pyconc.threading.Thread(target);
        t.start();
        return t;
    }

    private static void joinAll(List<dev.pyconc.threading.Thread> threads) {
        for (var t : threads) {
            t.join(Threads.LIVENESS);
            assertFalse(t.isAlive(), t.name() + " still runs after " + Threads.LIVENESS);
        }
    }

    private void basicQueueTest(Queue<Object> q) {
        if (q.qsize() != 0) {
            throw new IllegalStateException("Call this function with an empty queue");
        }
        assertTrue(q.empty());
        assertFalse(q.full());
        q.put(111);
        q.put(333);
        q.put(222);
        List<Integer> targetOrder = switch (q.getClass().getSimpleName()) {
            case "Queue" -> List.of(111, 333, 222);
            case "LifoQueue" -> List.of(222, 333, 111);
            case "PriorityQueue" -> List.of(111, 222, 333);
            default -> throw new AssertionError(q.getClass());
        };
        List<Object> actualOrder = List.of(q.get(), q.get(), q.get());
        assertEquals(targetOrder, actualOrder, "Didn't seem to queue the correct data!");
        for (int i = 0; i < QUEUE_SIZE - 1; i++) {
            q.put(i);
            assertTrue(q.qsize() != 0, "Queue should not be empty");
        }
        assertTrue(!qfull(q), "Queue should not be full");
        int last = 2 * QUEUE_SIZE;
        int full = 3 * 2 * QUEUE_SIZE;
        q.put(last);
        assertTrue(qfull(q), "Queue should be full");
        assertFalse(q.empty());
        assertTrue(q.full());
        assertThrows(Full.class, () -> q.putNowait(full), "Didn't appear to block with a full queue");
        assertThrows(Full.class, () -> q.put(full, Duration.ofMillis(10)), "Didn't appear to time-out with a full queue");
        // a blocking put
        doBlockingTest(() -> {
            q.put(full);
            return null;
        }, q::get);
        doBlockingTest(() -> {
            q.put(full, Duration.ofSeconds(10));
            return null;
        }, q::get);
        // empty it
        for (int i = 0; i < QUEUE_SIZE; i++) {
            q.get();
        }
        assertTrue(q.qsize() == 0, "Queue should be empty");
        assertThrows(Empty.class, q::getNowait, "Didn't appear to block with an empty queue");
        assertThrows(Empty.class, () -> q.get(Duration.ofMillis(10)), "Didn't appear to time-out with an empty queue");
        // a blocking get
        assertEquals("empty", doBlockingTest(q::get, () -> q.put("empty")));
        assertEquals("empty", doBlockingTest(() -> q.get(Duration.ofSeconds(10)), () -> q.put("empty")));
    }

    private void worker(Queue<Object> q) {
        while (true) {
            int x = (Integer) q.get();
            if (x < 0) {
                q.taskDone();
                return;
            }
            try (var _ = cumlock.enter()) {
                cum += x;
            }
            q.taskDone();
        }
    }

    private void queueJoinTest(Queue<Object> q) {
        cum = 0;
        List<dev.pyconc.threading.Thread> threads = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            threads.add(start(() -> worker(q)));
        }
        for (int i = 0; i < 100; i++) {
            q.put(i);
        }
        q.join();
        try (var _ = cumlock.enter()) {
            assertEquals(IntStream.range(0, 100).sum(), cum, "q.join() did not block until all tasks were done");
        }
        for (int i = 0; i < 2; i++) {
            q.put(-1);           // the workers' signal to end
        }
        q.join();                // joining twice works
        joinAll(threads);
    }

    /** taskDone() on a queue without unfinished tasks throws. */
    @Test
    @DisplayName("test_queue_task_done")
    void testQueueTaskDone() {
        Queue<Object> q = type2test();
        assertThrows(IllegalStateException.class, q::taskDone, "Did not detect task count going negative");
    }

    /** join() returns once two workers marked the 100 items done, twice, and the count cannot go negative. */
    @Test
    @DisplayName("test_queue_join")
    void testQueueJoin() {
        Queue<Object> q = type2test();
        queueJoinTest(q);
        queueJoinTest(q);
        assertThrows(IllegalStateException.class, q::taskDone, "Did not detect task count going negative");
    }

    /** Order, fullness, the non-blocking and timed calls and blocking put and get, twice on one queue. */
    @Test
    @DisplayName("test_basic")
    void testBasic() {
        Queue<Object> q = type2test(QUEUE_SIZE);
        basicQueueTest(q);
        basicQueueTest(q);
    }

    /** A negative timeout is refused by put and get (Python's ValueError). */
    @Test
    @DisplayName("test_negative_timeout_raises_exception")
    void testNegativeTimeoutRaisesException() {
        Queue<Object> q = type2test(QUEUE_SIZE);
        assertThrows(IllegalArgumentException.class, () -> q.put(1, Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> q.get(Duration.ofSeconds(-1)));
    }

    /** putNowait on a full queue throws Full, getNowait on an empty one Empty. */
    @Test
    @DisplayName("test_nowait")
    void testNowait() {
        Queue<Object> q = type2test(QUEUE_SIZE);
        for (int i = 0; i < QUEUE_SIZE; i++) {
            q.putNowait(1);
        }
        assertThrows(Full.class, () -> q.putNowait(1));
        for (int i = 0; i < QUEUE_SIZE; i++) {
            q.getNowait();
        }
        assertThrows(Empty.class, q::getNowait);
    }

    /** After shutdown() an empty queue refuses put and get. */
    @Test
    @DisplayName("test_shutdown_empty")
    void testShutdownEmpty() {
        Queue<Object> q = type2test();
        q.shutdown();
        assertThrows(ShutDown.class, () -> q.put("data"));
        assertThrows(ShutDown.class, q::get);
    }

    /** After shutdown() get takes what is left, then throws ShutDown. */
    @Test
    @DisplayName("test_shutdown_nonempty")
    void testShutdownNonempty() {
        Queue<Object> q = type2test();
        q.put("data");
        q.shutdown();
        assertEquals("data", q.get());
        assertThrows(ShutDown.class, q::get);
    }

    /** shutdown(immediate) discards what is left: get throws ShutDown at once. */
    @Test
    @DisplayName("test_shutdown_immediate")
    void testShutdownImmediate() {
        Queue<Object> q = type2test();
        q.put("data");
        q.shutdown(true);
        assertThrows(ShutDown.class, q::get);
    }

    /** shutdown, then shutdown(immediate), then shutdown again: each allowed, isShutdown stays true. */
    @Test
    @DisplayName("test_shutdown_allowed_transitions")
    void testShutdownAllowedTransitions() {
        Queue<Object> q = type2test();
        assertFalse(q.isShutdown());
        q.shutdown();
        assertTrue(q.isShutdown());
        q.shutdown(true);
        assertTrue(q.isShutdown());
        q.shutdown(false);
        assertTrue(q.isShutdown());
    }

    private void shutdownAllMethodsInOneThread(boolean immediate) {
        Queue<Object> q = type2test(2);
        q.put("L");
        q.putNowait("O");
        q.shutdown(immediate);
        assertThrows(ShutDown.class, () -> q.put("E"));
        assertThrows(ShutDown.class, () -> q.putNowait("W"));
        if (immediate) {
            assertThrows(ShutDown.class, q::get);
            assertThrows(ShutDown.class, q::getNowait);
            assertThrows(IllegalStateException.class, q::taskDone);
            q.join();
        } else {
            assertTrue("LO".contains((String) q.get()));
            q.taskDone();
            assertTrue("LO".contains((String) q.get()));
            q.taskDone();
            q.join();
            // once the queue is empty, every get throws
            assertThrows(ShutDown.class, q::get);
            assertThrows(ShutDown.class, q::getNowait);
            assertThrows(ShutDown.class, () -> q.get(Duration.ofSeconds(1)));
        }
    }

    @Test
    @DisplayName("test_shutdown_all_methods_in_one_thread")
    void testShutdownAllMethodsInOneThread() {
        shutdownAllMethodsInOneThread(false);
    }

    @Test
    @DisplayName("test_shutdown_immediate_all_methods_in_one_thread")
    void testShutdownImmediateAllMethodsInOneThread() {
        shutdownAllMethodsInOneThread(true);
    }

    private static void writeMsgThread(Queue<Object> q, int n, List<Boolean> results, int iWhenExecShutdown,
            Event eventShutdown, Barrier barrierStart) {
        for (int i = 0; i < iWhenExecShutdown / 2; i++) {
            q.put(new Item(i, "LOYD"));
        }
        barrierStart.await();
        for (int i = iWhenExecShutdown / 2; i < n; i++) {
            try {
                q.put(new Item(i, "YDLO"));
            } catch (ShutDown e) {
                results.add(false);
                break;
            }
            if (i == iWhenExecShutdown) {
                // only one thread calls shutdown()
                if (!eventShutdown.isSet()) {
                    eventShutdown.set();
                    results.add(true);
                }
            }
        }
    }

    private static void readMsgThread(Queue<Object> q, List<Boolean> results, Barrier barrierStart) {
        q.get();
        q.taskDone();
        barrierStart.await();
        while (true) {
            try {
                q.getNowait();
                q.taskDone();
            } catch (ShutDown e) {
                results.add(true);
                break;
            } catch (Empty e) {
                // again
            }
        }
    }

    private static void shutdownThread(Queue<Object> q, List<Boolean> results, Event eventEnd, boolean immediate) {
        eventEnd.await();
        q.shutdown(immediate);
        results.add(q.qsize() == 0);
    }

    private void shutdownAllMethodsInManyThreads(boolean immediate) {
        Queue<Object> q = type2test();
        List<dev.pyconc.threading.Thread> ps = new ArrayList<>();
        List<Boolean> resPuts = Collections.synchronizedList(new ArrayList<>());
        List<Boolean> resGets = Collections.synchronizedList(new ArrayList<>());
        List<Boolean> resShutdown = Collections.synchronizedList(new ArrayList<>());
        int writeThreads = 4;
        int readThreads = 6;
        int joinThreads = 2;
        int nbMsgs = 1024 * 64;
        int nbMsgsW = nbMsgs / writeThreads;
        int whenExecShutdown = nbMsgsW / 2;
        int nparties = writeThreads + readThreads + (immediate ? joinThreads : 0);
        Barrier barrierStart = new Barrier(nparties);
        Event evExecShutdown = new Event();
        for (int i = 0; i < writeThreads; i++) {
            ps.add(start(() -> writeMsgThread(q, nbMsgsW, resPuts, whenExecShutdown, evExecShutdown, barrierStart)));
        }
        for (int i = 0; i < readThreads; i++) {
            ps.add(start(() -> readMsgThread(q, resGets, barrierStart)));
        }
        ps.add(start(() -> shutdownThread(q, resShutdown, evExecShutdown, immediate)));
        if (immediate) {
            for (int i = 0; i < joinThreads; i++) {
                ps.add(start(() -> {
                    barrierStart.await();
                    q.join();
                }));
            }
        }
        joinAll(ps);
        assertTrue(resPuts.contains(true));
        assertEquals(readThreads, resGets.stream().filter(b -> b).count());
        if (immediate) {
            assertEquals(List.of(true), resShutdown);
            assertTrue(q.empty());
        }
    }

    @Test
    @DisplayName("test_shutdown_all_methods_in_many_threads")
    void testShutdownAllMethodsInManyThreads() {
        shutdownAllMethodsInManyThreads(false);
    }

    @Test
    @DisplayName("test_shutdown_immediate_all_methods_in_many_threads")
    void testShutdownImmediateAllMethodsInManyThreads() {
        shutdownAllMethodsInManyThreads(true);
    }

    private static void get(Queue<Object> q, Event go, List<Boolean> results, boolean shutdown) {
        go.await();
        try {
            q.get();
            results.add(!shutdown);
        } catch (ShutDown e) {
            results.add(shutdown);
        }
    }

    private static void getTaskDone(Queue<Object> q, Event go, List<Boolean> results) {
        go.await();
        try {
            q.get();
            q.taskDone();
            results.add(true);
        } catch (ShutDown e) {
            results.add(false);
        }
    }

    private static void put(Queue<Object> q, Object msg, Event go, List<Boolean> results, boolean shutdown) {
        go.await();
        try {
            q.put(msg);
            results.add(!shutdown);
        } catch (ShutDown e) {
            results.add(shutdown);
        }
    }

    private static void join(Queue<Object> q, List<Boolean> results) {
        try {
            q.join();
            results.add(true);
        } catch (ShutDown e) {
            results.add(false);
        }
    }

    private void shutdownGet(boolean immediate) {
        Queue<Object> q = type2test(2);
        List<Boolean> results = Collections.synchronizedList(new ArrayList<>());
        Event go = new Event();
        q.put("Y");
        q.put("D");
        // the queue is full
        int n = immediate ? 2 : 3;   // without immediate, one of the three gets throws ShutDown
        List<dev.pyconc.threading.Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            threads.add(start(() -> get(q, go, results, immediate)));
        }
        q.shutdown(immediate);
        go.set();
        joinAll(threads);
        if (immediate) {
            assertEquals(List.of(true, true), results);
        } else {
            List<Boolean> sorted = new ArrayList<>(results);
            Collections.sort(sorted);
            assertEquals(List.of(false, true, true), sorted);
        }
    }

    @Test
    @DisplayName("test_shutdown_get")
    void testShutdownGet() {
        shutdownGet(false);
    }

    @Test
    @DisplayName("test_shutdown_immediate_get")
    void testShutdownImmediateGet() {
        shutdownGet(true);
    }

    private void shutdownPut(boolean immediate) {
        Queue<Object> q = type2test(2);
        List<Boolean> results = Collections.synchronizedList(new ArrayList<>());
        Event go = new Event();
        q.put("Y");
        q.put("D");
        // the queue is full
        List<dev.pyconc.threading.Thread> threads = new ArrayList<>();
        threads.add(start(() -> put(q, "E", go, results, true)));
        threads.add(start(() -> put(q, "W", go, results, true)));
        q.shutdown();   // CPython's _shutdown_put shuts down without immediate in both tests
        go.set();
        joinAll(threads);
        assertEquals(List.of(true, true), results);
    }

    @Test
    @DisplayName("test_shutdown_put")
    void testShutdownPut() {
        shutdownPut(false);
    }

    @Test
    @DisplayName("test_shutdown_immediate_put")
    void testShutdownImmediatePut() {
        shutdownPut(true);
    }

    private void shutdownJoin(boolean immediate) {
        Queue<Object> q = type2test();
        List<Boolean> results = Collections.synchronizedList(new ArrayList<>());
        q.put("Y");
        Event go = new Event();
        int nb = q.qsize();
        List<dev.pyconc.threading.Thread> threads = new ArrayList<>();
        threads.add(start(() -> join(q, results)));
        threads.add(start(() -> join(q, results)));
        if (!immediate) {
            List<Boolean> res = Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < nb; i++) {
                threads.add(start(() -> getTaskDone(q, go, res)));
            }
        }
        q.shutdown(immediate);
        go.set();
        joinAll(threads);
        assertEquals(List.of(true, true), results);
    }

    @Test
    @DisplayName("test_shutdown_immediate_join")
    void testShutdownImmediateJoin() {
        shutdownJoin(true);
    }

    @Test
    @DisplayName("test_shutdown_join")
    void testShutdownJoin() {
        shutdownJoin(false);
    }

    private void shutdownPutJoin(boolean immediate) {
        Queue<Object> q = type2test(2);
        List<Boolean> results = Collections.synchronizedList(new ArrayList<>());
        Event go = new Event();
        q.put("Y");
        // the queue is not full
        List<dev.pyconc.threading.Thread> threads = new ArrayList<>();
        threads.add(start(() -> put(q, "E", go, results, true)));
        threads.add(start(() -> join(q, results)));
        assertEquals(1, q.unfinishedTasks());
        q.shutdown(immediate);
        go.set();
        if (immediate) {
            assertThrows(ShutDown.class, q::getNowait);
        } else {
            assertEquals("Y", q.get());
            q.taskDone();
        }
        joinAll(threads);
        assertEquals(List.of(true, true), results);
    }

    @Test
    @DisplayName("test_shutdown_immediate_put_join")
    void testShutdownImmediatePutJoin() {
        shutdownPutJoin(true);
    }

    @Test
    @DisplayName("test_shutdown_put_join")
    void testShutdownPutJoin() {
        shutdownPutJoin(false);
    }

    /** Two getters mark both items done and two joiners return, with shutdown() in between. */
    @Test
    @DisplayName("test_shutdown_get_task_done_join")
    void testShutdownGetTaskDoneJoin() {
        Queue<Object> q = type2test(2);
        List<Boolean> results = Collections.synchronizedList(new ArrayList<>());
        Event go = new Event();
        q.put("Y");
        q.put("D");
        assertEquals(q.qsize(), q.unfinishedTasks());
        List<dev.pyconc.threading.Thread> threads = new ArrayList<>();
        threads.add(start(() -> getTaskDone(q, go, results)));
        threads.add(start(() -> getTaskDone(q, go, results)));
        threads.add(start(() -> join(q, results)));
        threads.add(start(() -> join(q, results)));
        go.set();
        q.shutdown(false);
        joinAll(threads);
        assertEquals(List.of(true, true, true, true), results);
    }

    /** A get blocked on an empty queue throws ShutDown when the queue is shut down. */
    @Test
    @DisplayName("test_shutdown_pending_get")
    void testShutdownPendingGet() {
        Queue<Object> q = type2test();
        List<Object> results = Collections.synchronizedList(new ArrayList<>());
        var getThread = start(() -> {
            try {
                results.add(q.get());
            } catch (RuntimeException e) {
                results.add(e);
            }
        });
        q.shutdown(false);
        getThread.join(Duration.ofSeconds(10));
        assertFalse(getThread.isAlive());
        assertEquals(1, results.size());
        assertInstanceOf(ShutDown.class, results.get(0));
    }
}
