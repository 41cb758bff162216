package dev.pyconc.conformance.asyncio.testrunners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.CancelledError;
import dev.pyconc.asyncio.DefaultEventLoopPolicy;
import dev.pyconc.asyncio.EventLoop;
import dev.pyconc.asyncio.Task;
import dev.pyconc.conformance.asyncio.IsolatedAsyncioTestCase;

/**
 * test_asyncio/test_runners.py's {@code RunTests}: {@code asyncio.run} is {@code Asyncio.run}.
 * CPython's BaseTest runs each test under an event loop policy whose loop is a mocked
 * BaseEventLoop; here each run makes a loop of pyconc's own.
 */
public class RunTests extends IsolatedAsyncioTestCase {

    /**
     * The default policy with its setEventLoop calls counted: the Java form of the tests'
     * {@code policy.set_event_loop = mock.Mock()}. Installed with {@link #install()}; the test puts
     * the default back with {@code Asyncio.setEventLoopPolicy(null)}, as BaseTest's tearDown does.
     */
    static final class CountingPolicy extends DefaultEventLoopPolicy {
        int calls;

        static CountingPolicy install() {
            CountingPolicy p = new CountingPolicy();
            Asyncio.setEventLoopPolicy(p);
            return p;
        }

        @Override
        public void setEventLoop(EventLoop loop) {
            calls++;
            super.setEventLoop(loop);
        }
    }

    /**
     * run(main) leaves the loop in the default debug mode, run(main, debug) sets it; the default
     * is the environment's: the system property pyconc.asyncio.debug stands for the test's patched
     * {@code coroutines._is_debug_mode}. In the body, getEventLoop() is the running loop.
     */
    @Test
    @DisplayName("test_asyncio_run_debug")
    void testAsyncioRunDebug() {
        String property = "pyconc.asyncio.debug";
        String before = System.getProperty(property);
        try {
            assertEquals(false, Asyncio.run(() -> Asyncio.getEventLoop().getDebug(), false));
            assertEquals(true, Asyncio.run(() -> Asyncio.getEventLoop().getDebug(), true));
            System.setProperty(property, "true");
            assertEquals(true, Asyncio.run(() -> Asyncio.getEventLoop().getDebug()));
            assertEquals(false, Asyncio.run(() -> Asyncio.getEventLoop().getDebug(), false));
            System.setProperty(property, "false");
            assertEquals(true, Asyncio.run(() -> Asyncio.getEventLoop().getDebug(), true));
            assertEquals(false, Asyncio.run(() -> Asyncio.getEventLoop().getDebug()));
        } finally {
            if (before == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, before);
            }
        }
    }

    /** run sets its loop as the thread's current loop through the policy (cpython gh-93896). */
    @Test
    @DisplayName("test_asyncio_run_set_event_loop")
    void testAsyncioRunSetEventLoop() {
        CountingPolicy policy = CountingPolicy.install();
        try {
            assertEquals(42, Asyncio.run(() -> {
                sleep0();
                return 42;
            }));
            assertTrue(policy.calls > 0);
        } finally {
            Asyncio.setEventLoopPolicy(null);
        }
    }

    /** run returns the body's value. */
    @Test
    @DisplayName("test_asyncio_run_return")
    void testAsyncioRunReturn() {
        assertEquals(42, Asyncio.run(() -> {
            sleep0();
            return 42;
        }));
    }

    /** run raises the body's exception. */
    @Test
    @DisplayName("test_asyncio_run_raises")
    void testAsyncioRunRaises() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Asyncio.run(() -> {
            sleep0();
            throw new IllegalArgumentException("spam");         // Python's ValueError('spam')
        }));
        assertTrue(e.getMessage().contains("spam"), e.getMessage());
    }

    /** run from a task of a running loop is IllegalStateException (Python's RuntimeError). */
    @Test
    @DisplayName("test_asyncio_run_from_running_loop")
    void testAsyncioRunFromRunningLoop() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Asyncio.run(() -> {
            Asyncio.run(() -> null);
            return null;
        }));
        assertTrue(e.getMessage().contains("cannot be called from a running"), e.getMessage());
    }

    /** A task left over when the body returns is cancelled and done when run returns. */
    @Test
    @DisplayName("test_asyncio_run_cancels_hanging_tasks")
    void testAsyncioRunCancelsHangingTasks() {
        Task<?>[] loTask = new Task<?>[1];
        assertEquals(123, Asyncio.run(() -> {
            loTask[0] = Asyncio.createTask(() -> Asyncio.sleep(Duration.ofMillis(100)));
            return 123;
        }));
        assertTrue(loTask[0].done());
    }

    /** A left-over task that fails as it is cancelled is reported to the loop's exception handler. */
    @Test
    @DisplayName("test_asyncio_run_reports_hanging_tasks_errors")
    void testAsyncioRunReportsHangingTasksErrors() {
        Task<?>[] loTask = new Task<?>[1];
        List<Map<String, Object>> calls = new CopyOnWriteArrayList<>();
        assertEquals(123, Asyncio.run(() -> {
            Asyncio.getRunningLoop().setExceptionHandler((loop, context) -> calls.add(context));
            loTask[0] = Asyncio.createTask(() -> {
                try {
                    Asyncio.sleep(Duration.ofMillis(100));
                } catch (CancelledError e) {
                    int zero = 0;
                    return 1 / zero;
                }
                return 0;
            });
            return 123;
        }));
        assertTrue(loTask[0].done());
        assertEquals(1, calls.size(), calls.toString());
        Map<String, Object> context = calls.get(calls.size() - 1);
        assertTrue(String.valueOf(context.get("message")).matches("(?s).*asyncio.run.*shutdown.*"), context.toString());
        assertSame(loTask[0], context.get("task"));
        assertInstanceOf(ArithmeticException.class, context.get("exception"));
    }

    /** Asyncio.run(main, loopFactory): main runs on the loop the factory made, made once. */
    @Test
    @DisplayName("test_asyncio_run_loop_factory")
    void testAsyncioRunLoopFactory() {
        EventLoop loop = Asyncio.newEventLoop();
        int[] calls = {0};
        Asyncio.run(() -> {
            assertSame(loop, Asyncio.getRunningLoop());
            return null;
        }, () -> {
            calls[0]++;
            return loop;
        });
        assertEquals(1, calls[0]);
        assertTrue(loop.isClosed());
    }

    /** Asyncio::newEventLoop as the factory: main runs on an EventLoop (Python's SelectorEventLoop). */
    @Test
    @DisplayName("test_loop_factory_default_event_loop")
    void testLoopFactoryDefaultEventLoop() {
        Asyncio.run(() -> {
            assertInstanceOf(EventLoop.class, Asyncio.getRunningLoop());
            return null;
        }, Asyncio::newEventLoop);
    }

}
