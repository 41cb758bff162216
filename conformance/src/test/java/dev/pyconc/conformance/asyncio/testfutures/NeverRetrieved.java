package dev.pyconc.conformance.asyncio.testfutures;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.EventLoop;
import dev.pyconc.asyncio.Future;

/**
 * What the loop's exception handler reports of a future that nobody asked for its exception.
 * CPython's Future.__del__ logs such an exception when reference counting frees the future at
 * {@code del fut}; the JVM frees it when the collector finds it unreachable, and pyconc then
 * reports it to the loop's exception handler. {@link #reportsOfCollected} drops the future, waits
 * until the collector has cleared a weak reference to it, then drops a sentinel future failed
 * with an exception nobody retrieves, collected after it, and waits until the sentinel is
 * reported: the reports then include the future's, if it made one.
 */
public final class NeverRetrieved {
    private NeverRetrieved() {
    }

    /**
     * The exception handler's contexts, other than the sentinel's, once the future {@code make}
     * returns is collected; call it from a task body of the running loop, whose handler it sets.
     */
    public static List<Map<String, Object>> reportsOfCollected(Supplier<? extends Future<?>> make) {
        EventLoop loop = Asyncio.getRunningLoop();
        List<Map<String, Object>> reports = new ArrayList<>();
        loop.setExceptionHandler((l, context) -> reports.add(context));
        WeakReference<Future<?>> ref = new WeakReference<>(make.get());
        collect(() -> ref.get() == null, "the future was not collected");
        RuntimeException marker = new RuntimeException("sentinel");
        dropFailed(loop, marker);
        collect(() -> reports.stream().anyMatch(c -> c.get("exception") == marker), "the sentinel was not reported");
        return reports.stream().filter(c -> c.get("exception") != marker).toList();
    }

    private static void dropFailed(EventLoop loop, Throwable e) {
        Future<Object> f = loop.createFuture();
        f.setException(e);
    }

    /** Runs the collector and lets the loop run until {@code done} holds (liveness bound 30 s). */
    private static void collect(BooleanSupplier done, String failure) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, failure);
            System.gc();
            Asyncio.sleep(Duration.ofMillis(10));
        }
    }
}
