package dev.pyconc.conformance.concurrentfutures.testprocesspool;

import static dev.pyconc.testing.Threads.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.conformance.concurrentfutures.util.ExecutorMixin;
import dev.pyconc.futures.Future;
import dev.pyconc.multiprocessing.BrokenProcessPool;
import dev.pyconc.multiprocessing.Multiprocessing;
import dev.pyconc.multiprocessing.Process;
import dev.pyconc.multiprocessing.ProcessPoolExecutor;
import dev.pyconc.multiprocessing.RemoteTraceback;
import dev.pyconc.multiprocessing.Semaphore;
import dev.pyconc.multiprocessing.SerializableCallable;

/**
 * test_concurrent_futures/test_process_pool.py's {@code ProcessPoolExecutorTest}: ipc's
 * {@link ProcessPoolExecutor} with worker JVMs, applied by a concrete class per start method (spawn
 * only for now: each test starts up to six worker JVMs, some 30 s a start method on two cores). As
 * CPython's {@code ExecutorMixin}, each test gets an executor of five workers, shut down (waiting)
 * after it; the tests count the pool's processes, so the executor cannot serve two tests. CPython's
 * {@code executor._processes} is {@link Multiprocessing#activeChildren()}: the tests start no other child.
 */
public abstract class ProcessPoolExecutorTest {
    protected ProcessPoolExecutor executor;

    /** The start method of the workers, CPython's {@code ctx}. */
    protected abstract String startMethod();

    @BeforeEach
    void setUp() {
        ExecutorMixin.useStartMethod(startMethod());
        executor = ExecutorMixin.processPool(ExecutorMixin.WORKER_COUNT);
    }

    @AfterEach
    void tearDown() {
        try {
            executor.shutdown(true, false);
        } finally {
            ExecutorMixin.restoreStartMethod();
        }
    }

    private static Object sleep(Duration d) {
        try {
            java.lang.Thread.sleep(d);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return null;
    }

    private static <T> Future<T> submit(ProcessPoolExecutor e, SerializableCallable<T> fn) {
        return e.submit(fn);
    }

    /** A worker that is killed breaks the pool: its future and every later submit throw BrokenProcessPool. */
    @Test
    @DisplayName("test_killed_child")
    void testKilledChild() {
        List<Future<Object>> futures = List.of(submit(executor, () -> sleep(Duration.ofSeconds(3))));
        until("a worker process started", () -> !Multiprocessing.activeChildren().isEmpty());
        Process p = Multiprocessing.activeChildren().get(0);
        p.terminate();
        for (Future<Object> fut : futures) {
            assertThrows(BrokenProcessPool.class, fut::result);
        }
        assertThrows(BrokenProcessPool.class, () -> submit(executor, () -> BigInteger.TWO.pow(8)));
    }

    /** map gives the same results with chunks of 6, 50 and 40 items; a chunk size below 1 is refused. */
    @Test
    @DisplayName("test_map_chunksize")
    void testMapChunksize() {
        List<Integer> items = IntStream.range(0, 40).boxed().toList();
        List<BigInteger> ref = items.stream().map(x -> BigInteger.valueOf(x).pow(x)).toList();
        for (int chunksize : new int[] {6, 50, 40}) {
            List<BigInteger> got = new ArrayList<>();
            executor.map((Integer x) -> BigInteger.valueOf(x).pow(x), items, chunksize).forEach(got::add);
            assertEquals(ref, got, "chunksize " + chunksize);
        }
        assertThrows(IllegalArgumentException.class,
                () -> executor.map((Integer x) -> BigInteger.valueOf(x).pow(x), items, -1).forEach(x -> { }));
    }

    /** CPython's {@code _test_traceback}. */
    static Object raiseRuntimeError() {
        throw new RuntimeException("123");   // some comment
    }

    /**
     * The exception of a call in a worker is raised again in the parent with the worker's stack
     * trace as its cause, a RemoteTraceback, which printing the exception shows.
     */
    @Test
    @DisplayName("test_traceback")
    void testTraceback() {
        Future<Object> future = submit(executor, ProcessPoolExecutorTest::raiseRuntimeError);
        RuntimeException exc = assertThrows(RuntimeException.class, future::result);
        assertSame(RuntimeException.class, exc.getClass());
        assertEquals("123", exc.getMessage());
        RemoteTraceback cause = assertInstanceOf(RemoteTraceback.class, exc.getCause());
        assertTrue(cause.traceback().contains("ProcessPoolExecutorTest.raiseRuntimeError"), cause.traceback());
        ByteArrayOutputStream f1 = new ByteArrayOutputStream();
        exc.printStackTrace(new PrintStream(f1, true, StandardCharsets.UTF_8));
        assertTrue(f1.toString(StandardCharsets.UTF_8).contains("ProcessPoolExecutorTest.raiseRuntimeError"), f1.toString());
    }

    /** 75 calls blocked on a semaphore take all five worker processes, and no more. */
    @Test
    @DisplayName("test_saturation")
    void testSaturation() {
        Semaphore sem = new Semaphore(0);
        int jobCount = 15 * executor.maxWorkers();
        for (int i = 0; i < jobCount; i++) {
            submit(executor, () -> {
                sem.acquire();
                return null;
            });
        }
        assertEquals(executor.maxWorkers(), Multiprocessing.activeChildren().size());
        for (int i = 0; i < jobCount; i++) {
            sem.release();
        }
    }

    /** Three calls one after another run in one process: an idle worker is reused. */
    @Test
    @DisplayName("test_idle_process_reuse_one")
    void testIdleProcessReuseOne() {
        assertTrue(executor.maxWorkers() >= 4);
        submit(executor, () -> 21 * 2).result();
        submit(executor, () -> 6 * 7).result();
        submit(executor, () -> 3 * 14).result();
        assertEquals(1, Multiprocessing.activeChildren().size());
    }

    /** Calls that wait for one another now and then start at most three processes. */
    @Test
    @DisplayName("test_idle_process_reuse_multiple")
    void testIdleProcessReuseMultiple() {
        assertTrue(executor.maxWorkers() <= 5);
        submit(executor, () -> 12 * 7).result();
        submit(executor, () -> 33 * 25);
        submit(executor, () -> 25 * 26).result();
        submit(executor, () -> 18 * 29);
        submit(executor, () -> 1 * 2).result();
        submit(executor, () -> 0 * 9);
        assertTrue(Multiprocessing.activeChildren().size() <= 3, Multiprocessing.activeChildren().toString());
        executor.shutdown();
    }

    /** With maxTasksPerChild=3, a worker runs three calls and is then replaced by a new process. */
    @Test
    @DisplayName("test_max_tasks_per_child")
    void testMaxTasksPerChild() {
        ProcessPoolExecutor e = ProcessPoolExecutor.builder().maxWorkers(1).maxTasksPerChild(3).build();
        SerializableCallable<Long> getpid = () -> ProcessHandle.current().pid();
        long originalPid = e.submit(getpid).result();
        assertEquals(originalPid, e.submit(getpid).result());
        assertEquals(1, Multiprocessing.activeChildren().size());
        assertEquals(originalPid, e.submit(getpid).result());
        long newPid = e.submit(getpid).result();
        assertNotEquals(originalPid, newPid);
        assertEquals(1, Multiprocessing.activeChildren().size());
        e.shutdown();
    }

    /** An executor with tasks per child limited and no context given starts its workers by spawn. */
    @Test
    @DisplayName("test_max_tasks_per_child_defaults_to_spawn_context")
    void testMaxTasksPerChildDefaultsToSpawnContext() {
        ProcessPoolExecutor executor = ProcessPoolExecutor.builder().maxWorkers(1).maxTasksPerChild(3).build();
        try {
            assertEquals("spawn", executor.getContext().getStartMethod());
        } finally {
            executor.shutdown();
        }
    }

    /** Shutting down a pool whose workers each run one call still runs the six calls submitted. */
    @Test
    @DisplayName("test_max_tasks_early_shutdown")
    void testMaxTasksEarlyShutdown() {
        ProcessPoolExecutor e = ProcessPoolExecutor.builder().maxWorkers(3).maxTasksPerChild(1).build();
        List<Future<Integer>> futures = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int n = i;
            futures.add(submit(e, () -> n * n));
        }
        e.shutdown();
        for (int i = 0; i < futures.size(); i++) {
            assertEquals(i * i, futures.get(i).result());
        }
    }
}
