package dev.pyconc.conformance.concurrentfutures.testdeadlock;

import static dev.pyconc.testing.Threads.until;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import dev.pyconc.builtins.TimeoutError;
import dev.pyconc.conformance.concurrentfutures.util.ExecutorMixin;
import dev.pyconc.futures.Future;
import dev.pyconc.multiprocessing.BrokenProcessPool;
import dev.pyconc.multiprocessing.Codec;
import dev.pyconc.multiprocessing.Multiprocessing;
import dev.pyconc.multiprocessing.PicklingError;
import dev.pyconc.multiprocessing.ProcessPoolExecutor;
import dev.pyconc.multiprocessing.SerializableCallable;

/**
 * test_concurrent_futures/test_deadlock.py's {@code ExecutorDeadlockTest}: a process pool whose
 * task or result fails to pickle or unpickle, or whose worker crashes or exits, reports it through
 * the future (or as {@link BrokenProcessPool}) instead of hanging.
 *
 * <p>The Java forms: pickling is Java serialization (the task's callable and what it captures,
 * and the results through the executor's codec, which admits the test's classes as pickle admits
 * any); CPython's bad objects hook {@code __reduce__}, these hook {@code writeObject} and
 * {@code readObject}. Python's {@code PicklingError} on the pickling side is {@link PicklingError},
 * its {@code UnpicklingError} an {@link InvalidObjectException} thrown by {@code readObject}.
 * {@code _crash()} (a segfault) is a {@code kill -9} of the process that runs it. Python's
 * {@code sys.exit()} raises {@link SystemExit}, a {@code BaseException} that {@code except
 * Exception} does not catch; its Java form is an {@link Error} of that name, which is no
 * {@link Exception} either ({@code System.exit} would end the test JVM where the parent runs it).
 * CPython's {@code RuntimeError} is {@link IllegalStateException}.
 *
 * <p>CPython's setUp makes an executor of five workers that each test shuts down before making its
 * own of two; workers start on demand, so that first executor starts no process and is left out.
 */
public abstract class ExecutorDeadlockTest {
    /** CPython's {@code support.LONG_TIMEOUT}. */
    static final Duration TIMEOUT = Duration.ofMinutes(5);
    /** CPython's {@code support.PIPE_MAX_SIZE}. */
    static final int PIPE_MAX_SIZE = 4 * 1024 * 1024 + 1;

    /** The pool of the test, terminated if it deadlocked. */
    private ProcessPoolExecutor executor;

    /** The start method of the workers, CPython's {@code get_context()}. */
    protected abstract String startMethod();

    @BeforeEach
    void setUp() {
        ExecutorMixin.useStartMethod(startMethod());
    }

    @AfterEach
    void tearDown() {
        try {
            if (executor != null) {
                executor.shutdown(true, false);
            }
        } finally {
            ExecutorMixin.restoreStartMethod();
        }
    }

    /** Python's {@code sys.exit()}: the exception that is no Exception. */
    static final class SystemExit extends Error {
        @Serial
        private static final long serialVersionUID = 1L;

        SystemExit() {
            super("1");
        }
    }

    /** {@code _crash()}: the process that runs it dies of a signal, as of a segfault. */
    static Object crash() {
        try {
            new ProcessBuilder("kill", "-KILL", Long.toString(ProcessHandle.current().pid())).start().waitFor();
            Thread.sleep(Duration.ofMinutes(1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new AssertionError("not killed");
    }

    /** {@code _crash(delay)}. */
    static Object crash(Duration delay) {
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return crash();
    }

    /** {@code _exit()}: Python's {@code sys.exit(1)}. */
    static Object exit() {
        throw new SystemExit();
    }

    /** {@code id(obj)}. */
    static Object id(Object obj) {
        return System.identityHashCode(obj);
    }

    /** Bad object that crashes its process at pickling time. */
    static final class CrashAtPickle implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Serial
        private void writeObject(ObjectOutputStream out) {
            crash();
        }
    }

    /** Bad object that crashes its process at unpickling time. */
    static final class CrashAtUnpickle implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Serial
        private void readObject(ObjectInputStream in) {
            crash();
        }
    }

    /** Bad object that exits (raises SystemExit) at pickling time. */
    static final class ExitAtPickle implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Serial
        private void writeObject(ObjectOutputStream out) {
            exit();
        }
    }

    /** Bad object that exits (raises SystemExit) at unpickling time. */
    static final class ExitAtUnpickle implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Serial
        private void readObject(ObjectInputStream in) {
            exit();
        }
    }

    /** Bad object that fails to pickle. */
    static final class ErrorAtPickle implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Serial
        private void writeObject(ObjectOutputStream out) throws IOException {
            throw new NotSerializableException("Error in pickle");
        }
    }

    /** Bad object that fails to unpickle. */
    static final class ErrorAtUnpickle implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Serial
        private void readObject(ObjectInputStream in) throws IOException {
            throw new InvalidObjectException("Error in unpickle");
        }
    }

    /** A pool of two workers whose codec admits the bad objects, as pickle admits any class. */
    private ProcessPoolExecutor newExecutor() {
        executor = ProcessPoolExecutor.builder()
                .maxWorkers(2)
                .codec(Codec.builder()
                        .allowClass(CrashAtPickle.class).allowClass(CrashAtUnpickle.class)
                        .allowClass(ExitAtPickle.class).allowClass(ExitAtUnpickle.class)
                        .allowClass(ErrorAtPickle.class).allowClass(ErrorAtUnpickle.class)
                        .build())
                .build();
        return executor;
    }

    /**
     * {@code _fail_on_deadlock}: the pool did not recover within {@link #TIMEOUT}; its workers are
     * terminated and the test fails with the threads' stacks.
     */
    private void failOnDeadlock(ProcessPoolExecutor ex) {
        StringBuilder tb = new StringBuilder();
        Thread.getAllStackTraces().forEach((t, st) -> {
            tb.append(t).append('\n');
            for (StackTraceElement e : st) {
                tb.append("\tat ").append(e).append('\n');
            }
        });
        for (var p : Multiprocessing.activeChildren()) {
            p.terminate();
        }
        ex.shutdown(true, false);
        fail("Executor deadlock:\n\n" + tb);
    }

    /** {@code _check_crash}: the call's future raises {@code error}, within the timeout. */
    private void checkCrash(Class<? extends Throwable> error, SerializableCallable<Object> func) {
        ProcessPoolExecutor ex = newExecutor();
        try {
            assertThrows(error, () -> {
                Future<Object> res = ex.submit(func);
                res.result(TIMEOUT);
            });
        } catch (TimeoutError deadlocked) {
            failOnDeadlock(ex);
        }
        ex.shutdown(true, false);
    }

    /** A problem while pickling a task in the parent. */
    @Test
    @DisplayName("test_error_at_task_pickle")
    void testErrorAtTaskPickle() {
        ErrorAtPickle obj = new ErrorAtPickle();
        checkCrash(PicklingError.class, () -> id(obj));
    }

    /** A problem while unpickling a task on a worker. */
    @Test
    @DisplayName("test_exit_at_task_unpickle")
    void testExitAtTaskUnpickle() {
        ExitAtUnpickle obj = new ExitAtUnpickle();
        checkCrash(BrokenProcessPool.class, () -> id(obj));
    }

    @Test
    @DisplayName("test_error_at_task_unpickle")
    void testErrorAtTaskUnpickle() {
        ErrorAtUnpickle obj = new ErrorAtUnpickle();
        checkCrash(BrokenProcessPool.class, () -> id(obj));
    }

    @Test
    @DisplayName("test_crash_at_task_unpickle")
    void testCrashAtTaskUnpickle() {
        CrashAtUnpickle obj = new CrashAtUnpickle();
        checkCrash(BrokenProcessPool.class, () -> id(obj));
    }

    /** A problem during the call on a worker. */
    @Test
    @DisplayName("test_crash_during_func_exec_on_worker")
    void testCrashDuringFuncExecOnWorker() {
        checkCrash(BrokenProcessPool.class, ExecutorDeadlockTest::crash);
    }

    @Test
    @DisplayName("test_exit_during_func_exec_on_worker")
    void testExitDuringFuncExecOnWorker() {
        checkCrash(SystemExit.class, ExecutorDeadlockTest::exit);
    }

    @Test
    @DisplayName("test_error_during_func_exec_on_worker")
    void testErrorDuringFuncExecOnWorker() {
        checkCrash(IllegalStateException.class, () -> {
            throw new IllegalStateException();
        });
    }

    /** A problem while pickling a result on a worker. */
    @Test
    @DisplayName("test_crash_during_result_pickle_on_worker")
    void testCrashDuringResultPickleOnWorker() {
        checkCrash(BrokenProcessPool.class, CrashAtPickle::new);
    }

    @Test
    @DisplayName("test_exit_during_result_pickle_on_worker")
    void testExitDuringResultPickleOnWorker() {
        checkCrash(SystemExit.class, ExitAtPickle::new);
    }

    @Test
    @DisplayName("test_error_during_result_pickle_on_worker")
    void testErrorDuringResultPickleOnWorker() {
        checkCrash(PicklingError.class, ErrorAtPickle::new);
    }

    /** A problem while unpickling a result in the parent's result handler. */
    @Test
    @DisplayName("test_error_during_result_unpickle_in_result_handler")
    void testErrorDuringResultUnpickleInResultHandler() {
        checkCrash(BrokenProcessPool.class, ErrorAtUnpickle::new);
    }

    @Test
    @DisplayName("test_exit_during_result_unpickle_in_result_handler")
    void testExitDuringResultUnpickleInResultHandler() {
        checkCrash(BrokenProcessPool.class, ExitAtUnpickle::new);
    }

    /** A worker that fails after shutdown() was called does not deadlock the shutdown. */
    @Test
    @DisplayName("test_shutdown_deadlock")
    void testShutdownDeadlock() {
        try (ProcessPoolExecutor ex = newExecutor()) {
            Future<Object> f = ex.submit(() -> crash(Duration.ofMillis(100)));
            ex.shutdown(true, false);
            assertThrows(BrokenProcessPool.class, f::result);
        }
    }

    /**
     * bpo-39104: shutdown(wait=False) while a task fails to pickle does not deadlock, and the pool's
     * processes end. pyconc pickles a task in submit(), so the PicklingError comes from there.
     */
    @Test
    @DisplayName("test_shutdown_deadlock_pickle")
    void testShutdownDeadlockPickle() {
        try (ProcessPoolExecutor ex = newExecutor()) {
            // start the executor
            ex.submit(() -> id(42)).result();
            // a task that fails at pickle, and a shutdown that does not wait
            ErrorAtPickle obj = new ErrorAtPickle();
            Executable submitAndShutdown = () -> {
                try {
                    Future<Object> f = ex.submit(() -> id(obj));
                    ex.shutdown(false, false);
                    f.result();
                } finally {
                    ex.shutdown(false, false);
                }
            };
            assertThrows(PicklingError.class, submitAndShutdown);
        }
        // the executor shuts down and leaves no process behind
        until("the pool's workers ended", () -> Multiprocessing.activeChildren().isEmpty());
    }

    /** gh-94777: a clean exception, not a deadlock, when a worker crashes while data is being sent. */
    @Test
    @DisplayName("test_crash_big_data")
    void testCrashBigData() {
        String data = "a".repeat(PIPE_MAX_SIZE);
        try (ProcessPoolExecutor ex = newExecutor()) {
            assertThrows(BrokenProcessPool.class, () -> {
                List<Object> results = new ArrayList<>();
                ex.map((String d) -> crash(), Collections.nCopies(10, data)).forEach(results::add);
            });
        }
    }
}
