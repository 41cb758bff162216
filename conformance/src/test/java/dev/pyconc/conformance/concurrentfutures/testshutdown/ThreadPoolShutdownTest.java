package dev.pyconc.conformance.concurrentfutures.testshutdown;

import static dev.pyconc.conformance.concurrentfutures.util.Util.threads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.futures.Executor;
import dev.pyconc.futures.ThreadPoolExecutor;
import dev.pyconc.threading.Semaphore;
import dev.pyconc.threading.Thread;

/**
 * test_shutdown.py's {@code ThreadPoolShutdownTest}: {@link ExecutorShutdownTest} with core's
 * {@link ThreadPoolExecutor}, and the pool's threads. CPython's {@code executor._threads} is
 * {@code Util.threads(executor)}. Where CPython drops the last reference ({@code del executor}) to
 * shut the pool down, the Java form calls {@code shutdown(false)}: the JVM has no reference count
 * that would act at once ({@code test_del_shutdown}, which tests only that, is not applicable).
 */
class ThreadPoolShutdownTest extends ExecutorShutdownTest {
    @Override
    protected Executor newExecutor(int maxWorkers) {
        return new ThreadPoolExecutor(maxWorkers);
    }

    @Override
    protected String executorType() {
        return "ThreadPoolExecutor";
    }

    private ThreadPoolExecutor pool() {
        return (ThreadPoolExecutor) executor;
    }

    private static void joinAll(List<Thread> threads) {
        for (Thread t : threads) {
            t.join();
        }
    }

    private static List<Integer> range(int from, int to) {
        return IntStream.range(from, to).boxed().toList();
    }

    /** Three blocked calls start three threads, which end after shutdown. */
    @Test
    @DisplayName("test_threads_terminate")
    void testThreadsTerminate() {
        Semaphore sem = new Semaphore(0);
        for (int i = 0; i < 3; i++) {
            executor.submit(() -> sem.acquire());
        }
        List<Thread> threads = threads(pool());
        assertEquals(3, threads.size());
        for (int i = 0; i < 3; i++) {
            sem.release();
        }
        executor.shutdown();
        joinAll(threads);
    }

    /** The end of a try-with-resources block shuts the pool down: its threads end. */
    @Test
    @DisplayName("test_context_manager_shutdown")
    void testContextManagerShutdown() {
        List<Thread> threads;
        try (ThreadPoolExecutor e = new ThreadPoolExecutor(5)) {
            List<Integer> abs = new ArrayList<>();
            e.map(Math::abs, range(-5, 5)).forEach(abs::add);
            assertEquals(List.of(5, 4, 3, 2, 1, 0, 1, 2, 3, 4), abs);
            threads = threads(e);
        }
        joinAll(threads);
    }

    /** shutdown(wait=false) lets the threads end once they finished the calls, whose results are all there. */
    @Test
    @DisplayName("test_shutdown_no_wait")
    void testShutdownNoWait() {
        ThreadPoolExecutor e = new ThreadPoolExecutor(5);
        Iterable<Integer> res = e.map(Math::abs, range(-5, 5));
        List<Thread> threads = threads(e);
        e.shutdown(false, false);
        joinAll(threads);
        List<Integer> values = new ArrayList<>();
        res.forEach(values::add);
        assertEquals(range(-5, 5).stream().map(Math::abs).toList(), values);
    }

    /** Workers are named {@code <prefix>_<n>}. */
    @Test
    @DisplayName("test_thread_names_assigned")
    void testThreadNamesAssigned() {
        ThreadPoolExecutor e = ThreadPoolExecutor.builder().maxWorkers(5).threadNamePrefix("SpecialPool").build();
        e.map(Math::abs, range(-5, 5));
        List<Thread> threads = threads(e);
        e.shutdown(false, false);
        assertTrue(!threads.isEmpty());
        for (Thread t : threads) {
            assertTrue(t.name().matches("^SpecialPool_[0-4]$"), t.name());
            t.join();
        }
    }

    /** Without a prefix, workers are named {@code ThreadPoolExecutor-<pool>_<n>}, unique per pool. */
    @Test
    @DisplayName("test_thread_names_default")
    void testThreadNamesDefault() {
        ThreadPoolExecutor e = new ThreadPoolExecutor(5);
        e.map(Math::abs, range(-5, 5));
        List<Thread> threads = threads(e);
        e.shutdown(false, false);
        assertTrue(!threads.isEmpty());
        for (Thread t : threads) {
            assertTrue(t.name().matches(".*ThreadPoolExecutor-\\d+_[0-4]$"), t.name());
            t.join();
        }
    }

    /** shutdown(wait=false, cancelFutures=true) at the end of a program: "apple" or nothing, no error (gh-116682). */
    @Test
    @DisplayName("test_cancel_futures_wait_false")
    void testCancelFuturesWaitFalse() {
        var r = runChild("cancel_futures_wait_false");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("", r.err(), r.toString());
        assertTrue(List.of("apple", "").contains(r.out().strip()), r.toString());
    }
}
