package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.builtins.TimeoutError;

/** CPython's test_waitfor.py: waitFor runs a body in the calling task under a timeout (3.12+). */
@org.junit.jupiter.api.Timeout(60)
class WaitForTest extends LoopTesting {

    private static final Duration EPSILON = Duration.ofNanos(100_000);

    /** A body that runs for 200 ms, ignoring cancellations (CPython's SlowTask). */
    static final class SlowTask implements Callable<Void> {
        static final Duration TASK_TIMEOUT = Duration.ofMillis(200);
        boolean exited;

        @Override
        public Void call() {
            long exitAt = System.nanoTime() + TASK_TIMEOUT.toNanos();
            while (true) {
                long left = exitAt - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    Asyncio.sleep(Duration.ofNanos(left));
                } catch (CancelledError e) {
                    // ignored
                }
            }
            exited = true;
            return null;
        }
    }

    /** A cancelled waitFor whose body ignores the cancellation waits for the body to end. */
    @Test
    @DisplayName("test_asyncio_wait_for_cancelled")
    void testAsyncioWaitForCancelled() {
        SlowTask t = new SlowTask();
        Asyncio.run(() -> {
            Task<Void> waitForTask = Asyncio.createTask(() -> Asyncio.waitFor(t, SlowTask.TASK_TIMEOUT.multipliedBy(2)));
            Asyncio.sleep(Duration.ZERO);
            waitForTask.cancel();
            Asyncio.wait(List.of(waitForTask));
            assertTrue(t.exited);
            return null;
        });
        assertTrue(t.exited);
    }

    /** On timeout, waitFor waits for a body that ignores its cancellation, which then returns normally. */
    @Test
    @DisplayName("test_asyncio_wait_for_timeout")
    void testAsyncioWaitForTimeout() {
        SlowTask t = new SlowTask();
        Asyncio.run(() -> {
            try {
                Asyncio.waitFor(t, SlowTask.TASK_TIMEOUT.dividedBy(2));
            } catch (TimeoutError e) {
                // either way, the body ran to its end first
            }
            assertTrue(t.exited);
            return null;
        });
    }

    /** A zero timeout returns the result of a future that is done. */
    @Test
    @DisplayName("test_wait_for_timeout_less_then_0_or_0_future_done")
    void testWaitForTimeoutLessThen0Or0FutureDone() {
        Asyncio.run(() -> {
            Future<String> fut = Asyncio.getRunningLoop().createFuture();
            fut.setResult("done");
            assertEquals("done", Asyncio.waitFor(fut, Duration.ZERO));
            assertTrue(fut.done());
            return null;
        });
    }

    /**
     * A zero timeout never starts the body: TimeoutError and no side effect. A negative timeout is
     * refused (IllegalArgumentException, where Python treats it as zero), without running the body either.
     */
    @Test
    @DisplayName("test_wait_for_timeout_less_then_0_or_0_coroutine_do_not_started")
    void testWaitForTimeoutLessThen0Or0CoroutineDoNotStarted() {
        boolean[] started = {false};
        Asyncio.run(() -> {
            Callable<Void> foo = () -> {
                started[0] = true;
                return null;
            };
            assertThrows(TimeoutError.class, () -> Asyncio.waitFor(foo, Duration.ZERO));
            assertFalse(started[0]);
            assertThrows(IllegalArgumentException.class, () -> Asyncio.waitFor(foo, Duration.ofSeconds(-1)));
            assertFalse(started[0]);
            return null;
        });
        assertFalse(started[0]);
    }

    /** A zero timeout cancels a running task, waits for it to end, and raises TimeoutError. */
    @Test
    @DisplayName("test_wait_for_timeout_less_then_0_or_0")
    void testWaitForTimeoutLessThen0Or0() {
        Asyncio.run(() -> {
            boolean[] fooRunning = {false};
            Future<Void> started = Asyncio.getRunningLoop().createFuture();
            Task<String> fut = Asyncio.createTask(() -> {
                fooRunning[0] = true;
                started.setResult(null);
                try {
                    Asyncio.sleep(Duration.ofSeconds(10));
                } finally {
                    fooRunning[0] = false;
                }
                return "done";
            });
            started.await();
            TimeoutError e = assertThrows(TimeoutError.class, () -> Asyncio.waitFor(fut, Duration.ZERO));
            assertTrue(fut.done());
            assertTrue(fut.cancelled());
            assertFalse(fooRunning[0]);
            assertInstanceOf(CancelledError.class, e.getSuppressed()[0]);
            return null;
        });
    }

    /** On timeout, the awaited task is cancelled and waited for. */
    @Test
    @DisplayName("test_wait_for")
    void testWaitFor() {
        Asyncio.run(() -> {
            boolean[] fooRunning = {false};
            Task<String> fut = Asyncio.createTask(() -> {
                fooRunning[0] = true;
                try {
                    Asyncio.sleep(Duration.ofSeconds(10));
                } finally {
                    fooRunning[0] = false;
                }
                return "done";
            });
            assertThrows(TimeoutError.class, () -> Asyncio.waitFor(fut, Duration.ofMillis(100)));
            assertTrue(fut.done());
            assertTrue(fut.cancelled());
            assertFalse(fooRunning[0]);
            return null;
        });
    }

    /** Without a timeout, waitFor runs the body to its end. */
    @Test
    @DisplayName("test_wait_for_blocking")
    void testWaitForBlocking() {
        assertEquals("done", Asyncio.run(() -> Asyncio.waitFor(() -> "done")));
        assertEquals("done", Asyncio.run(() -> {
            Future<String> f = Asyncio.getRunningLoop().createFuture();
            Asyncio.getRunningLoop().callSoon(() -> f.setResult("done"));
            return Asyncio.waitFor(f);
        }));
    }

    /** A future completed before the timeout gives its result. */
    @Test
    @DisplayName("test_wait_for_race_condition")
    void testWaitForRaceCondition() {
        assertEquals("ok", Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Future<String> fut = loop.createFuture();
            loop.callLater(Duration.ofMillis(100), () -> fut.setResult("ok"));
            return Asyncio.waitFor(fut, Duration.ofMillis(200));
        }));
    }

    /** A body that catches its cancellation and returns: waitFor returns its value. */
    @Test
    @DisplayName("test_wait_for_cancellation_race_condition")
    void testWaitForCancellationRaceCondition() {
        assertEquals(1, Asyncio.run(() -> Asyncio.waitFor(() -> {
            assertThrows(CancelledError.class, () -> Asyncio.sleep(Duration.ofSeconds(1)));
            return 1;
        }, Duration.ofMillis(10))));
    }

    /** waitFor waits for the cancelled task's clean-up; the TimeoutError carries the CancelledError. */
    @Test
    @DisplayName("test_wait_for_waits_for_task_cancellation")
    void testWaitForWaitsForTaskCancellation() {
        Asyncio.run(() -> {
            boolean[] taskDone = {false};
            Task<Void> innerTask = Asyncio.createTask(() -> {
                try {
                    Asyncio.sleep(Duration.ofSeconds(10));
                } catch (CancelledError e) {
                    Asyncio.sleep(EPSILON);
                    throw e;
                } finally {
                    taskDone[0] = true;
                }
            });
            TimeoutError e = assertThrows(TimeoutError.class, () -> Asyncio.waitFor(innerTask, EPSILON));
            assertTrue(taskDone[0]);
            assertEquals(CancelledError.class, e.getSuppressed()[0].getClass());
            return null;
        });
    }

    /** As test_wait_for_waits_for_task_cancellation, with a zero timeout. */
    @Test
    @DisplayName("test_wait_for_waits_for_task_cancellation_w_timeout_0")
    void testWaitForWaitsForTaskCancellationWTimeout0() {
        Asyncio.run(() -> {
            boolean[] taskDone = {false};
            TimeoutError e = assertThrows(TimeoutError.class, () -> {
                Task<Void> innerTask = Asyncio.createTask(() -> {
                    try {
                        Asyncio.sleep(Duration.ofSeconds(10));
                    } catch (CancelledError c) {
                        Asyncio.sleep(EPSILON);
                        throw c;
                    } finally {
                        taskDone[0] = true;
                    }
                });
                Asyncio.sleep(EPSILON);
                Asyncio.waitFor(innerTask, Duration.ZERO);
            });
            assertTrue(taskDone[0]);
            assertEquals(CancelledError.class, e.getSuppressed()[0].getClass());
            return null;
        });
    }

    /** An exception the task raises while it is cancelled leaves waitFor instead of the TimeoutError. */
    @Test
    @DisplayName("test_wait_for_reraises_exception_during_cancellation")
    void testWaitForReraisesExceptionDuringCancellation() {
        Asyncio.run(() -> {
            Task<Void> innerTask = Asyncio.createTask(() -> {
                try {
                    Asyncio.sleep(Duration.ofMillis(200));
                } finally {
                    throw new ArithmeticException("FooException");
                }
            });
            var e = assertThrows(ArithmeticException.class, () -> Asyncio.waitFor(innerTask, EPSILON));
            assertEquals("FooException", e.getMessage());
            return null;
        });
    }

    /** A waitFor cancelled before it starts ends cancelled at once; the task it would await goes on. */
    @Test
    @DisplayName("test_wait_for_self_cancellation")
    void testWaitForSelfCancellation() {
        Asyncio.run(() -> {
            Task<Integer> innerTask = Asyncio.createTask(() -> {
                try {
                    Asyncio.sleep(Duration.ofMillis(300));
                } catch (CancelledError e) {
                    try {
                        Asyncio.sleep(Duration.ofMillis(300));
                    } catch (CancelledError e2) {
                        Asyncio.sleep(Duration.ofMillis(300));
                    }
                }
                return 42;
            });
            Task<Integer> task = Asyncio.createTask(() -> Asyncio.waitFor(innerTask, Duration.ofMillis(100)));
            task.cancel();
            assertThrows(CancelledError.class, task::await);
            assertEquals(42, innerTask.await());
            return null;
        });
    }

    /** Cancelling a waitFor without a timeout cancels the awaited task (bpo-23219). */
    @Test
    @DisplayName("test_cancel_blocking_wait_for")
    void testCancelBlockingWaitFor() {
        cancelWaitFor(null);
    }

    /** Cancelling a waitFor with a timeout cancels the awaited task (bpo-23219). */
    @Test
    @DisplayName("test_cancel_wait_for")
    void testCancelWaitFor() {
        cancelWaitFor(Duration.ofSeconds(60));
    }

    private void cancelWaitFor(Duration timeout) {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Task<Void> task = Asyncio.createTask(() -> {
                loop.createFuture().await();         // never set
                return null;
            });
            Task<Void> wait = Asyncio.createTask(() -> timeout == null ? Asyncio.waitFor(task) : Asyncio.waitFor(task, timeout));
            loop.callSoon(wait::cancel);
            assertThrows(CancelledError.class, wait::await);
            assertTrue(task.cancelled());
            return null;
        });
    }

    /** A body that answers its timeout's cancellation with a value: waitFor returns it (gh-84849). */
    @Test
    @DisplayName("test_wait_for_cancel_suppressed")
    void testWaitForCancelSuppressed() {
        assertEquals(42, Asyncio.run(() -> Asyncio.waitFor(() -> {
            try {
                Asyncio.sleep(Duration.ofSeconds(10));
            } catch (CancelledError e) {
                return 42;
            }
            return 0;
        }, Duration.ofMillis(100))));
    }

    /** A task cancelled after a waitFor that returned is cancelled at its next await (gh-86296). */
    @Test
    @DisplayName("test_wait_for_issue86296")
    void testWaitForIssue86296() {
        boolean[] reachedEnd = {false};
        Asyncio.run(() -> {
            Task<Void> task = Asyncio.createTask(() -> {
                Asyncio.waitFor(() -> null, Duration.ofSeconds(100));
                Asyncio.sleep(Duration.ofSeconds(1));
                reachedEnd[0] = true;
            });
            Asyncio.sleep(Duration.ZERO);
            assertFalse(task.done());
            task.cancel();
            assertThrows(CancelledError.class, task::await);
            return null;
        });
        assertFalse(reachedEnd[0]);
    }

    /** The body runs in the calling task, not in a task of its own (Python 3.12). */
    @Test
    void bodyRunsInTheCallingTask() {
        List<Object> seen = new ArrayList<>();
        Asyncio.run(() -> {
            Task<?> me = Asyncio.currentTask();
            int before = Asyncio.allTasks().size();
            seen.add(Asyncio.waitFor(() -> Asyncio.currentTask() == me && Asyncio.allTasks().size() == before,
                    Duration.ofSeconds(10)));
            return null;
        });
        assertEquals(List.of(true), seen);
    }

    /** The body sees Python's CancelledError when it times out; the TimeoutError is raised by waitFor itself. */
    @Test
    void bodySeesCancelledError() {
        List<String> log = new ArrayList<>();
        Asyncio.run(() -> {
            TimeoutError e = assertThrows(TimeoutError.class, () -> Asyncio.waitFor(() -> {
                try {
                    Asyncio.sleep(Duration.ofSeconds(10));
                } catch (CancelledError c) {
                    log.add("body: CancelledError");
                    throw c;
                }
                return null;
            }, Duration.ofMillis(10)));
            assertEquals(CancelledError.class, e.getSuppressed()[0].getClass());
            assertEquals(0, Asyncio.currentTask().cancelling());
            return null;
        });
        assertEquals(List.of("body: CancelledError"), log);
    }

    /** waitFor inside an expired timeout block: the block's TimeoutError leaves, not a CancelledError. */
    @Test
    void waitForInsideAnExpiredTimeout() {
        Asyncio.run(() -> {
            Timeout[] outer = new Timeout[1];
            assertThrows(TimeoutError.class, () -> {
                try (Timeout t = Asyncio.timeout(Duration.ofMillis(10))) {
                    outer[0] = t;
                    Asyncio.waitFor(() -> Asyncio.sleep(Duration.ofHours(1), 1), Duration.ofHours(1));
                }
            });
            assertTrue(outer[0].expired());
            assertEquals(0, Asyncio.currentTask().cancelling());
            return null;
        });
    }

    /** waitFor outside a task body is refused, and runs nothing. */
    @Test
    void outsideATask() {
        boolean[] ran = {false};
        assertThrows(IllegalStateException.class, () -> Asyncio.waitFor(() -> ran[0] = true, Duration.ofSeconds(1)));
        assertFalse(ran[0]);
    }
}
