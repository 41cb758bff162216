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

}
