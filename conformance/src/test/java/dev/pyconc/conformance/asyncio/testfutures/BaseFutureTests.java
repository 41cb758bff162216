package dev.pyconc.conformance.asyncio.testfutures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.CancelledError;
import dev.pyconc.asyncio.EventLoop;
import dev.pyconc.asyncio.Future;
import dev.pyconc.asyncio.InvalidStateError;
import dev.pyconc.conformance.asyncio.IsolatedAsyncioTestCase;
import dev.pyconc.futures.ThreadPoolExecutor;

/**
 * test_asyncio/test_futures.py's {@code BaseFutureTests}. CPython runs it for its C and its
 * Python Future; pyconc has one Future, run once by {@link PyFutureTests}. CPython's test loop
 * is a loop of the test's own: here each test runs in a new loop ({@code Asyncio.run}), and
 * {@code test_utils.run_briefly} is a {@code sleep(0)} of the test's task.
 */
public abstract class BaseFutureTests extends IsolatedAsyncioTestCase {

    /** A new future of the class under test, on the running loop: CPython's {@code self._new_future(loop=...)}. */
    protected abstract <T> Future<T> newFuture();

    /** Future's one type parameter, the result type: the Java form of {@code Future[str]}. */
    @Test
    @DisplayName("test_generic_alias")
    void testGenericAlias() {
        assertEquals(1, Future.class.getTypeParameters().length);
        run(() -> {
            Future<String> f = newFuture();
            f.setResult("s");
            String s = f.result();
            assertEquals("s", s);
        });
    }

    /** A new future is pending; cancel() cancels it. */
    @Test
    @DisplayName("test_initial_state")
    void testInitialState() {
        run(() -> {
            Future<Object> f = newFuture();
            assertFalse(f.cancelled());
            assertFalse(f.done());
            f.cancel();
            assertTrue(f.cancelled());
        });
    }

    /** A future made with no loop running or current is IllegalStateException (Python's RuntimeError). */
    @Test
    @DisplayName("test_constructor_without_loop")
    void testConstructorWithoutLoop() {
        Asyncio.setEventLoop(null);                 // as CPython's test case does in setUp (test_utils)
        IllegalStateException e = assertThrows(IllegalStateException.class, this::newFuture);
        assertTrue(e.getMessage().contains("no current event loop"), e.getMessage());
    }

    /** A future made with no loop running belongs to the thread's current loop (Asyncio.setEventLoop). */
    @Test
    @DisplayName("test_constructor_use_global_loop")
    void testConstructorUseGlobalLoop() {
        try (EventLoop loop = Asyncio.newEventLoop()) {
            Asyncio.setEventLoop(loop);
            try {
                Future<Object> f = newFuture();
                assertSame(loop, f.getLoop());
            } finally {
                Asyncio.setEventLoop(null);
            }
        }
    }

    /** A future made in a task belongs to the running loop. */
    @Test
    @DisplayName("test_constructor_use_running_loop")
    void testConstructorUseRunningLoop() {
        run(() -> {
            Future<Object> f = newFuture();
            assertSame(Asyncio.getRunningLoop(), f.getLoop());
        });
    }

    /** cancel(msg): the CancelledError of the future carries the message (CPython's _cancel_message). */
    @Test
    @DisplayName("test_future_cancel_message_getter")
    void testFutureCancelMessageGetter() {
        run(() -> {
            Future<Object> f = newFuture();
            f.cancel("my message");
            CancelledError e = assertThrows(CancelledError.class, f::await);
            assertEquals("my message", e.getMessage());
        });
    }

    /** A cancelled future: its result and exception raise CancelledError, and it cannot be set or cancelled again. */
    @Test
    @DisplayName("test_cancel")
    void testCancel() {
        run(() -> {
            Future<Object> f = newFuture();
            assertTrue(f.cancel());
            assertTrue(f.cancelled());
            assertTrue(f.done());
            assertThrows(CancelledError.class, f::result);
            assertThrows(CancelledError.class, f::exception);
            assertThrows(InvalidStateError.class, () -> f.setResult(null));
            assertThrows(InvalidStateError.class, () -> f.setException(null));
            assertFalse(f.cancel());
        });
    }

    /** result() of a pending future is InvalidStateError; once set, the result stays. */
    @Test
    @DisplayName("test_result")
    void testResult() {
        run(() -> {
            Future<Integer> f = newFuture();
            assertThrows(InvalidStateError.class, f::result);
            f.setResult(42);
            assertFalse(f.cancelled());
            assertTrue(f.done());
            assertEquals(42, f.result());
            assertNull(f.exception());
            assertThrows(InvalidStateError.class, () -> f.setResult(null));
            assertThrows(InvalidStateError.class, () -> f.setException(null));
            assertFalse(f.cancel());
        });
    }

    /** exception() of a pending future is InvalidStateError; once set, result() raises it. */
    @Test
    @DisplayName("test_exception")
    void testException() {
        run(() -> {
            IllegalStateException exc = new IllegalStateException();      // Python's RuntimeError()
            Future<Object> f = newFuture();
            assertThrows(InvalidStateError.class, f::exception);
            f.setException(exc);
            assertFalse(f.cancelled());
            assertTrue(f.done());
            assertThrows(IllegalStateException.class, f::result);
            assertSame(exc, f.exception());
            assertThrows(InvalidStateError.class, () -> f.setResult(null));
            assertThrows(InvalidStateError.class, () -> f.setException(null));
            assertFalse(f.cancel());
        });
    }

    /** wrapFuture of a thread pool's future gives its result on the loop, computed in another thread. */
    @Test
    @DisplayName("test_wrap_future")
    void testWrapFuture() {
        try (ThreadPoolExecutor ex = new ThreadPoolExecutor(1)) {
            run(() -> {
                EventLoop loop = Asyncio.getRunningLoop();
                dev.pyconc.futures.Future<List<Object>> f1 = ex.submit(() -> List.of("oi", Thread.currentThread().threadId()));
                Future<List<Object>> f2 = Asyncio.wrapFuture(f1, loop);
                List<Object> r = f2.await();
                assertEquals("oi", r.get(0));
                assertNotEquals(Thread.currentThread().threadId(), r.get(1));
            });
        }
    }

    /** wrapFuture with no loop running or current is IllegalStateException. */
    @Test
    @DisplayName("test_wrap_future_without_loop")
    void testWrapFutureWithoutLoop() {
        Asyncio.setEventLoop(null);                 // as CPython's test case does in setUp (test_utils)
        try (ThreadPoolExecutor ex = new ThreadPoolExecutor(1)) {
            dev.pyconc.futures.Future<String> f1 = ex.submit(() -> "oi");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Asyncio.wrapFuture(f1));
            assertTrue(e.getMessage().contains("no current event loop"), e.getMessage());
        }
    }

    /** wrapFuture with no loop running wraps on the thread's current loop. */
    @Test
    @DisplayName("test_wrap_future_use_global_loop")
    void testWrapFutureUseGlobalLoop() {
        try (EventLoop loop = Asyncio.newEventLoop(); ThreadPoolExecutor ex = new ThreadPoolExecutor(1)) {
            Asyncio.setEventLoop(loop);
            try {
                dev.pyconc.futures.Future<String> f1 = ex.submit(() -> "oi");
                Future<String> f2 = Asyncio.wrapFuture(f1);
                assertSame(loop, f2.getLoop());
            } finally {
                Asyncio.setEventLoop(null);
            }
        }
    }

    /** wrapFuture in a task uses the running loop. */
    @Test
    @DisplayName("test_wrap_future_use_running_loop")
    void testWrapFutureUseRunningLoop() {
        try (ThreadPoolExecutor ex = new ThreadPoolExecutor(1)) {
            dev.pyconc.futures.Future<String> f1 = ex.submit(() -> "oi");
            run(() -> {
                Future<String> f2 = Asyncio.wrapFuture(f1);
                assertSame(Asyncio.getRunningLoop(), f2.getLoop());
            });
        }
    }

    /** Cancelling the wrapper cancels the concurrent future. */
    @Test
    @DisplayName("test_wrap_future_cancel")
    void testWrapFutureCancel() {
        run(() -> {
            dev.pyconc.futures.Future<Object> f1 = new dev.pyconc.futures.Future<>();
            Future<Object> f2 = Asyncio.wrapFuture(f1, Asyncio.getRunningLoop());
            f2.cancel();
            sleep0();
            assertTrue(f1.cancelled());
            assertTrue(f2.cancelled());
        });
    }

    /** Cancelling the wrapper of a concurrent future that has its result leaves the source's result alone. */
    @Test
    @DisplayName("test_wrap_future_cancel2")
    void testWrapFutureCancel2() {
        run(() -> {
            dev.pyconc.futures.Future<Integer> f1 = new dev.pyconc.futures.Future<>();
            Future<Integer> f2 = Asyncio.wrapFuture(f1, Asyncio.getRunningLoop());
            f1.setResult(42);
            f2.cancel();
            sleep0();
            assertFalse(f1.cancelled());
            assertEquals(42, f1.result());
            assertTrue(f2.cancelled());
        });
    }

    /** wrapFuture of an asyncio future returns it. */
    @Test
    @DisplayName("test_wrap_future_future")
    void testWrapFutureFuture() {
        run(() -> {
            Future<Object> f1 = newFuture();
            Future<Object> f2 = Asyncio.wrapFuture(f1);
            assertSame(f1, f2);
            f1.cancel();
        });
    }

    // ---------------------------------------------------------------- never-retrieved exceptions

    /** See {@link NeverRetrieved}: the reports, other than the sentinel's, of what {@code make} drops, in a loop of its own. */
    private List<Map<String, Object>> reportsOfCollected(Supplier<Future<?>> make) {
        List<List<Map<String, Object>>> reports = new ArrayList<>();
        run(() -> reports.add(NeverRetrieved.reportsOfCollected(make)));
        return reports.get(0);
    }

    /** A pending future dropped: nothing is reported. */
    @Test
    @DisplayName("test_tb_logger_abandoned")
    void testTbLoggerAbandoned() {
        assertEquals(List.of(), reportsOfCollected(this::newFuture));
    }

    /** A failed future cancelled (cancel() of a done future) is not reported. */
    @Test
    @DisplayName("test_tb_logger_not_called_after_cancel")
    void testTbLoggerNotCalledAfterCancel() {
        assertEquals(List.of(), reportsOfCollected(() -> {
            Future<Object> fut = newFuture();
            fut.setException(new RuntimeException());
            fut.cancel();
            return fut;
        }));
    }

    /** A result nobody retrieved is not reported. */
    @Test
    @DisplayName("test_tb_logger_result_unretrieved")
    void testTbLoggerResultUnretrieved() {
        assertEquals(List.of(), reportsOfCollected(() -> {
            Future<Object> fut = newFuture();
            fut.setResult(42);
            return fut;
        }));
    }

    /** A retrieved result is not reported. */
    @Test
    @DisplayName("test_tb_logger_result_retrieved")
    void testTbLoggerResultRetrieved() {
        assertEquals(List.of(), reportsOfCollected(() -> {
            Future<Object> fut = newFuture();
            fut.setResult(42);
            fut.result();
            return fut;
        }));
    }

    /** An exception nobody retrieved is reported once the future is collected. */
    @Test
    @DisplayName("test_tb_logger_exception_unretrieved")
    void testTbLoggerExceptionUnretrieved() {
        RuntimeException boom = new IllegalStateException("boom");
        List<Map<String, Object>> reports = reportsOfCollected(() -> {
            Future<Object> fut = newFuture();
            fut.setException(boom);
            return fut;
        });
        assertEquals(1, reports.size(), reports.toString());
        assertSame(boom, reports.get(0).get("exception"));
    }

    /** An exception retrieved with exception() is not reported. */
    @Test
    @DisplayName("test_tb_logger_exception_retrieved")
    void testTbLoggerExceptionRetrieved() {
        assertEquals(List.of(), reportsOfCollected(() -> {
            Future<Object> fut = newFuture();
            fut.setException(new IllegalStateException("boom"));
            fut.exception();
            return fut;
        }));
    }

    /** An exception raised by result() is not reported. */
    @Test
    @DisplayName("test_tb_logger_exception_result_retrieved")
    void testTbLoggerExceptionResultRetrieved() {
        assertEquals(List.of(), reportsOfCollected(() -> {
            Future<Object> fut = newFuture();
            fut.setException(new IllegalStateException("boom"));
            assertThrows(IllegalStateException.class, fut::result);
            return fut;
        }));
    }

    /** The report of a never-retrieved exception: once, "Future exception was never retrieved", with the exception. */
    private void checkFutureExceptionNeverRetrieved(boolean debug) {
        OutOfMemoryError exc = new OutOfMemoryError();          // Python's MemoryError
        List<Map<String, Object>> reports = reportsOfCollected(() -> {
            Asyncio.getRunningLoop().setDebug(debug);
            Future<Object> future = newFuture();
            future.setException(exc);
            return future;
        });
        assertEquals(1, reports.size(), reports.toString());
        assertSame(exc, reports.get(0).get("exception"));
        assertTrue(Pattern.compile("^" + Future.class.getSimpleName() + " exception was never retrieved", Pattern.DOTALL)
                .matcher(String.valueOf(reports.get(0).get("message"))).find(), String.valueOf(reports.get(0).get("message")));
    }

    /** Outside debug mode. */
    @Test
    @DisplayName("test_future_exception_never_retrieved")
    void testFutureExceptionNeverRetrieved() {
        checkFutureExceptionNeverRetrieved(false);
    }

    /** In debug mode. */
    @Test
    @DisplayName("test_future_exception_never_retrieved_debug")
    void testFutureExceptionNeverRetrievedDebug() {
        checkFutureExceptionNeverRetrieved(true);
    }
}
