package dev.pyconc.conformance.concurrentfutures.testthreadpool;

import static dev.pyconc.conformance.concurrentfutures.util.Util.threads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.builtins.TimeoutError;
import dev.pyconc.futures.Future;
import dev.pyconc.futures.ThreadPoolExecutor;
import dev.pyconc.multiprocessing.Process;
import dev.pyconc.threading.Event;
import dev.pyconc.threading.Semaphore;

/**
 * test_concurrent_futures/test_thread_pool.py's {@code ThreadPoolExecutorTest}: core's
 * {@link ThreadPoolExecutor}. As CPython's {@code ThreadPoolMixin}, each test gets an executor of
 * five threads, shut down (waiting) after it; the tests that need another make their own. CPython's
 * {@code executor._threads} is {@code Util.threads(executor)}, {@code _max_workers} is
 * {@link ThreadPoolExecutor#maxWorkers()}. ({@code test_hang_global_shutdown_lock} is not
 * applicable: it tests a lock that CPython resets in the child of fork.)
 */
class ThreadPoolExecutorTest {
    private static final int WORKER_COUNT = 5;

    private ThreadPoolExecutor executor;

    @BeforeEach
    void setUp() {
        executor = new ThreadPoolExecutor(WORKER_COUNT);
    }

    @AfterEach
    void tearDown() {
        executor.shutdown(true, false);
    }

    /** map submits every call at once, without iterating its results (bpo-11777). */
    @Test
    @DisplayName("test_map_submits_without_iteration")
    void testMapSubmitsWithoutIteration() {
        List<Integer> finished = Collections.synchronizedList(new ArrayList<>());
        executor.map(n -> finished.add(n), IntStream.range(0, 10).boxed().toList());
        executor.shutdown(true, false);
        List<Integer> sorted = new ArrayList<>(finished);
        Collections.sort(sorted);
        assertEquals(IntStream.range(0, 10).boxed().toList(), sorted);
    }

    /** Without maxWorkers, min(32, cpu count + 4) threads at most. */
    @Test
    @DisplayName("test_default_workers")
    void testDefaultWorkers() {
        ThreadPoolExecutor e = new ThreadPoolExecutor();
        int expected = Math.min(32, Runtime.getRuntime().availableProcessors() + 4);
        assertEquals(expected, e.maxWorkers());
        e.shutdown(true, false);
    }

    /** 60 calls blocked on a semaphore take all 4 threads of the pool, and no more. */
    @Test
    @DisplayName("test_saturation")
    void testSaturation() {
        ThreadPoolExecutor e = new ThreadPoolExecutor(4);
        Semaphore sem = new Semaphore(0);
        for (int i = 0; i < 15 * e.maxWorkers(); i++) {
            e.submit(() -> sem.acquire());
        }
        assertEquals(e.maxWorkers(), threads(e).size());
        for (int i = 0; i < 15 * e.maxWorkers(); i++) {
            sem.release();
        }
        e.shutdown(true, false);
    }

    /** Three calls one after another run on one thread: an idle worker is reused. */
    @Test
    @DisplayName("test_idle_thread_reuse")
    void testIdleThreadReuse() {
        ThreadPoolExecutor e = new ThreadPoolExecutor();
        e.submit(() -> 21 * 2).result();
        e.submit(() -> 6 * 7).result();
        e.submit(() -> 3 * 14).result();
        assertEquals(1, threads(e).size());
        e.shutdown(true, false);
    }

    /**
     * A process started from a worker of a thread pool runs and exits with code 0 (bpo-43944: the
     * child must not try to join its parent's pool threads). CPython forks; a JVM does not, so the
     * process is started by pyconc's start method: a new JVM, which has none of the parent's threads.
     */
    @Test
    @DisplayName("test_process_fork_from_a_threadpool")
    void testProcessForkFromAThreadpool() {
        Integer processExitcode;
        try (ThreadPoolExecutor pool = new ThreadPoolExecutor(1)) {
            processExitcode = pool.submit(() -> {
                Process p = new Process(() -> { });
                p.start();
                p.join();
                return p.exitCode();
            }).result();
        }
        assertEquals(0, processExitcode);
    }

    /** map's timeout cancels the call it waited for and the calls after it, none of which started. */
    @Test
    @DisplayName("test_executor_map_current_future_cancel")
    void testExecutorMapCurrentFutureCancel() {
        Event stopEvent = new Event();
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        java.util.function.Function<String, Object> logNWait = ident -> {
            log.add("ident='" + ident + "' started");
            try {
                return stopEvent.await();
            } finally {
                log.add("ident='" + ident + "' stopped");
            }
        };
        try (ThreadPoolExecutor pool = new ThreadPoolExecutor(1)) {
            // saturate the pool
            Future<Object> fut = pool.submit(() -> logNWait.apply("first"));
            try {
                var gen = pool.map(logNWait, List.of("second", "third"), Duration.ZERO).iterator();
                assertThrows(TimeoutError.class, gen::next);
            } finally {
                stopEvent.set();
            }
            fut.result();
        }
        // 'second' is cancelled by the TimeoutError, 'third' because it was still pending
        assertEquals(List.of("ident='first' started", "ident='first' stopped"), log);
    }
}
