package dev.pyconc.conformance.asyncio.testtasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.CancelledError;
import dev.pyconc.asyncio.EventLoop;
import dev.pyconc.asyncio.Task;
import dev.pyconc.asyncio.TaskFactory;
import dev.pyconc.builtins.TimeoutError;

/**
 * test_asyncio/test_tasks.py's {@code RunCoroutineThreadsafeTests}: a body submitted from an
 * executor thread to a loop with {@code Asyncio.runCoroutineThreadsafe}.
 */
public class RunCoroutineThreadsafeTests {
    private EventLoop loop;

    @BeforeEach
    void setUp() {
        loop = Asyncio.newEventLoop();
    }

    @AfterEach
    void tearDown() {
        loop.close();
    }

    /** Waits 0.05 s and returns a + b; fails or cancels itself on request. */
    private int add(int a, int b, boolean fail, boolean cancel) {
        Asyncio.sleep(Duration.ofMillis(50));
        if (fail) {
            throw new IllegalStateException("Fail!");          // Python's RuntimeError("Fail!")
        }
        if (cancel) {
            Asyncio.currentTask().cancel();
            Asyncio.sleep(Duration.ZERO);
        }
        return a + b;
    }

    /** Runs add in the loop from this thread and waits for its result. */
    private int target(boolean fail, boolean cancel, Duration timeout) {
        dev.pyconc.futures.Future<Integer> future = Asyncio.runCoroutineThreadsafe(() -> add(1, 2, fail, cancel), loop);
        try {
            return timeout == null ? future.result() : future.result(timeout);
        } finally {
            if (!future.done()) {
                future.cancel();
            }
        }
    }

    private <T> T runInExecutor(Callable<T> fn) {
        return loop.runUntilComplete(loop.runInExecutor(null, fn));
    }

    /** The body's value reaches the submitting thread. */
    @Test
    @DisplayName("test_run_coroutine_threadsafe")
    void testRunCoroutineThreadsafe() {
        assertEquals(3, runInExecutor(() -> target(false, false, null)));
    }

    /** The body's exception reaches the submitting thread. */
    @Test
    @DisplayName("test_run_coroutine_threadsafe_with_exception")
    void testRunCoroutineThreadsafeWithException() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> runInExecutor(() -> target(true, false, null)));
        assertEquals("Fail!", e.getMessage());
    }

    /** A timed-out wait cancels the task: none is left pending. */
    @Test
    @DisplayName("test_run_coroutine_threadsafe_with_timeout")
    void testRunCoroutineThreadsafeWithTimeout() {
        assertThrows(TimeoutError.class, () -> runInExecutor(() -> target(false, false, Duration.ZERO)));
        loop.runUntilComplete(() -> {
            Asyncio.sleep(Duration.ZERO);                           // test_utils.run_briefly
            for (Task<?> task : Asyncio.allTasks()) {
                assertTrue(task == Asyncio.currentTask() || task.done(), task.toString());
            }
            return null;
        });
    }

    /** A task that cancels itself: the submitter gets CancelledError. */
    @Test
    @DisplayName("test_run_coroutine_threadsafe_task_cancelled")
    void testRunCoroutineThreadsafeTaskCancelled() {
        assertThrows(CancelledError.class, () -> runInExecutor(() -> target(false, true, null)));
    }

    static final class NameError extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    /**
     * A task factory that raises: the submitter gets its exception, and the loop's exception
     * handler is called once with it. (CPython also advances the coroutine with send(None) to
     * silence its never-awaited warning; a Java body has none.)
     */
    @Test
    @DisplayName("test_run_coroutine_threadsafe_task_factory_exception")
    void testRunCoroutineThreadsafeTaskFactoryException() {
        List<Map<String, Object>> calls = new CopyOnWriteArrayList<>();
        loop.setExceptionHandler((l, context) -> calls.add(context));
        TaskFactory original = loop.getTaskFactory();
        dev.pyconc.asyncio.Future<Integer> run = loop.runInExecutor(null, () -> target(false, false, null));
        loop.setTaskFactory(new TaskFactory() {
            @Override
            public <T> Task<T> create(EventLoop l, Callable<T> body, String name) {
                throw new NameError();
            }
        });
        try {
            NameError e = assertThrows(NameError.class, () -> loop.runUntilComplete(run));
            assertEquals(1, calls.size(), calls.toString());
            assertSame(e, calls.get(0).get("exception"));
        } finally {
            loop.setTaskFactory(original);
        }
    }
}
