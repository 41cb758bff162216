package dev.pyconc.conformance.concurrentfutures.testfuture;

import static dev.pyconc.conformance.concurrentfutures.util.Util.cancelledAndNotifiedFuture;
import static dev.pyconc.conformance.concurrentfutures.util.Util.cancelledFuture;
import static dev.pyconc.conformance.concurrentfutures.util.Util.exceptionFuture;
import static dev.pyconc.conformance.concurrentfutures.util.Util.pendingFuture;
import static dev.pyconc.conformance.concurrentfutures.util.Util.runningFuture;
import static dev.pyconc.conformance.concurrentfutures.util.Util.successfulFuture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.builtins.OSError;
import dev.pyconc.builtins.TimeoutError;
import dev.pyconc.futures.CancelledError;
import dev.pyconc.futures.Future;
import dev.pyconc.futures.InvalidStateError;
import dev.pyconc.testing.Threads;

/**
 * test_concurrent_futures/test_future.py's {@code FutureTests}: a {@link Future} by itself.
 *
 * <p>The futures in each state are {@link dev.pyconc.conformance.concurrentfutures.util.Util}'s.
 * Where CPython reads {@code _state}, the test reads
 * {@code cancelled()}, {@code running()}, {@code done()} and the state {@code toString()} shows.
 * Python's repr {@code <Future at 0x... state=...>} is {@code Future@hex[state=...]}.
 */
class FutureTests {
    private static final String REPR = "Future@[0-9a-f]+\\[state=";

    private static void assertRepr(String regex, Future<?> f) {
        assertTrue(Pattern.matches(REPR + regex, f.toString()), f + " does not match " + REPR + regex);
    }

    /** What SLF4J's simple logger writes to standard error while {@code body} runs: support.captured_stderr(). */
    private static String capturedStderr(Runnable body) {
        PrintStream old = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(old);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("test_done_callback_with_result")
    void testDoneCallbackWithResult() {
        AtomicReference<Object> callbackResult = new AtomicReference<>();
        Future<Object> f = new Future<>();
        f.addDoneCallback(cf -> callbackResult.set(cf.result()));
        f.setResult(5);
        assertEquals(5, callbackResult.get());
    }

    @Test
    @DisplayName("test_done_callback_with_exception")
    void testDoneCallbackWithException() {
        AtomicReference<Throwable> callbackException = new AtomicReference<>();
        Future<Object> f = new Future<>();
        f.addDoneCallback(cf -> callbackException.set(cf.exception()));
        f.setException(new RuntimeException("test"));
        assertEquals("test", callbackException.get().getMessage());
    }

    @Test
    @DisplayName("test_done_callback_with_cancel")
    void testDoneCallbackWithCancel() {
        AtomicReference<Boolean> wasCancelled = new AtomicReference<>();
        Future<Object> f = new Future<>();
        f.addDoneCallback(cf -> wasCancelled.set(cf.cancelled()));
        assertTrue(f.cancel());
        assertEquals(true, wasCancelled.get());
    }

    /** A callback that throws is logged to standard error, and the next callback still runs. */
    @Test
    @DisplayName("test_done_callback_raises")
    void testDoneCallbackRaises() {
        AtomicBoolean raisingWasCalled = new AtomicBoolean();
        AtomicBoolean fnWasCalled = new AtomicBoolean();
        String stderr = capturedStderr(() -> {
            Future<Object> f = new Future<>();
            f.addDoneCallback(cf -> {
                raisingWasCalled.set(true);
                throw new RuntimeException("doh!");
            });
            f.addDoneCallback(cf -> fnWasCalled.set(true));
            f.setResult(5);
        });
        assertTrue(raisingWasCalled.get());
        assertTrue(fnWasCalled.get());
        assertTrue(stderr.contains("Exception: doh!"), stderr);
    }

    @Test
    @DisplayName("test_done_callback_already_successful")
    void testDoneCallbackAlreadySuccessful() {
        AtomicReference<Object> callbackResult = new AtomicReference<>();
        Future<Object> f = new Future<>();
        f.setResult(5);
        f.addDoneCallback(cf -> callbackResult.set(cf.result()));
        assertEquals(5, callbackResult.get());
    }

    @Test
    @DisplayName("test_done_callback_already_failed")
    void testDoneCallbackAlreadyFailed() {
        AtomicReference<Throwable> callbackException = new AtomicReference<>();
        Future<Object> f = new Future<>();
        f.setException(new RuntimeException("test"));
        f.addDoneCallback(cf -> callbackException.set(cf.exception()));
        assertEquals("test", callbackException.get().getMessage());
    }

    @Test
    @DisplayName("test_done_callback_already_cancelled")
    void testDoneCallbackAlreadyCancelled() {
        AtomicReference<Boolean> wasCancelled = new AtomicReference<>();
        Future<Object> f = new Future<>();
        assertTrue(f.cancel());
        f.addDoneCallback(cf -> wasCancelled.set(cf.cancelled()));
        assertEquals(true, wasCancelled.get());
    }

    /** A callback added to a finished future runs at once; what it throws is logged, naming the future. */
    @Test
    @DisplayName("test_done_callback_raises_already_succeeded")
    void testDoneCallbackRaisesAlreadySucceeded() {
        String stderr = capturedStderr(() -> {
            Future<Object> f = new Future<>();
            f.setResult(5);
            f.addDoneCallback(cf -> {
                throw new RuntimeException("doh!");
            });
        });
        assertTrue(stderr.contains("exception calling callback for"), stderr);
        assertTrue(stderr.contains("doh!"), stderr);
    }

    /** toString names the state as Python's repr does: cancelled for both cancelled states. */
    @Test
    @DisplayName("test_repr")
    void testRepr() {
        assertRepr("pending\\]", pendingFuture());
        assertRepr("running\\]", runningFuture());
        assertRepr("cancelled\\]", cancelledFuture());
        assertRepr("cancelled\\]", cancelledAndNotifiedFuture());
        assertRepr("finished raised OSError\\]", exceptionFuture());
        assertRepr("finished returned Integer\\]", successfulFuture());
    }

    /** cancel() succeeds on a pending or cancelled future and leaves running and finished ones as they are. */
    @Test
    @DisplayName("test_cancel")
    void testCancel() {
        Future<Object> f1 = pendingFuture();
        Future<Object> f2 = runningFuture();
        Future<Object> f3 = cancelledFuture();
        Future<Object> f4 = cancelledAndNotifiedFuture();
        Future<Object> f5 = exceptionFuture();
        Future<Object> f6 = successfulFuture();

        assertTrue(f1.cancel());
        assertRepr("cancelled\\]", f1);
        assertFalse(f2.cancel());
        assertTrue(f2.running());
        assertRepr("running\\]", f2);
        assertTrue(f3.cancel());
        assertRepr("cancelled\\]", f3);
        assertTrue(f4.cancel());
        assertRepr("cancelled\\]", f4);
        // still CANCELLED_AND_NOTIFIED: a CANCELLED future would return false here
        assertThrows(IllegalStateException.class, f4::setRunningOrNotifyCancel);
        assertFalse(f5.cancel());
        assertRepr("finished raised OSError\\]", f5);
        assertFalse(f6.cancel());
        assertRepr("finished returned Integer\\]", f6);
    }

    @Test
    @DisplayName("test_cancelled")
    void testCancelled() {
        assertFalse(pendingFuture().cancelled());
        assertFalse(runningFuture().cancelled());
        assertTrue(cancelledFuture().cancelled());
        assertTrue(cancelledAndNotifiedFuture().cancelled());
        assertFalse(exceptionFuture().cancelled());
        assertFalse(successfulFuture().cancelled());
    }

    @Test
    @DisplayName("test_done")
    void testDone() {
        assertFalse(pendingFuture().done());
        assertFalse(runningFuture().done());
        assertTrue(cancelledFuture().done());
        assertTrue(cancelledAndNotifiedFuture().done());
        assertTrue(exceptionFuture().done());
        assertTrue(successfulFuture().done());
    }

    @Test
    @DisplayName("test_running")
    void testRunning() {
        assertFalse(pendingFuture().running());
        assertTrue(runningFuture().running());
        assertFalse(cancelledFuture().running());
        assertFalse(cancelledAndNotifiedFuture().running());
        assertFalse(exceptionFuture().running());
        assertFalse(successfulFuture().running());
    }

    @Test
    @DisplayName("test_result_with_timeout")
    void testResultWithTimeout() {
        assertThrows(TimeoutError.class, () -> pendingFuture().result(Duration.ZERO));
        assertThrows(TimeoutError.class, () -> runningFuture().result(Duration.ZERO));
        assertThrows(CancelledError.class, () -> cancelledFuture().result(Duration.ZERO));
        assertThrows(CancelledError.class, () -> cancelledAndNotifiedFuture().result(Duration.ZERO));
        assertThrows(OSError.class, () -> exceptionFuture().result(Duration.ZERO));
        assertEquals(42, successfulFuture().result(Duration.ZERO));
    }

    /** A result set by another thread while this one waits (CPython sleeps 1 s; here: until this thread is parked in the future). */
    @Test
    @DisplayName("test_result_with_success")
    void testResultWithSuccess() {
        Future<Object> f1 = pendingFuture();
        java.lang.Thread waiter = java.lang.Thread.currentThread();
        var t = Threads.run("notification", () -> {
            Threads.untilParkedIn(waiter, Future.class);
            f1.setResult(42);
        });
        assertEquals(42, f1.result(Duration.ofSeconds(5)));
        t.get();
    }

    @Test
    @DisplayName("test_result_with_cancel")
    void testResultWithCancel() {
        Future<Object> f1 = pendingFuture();
        java.lang.Thread waiter = java.lang.Thread.currentThread();
        var t = Threads.run("notification", () -> {
            Threads.untilParkedIn(waiter, Future.class);
            f1.cancel();
        });
        assertThrows(CancelledError.class, () -> f1.result(Duration.ofSeconds(30)));
        t.get();
    }

    @Test
    @DisplayName("test_exception_with_timeout")
    void testExceptionWithTimeout() {
        assertThrows(TimeoutError.class, () -> pendingFuture().exception(Duration.ZERO));
        assertThrows(TimeoutError.class, () -> runningFuture().exception(Duration.ZERO));
        assertThrows(CancelledError.class, () -> cancelledFuture().exception(Duration.ZERO));
        assertThrows(CancelledError.class, () -> cancelledAndNotifiedFuture().exception(Duration.ZERO));
        assertInstanceOf(OSError.class, exceptionFuture().exception(Duration.ZERO));
        assertNull(successfulFuture().exception(Duration.ZERO));
    }

    /**
     * An exception set by another thread while this one waits in exception(timeout). CPython's
     * notifier writes {@code _state} and {@code _exception} under {@code _condition}; the public
     * form of that is setException.
     */
    @Test
    @DisplayName("test_exception_with_success")
    void testExceptionWithSuccess() {
        Future<Object> f1 = pendingFuture();
        java.lang.Thread waiter = java.lang.Thread.currentThread();
        var t = Threads.run("notification", () -> {
            Threads.untilParkedIn(waiter, Future.class);
            f1.setException(new OSError("test"));
        });
        assertInstanceOf(OSError.class, f1.exception(Duration.ofSeconds(30)));
        t.get();
    }

    /** A second setResult throws InvalidStateError naming the state and the future; the first result stays. */
    @Test
    @DisplayName("test_multiple_set_result")
    void testMultipleSetResult() {
        Future<Object> f = pendingFuture();
        f.setResult(1);
        InvalidStateError e = assertThrows(InvalidStateError.class, () -> f.setResult(2));
        assertTrue(Pattern.matches("FINISHED: " + REPR + "finished returned Integer\\]", e.getMessage()), e.getMessage());
        assertTrue(f.done());
        assertEquals(1, f.result());
    }

    @Test
    @DisplayName("test_multiple_set_exception")
    void testMultipleSetException() {
        Future<Object> f = pendingFuture();
        IllegalArgumentException e = new IllegalArgumentException();
        f.setException(e);
        InvalidStateError err = assertThrows(InvalidStateError.class, () -> f.setException(new RuntimeException()));
        assertTrue(Pattern.matches("FINISHED: " + REPR + "finished raised IllegalArgumentException\\]", err.getMessage()),
                err.getMessage());
        assertEquals(e, f.exception());
    }
}
