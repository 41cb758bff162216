package dev.pyconc.conformance.asyncio.testrunners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.EventLoop;
import dev.pyconc.asyncio.Runner;
import dev.pyconc.conformance.asyncio.IsolatedAsyncioTestCase;
import dev.pyconc.contextvars.ContextVar;
import dev.pyconc.contextvars.Contextvars;

/** test_asyncio/test_runners.py's {@code RunnerTests}: {@code asyncio.Runner} is {@code Runner}. */
public class RunnerTests extends IsolatedAsyncioTestCase {

    /** Runner(false): the loop is not in debug mode. */
    @Test
    @DisplayName("test_non_debug")
    void testNonDebug() {
        try (Runner runner = new Runner(false)) {
            assertFalse(runner.getLoop().getDebug());
        }
    }

    /** Runner(true): the loop is in debug mode. */
    @Test
    @DisplayName("test_debug")
    void testDebug() {
        try (Runner runner = new Runner(true)) {
            assertTrue(runner.getLoop().getDebug());
        }
    }

    /** run returns the body's value; after the block getLoop() is IllegalStateException and the loop is closed. */
    @Test
    @DisplayName("test_run")
    void testRun() {
        EventLoop loop;
        Runner r;
        try (Runner runner = new Runner()) {
            r = runner;
            assertEquals("done", runner.run(() -> {
                sleep0();
                return "done";
            }));
            loop = runner.getLoop();
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, r::getLoop);
        assertTrue(e.getMessage().contains("Runner is closed"), e.getMessage());
        assertTrue(loop.isClosed());
    }

    /** close() without a block closes the loop, and getLoop() is then refused. */
    @Test
    @DisplayName("test_explicit_close")
    void testExplicitClose() {
        Runner runner = new Runner();
        EventLoop loop = runner.getLoop();
        runner.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, runner::getLoop);
        assertTrue(e.getMessage().contains("Runner is closed"), e.getMessage());
        assertTrue(loop.isClosed());
    }

    /** A second close() does nothing. */
    @Test
    @DisplayName("test_double_close")
    void testDoubleClose() {
        Runner runner = new Runner();
        EventLoop loop = runner.getLoop();
        runner.close();
        assertTrue(loop.isClosed());
        runner.close();
        assertTrue(loop.isClosed());
    }

    /** A second block on a closed runner: run is IllegalStateException ("Runner is closed") and the body does not run. */
    @Test
    @DisplayName("test_second_with_block_raises")
    void testSecondWithBlockRaises() {
        List<Integer> ret = new ArrayList<>();
        Runner runner = new Runner();
        try (runner) {
            runner.run(() -> ret.add(1));
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            try (runner) {
                runner.run(() -> ret.add(2));
            }
        });
        assertTrue(e.getMessage().contains("Runner is closed"), e.getMessage());
        assertEquals(List.of(1), ret);
    }

    /** run from a task of the runner's own loop is IllegalStateException, and the inner body never runs. */
    @Test
    @DisplayName("test_recursive_run")
    void testRecursiveRun() {
        boolean[] ran = {false};
        try (Runner runner = new Runner()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> runner.run(() -> runner.run(() -> {
                ran[0] = true;
                return null;
            })));
            assertTrue(e.getMessage().contains("Runner.run() cannot be called from a running event loop"), e.getMessage());
        }
        assertFalse(ran[0]);
    }

    /** gh-112559: run does not call toString on the body's result. */
    @Test
    @DisplayName("test_no_repr_is_call_on_the_task_result")
    void testNoReprIsCallOnTheTaskResult() {
        MyResult result;
        try (Runner runner = new Runner()) {
            result = runner.run(MyResult::new);
        }
        assertEquals(0, result.reprCount);
    }

    static final class MyResult {
        int reprCount;

        @Override
        public String toString() {
            reprCount++;
            return super.toString();
        }
    }

    /** Runner(loopFactory): getLoop() is the loop the factory made. */
    @Test
    @DisplayName("test_custom_factory")
    void testCustomFactory() {
        EventLoop loop = Asyncio.newEventLoop();
        try (Runner runner = new Runner(() -> loop)) {
            assertSame(loop, runner.getLoop());
        }
        assertTrue(loop.isClosed());
    }

    /** A Runner's runs share one context: what one body sets, the next one sees. */
    @Test
    @DisplayName("test_run_keeps_context")
    void testRunKeepsContext() {
        ContextVar<Integer> cvar = new ContextVar<>("cvar", -1);
        java.util.function.IntFunction<java.util.concurrent.Callable<Integer>> f = val -> () -> {
            int old = cvar.get();
            sleep0();
            cvar.set(val);
            return old;
        };
        try (Runner runner = new Runner()) {
            assertEquals(-1, runner.run(f.apply(1)));
            assertEquals(1, runner.run(f.apply(2)));

            assertEquals(2, runner.run(Contextvars::copyContext).get(cvar));
        }
    }

    // ---------------------------------------------------------------- Ctrl-C

    /** CPython's interrupt_self(): SIGINT to this process (_thread.interrupt_main()). */
    static void interruptSelf() {
        sun.misc.Signal.raise(new sun.misc.Signal("INT"));
    }

    static void assertMainThread() {
        assertTrue(Thread.currentThread() == dev.pyconc.threading.Threading.mainThread().javaThread(),
                "the runner's SIGINT handler is installed on the main thread only");
    }

    /** A SIGINT while the body only yields (sleep 0) cancels it; run raises InterruptedError (KeyboardInterrupt). */
    @Test
    @DisplayName("test_interrupt_call_soon")
    void testInterruptCallSoon() {
        // The only case when task is not suspended by waiting a future or another task
        assertMainThread();
        try (Runner runner = new Runner()) {
            runner.getLoop().callLater(java.time.Duration.ofMillis(100), RunnerTests::interruptSelf);
            assertThrows(dev.pyconc.builtins.InterruptedError.class, () -> runner.run(() -> {
                assertThrows(dev.pyconc.asyncio.CancelledError.class, () -> {
                    while (true) {
                        sleep0();
                    }
                });
                throw new dev.pyconc.asyncio.CancelledError();
            }));
        }
    }

    /** Interrupting while the body awaits a future cancels both the future and the main task. */
    @Test
    @DisplayName("test_interrupt_wait")
    void testInterruptWait() {
        assertMainThread();
        try (Runner runner = new Runner()) {
            dev.pyconc.asyncio.Future<Void> fut = runner.getLoop().createFuture();
            runner.getLoop().callLater(java.time.Duration.ofMillis(100), RunnerTests::interruptSelf);
            assertThrows(dev.pyconc.builtins.InterruptedError.class, () -> runner.run(() -> {
                assertThrows(dev.pyconc.asyncio.CancelledError.class, fut::await);
                throw new dev.pyconc.asyncio.CancelledError();
            }));
            assertTrue(fut.cancelled());
        }
    }

    /**
     * Interrupting a main task that was cancelled already raises its CancelledError, not
     * InterruptedError. The JVM hands a signal to its handler on a thread of its own, later than
     * the raise returns, where CPython runs the handler in the main thread before run() goes on:
     * so the main task, once cancelled, waits until the runner's handler has cancelled it too
     * (cancelling() == 2) before it ends; ended sooner, run() would put the JVM's own handler back
     * before the signal reached the runner's, and the JVM would exit.
     */
    @Test
    @DisplayName("test_interrupt_cancelled_task")
    void testInterruptCancelledTask() {
        assertMainThread();
        try (Runner runner = new Runner()) {
            assertThrows(dev.pyconc.asyncio.CancelledError.class, () -> runner.run(() -> {
                dev.pyconc.asyncio.Task<?> main = dev.pyconc.asyncio.Asyncio.currentTask();
                dev.pyconc.asyncio.Asyncio.createTask(() -> {
                    sleep0();
                    main.cancel();
                    interruptSelf();
                });
                try {
                    sleep(10);
                } catch (dev.pyconc.asyncio.CancelledError cancelled) {
                    while (main.cancelling() < 2) {        // the runner's handler has not run yet
                        try {
                            sleep0();
                        } catch (dev.pyconc.asyncio.CancelledError byTheHandler) {
                            // its cancel() reached this task: cancelling() is 2 now
                        }
                    }
                    throw cancelled;
                }
                return null;
            }));
        }
    }

    /**
     * Where the JVM does not let SIGINT be caught (-Xrs, Java's counterpart of a main thread
     * without signals), run works without the handler: a child JVM runs a Runner with -Xrs.
     */
    @Test
    @DisplayName("test_signal_install_not_supported_ok")
    void testSignalInstallNotSupportedOk(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path src = dir.resolve("Main.java");
        java.nio.file.Files.writeString(src, """
                public class Main {
                    public static void main(String[] args) {
                        try (var runner = new dev.pyconc.asyncio.Runner()) {
                            System.out.println(runner.run(() -> "ran"));
                        }
                    }
                }
                """);
        List<String> cmd = new ArrayList<>(List.of(
                java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xrs"));
        String modulePath = System.getProperty("jdk.module.path");
        if (modulePath != null && !modulePath.isEmpty()) {
            cmd.addAll(List.of("--module-path", modulePath, "--add-modules", "dev.pyconc.async",
                    "--enable-native-access=io.netty.common,dev.pyconc.async"));
        } else {
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "--enable-native-access=ALL-UNNAMED"));
        }
        cmd.add(src.toString());
        java.lang.Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, child.waitFor(), out);
        assertEquals("ran\n", out);
    }

    /** Two runs of one runner set the current loop once (cpython gh-95736). */
    @Test
    @DisplayName("test_set_event_loop_called_once")
    void testSetEventLoopCalledOnce() {
        RunTests.CountingPolicy policy = RunTests.CountingPolicy.install();
        try {
            Runner runner = new Runner();
            runner.run(() -> null);
            runner.run(() -> null);
            assertEquals(1, policy.calls);
            runner.close();
        } finally {
            Asyncio.setEventLoopPolicy(null);
        }
    }
}
