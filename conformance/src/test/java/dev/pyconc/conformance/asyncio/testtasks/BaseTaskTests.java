package dev.pyconc.conformance.asyncio.testtasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.CancelledError;
import dev.pyconc.asyncio.DoneAndPending;
import dev.pyconc.asyncio.EventLoop;
import dev.pyconc.asyncio.Future;
import dev.pyconc.asyncio.Task;
import dev.pyconc.builtins.TimeoutError;
import dev.pyconc.conformance.asyncio.IsolatedAsyncioTestCase;
import dev.pyconc.conformance.asyncio.testfutures.NeverRetrieved;
import dev.pyconc.contextvars.Context;
import dev.pyconc.contextvars.ContextVar;
import dev.pyconc.contextvars.Contextvars;
import dev.pyconc.futures.ReturnWhen;

/**
 * test_asyncio/test_tasks.py's {@code BaseTaskTests}. CPython runs it eight times, for its C and
 * its Python Task and Future, with and without subclasses of them; pyconc has one Task and one
 * Future, whose contract is the pure-Python one, so it runs once, by {@link PyTask_PyFuture_Tests}
 * (as test_futures.py's BaseFutureTests runs once, by PyFutureTests).
 *
 * <p>Each test has a loop of its own, {@link #loop}, run from the test's thread with
 * {@code runUntilComplete}, as CPython's test loop is. CPython's test loop has a virtual clock
 * that its generators advance; here the loop's clock is real, with CPython's delays, and a delay
 * that only waits to be cancelled stays long. {@code test_utils.run_briefly(loop)} is
 * {@link #runBriefly}, a task that yields once. The white-box checks of the private
 * {@code _fut_waiter} and {@code _must_cancel} are left out; what they stand for is checked
 * through the public outcome.
 */
public abstract class BaseTaskTests extends IsolatedAsyncioTestCase {
    protected EventLoop loop;

    @BeforeEach
    void setUpLoop() {
        loop = Asyncio.newEventLoop();
    }

    @AfterEach
    void tearDownLoop() {
        if (!loop.isClosed()) {
            loop.close();
        }
    }

    /** CPython's {@code self.new_task(loop, coro)}: a task named TestTask. */
    protected <T> Task<T> newTask(EventLoop l, Callable<T> body) {
        return newTask(l, body, "TestTask");
    }

    /** CPython's {@code self.new_task(loop, coro, name)}. */
    protected <T> Task<T> newTask(EventLoop l, Callable<T> body, String name) {
        return l.createTask(body, name);
    }

    /** CPython's {@code self.new_task(loop, coro, context=ctx)}: a task named TestTask running in {@code context}. */
    protected <T> Task<T> newTask(EventLoop l, Callable<T> body, Context context) {
        return l.createTask(body, "TestTask", context);
    }

    /** CPython's {@code self.new_future(loop)}. */
    protected <T> Future<T> newFuture(EventLoop l) {
        return l.createFuture();
    }

    /** {@code test_utils.run_briefly(loop)}: runs the loop until a task of an empty body is done. */
    static void runBriefly(EventLoop l) {
        l.runUntilComplete(() -> null);
    }

    /** A body that sleeps {@code seconds} and returns {@code result}: CPython's {@code asyncio.sleep(d, result)}. */
    static <T> Callable<T> sleeping(double seconds, T result) {
        return () -> Asyncio.sleep(Duration.ofNanos((long) (seconds * 1e9)), result);
    }

    /** The innermost cause of {@code e} and its depth: CPython's get_innermost_context over __cause__. */
    static Object[] innermostCause(Throwable e) {
        int depth = 0;
        while (e.getCause() != null) {
            e = e.getCause();
            depth++;
        }
        return new Object[] {e.getClass(), e.getMessage(), depth};
    }

    static final class ZeroDivisionError extends ArithmeticException {
        private static final long serialVersionUID = 1L;

        ZeroDivisionError(String msg) {
            super(msg);
        }
    }

    /** cancel(msg) before the task starts: its CancelledError carries the message. */
    @Test
    @DisplayName("test_task_cancel_message_getter")
    void testTaskCancelMessageGetter() {
        Task<Object> t = newTask(loop, () -> null);
        t.cancel("my message");
        CancelledError e = assertThrows(CancelledError.class, () -> loop.runUntilComplete(t));
        assertEquals("my message", e.getMessage());
    }

    /**
     * Awaiting a future of another loop is IllegalStateException (Python's RuntimeError), with
     * pyconc's message where Python's is "Task ... got Future ... attached to a different loop".
     */
    @Test
    @DisplayName("test_other_loop_future")
    void testOtherLoopFuture() {
        EventLoop otherLoop = Asyncio.newEventLoop();
        try {
            Future<Object> fut = newFuture(otherLoop);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> loop.runUntilComplete(() -> fut.await()));
            assertTrue(e.getMessage().startsWith("the awaited future belongs to a different event loop than the awaiting task"), e.getMessage());
        } finally {
            otherLoop.close();
        }
    }

    /** A task that awaits itself fails with IllegalStateException. */
    @Test
    @DisplayName("test_task_awaits_on_itself")
    void testTaskAwaitsOnItself() {
        @SuppressWarnings("unchecked")
        Task<Object>[] task = new Task[1];
        loop.runUntilComplete(() -> {
            task[0] = (Task<Object>) Asyncio.ensureFuture(() -> task[0].await());
            return null;
        });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> loop.runUntilComplete(task[0]));
        assertTrue(e.getMessage().contains("Task cannot await on itself"), e.getMessage());
    }

    /** A task belongs to the loop that made it and returns its body's value. */
    @Test
    @DisplayName("test_task_class")
    void testTaskClass() {
        Task<String> t = newTask(loop, () -> "ok");
        loop.runUntilComplete(t);
        assertTrue(t.done());
        assertEquals("ok", t.result());
        assertSame(loop, t.getLoop());

        EventLoop other = Asyncio.newEventLoop();
        try {
            Task<String> t2 = newTask(other, () -> "ok");
            assertSame(other, t2.getLoop());
            other.runUntilComplete(t2);
        } finally {
            other.close();
        }
    }

    /**
     * ensureFuture of a body: a task of the given loop, or of the running loop; with neither,
     * IllegalStateException (Python's RuntimeError). (CPython's last step, with a loop set by
     * set_event_loop(), waits for that API: see test_shield_coroutine_use_global_loop.)
     */
    @Test
    @DisplayName("test_ensure_future_coroutine")
    void testEnsureFutureCoroutine() {
        Callable<String> notmuch = () -> "ok";
        Future<String> t = Asyncio.ensureFuture(notmuch, loop);
        assertSame(loop, t.getLoop());
        loop.runUntilComplete(t);
        assertTrue(t.done());
        assertEquals("ok", t.result());

        Asyncio.setEventLoop(null);                 // as CPython's test case does in setUp (test_utils)
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Asyncio.ensureFuture(notmuch));
        assertTrue(e.getMessage().contains("no current event loop"), e.getMessage());

        Future<String> t2 = loop.runUntilComplete(() -> Asyncio.ensureFuture(notmuch));
        assertSame(loop, t2.getLoop());
        loop.runUntilComplete(t2);
        assertTrue(t2.done());
        assertEquals("ok", t2.result());
    }

    /** ensureFuture of a future returns it; with another loop than its own, IllegalArgumentException. */
    @Test
    @DisplayName("test_ensure_future_future")
    void testEnsureFutureFuture() {
        Future<String> fOrig = newFuture(loop);
        fOrig.setResult("ko");
        Future<String> f = Asyncio.ensureFuture(fOrig);
        loop.runUntilComplete(f);
        assertTrue(f.done());
        assertEquals("ko", f.result());
        assertSame(fOrig, f);

        EventLoop other = Asyncio.newEventLoop();
        try {
            assertThrows(IllegalArgumentException.class, () -> Asyncio.ensureFuture(fOrig, other));
        } finally {
            other.close();
        }
        assertSame(fOrig, Asyncio.ensureFuture(fOrig, loop));
    }

    /** ensureFuture of a task returns it; with another loop than its own, IllegalArgumentException. */
    @Test
    @DisplayName("test_ensure_future_task")
    void testEnsureFutureTask() {
        Task<String> tOrig = newTask(loop, () -> "ok");
        Future<String> t = Asyncio.ensureFuture(tOrig);
        loop.runUntilComplete(t);
        assertTrue(t.done());
        assertEquals("ok", t.result());
        assertSame(tOrig, t);

        EventLoop other = Asyncio.newEventLoop();
        try {
            assertThrows(IllegalArgumentException.class, () -> Asyncio.ensureFuture(tOrig, other));
        } finally {
            other.close();
        }
        assertSame(tOrig, Asyncio.ensureFuture(tOrig, loop));
    }

    /** ensureFuture(fut, loop) of a future of another loop: Python's ValueError message. */
    @Test
    @DisplayName("test_ensure_future_error_msg")
    void testEnsureFutureErrorMsg() {
        EventLoop other = Asyncio.newEventLoop();
        try {
            Future<Object> f = newFuture(loop);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Asyncio.ensureFuture(f, other));
            assertEquals("The future belongs to a different loop than the one specified as the loop argument", e.getMessage());
        } finally {
            other.close();
        }
    }

    private Task<Void> stackTask;

    private void stackFoo() {
        stackBar();
    }

    private void stackBar() {
        // test get_stack()
        List<StackTraceElement> f = stackTask.getStack(1);
        assertEquals("stackFoo", f.get(0).getMethodName());

        // test print_stack()
        java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
        stackTask.printStack(1, new java.io.PrintStream(file, true, java.nio.charset.StandardCharsets.UTF_8));
        String tb = file.toString(java.nio.charset.StandardCharsets.UTF_8);
        // CPython's header shows the coroutine as "foo() running"; here the frame line names it
        assertTrue(Pattern.compile("\\.stackFoo\\(").matcher(tb).find(), tb);
        assertTrue(tb.startsWith("Stack for " + stackTask + " (most recent call last):"), tb);
    }

    /** getStack(1) from the task itself is the body's own frame; printStack(1) prints it. */
    @Test
    @DisplayName("test_get_stack")
    void testGetStack() {
        loop.runUntilComplete(() -> {
            stackTask = (Task<Void>) Asyncio.ensureFuture(Asyncio.getRunningLoop().createTask(this::stackFoo));
            stackTask.await();
            return null;
        });
    }

    /**
     * The forms of a task's toString: its state (pending, cancelling, cancelled, finished) and its
     * name, and its result once finished (CPython's repr also shows the coroutine and the
     * callbacks, which a Java body has not in this form).
     */
    @Test
    @DisplayName("test_task_repr")
    void testTaskRepr() {
        loop.setDebug(false);
        Task<String> t = newTask(loop, () -> "abc");
        assertTrue(t.toString().contains("[pending name='TestTask'"), t.toString());
        t.cancel();
        assertTrue(t.toString().contains("[cancelling name='TestTask'"), t.toString());
        assertThrows(CancelledError.class, () -> loop.runUntilComplete(t));
        assertTrue(t.toString().contains("[cancelled name='TestTask'"), t.toString());

        Task<String> t2 = newTask(loop, () -> "abc");
        loop.runUntilComplete(t2);
        assertTrue(t2.toString().contains("[finished name='TestTask' result="), t2.toString());
    }

    /** Tasks made without a name are named Task-n, n increasing. */
    @Test
    @DisplayName("test_task_repr_autogenerated")
    void testTaskReprAutogenerated() {
        Task<Integer> t1 = newTask(loop, () -> 123, (String) null);
        Task<Integer> t2 = newTask(loop, () -> 123, (String) null);
        assertNotEquals(t1.toString(), t2.toString());
        Pattern p = Pattern.compile("\\[pending name='Task-(\\d+)'");
        Matcher m1 = p.matcher(t1.toString());
        Matcher m2 = p.matcher(t2.toString());
        assertTrue(m1.find(), t1.toString());
        assertTrue(m2.find(), t2.toString());
        assertTrue(Long.parseLong(m1.group(1)) < Long.parseLong(m2.group(1)));
        loop.runUntilComplete(t1);
        loop.runUntilComplete(t2);
    }

    /** A task awaiting a future shows it as wait_for. */
    @Test
    @DisplayName("test_task_repr_wait_for")
    void testTaskReprWaitFor() {
        loop.setDebug(false);
        Future<Object> fut = newFuture(loop);
        Task<Object> task = newTask(loop, () -> fut.await());
        runBriefly(loop);
        assertTrue(task.toString().contains(" wait_for=" + fut + "]"), task.toString());
        fut.setResult(null);
        loop.runUntilComplete(task);
    }

    private static int inner1() {
        return 42;
    }

    private static int inner2() {
        return 1000;
    }

    /** A body that calls other bodies (awaits coroutines) gets their values. */
    @Test
    @DisplayName("test_task_basics")
    void testTaskBasics() {
        int result = loop.runUntilComplete(() -> {
            int a = inner1();
            int b = inner2();
            return a + b;
        });
        assertEquals(1042, result);
    }

    /** cancelling() counts the requests; toString shows cancelling; every cancel() of a pending task is true. */
    @Test
    @DisplayName("test_cancelling")
    void testCancelling() {
        Task<Object> t = newTask(loop, () -> {
            Asyncio.sleep(Duration.ofSeconds(10));
            return null;
        });
        assertEquals(0, t.cancelling());
        assertFalse(t.toString().contains("[cancelling "), t.toString());
        assertTrue(t.cancel());
        assertEquals(1, t.cancelling());
        assertTrue(t.toString().contains("[cancelling "), t.toString());
        assertTrue(t.cancel());
        assertThrows(CancelledError.class, () -> loop.runUntilComplete(t));
    }

    /** uncancel() withdraws a request: the body goes on, and a second cancel() ends it. */
    @Test
    @DisplayName("test_uncancel_basic")
    void testUncancelBasic() {
        Task<Object> t = newTask(loop, () -> {
            try {
                Asyncio.sleep(Duration.ofSeconds(10));
            } catch (CancelledError e) {
                Asyncio.currentTask().uncancel();
                Asyncio.sleep(Duration.ofSeconds(10));
            }
            return null;
        });
        loop.runUntilComplete(sleeping(0.01, null));

        assertTrue(t.cancel());
        assertTrue(t.toString().contains("[cancelling "), t.toString());
        assertEquals(1, t.cancelling());
        assertFalse(t.cancelled());
        loop.runUntilComplete(sleeping(0.01, null));

        assertFalse(t.toString().contains("[cancelling "), t.toString());
        assertEquals(0, t.cancelling());
        assertFalse(t.cancelled());

        assertTrue(t.cancel());
        assertEquals(1, t.cancelling());
        assertFalse(t.cancelled());
        assertThrows(CancelledError.class, () -> loop.runUntilComplete(t));
        assertTrue(t.cancelled());
        assertTrue(t.done());

        t.uncancel();
        assertTrue(t.cancelled());
        assertTrue(t.done());
    }

    /** What make_request_with_timeout returns. */
    private record Outcome(boolean timedOut, boolean structuredBlockFinished, boolean outerCodeReached) {}

    /** A timeout written with callLater, cancel() and uncancel(): CPython's structured block. */
    private Outcome makeRequestWithTimeout(double sleep, double timeout) {
        Task<?> task = Asyncio.currentTask();
        EventLoop l = task.getLoop();
        boolean[] timedOut = {false};
        boolean structuredBlockFinished = false;
        var timeoutHandle = l.callLater(Duration.ofNanos((long) (timeout * 1e9)), () -> {
            timedOut[0] = true;
            task.cancel();
        });
        try {
            Throwable raised = null;
            try {
                Asyncio.sleep(Duration.ofNanos((long) (sleep * 1e9)));
                structuredBlockFinished = true;
            } catch (Throwable e) {
                raised = e;
                throw e;
            } finally {
                timeoutHandle.cancel();
                if (timedOut[0] && task.uncancel() == 0 && raised != null && raised.getClass() == CancelledError.class) {
                    throw new TimeoutError(null);
                }
            }
        } catch (TimeoutError e) {
            assertTrue(timedOut[0]);
        }
        boolean outerCodeReached = true;
        Asyncio.sleep(Duration.ZERO);
        return new Outcome(timedOut[0], structuredBlockFinished, outerCodeReached);
    }

    /** A block that cancels its task on a timeout and uncancels it as it leaves. */
    @Test
    @DisplayName("test_uncancel_structured_blocks")
    void testUncancelStructuredBlocks() {
        Task<Outcome> t1 = newTask(loop, () -> makeRequestWithTimeout(10.0, 0.1));
        Outcome o1 = loop.runUntilComplete(t1);
        assertTrue(o1.timedOut());
        assertFalse(o1.structuredBlockFinished());
        assertTrue(o1.outerCodeReached());
        assertEquals(0, t1.cancelling());

        Task<Outcome> t2 = newTask(loop, () -> makeRequestWithTimeout(0, 10.0));
        Outcome o2 = loop.runUntilComplete(t2);
        assertFalse(o2.timedOut());
        assertTrue(o2.structuredBlockFinished());
        assertTrue(o2.outerCodeReached());
        assertEquals(0, t2.cancelling());
    }

    /** uncancel() of a task made runnable withdraws the cancellation it was to get: it returns 42. */
    @Test
    @DisplayName("test_uncancel_resets_must_cancel")
    void testUncancelResetsMustCancel() {
        Future<Object> fut = loop.createFuture();
        Task<Integer> task = newTask(loop, () -> {
            fut.await();
            return 42;
        });
        loop.runUntilComplete(sleeping(0, null));
        fut.setResult(null);
        try {
            task.cancel();
            assertEquals(1, task.cancelling());
            task.uncancel();
            assertEquals(0, task.cancelling());
        } finally {
            assertEquals(42, loop.runUntilComplete(task));
        }
    }

    /** A callback cancels a sleeping task: it ends cancelled, and a second cancel() is false. */
    @Test
    @DisplayName("test_cancel")
    void testCancel() {
        Task<Integer> t = newTask(loop, () -> {
            Asyncio.sleep(Duration.ofSeconds(10));
            return 12;
        });
        loop.callSoon(() -> t.cancel());
        assertThrows(CancelledError.class, () -> loop.runUntilComplete(t));
        assertTrue(t.done());
        assertTrue(t.cancelled());
        assertFalse(t.cancel());
    }

    /** The cases of cancel(...): no argument, null, a message (Java's message is a String). */
    private static final String[][] CANCEL_CASES = {{}, {null}, {"my message"}};

    private static void cancelWith(Future<?> t, String[] args) {
        if (args.length == 0) {
            t.cancel();
        } else {
            t.cancel(args[0]);
        }
    }

    /** result() of a task cancelled with a message: a CancelledError with it, and no cause. */
    @Test
    @DisplayName("test_cancel_with_message_then_future_result")
    void testCancelWithMessageThenFutureResult() {
        for (String[] args : CANCEL_CASES) {
            String expected = args.length == 0 ? null : args[0];
            EventLoop l = Asyncio.newEventLoop();
            try {
                Task<Object> task = newTask(l, () -> {
                    Task<Object> inner = newTask(l, sleeping(10, null));
                    Asyncio.sleep(Duration.ZERO);
                    cancelWith(inner, args);
                    Asyncio.wait(List.of(inner));
                    inner.result();
                    return null;
                });
                CancelledError e = assertThrows(CancelledError.class, () -> l.runUntilComplete(task));
                assertEquals(expected, e.getMessage(), Arrays.toString(args));
                assertEquals(List.of(CancelledError.class, String.valueOf(expected), 0),
                        Arrays.asList(innermostCause(e)[0], String.valueOf(innermostCause(e)[1]), innermostCause(e)[2]));
            } finally {
                l.close();
            }
        }
    }

    /** exception() of a task cancelled with a message: a CancelledError with it, and no cause. */
    @Test
    @DisplayName("test_cancel_with_message_then_future_exception")
    void testCancelWithMessageThenFutureException() {
        for (String[] args : CANCEL_CASES) {
            String expected = args.length == 0 ? null : args[0];
            EventLoop l = Asyncio.newEventLoop();
            try {
                Task<Object> task = newTask(l, () -> {
                    Task<Object> inner = newTask(l, sleeping(10, null));
                    Asyncio.sleep(Duration.ZERO);
                    cancelWith(inner, args);
                    Asyncio.wait(List.of(inner));
                    inner.exception();
                    return null;
                });
                CancelledError e = assertThrows(CancelledError.class, () -> l.runUntilComplete(task));
                assertEquals(expected, e.getMessage(), Arrays.toString(args));
                assertEquals(List.of(CancelledError.class, String.valueOf(expected), 0),
                        Arrays.asList(innermostCause(e)[0], String.valueOf(innermostCause(e)[1]), innermostCause(e)[2]));
            } finally {
                l.close();
            }
        }
    }

    /** An error raised from a cancellation has it as its cause, with the cancel message. */
    @Test
    @DisplayName("test_cancellation_exception_context")
    void testCancellationExceptionContext() {
        Future<Object> fut = loop.createFuture();
        Task<Object> task = newTask(loop, () -> {
            Task<Object> innerTask = newTask(loop, () -> {
                fut.setResult(null);
                Asyncio.sleep(Duration.ofSeconds(10));
                return null;
            });
            fut.await();
            loop.callSoon(() -> innerTask.cancel("msg"));
            try {
                innerTask.await();
            } catch (CancelledError ex) {
                throw new IllegalArgumentException("cancelled", ex);
            }
            return null;
        });
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loop.runUntilComplete(task));
        assertEquals("cancelled", e.getMessage());
        assertEquals(Arrays.asList(CancelledError.class, "msg", 1), Arrays.asList(innermostCause(e)));
    }

    /** cancel(msg) of a task not started yet: exception() raises a CancelledError with the message. */
    @Test
    @DisplayName("test_cancel_with_message_before_starting_task")
    void testCancelWithMessageBeforeStartingTask() {
        Task<Object> task = newTask(loop, () -> {
            Task<Object> inner = newTask(loop, sleeping(10, null));
            inner.cancel("my message");
            Asyncio.wait(List.of(inner));
            inner.exception();
            return null;
        });
        CancelledError e = assertThrows(CancelledError.class, () -> loop.runUntilComplete(task));
        assertEquals("my message", e.getMessage());
        assertEquals(Arrays.asList(CancelledError.class, "my message", 0), Arrays.asList(innermostCause(e)));
    }

    /** A task cancelled between two yields ends cancelled. */
    @Test
    @DisplayName("test_cancel_yield")
    void testCancelYield() {
        Task<Integer> t = newTask(loop, () -> {
            Asyncio.sleep(Duration.ZERO);
            Asyncio.sleep(Duration.ZERO);
            return 12;
        });
        runBriefly(loop);
        t.cancel();
        assertThrows(CancelledError.class, () -> loop.runUntilComplete(t));
        assertTrue(t.done());
        assertTrue(t.cancelled());
        assertFalse(t.cancel());
    }

    /** Cancelling the future a task awaits cancels the task. */
    @Test
    @DisplayName("test_cancel_inner_future")
    void testCancelInnerFuture() {
        Future<Object> f = newFuture(loop);
        Task<Integer> t = newTask(loop, () -> {
            f.await();
            return 12;
        });
        runBriefly(loop);
        f.cancel();
        assertThrows(CancelledError.class, () -> loop.runUntilComplete(t));
        assertTrue(f.cancelled());
        assertTrue(t.cancelled());
    }

    /** Cancelling both the awaited future and the task. */
    @Test
    @DisplayName("test_cancel_both_task_and_inner_future")
    void testCancelBothTaskAndInnerFuture() {
        Future<Object> f = newFuture(loop);
        Task<Integer> t = newTask(loop, () -> {
            f.await();
            return 12;
        });
        runBriefly(loop);
        f.cancel();
        t.cancel();
        assertThrows(CancelledError.class, () -> loop.runUntilComplete(t));
        assertTrue(t.done());
        assertTrue(f.cancelled());
        assertTrue(t.cancelled());
    }

    /** A body that catches its cancellation and returns finishes normally. */
    @Test
    @DisplayName("test_cancel_task_catching")
    void testCancelTaskCatching() {
        Future<Object> fut1 = newFuture(loop);
        Future<Object> fut2 = newFuture(loop);
        Task<Integer> t = newTask(loop, () -> {
            fut1.await();
            try {
                fut2.await();
            } catch (CancelledError e) {
                return 42;
            }
            return null;
        });
        runBriefly(loop);
        fut1.setResult(null);
        runBriefly(loop);
        t.cancel();
        assertTrue(fut2.cancelled());
        assertEquals(42, loop.runUntilComplete(t));
        assertFalse(t.cancelled());
    }

    /** A body that ignores its cancellation goes on to the next await. */
    @Test
    @DisplayName("test_cancel_task_ignoring")
    void testCancelTaskIgnoring() {
        Future<Object> fut1 = newFuture(loop);
        Future<Object> fut2 = newFuture(loop);
        Future<Integer> fut3 = newFuture(loop);
        Task<Integer> t = newTask(loop, () -> {
            fut1.await();
            try {
                fut2.await();
            } catch (CancelledError e) {
                // ignored
            }
            return fut3.await();
        });
        runBriefly(loop);
        fut1.setResult(null);
        runBriefly(loop);
        t.cancel();
        assertTrue(fut2.cancelled());
        runBriefly(loop);
        fut3.setResult(42);
        assertEquals(42, loop.runUntilComplete(t));
        assertFalse(fut3.cancelled());
        assertFalse(t.cancelled());
    }

    /** A task that cancels itself: its next sleep raises at once. */
    @Test
    @DisplayName("test_cancel_current_task")
    void testCancelCurrentTask() {
        @SuppressWarnings("unchecked")
        Task<Integer>[] t = new Task[1];
        t[0] = newTask(loop, () -> {
            t[0].cancel();
            Asyncio.sleep(Duration.ofSeconds(100));
            return 12;
        });
        assertFalse(t[0].cancelled());
        assertThrows(CancelledError.class, () -> loop.runUntilComplete(t[0]));
        assertTrue(t[0].done());
        assertTrue(t[0].cancelled());
        assertFalse(t[0].cancel());
    }

    /** A task that cancels itself and returns without awaiting ends cancelled. */
    @Test
    @DisplayName("test_cancel_at_end")
    void testCancelAtEnd() {
        @SuppressWarnings("unchecked")
        Task<Integer>[] t = new Task[1];
        t[0] = newTask(loop, () -> {
            t[0].cancel();
            return 12;
        });
        assertFalse(t[0].cancelled());
        assertThrows(CancelledError.class, () -> loop.runUntilComplete(t[0]));
        assertTrue(t[0].done());
        assertTrue(t[0].cancelled());
        assertFalse(t[0].cancel());
    }

    /** A task cancelled while it runs: the task it awaits next is cancelled, and so is what that awaits. */
    @Test
    @DisplayName("test_cancel_awaited_task")
    void testCancelAwaitedTask() {
        Future<Object> fut = newFuture(loop);
        @SuppressWarnings("unchecked")
        Task<Object>[] task = new Task[2];
        task[0] = newTask(loop, () -> {
            task[1] = newTask(loop, () -> fut.await());
            Asyncio.sleep(Duration.ZERO);
            task[0].cancel();
            task[1].await();
            return null;
        });
        assertThrows(CancelledError.class, () -> loop.runUntilComplete(task[0]));
        assertTrue(task[0].cancelled());
        assertTrue(task[1].cancelled());
        assertTrue(fut.cancelled());
    }

    /** stop() from a task: runUntilComplete raises, the task stays pending, and can be cancelled after. */
    @Test
    @DisplayName("test_stop_while_run_in_complete")
    void testStopWhileRunInComplete() {
        int[] x = {0};
        Task<Object> t = newTask(loop, () -> {
            while (x[0] < 10) {
                Asyncio.sleep(Duration.ofMillis(100));
                x[0] += 1;
                if (x[0] == 2) {
                    loop.stop();
                }
            }
            return null;
        });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> loop.runUntilComplete(t));
        assertEquals("Event loop stopped before Future completed.", e.getMessage());
        assertFalse(t.done());
        assertEquals(2, x[0]);
        t.cancel();
        assertThrows(CancelledError.class, () -> loop.runUntilComplete(t));
    }

    /** wait() of two sleeping tasks: both done, none pending; a second wait finds them done. */
    @Test
    @DisplayName("test_wait")
    void testWait() {
        Task<Object> a = newTask(loop, sleeping(0.1, null));
        Task<Object> b = newTask(loop, sleeping(0.15, null));
        Callable<Integer> foo = () -> {
            DoneAndPending<Object> dp = Asyncio.wait(List.of(b, a));
            assertEquals(Set.of(a, b), dp.done());
            assertEquals(Set.of(), dp.pending());
            return 42;
        };
        assertEquals(42, loop.runUntilComplete(newTask(loop, foo)));
        assertEquals(42, loop.runUntilComplete(newTask(loop, foo)));
    }

    /** A task given twice to wait() is waited for once. */
    @Test
    @DisplayName("test_wait_duplicate_coroutines")
    void testWaitDuplicateCoroutines() {
        Task<String> c = loop.createTask(() -> "test");
        Task<DoneAndPending<String>> task = newTask(loop, () -> Asyncio.wait(List.of(c, c, loop.createTask(() -> "spam"))));
        DoneAndPending<String> dp = loop.runUntilComplete(task);
        assertTrue(dp.pending().isEmpty());
        Set<String> results = new HashSet<>();
        for (Future<String> f : dp.done()) {
            results.add(f.result());
        }
        assertEquals(Set.of("test", "spam"), results);
    }

    /** wait() of nothing is IllegalArgumentException (Python's ValueError); a return_when of -1 cannot be written in Java. */
    @Test
    @DisplayName("test_wait_errors")
    void testWaitErrors() {
        assertThrows(IllegalArgumentException.class, () -> loop.runUntilComplete(() -> Asyncio.wait(Set.<Future<Object>>of())));
        assertThrows(IllegalArgumentException.class, () -> loop.runUntilComplete(() -> {
            Task<Object> sleeper = Asyncio.createTask(sleeping(10.0, null));
            try {
                return Asyncio.wait(List.of(sleeper), null);
            } finally {
                sleeper.cancel();
            }
        }));
    }

    /** FIRST_COMPLETED returns with the first task done and the other pending. */
    @Test
    @DisplayName("test_wait_first_completed")
    void testWaitFirstCompleted() {
        Task<Object> a = newTask(loop, sleeping(10.0, null));
        Task<Object> b = newTask(loop, sleeping(0.1, null));
        Task<DoneAndPending<Object>> task = newTask(loop, () -> Asyncio.wait(List.of(b, a), ReturnWhen.FIRST_COMPLETED));
        DoneAndPending<Object> dp = loop.runUntilComplete(task);
        assertEquals(Set.of(b), dp.done());
        assertEquals(Set.of(a), dp.pending());
        assertFalse(a.done());
        assertTrue(b.done());
        assertNull(b.result());
        a.cancel();
        loop.runUntilComplete(() -> Asyncio.wait(List.of(a, b)));
    }

    /** Tasks done by the time FIRST_COMPLETED returns are all in done. */
    @Test
    @DisplayName("test_wait_really_done")
    void testWaitReallyDone() {
        Task<Object> a = newTask(loop, () -> {
            Asyncio.sleep(Duration.ZERO);
            return null;
        });
        Task<Object> b = newTask(loop, () -> {
            Asyncio.sleep(Duration.ZERO);
            Asyncio.sleep(Duration.ZERO);
            return null;
        });
        Task<DoneAndPending<Object>> task = newTask(loop, () -> Asyncio.wait(List.of(b, a), ReturnWhen.FIRST_COMPLETED));
        DoneAndPending<Object> dp = loop.runUntilComplete(task);
        assertEquals(Set.of(a, b), dp.done());
        assertTrue(a.done());
        assertNull(a.result());
        assertTrue(b.done());
        assertNull(b.result());
    }

    /** FIRST_EXCEPTION with a task that has failed already returns at once. */
    @Test
    @DisplayName("test_wait_first_exception")
    void testWaitFirstException() {
        Task<Object> a = newTask(loop, sleeping(10.0, null));
        Task<Object> b = newTask(loop, () -> {
            throw new ZeroDivisionError("err");
        });
        Task<DoneAndPending<Object>> task = newTask(loop, () -> Asyncio.wait(List.of(b, a), ReturnWhen.FIRST_EXCEPTION));
        DoneAndPending<Object> dp = loop.runUntilComplete(task);
        assertEquals(Set.of(b), dp.done());
        assertEquals(Set.of(a), dp.pending());
        a.cancel();
        loop.runUntilComplete(() -> Asyncio.wait(List.of(a, b)));
    }

    /** FIRST_EXCEPTION returns when a task fails during the wait. */
    @Test
    @DisplayName("test_wait_first_exception_in_wait")
    void testWaitFirstExceptionInWait() {
        Task<Object> a = newTask(loop, sleeping(10.0, null));
        Task<Object> b = newTask(loop, () -> {
            Asyncio.sleep(Duration.ofMillis(10));
            throw new ZeroDivisionError("err");
        });
        DoneAndPending<Object> dp = loop.runUntilComplete(() -> Asyncio.wait(List.of(b, a), ReturnWhen.FIRST_EXCEPTION));
        assertEquals(Set.of(b), dp.done());
        assertEquals(Set.of(a), dp.pending());
        a.cancel();
        loop.runUntilComplete(() -> Asyncio.wait(List.of(a, b)));
    }

    /** ALL_COMPLETED with one task failing: both done, one with an exception. */
    @Test
    @DisplayName("test_wait_with_exception")
    void testWaitWithException() {
        Task<Object> a = newTask(loop, sleeping(0.1, null));
        Task<Object> b = newTask(loop, () -> {
            Asyncio.sleep(Duration.ofMillis(150));
            throw new ZeroDivisionError("really");
        });
        Callable<Object> foo = () -> {
            DoneAndPending<Object> dp = Asyncio.wait(List.of(b, a));
            assertEquals(2, dp.done().size());
            assertEquals(Set.of(), dp.pending());
            int errors = 0;
            for (Future<Object> f : dp.done()) {
                if (f.exception() != null) {
                    errors++;
                }
            }
            assertEquals(1, errors);
            return null;
        };
        loop.runUntilComplete(newTask(loop, foo));
        loop.runUntilComplete(newTask(loop, foo));
    }

    /** A timeout between the two tasks' ends: one done, one pending, after at least the timeout. */
    @Test
    @DisplayName("test_wait_with_timeout")
    void testWaitWithTimeout() {
        Task<Object> a = newTask(loop, sleeping(0.1, null));
        Task<Object> b = newTask(loop, sleeping(0.15, null));
        double[] elapsed = {0};
        loop.runUntilComplete(newTask(loop, () -> {
            double t0 = loop.time();
            DoneAndPending<Object> dp = Asyncio.wait(List.of(b, a), Duration.ofMillis(110), ReturnWhen.ALL_COMPLETED);
            elapsed[0] = loop.time() - t0;
            assertEquals(Set.of(a), dp.done());
            assertEquals(Set.of(b), dp.pending());
            return null;
        }));
        assertTrue(elapsed[0] >= 0.11 - 1e-3, String.valueOf(elapsed[0]));
        loop.runUntilComplete(() -> Asyncio.wait(List.of(a, b)));
    }

    /** A timeout at the first task's end: it is done, the other pending. */
    @Test
    @DisplayName("test_wait_concurrent_complete")
    void testWaitConcurrentComplete() {
        Task<Object> a = newTask(loop, sleeping(0.1, null));
        Task<Object> b = newTask(loop, sleeping(0.15, null));
        DoneAndPending<Object> dp = loop.runUntilComplete(() -> Asyncio.wait(List.of(b, a), Duration.ofMillis(100), ReturnWhen.ALL_COMPLETED));
        assertEquals(Set.of(a), dp.done());      // a's deadline comes before the wait's
        assertEquals(Set.of(b), dp.pending());
        loop.runUntilComplete(() -> Asyncio.wait(List.of(a, b)));
    }

    /** wait() of a collection made from an iterator (Java's wait takes a Collection). */
    @Test
    @DisplayName("test_wait_with_iterator_of_tasks")
    void testWaitWithIteratorOfTasks() {
        Task<Object> a = newTask(loop, sleeping(0.1, null));
        Task<Object> b = newTask(loop, sleeping(0.15, null));
        int res = loop.runUntilComplete(newTask(loop, () -> {
            List<Task<Object>> fs = new ArrayList<>();
            List.of(b, a).iterator().forEachRemaining(fs::add);
            DoneAndPending<Object> dp = Asyncio.wait(fs);
            assertEquals(Set.of(a, b), dp.done());
            assertEquals(Set.of(), dp.pending());
            return 42;
        }));
        assertEquals(42, res);
    }

    /** wait() of ten tasks made as they are listed (Python's generator expression). */
    @Test
    @DisplayName("test_wait_generator")
    void testWaitGenerator() {
        loop.runUntilComplete(() -> {
            List<Task<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int v = i;
                tasks.add(newTask(loop, () -> v));
            }
            DoneAndPending<Integer> dp = Asyncio.wait(tasks, ReturnWhen.ALL_COMPLETED);
            assertEquals(10, dp.done().size());
            assertEquals(0, dp.pending().size());
            return null;
        });
    }

    /** A sleeper's value for as_completed: records its end in {@code completed}. */
    private static String sleeper(Set<String> completed, double dt, String x) {
        Asyncio.sleep(Duration.ofNanos((long) (dt * 1e9)));
        completed.add(x);
        return x;
    }

    /** asCompleted gives the results in the order the tasks end (Java's iterator; no async for). */
    @Test
    @DisplayName("test_as_completed")
    void testAsCompleted() {
        Set<String> completed = new HashSet<>();
        List<String> res = loop.runUntilComplete(newTask(loop, () -> {
            Task<String> a = Asyncio.createTask(() -> sleeper(completed, 0.01, "a"));
            Task<String> b = Asyncio.createTask(() -> sleeper(completed, 0.01, "b"));
            Task<String> c = Asyncio.createTask(() -> sleeper(completed, 0.15, "c"));
            List<String> values = new ArrayList<>();
            for (Future<String> f : Asyncio.asCompleted(List.of(b, c, a))) {
                values.add(f.await());
            }
            return values;
        }));
        assertTrue(res.subList(0, 2).contains("a"), res.toString());
        assertTrue(res.subList(0, 2).contains("b"), res.toString());
        assertEquals("c", res.get(2));
    }

    /** A timeout between the two ends: the first result, then TimeoutError. */
    @Test
    @DisplayName("test_as_completed_with_timeout")
    void testAsCompletedWithTimeout() {
        // CPython's 0.1 s, 0.12 s timeout and 0.15 s run on a test loop whose clock only moves when
        // told; on a real clock a loaded machine can let the sleep's wake-up and the timeout fall in
        // one batch, so the gaps here are 400 ms instead of 20 ms (the behaviour checked is the same).
        Task<String> a = loop.createTask(sleeping(0.1, "a"));
        Task<String> b = loop.createTask(sleeping(0.9, "b"));
        List<Object> res = loop.runUntilComplete(newTask(loop, () -> {
            List<Object> values = new ArrayList<>();
            for (Future<String> f : Asyncio.asCompleted(List.of(a, b), Duration.ofMillis(500))) {
                try {
                    values.add(List.of(1, f.await()));
                } catch (TimeoutError exc) {
                    values.add(List.of(2, exc));
                }
            }
            return values;
        }));
        assertEquals(2, res.size(), res.toString());
        assertEquals(List.of(1, "a"), res.get(0));
        assertEquals(2, ((List<?>) res.get(1)).get(0));
        assertInstanceOf(TimeoutError.class, ((List<?>) res.get(1)).get(1));
        loop.runUntilComplete(() -> Asyncio.wait(List.of(a, b)));
    }

    /** A timeout that does not expire changes nothing. */
    @Test
    @DisplayName("test_as_completed_with_unused_timeout")
    void testAsCompletedWithUnusedTimeout() {
        loop.runUntilComplete(newTask(loop, () -> {
            Task<String> a = Asyncio.createTask(sleeping(0.01, "a"));
            for (Future<String> f : Asyncio.asCompleted(List.of(a), Duration.ofSeconds(1))) {
                assertEquals("a", f.await());
            }
            return null;
        }));
    }

    /** The iteration of asCompleted's result resumes where a previous one stopped. */
    @Test
    @DisplayName("test_as_completed_resume_iterator")
    void testAsCompletedResumeIterator() {
        List<Integer> results = loop.runUntilComplete(() -> {
            List<Task<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int v = i;
                tasks.add(Asyncio.createTask(() -> v));
            }
            Iterable<Future<Integer>> iterator = Asyncio.asCompleted(tasks);
            int iterations = 0;
            List<Integer> collected = new ArrayList<>();
            for (Future<Integer> f : iterator) {
                collected.add(f.await());
                iterations++;
                if (iterations == 2) {
                    break;
                }
            }
            assertEquals(2, collected.size());
            for (Future<Integer> f : iterator) {
                collected.add(f.await());
            }
            return collected;
        });
        List<Integer> sorted = new ArrayList<>(results);
        sorted.sort(null);
        assertEquals(List.of(0, 1, 2, 3), sorted);
    }

    /**
     * Iterating asCompleted asynchronously (aiter(), Python's async for) gives back the futures
     * given. CPython's first half, coroutines that must not come back, has no Java form: a body
     * passed to asCompleted is a Callable only through a task, which comes back as itself.
     */
    @Test
    @DisplayName("test_as_completed_same_tasks_in_as_out")
    void testAsCompletedSameTasksInAsOut() {
        EventLoop l = Asyncio.newEventLoop();
        try {
            Task<String> taskB = l.createTask(() -> "b");
            Task<String> taskD = l.createTask(() -> "d");
            Future<String> futA = l.createFuture();
            l.callSoon(() -> futA.setResult("a"));
            Set<Future<String>> awaitablesIn = Set.of(futA, taskB, taskD);
            Set<Future<String>> awaitablesOut = l.runUntilComplete(() -> {
                Set<Future<String>> out = new HashSet<>();
                for (Future<String> outAw : Asyncio.asCompleted(awaitablesIn).aiter()) {
                    out.add(outAw);
                }
                return out;
            });
            assertEquals(awaitablesIn, awaitablesOut);
        } finally {
            l.close();
        }
    }

    /** The first future awaited gets the first result, even if it was not the first handed out. */
    @Test
    @DisplayName("test_as_completed_reverse_wait")
    void testAsCompletedReverseWait() {
        loop.runUntilComplete(() -> {
            Task<String> a = Asyncio.createTask(sleeping(0.05, "a"));
            Task<String> b = Asyncio.createTask(sleeping(0.10, "b"));
            List<Future<String>> futs = new ArrayList<>();
            Asyncio.asCompleted(Set.of(a, b)).forEach(futs::add);
            assertEquals(2, futs.size());
            assertEquals("a", futs.get(1).await());
            assertEquals("b", futs.get(0).await());
            return null;
        });
    }

    /** The futures asCompleted hands out can be awaited together. */
    @Test
    @DisplayName("test_as_completed_concurrent")
    void testAsCompletedConcurrent() {
        loop.runUntilComplete(() -> {
            Task<String> a = Asyncio.createTask(sleeping(0.05, "a"));
            Task<String> b = Asyncio.createTask(sleeping(0.05, "b"));
            List<Future<String>> futs = new ArrayList<>();
            Asyncio.asCompleted(Set.of(a, b)).forEach(futs::add);
            assertEquals(2, futs.size());
            List<Future<String>> ensured = new ArrayList<>();
            for (Future<String> f : futs) {
                ensured.add(Asyncio.ensureFuture(f));
            }
            DoneAndPending<String> dp = Asyncio.wait(ensured);
            Set<String> results = new HashSet<>();
            for (Future<String> f : dp.done()) {
                results.add(f.result());
            }
            assertEquals(Set.of("a", "b"), results);
            return null;
        });
    }

    /** A task given twice to asCompleted gives one result. */
    @Test
    @DisplayName("test_as_completed_duplicate_coroutines")
    void testAsCompletedDuplicateCoroutines() {
        Task<List<String>> fut = newTask(loop, () -> {
            List<String> result = new ArrayList<>();
            Task<String> c = Asyncio.createTask(() -> "ham");
            for (Future<String> f : Asyncio.asCompleted(List.of(c, c, Asyncio.createTask(() -> "spam")))) {
                result.add(f.await());
            }
            return result;
        });
        loop.runUntilComplete(fut);
        List<String> result = fut.result();
        assertEquals(Set.of("ham", "spam"), new HashSet<>(result));
        assertEquals(2, result.size());
    }

    /** asCompleted with no loop running is IllegalStateException (Python's RuntimeError). */
    @Test
    @DisplayName("test_as_completed_coroutine_without_loop")
    void testAsCompletedCoroutineWithoutLoop() {
        Future<Integer> a = newFuture(loop);
        Asyncio.setEventLoop(null);                 // as CPython's test case does in setUp (test_utils)
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Asyncio.asCompleted(List.of(a)).forEach(f -> { }));
        assertTrue(e.getMessage().contains("no current event loop"), e.getMessage());
    }

    /** asCompleted in a task uses the running loop. */
    @Test
    @DisplayName("test_as_completed_coroutine_use_running_loop")
    void testAsCompletedCoroutineUseRunningLoop() {
        loop.runUntilComplete(() -> {
            List<Future<Integer>> futs = new ArrayList<>();
            Asyncio.asCompleted(List.of(Asyncio.createTask(() -> 42))).forEach(futs::add);
            assertEquals(1, futs.size());
            assertEquals(42, futs.get(0).await());
            return null;
        });
    }

    /** sleep(d, result) returns the result. */
    @Test
    @DisplayName("test_sleep")
    void testSleep() {
        Task<String> t = newTask(loop, () -> {
            Asyncio.sleep(Duration.ofMillis(50));
            return Asyncio.sleep(Duration.ofMillis(50), "yeah");
        });
        loop.runUntilComplete(t);
        assertTrue(t.done());
        assertEquals("yeah", t.result());
    }

    /** A sleeping task cancelled by a callback: the task awaiting it catches the CancelledError. */
    @Test
    @DisplayName("test_task_cancel_sleeping_task")
    void testTaskCancelSleepingTask() {
        String r = loop.runUntilComplete(() -> {
            Task<Object> sleeper = newTask(loop, sleeping(5000, null));
            loop.callLater(Duration.ofMillis(100), () -> sleeper.cancel());
            try {
                sleeper.await();
            } catch (CancelledError e) {
                return "cancelled";
            }
            return "slept in";
        });
        assertEquals("cancelled", r);
    }

    /** cancel() of a task that awaits a future cancels the future. */
    @Test
    @DisplayName("test_task_cancel_waiter_future")
    void testTaskCancelWaiterFuture() {
        Future<Object> fut = newFuture(loop);
        Task<Object> task = newTask(loop, () -> fut.await());
        runBriefly(loop);
        task.cancel();
        runBriefly(loop);
        assertThrows(CancelledError.class, () -> loop.runUntilComplete(task));
        assertTrue(fut.cancelled());
    }

    /** setResult and setException of a task are IllegalStateException (Python's RuntimeError). */
    @Test
    @DisplayName("test_task_set_methods")
    void testTaskSetMethods() {
        Task<String> task = newTask(loop, () -> "ko");
        IllegalStateException e1 = assertThrows(IllegalStateException.class, () -> task.setResult("ok"));
        assertTrue(e1.getMessage().contains("not support setResult"), e1.getMessage());
        IllegalStateException e2 = assertThrows(IllegalStateException.class, () -> task.setException(new IllegalArgumentException()));
        assertTrue(e2.getMessage().contains("not support setException"), e2.getMessage());
        assertEquals("ko", loop.runUntilComplete(task));
    }

    /** A body that returns a future: the task's result is the future itself, not awaited. */
    @Test
    @DisplayName("test_coroutine_non_gen_function_return_future")
    void testCoroutineNonGenFunctionReturnFuture() {
        Future<String> fut = newFuture(loop);
        Task<Future<String>> t1 = newTask(loop, () -> fut);
        Task<Object> t2 = newTask(loop, () -> {
            fut.setResult("test");
            return null;
        });
        Future<String> res = loop.runUntilComplete(t1);
        assertSame(fut, res);
        assertNull(t2.result());
    }

    /** currentTask() in a body is its task; the loop's current task is null while it runs none. */
    @Test
    @DisplayName("test_current_task")
    void testCurrentTask() {
        assertNull(Asyncio.currentTask(loop));
        @SuppressWarnings("unchecked")
        Task<Object>[] task = new Task[1];
        task[0] = newTask(loop, () -> {
            assertSame(task[0], Asyncio.currentTask());
            assertSame(task[0], Asyncio.currentTask(null));
            assertSame(task[0], Asyncio.currentTask());
            return null;
        });
        loop.runUntilComplete(task[0]);
        assertNull(Asyncio.currentTask(loop));
    }

    /** currentTask() follows the switches between two tasks. */
    @Test
    @DisplayName("test_current_task_with_interleaving_tasks")
    void testCurrentTaskWithInterleavingTasks() {
        assertNull(Asyncio.currentTask(loop));
        Future<Boolean> fut1 = newFuture(loop);
        Future<Boolean> fut2 = newFuture(loop);
        @SuppressWarnings("unchecked")
        Task<Object>[] task = new Task[2];
        task[0] = newTask(loop, () -> {
            assertSame(task[0], Asyncio.currentTask());
            fut1.await();
            assertSame(task[0], Asyncio.currentTask());
            fut2.setResult(true);
            return null;
        });
        task[1] = newTask(loop, () -> {
            assertSame(task[1], Asyncio.currentTask());
            fut1.setResult(true);
            fut2.await();
            assertSame(task[1], Asyncio.currentTask());
            return null;
        });
        loop.runUntilComplete(() -> Asyncio.wait(List.of(task[0], task[1])));
        assertNull(Asyncio.currentTask(loop));
        assertNull(task[0].result());
        assertNull(task[1].result());
    }

    /** Cancelling outer() cancels inner(), which cancels the future it awaits. */
    @Test
    @DisplayName("test_yield_future_passes_cancel")
    void testYieldFuturePassesCancel() {
        int[] proof = {0};
        Future<Object> waiter = newFuture(loop);
        Runnable inner = () -> {
            try {
                waiter.await();
            } catch (CancelledError e) {
                proof[0] += 1;
                throw e;
            }
            fail("got past sleep() in inner()");
        };
        Task<Void> f = loop.createTask(() -> {
            try {
                inner.run();
                proof[0] += 10;
            } catch (CancelledError e) {
                proof[0] += 100;
            }
        });
        runBriefly(loop);
        f.cancel();
        loop.runUntilComplete(f);
        assertEquals(101, proof[0]);
        assertTrue(waiter.cancelled());
    }

    /** Cancelling a task in wait() ends the wait early and leaves the waited task running. */
    @Test
    @DisplayName("test_yield_wait_does_not_shield_cancel")
    void testYieldWaitDoesNotShieldCancel() {
        int[] proof = {0};
        Future<Object> waiter = newFuture(loop);
        Task<Void> f = loop.createTask(() -> {
            Asyncio.wait(List.of(Asyncio.createTask(() -> {
                waiter.await();
                proof[0] += 1;
            })));
            proof[0] += 100;
        });
        runBriefly(loop);
        f.cancel();
        assertThrows(CancelledError.class, () -> loop.runUntilComplete(f));
        waiter.setResult(null);
        runBriefly(loop);
        assertEquals(1, proof[0]);
    }

    /** shield's result is the inner one's. */
    @Test
    @DisplayName("test_shield_result")
    void testShieldResult() {
        Future<Integer> inner = newFuture(loop);
        Future<Integer> outer = Asyncio.shield(inner);
        inner.setResult(42);
        assertEquals(42, loop.runUntilComplete(outer));
    }

    /** shield's exception is the inner one's. */
    @Test
    @DisplayName("test_shield_exception")
    void testShieldException() {
        Future<Integer> inner = newFuture(loop);
        Future<Integer> outer = Asyncio.shield(inner);
        runBriefly(loop);
        IllegalStateException exc = new IllegalStateException("expected");
        inner.setException(exc);
        runBriefly(loop);
        assertSame(exc, outer.exception());
    }

    /** Cancelling the inner future cancels the shield. */
    @Test
    @DisplayName("test_shield_cancel_inner")
    void testShieldCancelInner() {
        Future<Integer> inner = newFuture(loop);
        Future<Integer> outer = Asyncio.shield(inner);
        runBriefly(loop);
        inner.cancel();
        runBriefly(loop);
        assertTrue(outer.cancelled());
    }

    /** Cancelling the shield leaves the inner future pending. */
    @Test
    @DisplayName("test_shield_cancel_outer")
    void testShieldCancelOuter() {
        Future<Integer> inner = newFuture(loop);
        Future<Integer> outer = Asyncio.shield(inner);
        runBriefly(loop);
        outer.cancel();
        runBriefly(loop);
        assertTrue(outer.cancelled());
        assertFalse(inner.done());
    }

    /** shield of a done future returns it. */
    @Test
    @DisplayName("test_shield_shortcut")
    void testShieldShortcut() {
        Future<Integer> fut = newFuture(loop);
        fut.setResult(42);
        assertEquals(42, loop.runUntilComplete(Asyncio.shield(fut)));
    }

    /** Cancelling the task that awaits a shield does not cancel what is shielded. */
    @Test
    @DisplayName("test_shield_effect")
    void testShieldEffect() {
        int[] proof = {0};
        Future<Object> waiter = newFuture(loop);
        Task<Void> f = loop.createTask(() -> {
            Asyncio.shield(() -> {
                waiter.await();
                proof[0] += 1;
                return null;
            }).await();
            proof[0] += 100;
        });
        runBriefly(loop);
        f.cancel();
        assertThrows(CancelledError.class, () -> loop.runUntilComplete(f));
        waiter.setResult(null);
        runBriefly(loop);
        assertEquals(1, proof[0]);
    }

    /** A shielded gather goes on when the shield is cancelled. */
    @Test
    @DisplayName("test_shield_gather")
    void testShieldGather() {
        Future<Integer> child1 = newFuture(loop);
        Future<Integer> child2 = newFuture(loop);
        Future<List<Integer>> parent = loop.runUntilComplete(() -> Asyncio.gather(child1, child2));
        Future<List<Integer>> outer = Asyncio.shield(parent);
        runBriefly(loop);
        outer.cancel();
        runBriefly(loop);
        assertTrue(outer.cancelled());
        child1.setResult(1);
        child2.setResult(2);
        runBriefly(loop);
        assertEquals(List.of(1, 2), parent.result());
    }

    /** Cancelling a gather of shields cancels the shields, not what they shield. */
    @Test
    @DisplayName("test_gather_shield")
    void testGatherShield() {
        Future<Integer> child1 = newFuture(loop);
        Future<Integer> child2 = newFuture(loop);
        Future<Integer> inner1 = Asyncio.shield(child1);
        Future<Integer> inner2 = Asyncio.shield(child2);
        Future<List<Integer>> parent = loop.runUntilComplete(() -> Asyncio.gather(inner1, inner2));
        runBriefly(loop);
        parent.cancel();
        runBriefly(loop);
        assertInstanceOf(CancelledError.class, parent.exception());
        assertTrue(inner1.cancelled());
        assertTrue(inner2.cancelled());
        child1.setResult(1);
        child2.setResult(2);
        runBriefly(loop);
        assertFalse(child1.cancelled());
        assertFalse(child2.cancelled());
    }

    /** shield of a body with no loop running is IllegalStateException (Python's RuntimeError). */
    @Test
    @DisplayName("test_shield_coroutine_without_loop")
    void testShieldCoroutineWithoutLoop() {
        Asyncio.setEventLoop(null);                 // as CPython's test case does in setUp (test_utils)
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Asyncio.shield(() -> 42));
        assertTrue(e.getMessage().contains("no current event loop"), e.getMessage());
    }

    /** shield of a body in a task: a future of the running loop. */
    @Test
    @DisplayName("test_shield_coroutine_use_running_loop")
    void testShieldCoroutineUseRunningLoop() {
        Future<Integer> outer = loop.runUntilComplete(() -> Asyncio.shield(() -> 42));
        assertSame(loop, outer.getLoop());
        assertEquals(42, loop.runUntilComplete(outer));
    }

    /** shield of a body with no loop running: a task of the thread's current loop, run by it. */
    @Test
    @DisplayName("test_shield_coroutine_use_global_loop")
    void testShieldCoroutineUseGlobalLoop() {
        Asyncio.setEventLoop(loop);
        try {
            Future<Integer> outer = Asyncio.shield(() -> 42);
            assertSame(loop, outer.getLoop());
            assertEquals(42, loop.runUntilComplete(outer));
        } finally {
            Asyncio.setEventLoop(null);
        }
    }

    /** wait() of an empty collection is IllegalArgumentException (Python's ValueError); of no collection too. */
    @Test
    @DisplayName("test_wait_invalid_args")
    void testWaitInvalidArgs() {
        assertThrows(IllegalArgumentException.class, () -> loop.runUntilComplete(() -> Asyncio.wait(List.<Future<Object>>of())));
        assertThrows(IllegalArgumentException.class, () -> loop.runUntilComplete(() -> Asyncio.wait((List<Future<Object>>) null)));
    }

    /** A gather whose children are all done refuses to be cancelled. */
    @Test
    @DisplayName("test_cancel_gather_1")
    void testCancelGather1() {
        EventLoop l = Asyncio.newEventLoop();
        try {
            Future<Integer> fut = newFuture(l);
            Future<List<Integer>> gatherTask = l.runUntilComplete(() -> {
                Future<List<Integer>> gatherFuture = Asyncio.gather(() -> fut.await());
                return Asyncio.ensureFuture(gatherFuture);
            });
            Boolean[] cancelResult = {null};
            fut.addDoneCallback(f -> cancelResult[0] = gatherTask.cancel());
            fut.setResult(42);
            l.runUntilComplete(gatherTask);
            assertEquals(false, cancelResult[0]);
            assertFalse(gatherTask.cancelled());
            assertEquals(List.of(42), gatherTask.result());
        } finally {
            l.close();
        }
    }

    /** Cancelling a task that awaits gathers: the CancelledError reaches its awaiter with the message. */
    @Test
    @DisplayName("test_cancel_gather_2")
    void testCancelGather2() {
        for (String[] args : CANCEL_CASES) {
            String expected = args.length == 0 ? null : args[0];
            EventLoop l = Asyncio.newEventLoop();
            try {
                CancelledError exc = assertThrows(CancelledError.class, () -> l.runUntilComplete(() -> {
                    Task<Object> qwe = newTask(l, () -> {
                        double time = 0;
                        while (true) {
                            time += 0.05;
                            Asyncio.gather(true, List.of(Asyncio.createTask(sleeping(0.05, null)))).await();
                            if (time > 1) {
                                return null;
                            }
                        }
                    });
                    Asyncio.sleep(Duration.ofMillis(200));
                    cancelWith(qwe, args);
                    return qwe.await();
                }), "gather() does not propagate CancelledError raised by inner task to the gather() caller.");
                assertEquals(expected, exc.getMessage());
                assertEquals(Arrays.asList(CancelledError.class, expected, 0), Arrays.asList(innermostCause(exc)));
            } finally {
                l.close();
            }
        }
    }

    /** The exception a task failed with carries the stack where it was thrown. */
    @Test
    @DisplayName("test_exception_traceback")
    void testExceptionTraceback() {
        loop.runUntilComplete(() -> {
            Task<Object> task = newTask(loop, () -> {
                throw new ZeroDivisionError("division by zero");
            });
            Asyncio.sleep(Duration.ZERO);
            assertTrue(task.exception().getStackTrace().length > 0);
            return null;
        });
    }

    /** A task of a body is a Task, twice. */
    @Test
    @DisplayName("test_create_task_with_async_function")
    void testCreateTaskWithAsyncFunction() {
        Task<Object> task = newTask(loop, () -> null);
        assertInstanceOf(Task.class, task);
        loop.runUntilComplete(task);
        task = newTask(loop, () -> null);
        assertInstanceOf(Task.class, task);
        loop.runUntilComplete(task);
    }

    /** createTask in a body: a task of the running loop. */
    @Test
    @DisplayName("test_bare_create_task")
    void testBareCreateTask() {
        loop.runUntilComplete(() -> {
            Task<Integer> task = Asyncio.createTask(() -> 1);
            assertInstanceOf(Task.class, task);
            int ret = task.await();
            assertEquals(1, ret);
            return null;
        });
    }

    /** createTask(body, name) names the task. */
    @Test
    @DisplayName("test_bare_create_named_task")
    void testBareCreateNamedTask() {
        loop.runUntilComplete(() -> {
            Task<Void> task = Asyncio.createTask(() -> { }, "No-op");
            assertEquals("No-op", task.getName());
            task.await();
            return null;
        });
    }

    /** getCoro() is the body the task was made of. */
    @Test
    @DisplayName("test_get_coro")
    void testGetCoro() {
        Callable<Object> coro = () -> null;
        Task<Object> task = newTask(loop, coro);
        loop.runUntilComplete(task);
        assertSame(coro, task.getCoro());
    }

    /** A task runs in a copy of its creator's context: neither side sees the other's later sets. */
    @Test
    @DisplayName("test_context_1")
    void testContext1() {
        ContextVar<String> cvar = new ContextVar<>("cvar", "nope");
        Callable<Void> sub = () -> {
            Asyncio.sleep(Duration.ofMillis(10));
            assertEquals("nope", cvar.get());
            cvar.set("something else");
            return null;
        };
        EventLoop l = Asyncio.newEventLoop();
        try {
            Task<Void> task = newTask(l, () -> {
                assertEquals("nope", cvar.get());
                Task<Void> subtask = newTask(l, sub);
                cvar.set("yes");
                assertEquals("yes", cvar.get());
                subtask.await();
                assertEquals("yes", cvar.get());
                return null;
            });
            l.runUntilComplete(task);
        } finally {
            l.close();
        }
    }

    /** A done-callback's set does not reach the task; the task keeps its own value across awaits. */
    @Test
    @DisplayName("test_context_2")
    void testContext2() {
        ContextVar<String> cvar = new ContextVar<>("cvar", "nope");
        EventLoop l = Asyncio.newEventLoop();
        try {
            Task<Void> task = newTask(l, () -> {
                // This change must not pollute the context of the "main()" task.
                java.util.function.Consumer<Future<Object>> futOnDone = fut -> cvar.set("something else");

                assertEquals("nope", cvar.get());

                for (int j = 0; j < 2; j++) {
                    Future<Object> fut = newFuture(l);
                    fut.addDoneCallback(futOnDone);
                    cvar.set("yes" + j);
                    l.callSoon(() -> fut.setResult(null));
                    fut.await();
                    assertEquals("yes" + j, cvar.get());

                    for (int i = 0; i < 3; i++) {
                        // Test that task passed its context to add_done_callback:
                        cvar.set("yes" + i + "-" + j);
                        Asyncio.sleep(Duration.ofMillis(1));
                        assertEquals("yes" + i + "-" + j, cvar.get());
                    }
                }
                return null;
            });
            l.runUntilComplete(task);
        } finally {
            l.close();
        }
        assertEquals("nope", cvar.get());
    }

    /** 100 tasks at once, each setting the variable before each random sleep, each see their own value. */
    @Test
    @DisplayName("test_context_3")
    void testContext3() {
        ContextVar<Integer> cvar = new ContextVar<>("cvar", -1);
        java.util.Random random = new java.util.Random();
        java.util.function.IntFunction<Callable<Void>> sub = num -> () -> {
            for (int i = 0; i < 10; i++) {
                cvar.set(num + i);
                Asyncio.sleep(Duration.ofNanos((long) ((0.001 + random.nextDouble() * 0.049) * 1e9)));
                assertEquals(num + i, cvar.get());
            }
            return null;
        };
        EventLoop l = Asyncio.newEventLoop();
        try {
            l.runUntilComplete(() -> {
                List<Task<Void>> tasks = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    tasks.add(l.createTask(sub.apply(random.nextInt(11))));
                }
                Asyncio.gather(tasks).await();
                return null;
            });
        } finally {
            l.close();
        }
        assertEquals(-1, cvar.get());
    }

    /** test_context_4 to 6: two tasks in turn, created by `create` in one context, set the variable there. */
    private void contextGiven(java.util.function.BiFunction<Callable<Void>, Context, Task<Void>> create, EventLoop l,
            java.util.function.Function<Callable<List<Integer>>, Task<List<Integer>>> main) {
        ContextVar<Integer> cvar = new ContextVar<>("cvar");
        java.util.function.IntFunction<Callable<Void>> coro = val -> () -> {
            Asyncio.sleep(Duration.ZERO);
            cvar.set(val);
            return null;
        };
        try {
            Task<List<Integer>> task = main.apply(() -> {
                List<Integer> ret = new ArrayList<>();
                Context ctx = Contextvars.copyContext();
                ret.add(ctx.get(cvar));
                Task<Void> t1 = create.apply(coro.apply(1), ctx);
                t1.await();
                ret.add(ctx.get(cvar));
                Task<Void> t2 = create.apply(coro.apply(2), ctx);
                t2.await();
                ret.add(ctx.get(cvar));
                return ret;
            });
            List<Integer> ret = l.runUntilComplete(task);
            assertEquals(Arrays.asList(null, 1, 2), ret);
        } finally {
            l.close();
        }
    }

    /** self.new_task(loop, coro, context=ctx): the tasks' sets land in ctx. */
    @Test
    @DisplayName("test_context_4")
    void testContext4() {
        EventLoop l = Asyncio.newEventLoop();
        contextGiven((coro, ctx) -> newTask(l, coro, ctx), l, main -> newTask(l, main));
    }

    /** asyncio.create_task(coro, context=ctx): the tasks' sets land in ctx. */
    @Test
    @DisplayName("test_context_5")
    void testContext5() {
        EventLoop l = Asyncio.newEventLoop();
        contextGiven((coro, ctx) -> Asyncio.createTask(coro, null, ctx), l, main -> newTask(l, main));
    }

    /** loop.create_task(coro, context=ctx): the tasks' sets land in ctx. */
    @Test
    @DisplayName("test_context_6")
    void testContext6() {
        EventLoop l = Asyncio.newEventLoop();
        contextGiven((coro, ctx) -> l.createTask(coro, null, ctx), l, main -> l.createTask(main));
    }

    /** getContext() is the context the task was given. */
    @Test
    @DisplayName("test_get_context")
    void testGetContext() {
        EventLoop l = Asyncio.newEventLoop();
        Callable<Object> coro = () -> null;
        Context context = Contextvars.copyContext();
        try {
            Task<Object> task = newTask(l, coro, context);
            l.runUntilComplete(task);
            assertSame(context, task.getContext());
        } finally {
            l.close();
        }
    }

    /** Task has one type parameter, its result's type: the Java form of {@code Task[str]}. */
    @Test
    @DisplayName("test_generic_alias")
    void testGenericAlias() {
        assertEquals(1, Task.class.getTypeParameters().length);
        Task<String> t = newTask(loop, () -> "s");
        String s = loop.runUntilComplete(t);
        assertEquals("s", s);
    }

    /**
     * A delay that is no duration (Python's NaN) fails the sleep with IllegalArgumentException
     * (Python's ValueError): Java's Duration has no NaN, and its one value that is no duration is null.
     */
    @Test
    @DisplayName("test_sleep_when_delay_is_nan")
    void testSleepWhenDelayIsNan() {
        Task<Object> t = newTask(loop, () -> {
            Asyncio.sleep(null);
            return null;
        });
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loop.runUntilComplete(t));
        assertTrue(e.getMessage().startsWith("delay must not be null"), e.getMessage());
    }

    /**
     * What is no body cannot become a task: IllegalArgumentException (Python's TypeError "a
     * coroutine was expected"), twice. Java's compiler refuses Python's 123; the one value of a
     * body's type that is no body is null.
     */
    @Test
    @DisplayName("test_create_task_with_noncoroutine")
    void testCreateTaskWithNoncoroutine() {
        for (int i = 0; i < 2; i++) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> newTask(loop, (Callable<Object>) null));
            assertEquals("the task body must not be null", e.getMessage());
        }
    }

    /** ensureFuture of neither a future nor a body (null, in Java) is IllegalArgumentException (Python's TypeError). */
    @Test
    @DisplayName("test_ensure_future_neither")
    void testEnsureFutureNeither() {
        loop.runUntilComplete(() -> {
            assertThrows(IllegalArgumentException.class, () -> Asyncio.ensureFuture((Future<Object>) null));
            assertThrows(IllegalArgumentException.class, () -> Asyncio.ensureFuture((Callable<Object>) null));
            return null;
        });
    }

    /**
     * asCompleted of what is no collection of futures is IllegalArgumentException (Python's
     * TypeError for one future or coroutine, which Java's compiler refuses; null is what compiles).
     */
    @Test
    @DisplayName("test_as_completed_invalid_args")
    void testAsCompletedInvalidArgs() {
        assertThrows(IllegalArgumentException.class, () -> Asyncio.asCompleted(null).iterator().next());
        loop.runUntilComplete(() -> {
            assertThrows(IllegalArgumentException.class, () -> Asyncio.asCompleted(null).iterator().next());
            return null;
        });
    }

    /** A failed task cancelled (cancel() of a done task) is not reported when it is collected. */
    @Test
    @DisplayName("test_tb_logger_not_called_after_cancel")
    void testTbLoggerNotCalledAfterCancel() {
        List<Map<String, Object>> reports = loop.runUntilComplete(() -> NeverRetrieved.reportsOfCollected(() -> {
            Task<Object> task = newTask(loop, () -> {
                throw new ClassCastException();               // Python's TypeError
            });
            Asyncio.sleep(Duration.ofMillis(50));
            task.cancel();
            return task;
        }));
        assertEquals(List.of(), reports);
    }

    /**
     * A task pending on a future when its loop goes: the exception handler gets "Task was
     * destroyed but it is pending!" with the task. CPython reports it when the collector frees
     * the task; a pyconc loop holds its pending tasks, and reports them when it is closed.
     */
    @Test
    @DisplayName("test_log_destroyed_pending_task")
    void testLogDestroyedPendingTask() {
        List<Map<String, Object>> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
        loop.setDebug(true);
        loop.setExceptionHandler((l, context) -> calls.add(context));
        Future<Object> task = Asyncio.ensureFuture(() -> {
            Future<Object> future = newFuture(loop);
            future.await();
            throw new IllegalStateException("code never reached");
        }, loop);
        assertEquals(Set.of(task), loop.runUntilComplete(() -> {
            Set<Task<?>> all = new HashSet<>(Asyncio.allTasks());
            all.remove(Asyncio.currentTask());
            return all;
        }));
        assertEquals(List.of(), calls);
        loop.close();
        assertEquals(1, calls.size(), calls.toString());
        assertEquals("Task was destroyed but it is pending!", calls.get(0).get("message"));
        assertSame(task, calls.get(0).get("task"));
    }
}
