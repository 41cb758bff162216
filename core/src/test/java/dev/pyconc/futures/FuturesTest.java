package dev.pyconc.futures;

import static dev.pyconc.testing.Threads.untilParkedIn;
import static dev.pyconc.testing.Timing.SHORT;
import static dev.pyconc.testing.Timing.assertRejectsBadTimeouts;
import static dev.pyconc.testing.Timing.assertThrowsNoEarlierThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.pyconc.testing.Threads;
import dev.pyconc.builtins.TimeoutError;

class FuturesTest {

    private static <T> Future<T> done(T value) {
        Future<T> f = new Future<>();
        f.setResult(value);
        return f;
    }

    /**
     * ALL_COMPLETED returns once every future finished or was cancelled and seen so by its
     * executor (setRunningOrNotifyCancel), as Python's wait counts CANCELLED_AND_NOTIFIED, not CANCELLED.
     */
    @Test
    void allCompleted() {
        Future<Integer> a = new Future<>();
        Future<Integer> b = new Future<>();
        Future<Integer> c = done(3);
        var waiter = Threads.start("waiter", () -> Futures.wait(List.of(a, b, c)));
        untilParkedIn(waiter.thread(), Futures.class);
        a.setResult(1);
        untilParkedIn(waiter.thread(), Futures.class);
        assertTrue(waiter.thread().isAlive());
        b.cancel();
        untilParkedIn(waiter.thread(), Futures.class);
        assertTrue(waiter.thread().isAlive(), "a cancelled future no executor has seen is not done for wait");
        assertFalse(b.setRunningOrNotifyCancel());
        DoneAndNotDone<Integer> r = waiter.get();
        assertEquals(Set.of(a, b, c), r.done());
        assertEquals(Set.of(), r.notDone());
    }

    /** FIRST_COMPLETED returns when any one future completes; the others are not done. */
    @Test
    void firstCompleted() {
        Future<Integer> a = new Future<>();
        Future<Integer> b = new Future<>();
        var waiter = Threads.start("waiter", () -> Futures.wait(List.of(a, b), ReturnWhen.FIRST_COMPLETED));
        untilParkedIn(waiter.thread(), Futures.class);
        b.setResult(2);
        DoneAndNotDone<Integer> r = waiter.get();
        assertEquals(Set.of(b), r.done());
        assertEquals(Set.of(a), r.notDone());
        DoneAndNotDone<Integer> again = Futures.wait(List.of(a, b), ReturnWhen.FIRST_COMPLETED);
        assertEquals(Set.of(b), again.done());
    }

    /** FIRST_EXCEPTION returns at the first failure, not at a success or a cancellation. */
    @Test
    void firstException() {
        Future<Integer> ok = new Future<>();
        Future<Integer> cancelled = new Future<>();
        Future<Integer> failing = new Future<>();
        Future<Integer> pending = new Future<>();
        var waiter = Threads.start("waiter", () -> Futures.wait(List.of(ok, cancelled, failing, pending),
                Duration.ofSeconds(30), ReturnWhen.FIRST_EXCEPTION));
        untilParkedIn(waiter.thread(), Futures.class);
        ok.setResult(1);
        cancelled.cancel();
        assertFalse(cancelled.setRunningOrNotifyCancel());
        untilParkedIn(waiter.thread(), Futures.class);
        assertTrue(waiter.thread().isAlive());
        failing.setException(new IllegalStateException("x"));
        DoneAndNotDone<Integer> r = waiter.get();
        assertEquals(Set.of(ok, cancelled, failing), r.done());
        assertEquals(Set.of(pending), r.notDone());
        Future<Integer> failed = new Future<>();
        failed.setException(new IllegalStateException("y"));
        assertEquals(Set.of(failed), Futures.wait(List.of(failed, pending), ReturnWhen.FIRST_EXCEPTION).done());
    }

    /** FIRST_EXCEPTION without any failure waits for all, as ALL_COMPLETED. */
    @Test
    void firstExceptionWithoutFailure() {
        Future<Integer> a = done(1);
        Future<Integer> b = new Future<>();
        var waiter = Threads.start("waiter", () -> Futures.wait(List.of(a, b), ReturnWhen.FIRST_EXCEPTION));
        untilParkedIn(waiter.thread(), Futures.class);
        b.setResult(2);
        assertEquals(Set.of(a, b), waiter.get().done());
    }

    /** With a timeout, wait returns the sets as they are, no earlier than the timeout, without throwing. */
    @Test
    void waitTimeout() {
        Future<Integer> a = done(1);
        Future<Integer> b = new Future<>();
        for (ReturnWhen when : ReturnWhen.values()) {
            if (when == ReturnWhen.FIRST_COMPLETED) {
                continue;    // satisfied at once by a
            }
            long start = System.nanoTime();
            DoneAndNotDone<Integer> r = Futures.wait(List.of(a, b), SHORT, when);
            assertTrue(System.nanoTime() - start >= SHORT.toNanos(), when.toString());
            assertEquals(Set.of(a), r.done());
            assertEquals(Set.of(b), r.notDone());
        }
        assertRejectsBadTimeouts(t -> Futures.wait(List.of(b), t, ReturnWhen.ALL_COMPLETED));
    }

    /** A future given twice counts once; an empty collection returns at once. */
    @Test
    void duplicatesAndEmpty() {
        Future<Integer> a = done(1);
        DoneAndNotDone<Integer> r = Futures.wait(List.of(a, a, a));
        assertEquals(Set.of(a), r.done());
        DoneAndNotDone<Integer> none = Futures.wait(List.<Future<Integer>>of());
        assertTrue(none.done().isEmpty());
        assertTrue(none.notDone().isEmpty());
    }

    /** Null arguments are refused with IllegalArgumentException. */
    @Test
    void badArguments() {
        assertThrows(IllegalArgumentException.class, () -> Futures.wait(null));
        List<Future<Integer>> withNull = new ArrayList<>();
        withNull.add(null);
        assertThrows(IllegalArgumentException.class, () -> Futures.wait(withNull));
        assertThrows(IllegalArgumentException.class, () -> Futures.wait(List.of(done(1)), null));
        assertThrows(IllegalArgumentException.class, () -> Futures.asCompleted(null));
    }

    /** asCompleted yields the futures already done first, then each in the order it completes. */
    @Test
    void asCompletedOrder() {
        Future<Integer> f0 = new Future<>();
        Future<Integer> f1 = new Future<>();
        Future<Integer> f2 = done(2);
        Future<Integer> f3 = new Future<>();
        Iterator<Future<Integer>> it = Futures.asCompleted(List.of(f0, f1, f2, f3, f1)).iterator();
        assertTrue(it.hasNext());
        assertSame(f2, it.next());
        f1.setResult(1);
        assertSame(f1, it.next());
        f3.cancel();
        assertFalse(f3.setRunningOrNotifyCancel());   // its executor sees the cancellation
        assertSame(f3, it.next());
        var next = Threads.start("next", it::next);
        untilParkedIn(next.thread(), Futures.class);
        f0.setException(new IllegalStateException());
        assertSame(f0, next.get());
        assertFalse(it.hasNext());
        assertThrows(java.util.NoSuchElementException.class, it::next);
    }

    /** asCompleted with a timeout throws TimeoutError, no earlier than the timeout, naming the unfinished count. */
    @Test
    void asCompletedTimeout() {
        Future<Integer> a = done(1);
        Future<Integer> b = new Future<>();
        Future<Integer> c = new Future<>();
        long start = System.nanoTime();       // the timeout runs from the call, as in Python
        Iterator<Future<Integer>> it = Futures.asCompleted(List.of(a, b, c), SHORT).iterator();
        assertSame(a, it.next());
        TimeoutError e = assertThrows(TimeoutError.class, it::next);
        long elapsed = System.nanoTime() - start;
        assertTrue(elapsed >= SHORT.toNanos(), "threw after " + elapsed + " ns, before its timeout " + SHORT);
        assertEquals("2 (of 3) futures unfinished", e.getMessage());
        assertRejectsBadTimeouts(t -> Futures.asCompleted(List.of(a), t));
    }

    /** The iterable of asCompleted can be iterated once only. */
    @Test
    void asCompletedOnce() {
        Iterable<Future<Integer>> once = Futures.asCompleted(List.of(done(1)));
        int n = 0;
        for (Future<Integer> f : once) {
            n += f.result();
        }
        assertEquals(1, n);
        assertEquals("asCompleted(...) can be iterated only once",
                assertThrows(IllegalStateException.class, once::iterator).getMessage());
    }
}
