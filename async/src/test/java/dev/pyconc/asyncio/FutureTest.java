package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(60)
class FutureTest extends LoopTesting {

    /** result() and exception() of a pending future throw InvalidStateError. */
    @Test
    void pendingFutureHasNoResult() {
        EventLoop loop = loop();
        Future<Integer> f = loop.createFuture();
        assertFalse(f.done());
        assertEquals("Result is not ready.", assertThrows(InvalidStateError.class, f::result).getMessage());
        assertEquals("Exception is not set.", assertThrows(InvalidStateError.class, f::exception).getMessage());
    }

    /** setResult completes once; a second completion throws InvalidStateError. */
    @Test
    void setResultOnce() {
        EventLoop loop = loop();
        Future<Integer> f = loop.createFuture();
        f.setResult(3);
        assertTrue(f.done());
        assertEquals(3, f.result());
        assertNull(f.exception());
        assertThrows(InvalidStateError.class, () -> f.setResult(4));
        assertThrows(InvalidStateError.class, () -> f.setException(new RuntimeException()));
        assertFalse(f.cancel());
    }

    /** A failed future rethrows unchecked exceptions as they are and wraps checked ones. */
    @Test
    void exceptionPropagation() {
        EventLoop loop = loop();
        Future<Integer> a = loop.createFuture();
        a.setException(new IllegalArgumentException("x"));
        assertEquals("x", assertThrows(IllegalArgumentException.class, a::result).getMessage());
        Future<Integer> b = loop.createFuture();
        var checked = new java.io.IOException("io");
        b.setException(checked);
        assertSame(checked, assertThrows(CompletionException.class, b::result).getCause());
        assertSame(checked, b.exception());
        assertThrows(InvalidStateError.class, () -> b.setException(null));     // the state first, as Python
        Future<Integer> c = loop.createFuture();
        assertThrows(IllegalArgumentException.class, () -> c.setException(null));
    }

    /** cancel(msg) makes result() throw a CancelledError (a CancellationException) with the message. */
    @Test
    void cancelWithMessage() {
        EventLoop loop = loop();
        Future<Integer> f = loop.createFuture();
        assertTrue(f.cancel("stop it"));
        assertTrue(f.cancelled());
        assertFalse(f.cancel("again"));
        CancelledError e = assertThrows(CancelledError.class, f::result);
        assertEquals("stop it", e.getMessage());
        assertInstanceOf(CancellationException.class, e);
        assertThrows(CancelledError.class, f::exception);
    }

    /** Done-callbacks are scheduled through the loop, in order, never called inside setResult. */
    @Test
    void doneCallbacksAreScheduled() {
        EventLoop loop = loop();
        Future<Integer> f = loop.createFuture();
        List<String> log = new ArrayList<>();
        f.addDoneCallback(x -> log.add("a" + x.result()));
        f.addDoneCallback(x -> log.add("b" + x.result()));
        Consumer<Future<Integer>> removed = x -> log.add("removed");
        f.addDoneCallback(removed);
        f.addDoneCallback(removed);
        assertEquals(2, f.removeDoneCallback(removed));
        f.setResult(1);
        assertEquals(List.of(), log, "callbacks ran inside setResult");
        f.addDoneCallback(x -> log.add("late"));
        loop.callSoon(loop::stop);
        loop.runForever();
        assertEquals(List.of("a1", "b1", "late"), log);
    }

    /** await() of a done future returns without suspending; of a pending one, after it completes. */
    @Test
    void awaitInTask() {
        EventLoop loop = loop();
        Future<String> done = loop.createFuture();
        done.setResult("now");
        Future<String> later = loop.createFuture();
        loop.callLater(Duration.ofMillis(5), () -> later.setResult("later"));
        assertEquals("now later", loop.runUntilComplete(() -> done.await() + " " + later.await()));
    }

    /** await() outside a task says to start a task instead. */
    @Test
    void awaitOutsideTaskIsRefused() {
        EventLoop loop = loop();
        Future<String> f = loop.createFuture();
        var e = assertThrows(IllegalStateException.class, f::await);
        assertTrue(e.getMessage().contains("createTask"), e.getMessage());
    }

    /** await() in a callback says not to block the loop. */
    @Test
    void awaitInCallbackIsRefused() {
        EventLoop loop = loop();
        Future<String> f = loop.createFuture();
        List<Throwable> seen = new ArrayList<>();
        loop.callSoon(() -> {
            try {
                f.await();
            } catch (Throwable e) {
                seen.add(e);
            }
            loop.stop();
        });
        loop.runForever();
        assertInstanceOf(IllegalStateException.class, seen.getFirst());
        assertTrue(seen.getFirst().getMessage().contains("must never block the loop"), seen.getFirst().getMessage());
    }

    /** Awaiting a future of another loop is refused. */
    @Test
    void awaitOtherLoopIsRefused() {
        EventLoop a = loop();
        EventLoop b = loop();
        Future<String> fb = b.createFuture();
        var e = assertThrows(IllegalStateException.class, () -> a.runUntilComplete(() -> fb.await()));
        assertTrue(e.getMessage().contains("different event loop"), e.getMessage());
    }

    /** A future created with new Future() belongs to the running loop. */
    @Test
    void newFutureBindsRunningLoop() {
        EventLoop loop = loop();
        assertSame(loop, loop.runUntilComplete(() -> new Future<Integer>().getLoop()));
        assertThrows(IllegalStateException.class, Future::new);
    }
}
