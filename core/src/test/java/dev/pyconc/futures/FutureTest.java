package dev.pyconc.futures;

import static dev.pyconc.testing.Threads.untilParkedIn;
import static dev.pyconc.testing.Timing.SHORT;
import static dev.pyconc.testing.Timing.assertRejectsBadTimeouts;
import static dev.pyconc.testing.Timing.assertThrowsNoEarlierThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.pyconc.testing.Threads;
import dev.pyconc.builtins.TimeoutError;

class FutureTest {

    /** pending -> running -> finished, as done(), running() and cancelled() report. */
    @Test
    void states() {
        Future<String> f = new Future<>();
        assertFalse(f.running());
        assertFalse(f.done());
        assertFalse(f.cancelled());
        assertTrue(f.toString().endsWith("[state=pending]"), f.toString());
        assertTrue(f.setRunningOrNotifyCancel());
        assertTrue(f.running());
        assertFalse(f.done());
        f.setResult("x");
        assertFalse(f.running());
        assertTrue(f.done());
        assertFalse(f.cancelled());
        assertEquals("x", f.result());
        assertEquals("x", f.result(Duration.ZERO));
        assertNull(f.exception());
        assertTrue(f.toString().endsWith("[state=finished returned String]"), f.toString());
    }

    /** cancel succeeds only while pending; a cancelled future stays cancelled. */
    @Test
    void cancelOnlyWhilePending() {
        Future<String> pending = new Future<>();
        assertTrue(pending.cancel());
        assertTrue(pending.cancel());
        assertTrue(pending.cancelled());
        assertTrue(pending.done());
        assertFalse(pending.setRunningOrNotifyCancel());
        assertTrue(pending.cancelled());
        assertThrows(IllegalStateException.class, pending::setRunningOrNotifyCancel);

        Future<String> running = new Future<>();
        running.setRunningOrNotifyCancel();
        assertFalse(running.cancel());
        assertFalse(running.cancelled());
        assertThrows(IllegalStateException.class, running::setRunningOrNotifyCancel);

        Future<String> finished = new Future<>();
        finished.setResult("done");
        assertFalse(finished.cancel());
        assertEquals("done", finished.result());
    }

    /** result and exception of a cancelled future throw CancelledError (a CancellationException). */
    @Test
    void cancelledResult() {
        Future<String> f = new Future<>();
        f.cancel();
        CancelledError e = assertThrows(CancelledError.class, f::result);
        assertInstanceOf(CancellationException.class, e);
        assertThrows(CancelledError.class, () -> f.result(Duration.ZERO));
        assertThrows(CancelledError.class, f::exception);
        assertThrows(CancelledError.class, () -> f.exception(Duration.ZERO));
    }

    /** An unchecked failure is thrown as is; a checked one arrives wrapped in CompletionException. */
    @Test
    void failures() {
        Future<String> unchecked = new Future<>();
        IllegalArgumentException boom = new IllegalArgumentException("boom");
        unchecked.setException(boom);
        assertSame(boom, assertThrows(IllegalArgumentException.class, unchecked::result));
        assertSame(boom, unchecked.exception());
        assertTrue(unchecked.toString().endsWith("[state=finished raised IllegalArgumentException]"));

        Future<String> checked = new Future<>();
        IOException io = new IOException("disk");
        checked.setException(io);
        CompletionException wrapped = assertThrows(CompletionException.class, checked::result);
        assertSame(io, wrapped.getCause());
        assertSame(io, checked.exception(Duration.ZERO));

        Future<String> error = new Future<>();
        StackOverflowError so = new StackOverflowError();
        error.setException(so);
        assertSame(so, assertThrows(StackOverflowError.class, error::result));
    }

    /** result and exception with a timeout throw TimeoutError no earlier than the timeout. */
    @Test
    void timeouts() {
        Future<String> f = new Future<>();
        TimeoutError e = assertThrowsNoEarlierThan(TimeoutError.class, SHORT, () -> f.result(SHORT));
        assertEquals("the future did not finish in time", e.getMessage());
        assertThrowsNoEarlierThan(TimeoutError.class, SHORT, () -> f.exception(SHORT));
        assertThrows(TimeoutError.class, () -> f.result(Duration.ZERO));
        assertRejectsBadTimeouts(f::result);
        assertRejectsBadTimeouts(f::exception);
        assertFalse(f.done());
    }

    /** setResult/setException on a finished or cancelled future throw InvalidStateError. */
    @Test
    void invalidState() {
        Future<String> f = new Future<>();
        f.setResult("a");
        assertThrows(InvalidStateError.class, () -> f.setResult("b"));
        assertThrows(InvalidStateError.class, () -> f.setException(new RuntimeException()));
        assertEquals("a", f.result());
        Future<String> c = new Future<>();
        c.cancel();
        assertThrows(InvalidStateError.class, () -> c.setResult("b"));
        assertTrue(c.cancelled());
        assertThrows(IllegalArgumentException.class, () -> new Future<String>().setException(null));
    }

    /** A blocked result() returns the value another thread sets; an interrupted one throws InterruptedError. */
    @Test
    void blockedResult() {
        Future<Integer> f = new Future<>();
        var waiter = Threads.start("waiter", f::result);
        untilParkedIn(waiter.thread(), Future.class);
        f.setResult(42);
        assertEquals(42, waiter.get());
        Future<Integer> never = new Future<>();
        Threads.assertInterruptible(Future.class, never::result);
        Threads.assertInterruptible(Future.class, () -> never.exception(Duration.ofSeconds(30)));
    }

    /** Callbacks run once, in the order added, in the completing thread; added when done, at once in the caller. */
    @Test
    void doneCallbacks() {
        Future<String> f = new Future<>();
        List<String> calls = new ArrayList<>();
        f.addDoneCallback(x -> calls.add("first in " + java.lang.Thread.currentThread().getName()));
        f.addDoneCallback(x -> calls.add("second " + x.result()));
        Threads.run("completer", () -> f.setResult("v")).get();
        assertEquals(List.of("first in completer", "second v"), calls);
        f.addDoneCallback(x -> calls.add("late in " + java.lang.Thread.currentThread().getName()));
        assertEquals("late in " + java.lang.Thread.currentThread().getName(), calls.get(2));
        assertEquals(3, calls.size());
        Future<String> c = new Future<>();
        c.addDoneCallback(x -> calls.add("cancelled " + x.cancelled()));
        c.cancel();
        assertEquals("cancelled true", calls.get(3));
        assertThrows(IllegalArgumentException.class, () -> c.addDoneCallback(null));
    }

    /** A callback's exception is logged through SLF4J, never thrown, and later callbacks still run. */
    @Test
    void callbackExceptionsAreLogged() {
        Future<String> f = new Future<>();
        int[] after = {0};
        f.addDoneCallback(x -> {
            throw new IllegalStateException("callback broke");
        });
        f.addDoneCallback(x -> after[0]++);
        PrintStream saved = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            f.setResult("ok");
            f.addDoneCallback(x -> {
                throw new IllegalStateException("late callback broke");
            });
        } finally {
            System.setErr(saved);
        }
        assertEquals(1, after[0]);
        String log = captured.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("ERROR dev.pyconc.futures.Future - exception calling callback for Future@"), log);
        assertTrue(log.contains("java.lang.IllegalStateException: callback broke"), log);
        assertTrue(log.contains("java.lang.IllegalStateException: late callback broke"), log);
    }

    /** toCompletableFuture completes with the result, the failure, or cancellation. */
    @Test
    void toCompletableFuture() throws Exception {
        Future<String> f = new Future<>();
        CompletableFuture<String> cf = f.toCompletableFuture();
        assertFalse(cf.isDone());
        f.setResult("v");
        assertEquals("v", cf.get(30, TimeUnit.SECONDS));

        Future<String> failing = new Future<>();
        CompletableFuture<String> cf2 = failing.toCompletableFuture();
        IllegalStateException boom = new IllegalStateException("boom");
        failing.setException(boom);
        assertSame(boom, assertThrows(ExecutionException.class, cf2::get).getCause());

        Future<String> cancelled = new Future<>();
        CompletableFuture<String> cf3 = cancelled.toCompletableFuture();
        cancelled.cancel();
        assertTrue(cf3.isCancelled());

        Future<String> viaView = new Future<>();
        CompletableFuture<String> cf4 = viaView.toCompletableFuture();
        assertTrue(cf4.cancel(false));
        assertTrue(viaView.cancelled());

        Future<String> running = new Future<>();
        running.setRunningOrNotifyCancel();
        CompletableFuture<String> cf5 = running.toCompletableFuture();
        assertFalse(cf5.cancel(false));
        assertFalse(cf5.isDone());
        running.setResult("r");
        assertEquals("r", cf5.join());
    }

    /** Stages of the view run without the future's lock: another thread may ask the future meanwhile. */
    @Test
    void viewStagesDoNotHoldTheLock() {
        Future<String> f = new Future<>();
        boolean[] otherSawDone = new boolean[1];
        f.toCompletableFuture().thenRun(() -> otherSawDone[0] = Threads.start("asker", f::done).get());
        f.setResult("v");
        assertTrue(otherSawDone[0]);
    }
}
