package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.pyconc.builtins.TimeoutError;

import dev.pyconc.futures.ReturnWhen;
import dev.pyconc.futures.ThreadPoolExecutor;

@org.junit.jupiter.api.Timeout(60)
class AsyncioTest extends LoopTesting {

    private static <T> Task<T> later(Duration d, T value) {
        return Asyncio.createTask(() -> Asyncio.sleep(d, value));
    }

    private static Task<Integer> failing(Duration d, RuntimeException e) {
        return Asyncio.createTask(() -> {
            Asyncio.sleep(d);
            throw e;
        });
    }

    // ---------------------------------------------------------------- run and sleep

    /** Asyncio.run returns main's result, cancels what is left and closes its loop. */
    @Test
    void runCancelsLeftovers() {
        List<String> log = new ArrayList<>();
        EventLoop[] loop = new EventLoop[1];
        int r = Asyncio.run(() -> {
            loop[0] = Asyncio.getRunningLoop();
            Asyncio.createTask(() -> {
                try {
                    Asyncio.sleep(Duration.ofHours(1));
                } catch (CancelledError e) {
                    log.add("leftover cancelled");
                    throw e;
                }
            });
            Asyncio.sleep(Duration.ZERO);
            return 9;
        });
        assertEquals(9, r);
        assertEquals(List.of("leftover cancelled"), log);
        assertTrue(loop[0].isClosed());
    }

    /** sleep returns its result after at least the delay; a negative delay is refused. */
    @Test
    void sleepWithResult() {
        long t0 = System.nanoTime();
        assertEquals("r", Asyncio.run(() -> Asyncio.sleep(Duration.ofMillis(30), "r")));
        assertTrue(System.nanoTime() - t0 >= 30_000_000);
        assertThrows(IllegalArgumentException.class, () -> Asyncio.run(() -> {
            Asyncio.sleep(Duration.ofMillis(-1));
            return null;
        }));
    }

    /** sleep outside a task is refused with a message saying what to do. */
    @Test
    void sleepOutsideTask() {
        var e = assertThrows(IllegalStateException.class, () -> Asyncio.sleep(Duration.ZERO));
        assertTrue(e.getMessage().contains("Asyncio.run"), e.getMessage());
        assertThrows(IllegalStateException.class, Asyncio::getRunningLoop);
        assertThrows(IllegalStateException.class, Asyncio::currentTask);
    }

    // ---------------------------------------------------------------- gather

    /** gather returns results in argument order, not completion order, in about the longest time. */
    @Test
    void gatherInOrder() {
        long t0 = System.nanoTime();
        List<Integer> r = Asyncio.run(() -> Asyncio.gather(later(Duration.ofMillis(60), 1), later(Duration.ofMillis(10), 2),
                later(Duration.ofMillis(30), 3)).await());
        assertEquals(List.of(1, 2, 3), r);
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
        assertEquals(List.of(), Asyncio.run(() -> Asyncio.gather(List.<Future<Integer>>of()).await()));
        assertEquals(List.of(4, 5), Asyncio.run(() -> Asyncio.<Integer>gather(() -> 4, () -> 5).await()));
    }

    /** The same future given twice counts once and its result appears twice. */
    @Test
    void gatherDuplicateFuture() {
        List<Integer> r = Asyncio.run(() -> {
            Task<Integer> t = later(Duration.ofMillis(1), 7);
            return Asyncio.gather(t, t, later(Duration.ofMillis(2), 8)).await();
        });
        assertEquals(List.of(7, 7, 8), r);
    }

    /** A failing child fails the gather at once and its siblings go on running. */
    @Test
    void gatherFailureDoesNotCancelSiblings() {
        Asyncio.run(() -> {
            Task<Integer> slow = later(Duration.ofMillis(30), 1);
            Task<Integer> bad = failing(Duration.ofMillis(1), new IllegalStateException("child"));
            var g = Asyncio.gather(slow, bad);
            assertEquals("child", assertThrows(IllegalStateException.class, g::await).getMessage());
            assertFalse(slow.done(), "the sibling was not left running");
            assertEquals(1, slow.await());
            assertFalse(slow.cancelled());
            return null;
        });
    }

    /** With returnExceptions, failures and cancellations are results. */
    @Test
    void gatherReturnExceptions() {
        List<Object> r = Asyncio.run(() -> {
            Task<Integer> ok = later(Duration.ofMillis(1), 1);
            Task<Integer> bad = failing(Duration.ofMillis(1), new IllegalStateException("x"));
            Task<Integer> cancelled = later(Duration.ofHours(1), 3);
            var g = Asyncio.gather(true, List.of(ok, bad, cancelled));
            Asyncio.sleep(Duration.ZERO);
            cancelled.cancel();
            return g.await();
        });
        assertEquals(1, r.get(0));
        assertInstanceOf(IllegalStateException.class, r.get(1));
        assertInstanceOf(CancelledError.class, r.get(2));
    }

    /**
     * Cancelling the gather cancels every child, and awaiting it raises CancelledError; the
     * gather is failed with it, not cancelled, as Python's (test_tasks.py's test_gather_shield).
     */
    @Test
    void cancellingGatherCancelsChildren() {
        Asyncio.run(() -> {
            Task<Integer> a = later(Duration.ofHours(1), 1);
            Task<Integer> b = later(Duration.ofHours(1), 2);
            var g = Asyncio.gather(a, b);
            Asyncio.sleep(Duration.ZERO);
            assertTrue(g.cancel());
            assertThrows(CancelledError.class, g::await);
            assertTrue(a.cancelled() && b.cancelled());
            assertFalse(g.cancelled());
            assertInstanceOf(CancelledError.class, g.exception());
            return null;
        });
    }

    /** Cancelling the task that awaits a gather cancels the gather's children. */
    @Test
    void cancellingAwaiterOfGatherCancelsChildren() {
        Asyncio.run(() -> {
            Task<Integer> a = later(Duration.ofHours(1), 1);
            Task<Integer> b = later(Duration.ofHours(1), 2);
            Task<List<Integer>> waiter = Asyncio.createTask(() -> Asyncio.gather(a, b).await());
            Asyncio.sleep(Duration.ZERO);
            waiter.cancel();
            assertThrows(CancelledError.class, waiter::await);
            assertTrue(a.cancelled() && b.cancelled());
            return null;
        });
    }

    /** A child cancelled on its own fails the gather with CancelledError (without returnExceptions). */
    @Test
    void gatherChildCancelled() {
        Asyncio.run(() -> {
            Task<Integer> a = later(Duration.ofHours(1), 1);
            Task<Integer> b = later(Duration.ofMillis(50), 2);
            var g = Asyncio.gather(a, b);
            Asyncio.sleep(Duration.ZERO);
            a.cancel();
            assertThrows(CancelledError.class, g::await);
            assertFalse(g.cancelled(), "the gather failed, it was not cancelled");
            assertEquals(2, b.await());
            return null;
        });
    }

    // ---------------------------------------------------------------- wait

    /** wait FIRST_COMPLETED returns after the first and cancels nothing. */
    @Test
    void waitFirstCompleted() {
        Asyncio.run(() -> {
            Task<Integer> fast = later(Duration.ofMillis(1), 1);
            Task<Integer> slow = later(Duration.ofMillis(200), 2);
            var r = Asyncio.wait(List.of(fast, slow), ReturnWhen.FIRST_COMPLETED);
            assertEquals(Set.of(fast), r.done());
            assertEquals(Set.of(slow), r.pending());
            assertFalse(slow.cancelled());
            slow.cancel();
            return null;
        });
    }

    /** wait FIRST_EXCEPTION returns at the first failure; ALL_COMPLETED waits for all. */
    @Test
    void waitFirstExceptionAndAll() {
        Asyncio.run(() -> {
            Task<Integer> bad = failing(Duration.ofMillis(5), new IllegalStateException("x"));
            Task<Integer> slow = later(Duration.ofMillis(300), 2);
            var r = Asyncio.wait(List.of(bad, slow), ReturnWhen.FIRST_EXCEPTION);
            assertEquals(Set.of(bad), r.done());
            var all = Asyncio.wait(List.of(bad, slow));
            assertEquals(Set.of(bad, slow), all.done());
            assertEquals(Set.of(), all.pending());
            return null;
        });
    }

    /** wait with a timeout returns what is done and cancels nothing. */
    @Test
    void waitTimeout() {
        Asyncio.run(() -> {
            Task<Integer> slow = later(Duration.ofHours(1), 2);
            var r = Asyncio.wait(List.of(slow), Duration.ofMillis(10), ReturnWhen.ALL_COMPLETED);
            assertEquals(Set.of(), r.done());
            assertEquals(Set.of(slow), r.pending());
            assertFalse(slow.cancelled());
            slow.cancel();
            assertThrows(IllegalArgumentException.class, () -> Asyncio.wait(List.<Future<Integer>>of()));
            return null;
        });
    }

    // ---------------------------------------------------------------- waitFor

    /** waitFor returns the result when in time. */
    @Test
    void waitForInTime() {
        assertEquals(1, Asyncio.run(() -> Asyncio.waitFor(later(Duration.ofMillis(1), 1), Duration.ofSeconds(10))));
        assertEquals(2, Asyncio.run(() -> Asyncio.waitFor(() -> 2, Duration.ofSeconds(10))));
    }

    /** On timeout, waitFor cancels the inner task, waits for its end, and raises TimeoutError. */
    @Test
    void waitForTimeoutCancelsInner() {
        List<String> log = new ArrayList<>();
        Asyncio.run(() -> {
            Task<Integer> inner = Asyncio.createTask(() -> {
                try {
                    Asyncio.sleep(Duration.ofHours(1));
                } catch (CancelledError e) {
                    Asyncio.sleep(Duration.ofMillis(5));     // clean-up that takes a while
                    log.add("inner cleaned up");
                    throw e;
                }
                return 1;
            });
            assertThrows(TimeoutError.class, () -> Asyncio.waitFor(inner, Duration.ofMillis(10)));
            log.add("timeout seen");
            assertTrue(inner.cancelled());
            assertEquals(0, Asyncio.currentTask().cancelling());
            return null;
        });
        assertEquals(List.of("inner cleaned up", "timeout seen"), log);
    }

    /** Cancelling the task in waitFor cancels the inner task and stays a CancelledError, not a TimeoutError. */
    @Test
    void waitForOuterCancellation() {
        Asyncio.run(() -> {
            Task<Integer> inner = later(Duration.ofHours(1), 1);
            Task<Integer> outer = Asyncio.createTask(() -> Asyncio.waitFor(inner, Duration.ofHours(1)));
            Asyncio.sleep(Duration.ZERO);
            outer.cancel();
            assertThrows(CancelledError.class, outer::await);
            assertTrue(outer.cancelled());
            assertTrue(inner.cancelled());
            return null;
        });
    }

    // ---------------------------------------------------------------- shield

    /** Cancelling the task that awaits a shield does not cancel the shielded task. */
    @Test
    void shieldProtectsInner() {
        Asyncio.run(() -> {
            Task<Integer> inner = later(Duration.ofMillis(30), 7);
            Task<Integer> outer = Asyncio.createTask(() -> Asyncio.shield(inner).await());
            Asyncio.sleep(Duration.ZERO);
            outer.cancel();
            assertThrows(CancelledError.class, outer::await);
            assertFalse(inner.cancelled());
            assertEquals(7, inner.await());
            return null;
        });
    }

    /** A shield follows the inner result and failure. */
    @Test
    void shieldFollowsInner() {
        Asyncio.run(() -> {
            assertEquals(1, Asyncio.shield(later(Duration.ofMillis(1), 1)).await());
            var s = Asyncio.shield(failing(Duration.ofMillis(1), new IllegalStateException("in")));
            assertEquals("in", assertThrows(IllegalStateException.class, s::await).getMessage());
            Future<Integer> done = Asyncio.getRunningLoop().createFuture();
            done.setResult(3);
            assertSame(done, Asyncio.shield(done));
            return null;
        });
    }

    /** Cancelling the inner task cancels the shield's awaiter too. */
    @Test
    void shieldInnerCancelled() {
        Asyncio.run(() -> {
            Task<Integer> inner = later(Duration.ofHours(1), 1);
            var s = Asyncio.shield(inner);
            Asyncio.sleep(Duration.ZERO);
            inner.cancel();
            assertThrows(CancelledError.class, s::await);
            assertTrue(s.cancelled());
            return null;
        });
    }

    // ---------------------------------------------------------------- asCompleted

    /** asCompleted yields results in completion order. */
    @Test
    void asCompletedOrder() {
        List<Integer> r = Asyncio.run(() -> {
            List<Integer> out = new ArrayList<>();
            for (Future<Integer> f : Asyncio.asCompleted(List.of(later(Duration.ofMillis(60), 3),
                    later(Duration.ofMillis(1), 1), later(Duration.ofMillis(30), 2)))) {
                out.add(f.await());
            }
            return out;
        });
        assertEquals(List.of(1, 2, 3), r);
    }

    /** asCompleted with a timeout raises TimeoutError for what did not complete in time. */
    @Test
    void asCompletedTimeout() {
        Asyncio.run(() -> {
            Task<Integer> slow = later(Duration.ofHours(1), 2);
            var it = Asyncio.asCompleted(List.of(later(Duration.ofMillis(1), 1), slow), Duration.ofSeconds(1)).iterator();
            assertEquals(1, it.next().await());
            assertThrows(TimeoutError.class, () -> it.next().await());
            assertFalse(it.hasNext());
            slow.cancel();
            return null;
        });
    }

    // ---------------------------------------------------------------- threads

    /** toThread runs blocking work on another thread while other tasks go on. */
    @Test
    void toThreadRunsElsewhere() {
        List<String> log = new ArrayList<>();
        String r = Asyncio.run(() -> {
            Task<Void> ticker = Asyncio.createTask(() -> {
                for (int i = 0; i < 3; i++) {
                    log.add("tick");
                    Asyncio.sleep(Duration.ofMillis(5));
                }
            });
            String name = Asyncio.toThread(() -> {
                Thread.sleep(60);
                return Thread.currentThread().getName();
            });
            ticker.await();
            return name;
        });
        assertTrue(r.startsWith("asyncio_"), r);
        assertEquals(List.of("tick", "tick", "tick"), log);
    }

    /** runCoroutineThreadsafe runs a body on a loop from another thread and returns its result. */
    @Test
    void runCoroutineThreadsafeFromThread() throws Exception {
        EventLoop loop = loop();
        Thread runner = new Thread(loop::runForever);
        runner.start();
        var f = Asyncio.runCoroutineThreadsafe(() -> {
            Asyncio.sleep(Duration.ofMillis(5));
            return "done on " + Thread.currentThread().isVirtual();
        }, loop);
        assertEquals("done on true", f.result(Duration.ofSeconds(10)));
        var failing = Asyncio.runCoroutineThreadsafe(() -> {
            throw new IllegalStateException("remote");
        }, loop);
        assertEquals("remote", assertThrows(IllegalStateException.class, () -> failing.result(Duration.ofSeconds(10))).getMessage());
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        var endless = Asyncio.runCoroutineThreadsafe(() -> {
            started.countDown();
            try {
                Asyncio.sleep(Duration.ofHours(1));
            } catch (CancelledError e) {
                cancelled.countDown();
                throw e;
            }
            return 0;
        }, loop);
        assertTrue(started.await(10, TimeUnit.SECONDS));
        endless.cancel();
        assertTrue(cancelled.await(10, TimeUnit.SECONDS), "cancelling the concurrent future did not cancel the task");
        loop.stop();
        runner.join(10_000);
    }

    /** wrapFuture follows a concurrent.futures future; cancelling the wrapper cancels the source. */
    @Test
    void wrapFutureFollowsSource() {
        try (var pool = new ThreadPoolExecutor(1)) {
            Asyncio.run(() -> {
                var src = pool.submit(() -> 6 * 7);
                assertEquals(42, Asyncio.wrapFuture(src).await());
                var pending = new dev.pyconc.futures.Future<Integer>();
                var w = Asyncio.wrapFuture(pending);
                w.cancel();
                Asyncio.sleep(Duration.ZERO);      // the wrapper's done-callback runs on the loop
                assertTrue(pending.cancelled());
                var failed = new dev.pyconc.futures.Future<Integer>();
                failed.setException(new IllegalStateException("src"));
                assertEquals("src", assertThrows(IllegalStateException.class, () -> Asyncio.wrapFuture(failed).await()).getMessage());
                return null;
            });
        }
    }

    /** A task cancelled on the loop leaves runCoroutineThreadsafe's future cancelled, as Python's. */
    @Test
    void runCoroutineThreadsafeOfCancelledTaskIsCancelled() throws Exception {
        EventLoop loop = loop();
        Thread runner = new Thread(loop::runForever);
        runner.start();
        var f = Asyncio.runCoroutineThreadsafe(() -> {
            Asyncio.currentTask().cancel("stop");
            Asyncio.sleep(Duration.ZERO);
            return 1;
        }, loop);
        assertThrows(java.util.concurrent.CancellationException.class, () -> f.result(Duration.ofSeconds(10)));
        assertTrue(f.cancelled());
        assertTrue(f.done());
        loop.stop();
        runner.join(10_000);
    }

    /** isFuture: asyncio futures and tasks are, concurrent.futures futures and other objects are not. */
    @Test
    void isFuture() {
        EventLoop loop = loop();
        assertTrue(Asyncio.isFuture(loop.createFuture()));
        Task<Integer> t = loop.createTask(() -> 1);
        assertTrue(Asyncio.isFuture(t));
        assertFalse(Asyncio.isFuture(new dev.pyconc.futures.Future<Integer>()));
        assertFalse(Asyncio.isFuture((java.util.concurrent.Callable<Integer>) () -> 1));
        assertFalse(Asyncio.isFuture(null));
        loop.runUntilComplete(t);
    }

    /** asCompleted(...).aiter() returns the futures given, in the order they complete. */
    @Test
    void asCompletedAiterYieldsTheFuturesGiven() {
        List<Object> out = Asyncio.run(() -> {
            Task<String> slow = Asyncio.createTask(() -> Asyncio.sleep(Duration.ofMillis(60), "slow"));
            Task<String> fast = Asyncio.createTask(() -> Asyncio.sleep(Duration.ofMillis(1), "fast"));
            Future<String> set = Asyncio.getRunningLoop().createFuture();
            set.setResult("set");
            List<Object> seen = new ArrayList<>();
            for (Future<String> f : Asyncio.asCompleted(List.of(slow, fast, set)).aiter()) {
                assertTrue(f.done());
                seen.add(f == slow ? "slow" : f == fast ? "fast" : f == set ? "set" : f);
            }
            return seen;
        });
        assertEquals(List.of("set", "fast", "slow"), out);
    }

    /** aiter() and the plain iteration share one count of elements; aiter() times out as the elements do. */
    @Test
    void asCompletedAiterSharesTheCountAndTimesOut() {
        Asyncio.run(() -> {
            Future<Integer> a = Asyncio.getRunningLoop().createFuture();
            Future<Integer> b = Asyncio.getRunningLoop().createFuture();
            Future<Integer> never = Asyncio.getRunningLoop().createFuture();
            a.setResult(1);
            AsCompleted<Integer> ac = Asyncio.asCompleted(List.of(a, b, never), Duration.ofMillis(50));
            var plain = ac.iterator();
            var async = ac.aiter().iterator();
            assertEquals(1, plain.next().await());
            Asyncio.getRunningLoop().callSoon(() -> b.setResult(2));
            assertSame(b, async.next());
            assertTrue(plain.hasNext());
            TimeoutError e = assertThrows(TimeoutError.class, async::next);
            assertEquals("as_completed() timed out", e.getMessage());
            assertFalse(plain.hasNext());
            assertFalse(async.hasNext());
            assertThrows(java.util.NoSuchElementException.class, async::next);
            return null;
        });
    }

}
