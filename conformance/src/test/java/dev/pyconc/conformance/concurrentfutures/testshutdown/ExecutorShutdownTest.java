package dev.pyconc.conformance.concurrentfutures.testshutdown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.conformance.concurrentfutures.util.ExecutorMixin;
import dev.pyconc.futures.Executor;
import dev.pyconc.futures.Future;
import dev.pyconc.multiprocessing.SerializableCallable;
import dev.pyconc.testing.ChildJvm;
import dev.pyconc.testing.Threads;

/**
 * test_concurrent_futures/test_shutdown.py's {@code ExecutorShutdownTest}: shutting an executor
 * down, by {@code shutdown} and at the end of the program. As CPython's {@code ExecutorMixin},
 * each test gets an executor of five workers, shut down (waiting) after it. Where CPython runs a
 * new interpreter ({@code assert_python_ok}), the test runs a child JVM ({@link ShutdownChild}).
 */
public abstract class ExecutorShutdownTest {
    /** CPython's {@code ExecutorMixin.worker_count}. */
    protected static final int WORKER_COUNT = ExecutorMixin.WORKER_COUNT;

    protected Executor executor;

    /** A new executor of the type under test with {@code maxWorkers} workers. */
    protected abstract Executor newExecutor(int maxWorkers);

    /** The executor type's name for {@link ShutdownChild}: CPython's {@code executor_type.__name__}. */
    protected abstract String executorType();

    /** The start method of a process pool's child, CPython's {@code ctx}; null for a thread pool. */
    protected String startMethod() {
        return null;
    }

    /** Runs {@code script} of {@link ShutdownChild} in a child JVM: CPython's {@code assert_python_ok('-c', ...)}. */
    protected ChildJvm.Result runChild(String script) {
        if (startMethod() == null) {
            return ChildJvm.run(ShutdownChild.class, List.of(), executorType(), script);
        }
        // a process pool's child calls ipc's native functions (its segments, futexes and kill), and
        // keeps its segments where the suite keeps its own
        List<String> jvmOptions = List.of("--enable-native-access=ALL-UNNAMED",
                "-Dpyconc.shm.dir=" + System.getProperty("pyconc.shm.dir", "/dev/shm"));
        return ChildJvm.run(ShutdownChild.class, jvmOptions, executorType(), script, startMethod());
    }

    @BeforeEach
    void setUpExecutor() {
        executor = newExecutor(WORKER_COUNT);
    }

    @AfterEach
    void tearDownExecutor() {
        executor.shutdown(true, false);
    }

    /** Submits {@code fn} to {@code e}, a lambda that can travel to a worker process. */
    protected static Future<Object> submit(Executor e, SerializableCallable<Object> fn) {
        return e.submit(fn);
    }

    /** Python's {@code time.sleep}: returns null, as the call returns None. */
    static Object sleep(Duration d) {
        try {
            java.lang.Thread.sleep(d);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return null;
    }

    /** After shutdown, submit throws IllegalStateException (Python's RuntimeError). */
    @Test
    @DisplayName("test_run_after_shutdown")
    void testRunAfterShutdown() {
        executor.shutdown();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> submit(executor, () -> 2 * 5));
        assertEquals("cannot schedule new futures after shutdown", e.getMessage());
    }

    /** A program that ends with a call still running waits for it at exit: it prints "apple", and nothing to stderr. */
    @Test
    @DisplayName("test_interpreter_shutdown")
    void testInterpreterShutdown() {
        var r = runChild("interpreter_shutdown");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("", r.err(), r.toString());
        assertEquals("apple", r.out().strip(), r.toString());
    }

    /** shutdown() waits for 50 short calls on five workers, each of which then has its result (bpo-12364). */
    @Test
    @DisplayName("test_hang_issue12364")
    void testHangIssue12364() {
        List<Future<Object>> fs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            fs.add(submit(executor, () -> sleep(Duration.ofMillis(100))));
        }
        executor.shutdown();
        for (Future<Object> f : fs) {
            f.result();
        }
    }

    /** shutdown(cancelFutures) cancels the calls not started (more than 20 of 50) and lets the others finish. */
    @Test
    @DisplayName("test_cancel_futures")
    void testCancelFutures() {
        assertTrue(WORKER_COUNT <= 5, "test needs few workers");
        List<Future<Object>> fs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            fs.add(submit(executor, () -> sleep(Duration.ofMillis(100))));
        }
        executor.shutdown(true, true);
        List<Future<Object>> cancelled = fs.stream().filter(Future::cancelled).toList();
        assertTrue(cancelled.size() > 20, cancelled.size() + " cancelled");
        List<Future<Object>> others = fs.stream().filter(f -> !f.cancelled()).toList();
        for (Future<Object> fut : others) {
            assertTrue(fut.done(), fut.toString());
            assertNull(fut.exception());
        }
        assertTrue(others.size() > 0);
    }

    /** shutdown(wait=false) with a call running does not hang the program's exit, which waits for the call (gh-83386). */
    @Test
    @DisplayName("test_hang_gh83386")
    void testHangGh83386() {
        var r = runChild("gh83386");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("", r.err(), r.toString());
        assertEquals("apple", r.out().strip(), r.toString());
    }

    /**
     * shutdown(wait=true) returns when a future was submitted and cancelled just before it
     * (gh-94440). CPython bounds it with a 5 s alarm; here the liveness bound of the joining thread.
     */
    @Test
    @DisplayName("test_hang_gh94440")
    void testHangGh94440() {
        Executor e = newExecutor(1);
        submit(e, () -> 0).result();
        Threads.run("shutdown", () -> {
            submit(e, () -> 0).cancel();
            e.shutdown(true, false);
        }).get();
    }
}
