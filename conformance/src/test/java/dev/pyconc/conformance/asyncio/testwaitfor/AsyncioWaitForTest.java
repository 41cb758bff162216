package dev.pyconc.conformance.asyncio.testwaitfor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.CancelledError;
import dev.pyconc.asyncio.EventLoop;
import dev.pyconc.asyncio.Future;
import dev.pyconc.asyncio.Task;
import dev.pyconc.builtins.TimeoutError;
import dev.pyconc.conformance.asyncio.IsolatedAsyncioTestCase;

/**
 * test_asyncio/test_waitfor.py's {@code AsyncioWaitForTest}. A coroutine passed to wait_for is a
 * body ({@code Asyncio.waitFor(Callable, Duration)}), run in the calling task as Python 3.12+
 * does; a task or future is {@code waitFor(Future, Duration)}. Python's {@code __context__} of the
 * TimeoutError, the CancelledError it stands for, is its suppressed exception here.
 */
public class AsyncioWaitForTest extends IsolatedAsyncioTestCase {
    /** A very small timeout: CPython's {@code _EPSILON}. */
    static final Duration EPSILON = Duration.ofNanos(100_000);

    /** CPython's {@code SlowTask}: runs for TASK_TIMEOUT, ignoring cancel requests. */
    static final class SlowTask {
        static final double TASK_TIMEOUT = 0.2;
        boolean exited;

        Void run() {
            long exitAt = System.nanoTime() + (long) (TASK_TIMEOUT * 1e9);
            while (true) {
                long toSleep = exitAt - System.nanoTime();
                if (toSleep <= 0) {
                    break;
                }
                try {
                    Asyncio.sleep(Duration.ofNanos(toSleep));
                } catch (CancelledError e) {
                    // ignored, as SlowTask does
                }
            }
            exited = true;
            return null;
        }
    }

    static Duration seconds(double s) {
        return Duration.ofNanos((long) (s * 1e9));
    }

    /** A cancelled waitFor waits for a body that ignores the cancellation to end. */
    @Test
    @DisplayName("test_asyncio_wait_for_cancelled")
    void testAsyncioWaitForCancelled() {
        run(() -> {
            SlowTask t = new SlowTask();
            Task<Void> waitfortask = Asyncio.createTask(() -> Asyncio.waitFor(t::run, seconds(SlowTask.TASK_TIMEOUT * 2)));
            sleep0();
            waitfortask.cancel();
            Asyncio.wait(List.of(waitfortask));
            assertTrue(t.exited);
        });
    }

    /** A timed-out waitFor waits for a body that ignores the cancellation to end. */
    @Test
    @DisplayName("test_asyncio_wait_for_timeout")
    void testAsyncioWaitForTimeout() {
        run(() -> {
            SlowTask t = new SlowTask();
            try {
                Asyncio.waitFor(t::run, seconds(SlowTask.TASK_TIMEOUT / 2));
            } catch (TimeoutError e) {
                // as CPython: pass
            }
            assertTrue(t.exited);
        });
    }

    /** waitFor(done future, 0) returns its result. */
    @Test
    @DisplayName("test_wait_for_timeout_less_then_0_or_0_future_done")
    void testWaitForTimeoutLessThen0Or0FutureDone() {
        run(() -> {
            Future<String> fut = Asyncio.getRunningLoop().createFuture();
            fut.setResult("done");
            String ret = Asyncio.waitFor(fut, Duration.ZERO);
            assertEquals("done", ret);
            assertTrue(fut.done());
        });
    }

    /** waitFor(body, 0) raises TimeoutError without starting the body. */
    @Test
    @DisplayName("test_wait_for_timeout_less_then_0_or_0_coroutine_do_not_started")
    void testWaitForTimeoutLessThen0Or0CoroutineDoNotStarted() {
        run(() -> {
            boolean[] fooStarted = {false};
            assertThrows(TimeoutError.class, () -> Asyncio.waitFor(() -> {
                fooStarted[0] = true;
                return null;
            }, Duration.ZERO));
            assertFalse(fooStarted[0]);
        });
    }

    /**
     * waitFor(task, 0) cancels the running task, waits for its clean-up and raises TimeoutError.
     * CPython also runs it with -1, which it treats as 0; a negative Duration is refused in pyconc
     * (IllegalArgumentException, the API's rule for timeouts), and the task is left alone.
     */
    @Test
    @DisplayName("test_wait_for_timeout_less_then_0_or_0")
    void testWaitForTimeoutLessThen0Or0() {
        run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            for (Duration timeout : List.of(Duration.ZERO, Duration.ofSeconds(-1))) {
                Boolean[] fooRunning = {null};
                Future<Object> started = loop.createFuture();
                Task<String> fut = Asyncio.createTask(() -> {
                    fooRunning[0] = true;
                    started.setResult(null);
                    try {
                        sleep(10);
                    } finally {
                        fooRunning[0] = false;
                    }
                    return "done";
                });
                started.await();
                if (timeout.isNegative()) {
                    assertThrows(IllegalArgumentException.class, () -> Asyncio.waitFor(fut, timeout));
                    assertFalse(fut.done());
                    assertTrue(fooRunning[0]);
                    fut.cancel();
                    Asyncio.wait(List.of(fut));
                    continue;
                }
                assertThrows(TimeoutError.class, () -> Asyncio.waitFor(fut, timeout));
                assertTrue(fut.done());
                assertTrue(fut.cancelled());
                assertEquals(false, fooRunning[0]);
            }
        });
    }

    /** waitFor(task, 0.1 s) of a long task cancels it and raises TimeoutError. */
    @Test
    @DisplayName("test_wait_for")
    void testWaitFor() {
        run(() -> {
            Boolean[] fooRunning = {null};
            Task<String> fut = Asyncio.createTask(() -> {
                fooRunning[0] = true;
                try {
                    sleep(300);                  // support.LONG_TIMEOUT: 5 minutes
                } finally {
                    fooRunning[0] = false;
                }
                return "done";
            });
            assertThrows(TimeoutError.class, () -> Asyncio.waitFor(fut, seconds(0.1)));
            assertTrue(fut.done());
            assertTrue(fut.cancelled());
            assertEquals(false, fooRunning[0]);
        });
    }

    /** waitFor(body) without a timeout returns the body's value. */
    @Test
    @DisplayName("test_wait_for_blocking")
    void testWaitForBlocking() {
        run(() -> {
            String res = Asyncio.waitFor(() -> "done");
            assertEquals("done", res);
        });
    }

    /** A future completed by a callback soon after waitFor starts gives its result. */
    @Test
    @DisplayName("test_wait_for_race_condition")
    void testWaitForRaceCondition() {
        run(() -> {
            Future<String> fut = Asyncio.getRunningLoop().createFuture();
            Asyncio.getRunningLoop().callSoon(() -> fut.setResult("ok"));
            String res = Asyncio.waitFor(fut, seconds(0.2));
            assertEquals("ok", res);
        });
    }

    /** A body that catches the cancellation of the timeout and returns gives its value. */
    @Test
    @DisplayName("test_wait_for_cancellation_race_condition")
    void testWaitForCancellationRaceCondition() {
        run(() -> {
            int result = Asyncio.waitFor(() -> {
                assertThrows(CancelledError.class, () -> sleep(1));
                return 1;
            }, seconds(0.01));
            assertEquals(1, result);
        });
    }

    /** waitFor(task) on timeout waits until the task's clean-up has ended. */
    @Test
    @DisplayName("test_wait_for_waits_for_task_cancellation")
    void testWaitForWaitsForTaskCancellation() {
        run(() -> {
            boolean[] taskDone = {false};
            Task<Void> innerTask = Asyncio.createTask(() -> slowCleanup(taskDone));
            TimeoutError e = assertThrows(TimeoutError.class, () -> Asyncio.waitFor(innerTask, EPSILON));
            assertTrue(taskDone[0]);
            assertChainedCancelledError(e);
        });
    }

    private static void slowCleanup(boolean[] taskDone) {
        try {
            sleep(10);
        } catch (CancelledError e) {
            Asyncio.sleep(EPSILON);
            throw e;
        } finally {
            taskDone[0] = true;
        }
    }

    private static void assertChainedCancelledError(TimeoutError e) {
        assertEquals(1, e.getSuppressed().length, List.of(e.getSuppressed()).toString());
        assertEquals(CancelledError.class, e.getSuppressed()[0].getClass());
    }

    /** The same with a zero timeout. */
    @Test
    @DisplayName("test_wait_for_waits_for_task_cancellation_w_timeout_0")
    void testWaitForWaitsForTaskCancellationWTimeout0() {
        run(() -> {
            boolean[] taskDone = {false};
            TimeoutError e = assertThrows(TimeoutError.class, () -> {
                Task<Void> innerTask = Asyncio.createTask(() -> slowCleanup(taskDone));
                Asyncio.sleep(EPSILON);
                Asyncio.waitFor(innerTask, Duration.ZERO);
            });
            assertTrue(taskDone[0]);
            assertChainedCancelledError(e);
        });
    }

    /** An exception a task raises in its clean-up on timeout is what waitFor raises. */
    @Test
    @DisplayName("test_wait_for_reraises_exception_during_cancellation")
    void testWaitForReraisesExceptionDuringCancellation() {
        run(() -> {
            assertThrows(FooException.class, () -> {
                Task<Void> innerTask = Asyncio.createTask(() -> {
                    try {
                        sleep(0.2);
                    } finally {
                        throw new FooException();
                    }
                });
                Asyncio.waitFor(innerTask, EPSILON);
            });
        });
    }

    private static final class FooException extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    /** Cancelling a waitFor cancels the task it waits for (bpo-23219). */
    private static void cancelWaitFor(Duration timeout) {
        run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Task<Object> task = Asyncio.createTask(() -> loop.createFuture().await());
            Task<Object> wait = Asyncio.createTask(() -> timeout == null ? Asyncio.waitFor(task) : Asyncio.waitFor(task, timeout));
            loop.callSoon(() -> wait.cancel());
            assertThrows(CancelledError.class, wait::await);
            assertTrue(task.cancelled());
        });
    }

    /** Without a timeout. */
    @Test
    @DisplayName("test_cancel_blocking_wait_for")
    void testCancelBlockingWaitFor() {
        cancelWaitFor(null);
    }

    /** With a timeout of 60 s. */
    @Test
    @DisplayName("test_cancel_wait_for")
    void testCancelWaitFor() {
        cancelWaitFor(Duration.ofSeconds(60));
    }

    /** GH-86296: a body that suppresses the cancellation and returns gives its value. */
    @Test
    @DisplayName("test_wait_for_cancel_suppressed")
    void testWaitForCancelSuppressed() {
        run(() -> {
            int res = Asyncio.waitFor(() -> {
                try {
                    sleep(10);
                } catch (CancelledError e) {
                    return 42;
                }
                return 0;
            }, seconds(0.1));
            assertEquals(42, res);
        });
    }

    /** GH-86296: a task cancelled as its waitFor's inner task completes is cancelled and does not run on. */
    @Test
    @DisplayName("test_wait_for_issue86296")
    void testWaitForIssue86296() {
        run(() -> {
            Task<String> innerTask = Asyncio.createTask(() -> "done");
            boolean[] reachedEnd = {false};
            Task<Void> task = Asyncio.createTask(() -> {
                Asyncio.waitFor(innerTask, seconds(100));
                sleep(1);
                reachedEnd[0] = true;
            });
            assertFalse(task.done());
            sleep0();
            task.cancel();
            assertThrows(CancelledError.class, task::await);
            assertTrue(innerTask.done());
            assertEquals("done", innerTask.await());
            assertFalse(reachedEnd[0]);
        });
    }

}
