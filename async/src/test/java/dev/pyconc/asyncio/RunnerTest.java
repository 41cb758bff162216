package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import dev.pyconc.builtins.InterruptedError;


@org.junit.jupiter.api.Timeout(60)
class RunnerTest extends LoopTesting {

    /** A runner runs several bodies on one loop and closes it at the end. */
    @Test
    void severalRunsOneLoop() {
        EventLoop loop;
        try (var runner = new Runner()) {
            loop = runner.getLoop();
            assertSame(loop, runner.run(Asyncio::getRunningLoop));
            assertEquals(2, runner.run(() -> 2));
        }
        assertTrue(loop.isClosed());
    }

    /** close() cancels and awaits the tasks still pending. */
    @Test
    void closeCancelsPending() {
        List<String> log = new ArrayList<>();
        try (var runner = new Runner()) {
            runner.run(() -> Asyncio.createTask(() -> {
                try {
                    Asyncio.sleep(Duration.ofHours(1));
                } catch (CancelledError e) {
                    log.add("cancelled at close");
                    throw e;
                }
            }));
        }
        assertEquals(List.of("cancelled at close"), log);
    }

    /** A closed runner refuses work; debug mode is passed to the loop. */
    @Test
    void closedAndDebug() {
        var runner = new Runner(true);
        assertTrue(runner.getLoop().getDebug());
        runner.close();
        runner.close();
        assertThrows(IllegalStateException.class, () -> runner.run(() -> 1));
    }

    /** Interrupting the thread that runs a body cancels the body's task. */
    @Test
    void interruptCancelsMainTask() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        List<String> log = new ArrayList<>();
        CountDownLatch started = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            try (var runner = new Runner()) {
                runner.run(() -> {
                    started.countDown();
                    try {
                        Asyncio.sleep(Duration.ofHours(1));
                    } catch (CancelledError e) {
                        log.add("main cancelled");
                        throw e;
                    }
                    return null;
                });
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        t.start();
        started.await();
        t.interrupt();
        t.join(20_000);
        assertFalse(t.isAlive());
        assertInstanceOf(InterruptedError.class, thrown.get());
        assertEquals(List.of("main cancelled"), log);
    }

    // ---------------------------------------------------------------- Ctrl-C (test_runners.py's test_interrupt_*)

    private static void interruptSelf() {
        sun.misc.Signal.raise(new sun.misc.Signal("INT"));
    }

    private static sun.misc.SignalHandler sigint() {
        sun.misc.Signal s = new sun.misc.Signal("INT");
        sun.misc.SignalHandler h = sun.misc.Signal.handle(s, sun.misc.SignalHandler.SIG_DFL);
        sun.misc.Signal.handle(s, h);
        return h;
    }

    private static void assumeMainThread() {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Thread.currentThread() == dev.pyconc.threading.Threading.mainThread().javaThread(),
                "the Runner installs its SIGINT handler only on the main thread, and the tests run elsewhere");
    }

    /** SIGINT while the body awaits a future cancels the future and the task; run raises InterruptedError; the JVM's handler is back. */
    @Test
    @org.junit.jupiter.api.DisplayName("test_interrupt_wait")
    void testInterruptWait() {
        assumeMainThread();
        try (var runner = new Runner()) {
            Future<Void> fut = runner.getLoop().createFuture();
            runner.getLoop().callLater(Duration.ofMillis(100), RunnerTest::interruptSelf);
            InterruptedError e = assertThrows(InterruptedError.class, () -> runner.run(() -> {
                assertThrows(CancelledError.class, fut::await);
                throw new CancelledError();
            }));
            assertEquals("SIGINT (Ctrl-C) interrupted Runner.run(); the main task was cancelled", e.getMessage());
            assertTrue(fut.cancelled());
        }
        assertTrue(Signals.isJdkDefault(sigint()), String.valueOf(sigint()));
    }

    /** A body that swallows the cancellation of the first SIGINT returns normally. */
    @Test
    void interruptSwallowedReturns() {
        assumeMainThread();
        try (var runner = new Runner()) {
            runner.getLoop().callLater(Duration.ofMillis(50), RunnerTest::interruptSelf);
            assertEquals("swallowed", runner.run(() -> {
                try {
                    Asyncio.sleep(Duration.ofHours(1));
                    return "slept";
                } catch (CancelledError e) {
                    Asyncio.currentTask().uncancel();
                    return "swallowed";
                }
            }));
        }
    }

    /** A second SIGINT makes run raise at once, while the task still resists; close() then ends it. */
    @Test
    void secondInterruptRaisesAtOnce() {
        assumeMainThread();
        List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (var runner = new Runner()) {
            runner.getLoop().callLater(Duration.ofMillis(50), RunnerTest::interruptSelf);
            InterruptedError e = assertThrows(InterruptedError.class, () -> runner.run(() -> {
                try {
                    Asyncio.sleep(Duration.ofHours(1));
                } catch (CancelledError first) {
                    log.add("first");
                    interruptSelf();
                    try {
                        Asyncio.sleep(Duration.ofHours(1));      // does not give up at once
                    } catch (CancelledError atClose) {
                        log.add("closed");
                        throw atClose;
                    }
                }
                return null;
            }));
            assertEquals("SIGINT (Ctrl-C) interrupted Runner.run(); the main task was cancelled", e.getMessage());
            assertFalse(Thread.currentThread().isInterrupted());
            assertEquals(List.of("first"), log);
        }
        assertEquals(List.of("first", "closed"), log);
        assertTrue(Signals.isJdkDefault(sigint()));
    }

    /** A SIGINT handler the program installed is left alone: run does not replace it. */
    @Test
    void customSigintHandlerLeftAlone() throws InterruptedException {
        assumeMainThread();
        CountDownLatch mine = new CountDownLatch(1);
        sun.misc.SignalHandler custom = s -> mine.countDown();
        sun.misc.SignalHandler old = sun.misc.Signal.handle(new sun.misc.Signal("INT"), custom);
        try (var runner = new Runner()) {
            assertEquals("ran", runner.run(() -> {
                assertSame(custom, sigint());
                interruptSelf();
                return "ran";
            }));
            assertTrue(mine.await(20, java.util.concurrent.TimeUnit.SECONDS));
            assertSame(custom, sigint());
        } finally {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), old);
        }
    }

    /** Off the main thread, run installs nothing (the JVM's handler stays in while it runs). */
    @Test
    void notOnMainThreadNoHandler() throws Exception {
        AtomicReference<Object> seen = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try (var runner = new Runner()) {
                seen.set(runner.run(() -> Signals.isJdkDefault(sigint())));
            }
        });
        t.start();
        t.join(20_000);
        assertEquals(Boolean.TRUE, seen.get());
    }
}
