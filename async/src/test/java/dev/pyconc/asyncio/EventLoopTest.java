package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(60)
class EventLoopTest extends LoopTesting {

    /** callSoon callbacks run in the order they were scheduled, once the loop runs. */
    @Test
    void callSoonRunsInOrder() {
        EventLoop loop = loop();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int k = i;
            loop.callSoon(() -> order.add(k));
        }
        loop.callSoon(loop::stop);
        loop.runForever();
        assertEquals(List.of(0, 1, 2, 3, 4), order);
    }

    /** A cancelled handle does not run. */
    @Test
    void cancelledHandleDoesNotRun() {
        EventLoop loop = loop();
        AtomicInteger ran = new AtomicInteger();
        Handle h = loop.callSoon(ran::incrementAndGet);
        h.cancel();
        assertTrue(h.cancelled());
        loop.callSoon(loop::stop);
        loop.runForever();
        assertEquals(0, ran.get());
    }

    /** callLater and callAt run in deadline order, not in scheduling order, and not before their time. */
    @Test
    void timersRunInDeadlineOrder() {
        EventLoop loop = loop();
        List<String> order = new ArrayList<>();
        double start = loop.time();
        double[] firedAt = new double[1];
        loop.callLater(Duration.ofMillis(60), () -> order.add("60"));
        loop.callAt(loop.time() + 0.02, () -> order.add("20"));
        TimerHandle cancelled = loop.callLater(Duration.ofMillis(10), () -> order.add("cancelled"));
        loop.callLater(Duration.ofMillis(40), () -> {
            order.add("40");
            firedAt[0] = loop.time();
        });
        loop.callLater(Duration.ofMillis(80), loop::stop);
        cancelled.cancel();
        assertTrue(cancelled.when() > start);
        loop.runForever();
        assertEquals(List.of("20", "40", "60"), order);
        assertTrue(firedAt[0] - start >= 0.04, "a timer ran before its time");
    }

    /** runUntilComplete returns the task's result and leaves the loop stopped. */
    @Test
    void runUntilCompleteReturnsResult() {
        EventLoop loop = loop();
        int v = loop.runUntilComplete(() -> {
            Asyncio.sleep(Duration.ofMillis(5));
            return 7;
        });
        assertEquals(7, v);
        assertFalse(loop.isRunning());
        assertEquals(8, loop.runUntilComplete(() -> 8), "a stopped loop runs again");
    }

    /** runUntilComplete throws what the task threw. */
    @Test
    void runUntilCompleteThrowsFailure() {
        EventLoop loop = loop();
        var e = assertThrows(IllegalArgumentException.class, () -> loop.runUntilComplete(() -> {
            throw new IllegalArgumentException("bad");
        }));
        assertEquals("bad", e.getMessage());
    }

    /** A loop stopped before the future completed says so. */
    @Test
    void stoppedBeforeComplete() {
        EventLoop loop = loop();
        Future<Integer> never = loop.createFuture();
        loop.callSoon(loop::stop);
        var e = assertThrows(IllegalStateException.class, () -> loop.runUntilComplete(never));
        assertEquals("Event loop stopped before Future completed.", e.getMessage());
    }

    /** callSoonThreadsafe from another thread wakes a loop that waits for I/O. */
    @Test
    void callSoonThreadsafeWakesTheLoop() throws Exception {
        EventLoop loop = loop();
        Future<String> f = loop.createFuture();
        Thread other = new Thread(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
            loop.callSoonThreadsafe(() -> f.setResult("from " + Thread.currentThread().getName().startsWith("asyncio-loop-")));
        });
        other.start();
        assertEquals("from true", loop.runUntilComplete(f));
        other.join();
    }

    /**
     * Threads that call callSoonThreadsafe before the loop first runs, at the same time as each
     * other and as runForever starts it, lose no callback: each of 4 x 5,000 runs exactly once.
     */
    @Test
    void callSoonThreadsafeBeforeTheLoopStartsLosesNothing() throws Exception {
        for (int round = 0; round < 5; round++) {
            EventLoop loop = loop();
            AtomicInteger ran = new AtomicInteger();
            int threads = 4, each = 5_000;
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> callers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread caller = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < each; i++) {
                        loop.callSoonThreadsafe(ran::incrementAndGet);
                    }
                });
                caller.start();
                callers.add(caller);
            }
            Thread runner = new Thread(loop::runForever);
            go.countDown();
            runner.start();
            for (Thread caller : callers) {
                caller.join();
            }
            CountDownLatch all = new CountDownLatch(1);
            loop.callSoonThreadsafe(all::countDown);
            assertTrue(all.await(30, TimeUnit.SECONDS), "the last callback did not run");
            loop.callSoonThreadsafe(loop::stop);
            runner.join();
            assertEquals(threads * each, ran.get(), "round " + round);
        }
    }

    /** stop() from another thread stops runForever. */
    @Test
    void stopFromAnotherThread() throws Exception {
        EventLoop loop = loop();
        CountDownLatch running = new CountDownLatch(1);
        loop.callSoon(running::countDown);
        Thread stopper = new Thread(() -> {
            try {
                running.await();
            } catch (InterruptedException e) {
                return;
            }
            loop.stop();
        });
        stopper.start();
        loop.runForever();
        stopper.join();
        assertFalse(loop.isRunning());
    }

    /** An exception in a callback reaches the exception handler and the loop goes on. */
    @Test
    void callbackExceptionGoesToHandler() {
        EventLoop loop = loop();
        var errors = errorsOf(loop);
        loop.callSoon(() -> {
            throw new IllegalStateException("boom");
        });
        AtomicInteger after = new AtomicInteger();
        loop.callSoon(after::incrementAndGet);
        loop.callSoon(loop::stop);
        loop.runForever();
        assertEquals(1, after.get());
        assertEquals(1, errors.size());
        assertEquals("boom", ((Throwable) errors.getFirst().get("exception")).getMessage());
        assertTrue(((String) errors.getFirst().get("message")).startsWith("Exception in callback"));
    }

    /** The default exception handler is restored with null and callExceptionHandler reaches a custom one. */
    @Test
    void callExceptionHandlerUsesCustomHandler() {
        EventLoop loop = loop();
        var errors = errorsOf(loop);
        loop.callExceptionHandler(Map.of("message", "custom"));
        assertEquals("custom", errors.getFirst().get("message"));
        loop.setExceptionHandler(null);
        assertNull(loop.getExceptionHandler());
        loop.callExceptionHandler(Map.of("message", "logged, not recorded"));
        assertEquals(1, errors.size());
    }

    /** close() refuses a running loop, is idempotent, and a closed loop refuses work. */
    @Test
    void closeSemantics() {
        EventLoop loop = loop();
        AtomicReference<Throwable> inside = new AtomicReference<>();
        loop.callSoon(() -> {
            try {
                loop.close();
            } catch (Throwable e) {
                inside.set(e);
            }
            loop.stop();
        });
        loop.runForever();
        assertInstanceOf(IllegalStateException.class, inside.get());
        loop.close();
        loop.close();
        assertTrue(loop.isClosed());
        var e = assertThrows(IllegalStateException.class, () -> loop.runUntilComplete(() -> 1));
        assertEquals("Event loop is closed", e.getMessage());
        assertThrows(IllegalStateException.class, () -> loop.callSoonThreadsafe(() -> {}));
    }

    /** close() destroys a pending task: its body unwinds with CancelledError and its thread ends. */
    @Test
    void closeDestroysPendingTasks() {
        EventLoop loop = loop();
        List<String> log = new CopyOnWriteArrayList<>();
        Future<Void> never = loop.createFuture();
        Task<Void> t = loop.createTask(() -> {
            try {
                never.await();
            } catch (CancelledError e) {
                log.add("unwound: " + e.getMessage());
                throw e;
            }
            return null;
        });
        loop.runUntilComplete(() -> {
            Asyncio.sleep(Duration.ofMillis(5));
            return null;
        });
        assertFalse(t.done());
        loop.close();
        assertEquals(List.of("unwound: the event loop was closed while the task was pending"), log);
    }

    /** close() from an interrupted thread still waits until the pending task unwound and the loop thread ended, and keeps the interrupt. */
    @Test
    void closeFromAnInterruptedThreadStillWaitsForTheLoopThread() {
        EventLoop loop = loop();
        List<String> log = new CopyOnWriteArrayList<>();
        Future<Void> never = loop.createFuture();
        loop.createTask(() -> {
            try {
                never.await();
            } catch (CancelledError e) {
                log.add("unwound");
                throw e;
            }
            return null;
        });
        loop.runUntilComplete(() -> {
            Asyncio.sleep(Duration.ZERO);
            return null;
        });
        Thread.currentThread().interrupt();
        try {
            loop.close();
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept");
        } finally {
            Thread.interrupted();
        }
        assertEquals(List.of("unwound"), log);
        assertTrue(loop.isClosed());
        assertFalse(loop.loopThreadAlive());
    }

    /** Running a loop from inside a task is refused with a message that says to await instead. */
    @Test
    void nestedRunIsRefused() {
        EventLoop loop = loop();
        EventLoop other = loop();
        var e = assertThrows(IllegalStateException.class, () -> loop.runUntilComplete(() -> other.runUntilComplete(() -> 1)));
        assertTrue(e.getMessage().contains("await"), e.getMessage());
        var e2 = assertThrows(IllegalStateException.class, () -> loop.runUntilComplete(() -> Asyncio.run(() -> 1)));
        assertTrue(e2.getMessage().contains("await"), e2.getMessage());
    }

    /** runInExecutor runs in the default pool or a given executor and wraps the result. */
    @Test
    void runInExecutor() {
        EventLoop loop = loop();
        try (var pool = new dev.pyconc.futures.ThreadPoolExecutor(1)) {
            String r = loop.runUntilComplete(() -> {
                String a = loop.runInExecutor(null, () -> Thread.currentThread().getName()).await();
                String b = loop.runInExecutor(pool, () -> Thread.currentThread().getName()).await();
                return a.substring(0, 8) + "|" + b.startsWith("ThreadPoolExecutor");
            });
            assertEquals("asyncio_|true", r);
        }
    }

    /** Debug mode refuses a non-thread-safe call from a foreign thread while the loop runs. */
    @Test
    void debugDetectsForeignThread() throws Exception {
        EventLoop loop = loop();
        loop.setDebug(true);
        assertTrue(loop.getDebug());
        AtomicReference<Throwable> seen = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        loop.runUntilComplete(() -> {
            Thread t = new Thread(() -> {
                try {
                    loop.callSoon(() -> {});
                } catch (Throwable e) {
                    seen.set(e);
                }
                done.countDown();
            });
            t.start();
            while (done.getCount() > 0) {
                Asyncio.sleep(Duration.ofMillis(1));
            }
            return null;
        });
        assertInstanceOf(IllegalStateException.class, seen.get());
        assertTrue(seen.get().getMessage().contains("callSoonThreadsafe"), seen.get().getMessage());
    }

    /** Debug mode logs a callback slower than the threshold, and only that one. */
    @Test
    void debugSlowCallback() {
        EventLoop loop = loop();
        loop.setDebug(true);
        loop.setSlowCallbackDuration(Duration.ofMillis(20));
        assertEquals(Duration.ofMillis(20), loop.getSlowCallbackDuration());
        assertThrows(IllegalArgumentException.class, () -> loop.setSlowCallbackDuration(Duration.ofMillis(-1)));
        loop.callSoon(() -> {});
        loop.callSoon(() -> {
            long end = System.nanoTime() + 40_000_000;
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
            }
        });
        loop.callSoon(loop::stop);
        loop.runForever();
        assertEquals(1, loop.slowSteps);
        loop.setDebug(false);
        loop.runUntilComplete(() -> {
            long end = System.nanoTime() + 40_000_000;
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
            }
            return null;
        });
        assertEquals(1, loop.slowSteps, "timed outside debug mode");
    }

    /** Bad arguments are refused with IllegalArgumentException. */
    @Test
    void badArguments() {
        EventLoop loop = loop();
        assertThrows(IllegalArgumentException.class, () -> loop.callSoon(null));
        assertThrows(IllegalArgumentException.class, () -> loop.callLater(Duration.ofSeconds(-1), () -> {}));
        assertThrows(IllegalArgumentException.class, () -> loop.callLater(null, () -> {}));
        assertThrows(IllegalArgumentException.class, () -> loop.callAt(Double.NaN, () -> {}));
        assertThrows(IllegalArgumentException.class, () -> loop.createTask((java.util.concurrent.Callable<Object>) null));
        assertThrows(IllegalArgumentException.class, () -> loop.runUntilComplete((Future<Object>) null));
    }

    /** time() is monotonic seconds. */
    @Test
    void timeIsMonotonicSeconds() throws InterruptedException {
        EventLoop loop = loop();
        double a = loop.time();
        Thread.sleep(20);
        double b = loop.time();
        assertTrue(b - a >= 0.019 && b - a < 5, "elapsed " + (b - a));
    }

    /** A timer's when() is exactly the loop time it was scheduled for, not that time rounded through nanoseconds. */
    @Test
    @DisplayName("test_when")
    void testWhen() {
        EventLoop loop = loop();
        double now = loop.time();
        int differ = 0;
        for (int i = 0; i < 1000; i++) {
            double when = now + 3600 + i * 0.001_234_567;
            TimerHandle h = loop.callAt(when, () -> {});
            if (h.when() != when) {
                differ++;
            }
            h.cancel();
        }
        assertEquals(0, differ, "callAt(when).when() != when");
        TimerHandle later = loop.callLater(Duration.ofSeconds(10), () -> {});
        assertEquals(later.when(), later.when());
        assertTrue(later.when() > now + 9 && later.when() < now + 3600, "when " + later.when());
        later.cancel();
    }

    /** The loop thread ends when the loop is closed. */
    @Test
    void loopThreadEndsOnClose() throws Exception {
        EventLoop loop = Asyncio.newEventLoop();
        AtomicReference<Thread> thread = new AtomicReference<>();
        loop.callSoon(() -> thread.set(Thread.currentThread()));
        loop.callSoon(loop::stop);
        loop.runForever();
        loop.close();
        thread.get().join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(thread.get().isAlive());
    }

    /**
     * shutdownDefaultExecutor(timeout) returns once the timeout has passed while a call still
     * runs, and the executor is shut down without waiting (Python 3.12); with time enough, it
     * waits for the calls.
     */
    @Test
    void shutdownDefaultExecutorWithTimeout() throws Exception {
        EventLoop loop = loop();
        CountDownLatch release = new CountDownLatch(1);
        dev.pyconc.futures.ThreadPoolExecutor pool = new dev.pyconc.futures.ThreadPoolExecutor(1);
        loop.setDefaultExecutor(pool);
        Future<Boolean> blocked = loop.runInExecutor(null, () -> release.await(30, TimeUnit.SECONDS));
        long start = System.nanoTime();
        loop.runUntilComplete(() -> {
            loop.shutdownDefaultExecutor(Duration.ofMillis(100));
            return null;
        });
        assertTrue(System.nanoTime() - start >= 100_000_000L, "returned before its timeout");
        assertFalse(blocked.done());
        assertThrows(RuntimeException.class, () -> pool.submit(() -> 1));   // shut down
        release.countDown();
        assertTrue(loop.runUntilComplete(blocked));

        EventLoop other = loop();
        dev.pyconc.futures.ThreadPoolExecutor pool2 = new dev.pyconc.futures.ThreadPoolExecutor(1);
        other.setDefaultExecutor(pool2);
        AtomicInteger ran = new AtomicInteger();
        Future<Integer> quick = other.runInExecutor(null, () -> {
            Thread.sleep(20);
            return ran.incrementAndGet();
        });
        other.runUntilComplete(() -> {
            other.shutdownDefaultExecutor(Duration.ofSeconds(30));
            return null;
        });
        assertEquals(1, ran.get());          // waited for the call
        assertEquals(1, other.runUntilComplete(quick));
        assertThrows(IllegalArgumentException.class, () -> other.shutdownDefaultExecutor(Duration.ofMillis(-1)));
    }

}
