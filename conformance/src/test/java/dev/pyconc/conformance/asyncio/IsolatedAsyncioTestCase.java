package dev.pyconc.conformance.asyncio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterEach;

import dev.pyconc.asyncio.Asyncio;

/**
 * unittest's {@code IsolatedAsyncioTestCase} for the ported asyncio suites: each {@code async def}
 * test is a body that {@link #run} runs in a new loop of its own ({@code Asyncio.run}), and after
 * each test no loop thread is left alive.
 */
public abstract class IsolatedAsyncioTestCase {

    /** A test body: the statements of CPython's {@code async def test_...}. */
    @FunctionalInterface
    protected interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body} as the main task of a new event loop, as IsolatedAsyncioTestCase does. */
    protected static void run(Body body) {
        Asyncio.run(() -> {
            body.run();
            return null;
        });
    }

    /** {@code await asyncio.sleep(0)}: lets every ready task run one step. */
    protected static void sleep0() {
        Asyncio.sleep(Duration.ZERO);
    }

    /** {@code await asyncio.sleep(seconds)}. */
    protected static void sleep(double seconds) {
        Asyncio.sleep(Duration.ofNanos((long) (seconds * 1e9)));
    }

    /** Python's list literal. */
    @SafeVarargs
    protected static <T> List<T> list(T... items) {
        return new ArrayList<>(Arrays.asList(items));
    }

    @AfterEach
    void noLoopThreadLeft() {
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<String> alive = loopThreads();
        while (!alive.isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            Thread.yield();
            alive = loopThreads();
        }
        assertEquals(List.of(), alive, "event loop threads left alive after the test");
    }

    private static List<String> loopThreads() {
        List<String> alive = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("asyncio-loop-") && t.isAlive()) {
                alive.add(t.getName());
            }
        }
        return alive;
    }
}
