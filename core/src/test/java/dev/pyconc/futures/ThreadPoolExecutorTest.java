package dev.pyconc.futures;

import static dev.pyconc.testing.Threads.untilParkedIn;
import static dev.pyconc.testing.Timing.SHORT;
import static dev.pyconc.testing.Timing.assertThrowsNoEarlierThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.pyconc.testing.ChildJvm;
import dev.pyconc.testing.Threads;
import dev.pyconc.threading.Event;
import dev.pyconc.threading.Local;
import dev.pyconc.threading.Threading;
import dev.pyconc.builtins.TimeoutError;

class ThreadPoolExecutorTest {

    private static String threadName() {
        return java.lang.Thread.currentThread().getName();
    }

    /** submit runs the call in a worker named prefix_N and its future holds the result. */
    @Test
    void submitAndNames() {
        try (var pool = ThreadPoolExecutor.builder().maxWorkers(2).threadNamePrefix("fetch").build()) {
            assertEquals("fetch_0", pool.submit(ThreadPoolExecutorTest::threadName).result());
            assertEquals(2, pool.maxWorkers());
            assertTrue(pool.toString().startsWith("ThreadPoolExecutor[fetch, workers="), pool.toString());
        }
        try (var pool = new ThreadPoolExecutor(1)) {
            String name = pool.submit(ThreadPoolExecutorTest::threadName).result();
            assertTrue(name.matches("ThreadPoolExecutor-\\d+_0"), name);
            assertTrue(pool.submit(() -> Threading.currentThread().isDaemon()).result());
        }
    }

    /** A task's exception is the future's exception; a Runnable's future holds null. */
    @Test
    void taskOutcomes() {
        try (var pool = new ThreadPoolExecutor(2)) {
            IllegalStateException boom = new IllegalStateException("boom");
            Future<Object> failing = pool.submit(() -> {
                throw boom;
            });
            assertSame(boom, failing.exception());
            int[] ran = {0};
            Future<Void> f = pool.submit((Runnable) () -> ran[0]++);
            assertNull(f.result());
            assertEquals(1, ran[0]);
            assertThrows(IllegalArgumentException.class, () -> pool.submit((java.util.concurrent.Callable<Object>) null));
            assertThrows(IllegalArgumentException.class, () -> pool.submit((Runnable) null));
        }
    }

    /** Fifty tasks on a pool of two run on at most two workers, which are reused. */
    @Test
    void workersReused() {
        Set<String> names = ConcurrentHashMap.newKeySet();
        try (var pool = ThreadPoolExecutor.builder().maxWorkers(2).threadNamePrefix("reuse").build()) {
            List<Future<Void>> fs = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                fs.add(pool.submit((Runnable) () -> names.add(threadName())));
            }
            fs.forEach(Future::result);
        }
        assertTrue(Set.of("reuse_0", "reuse_1").containsAll(names), names.toString());
        assertTrue(!names.isEmpty());
    }

    /** The initializer runs once in each worker before its first task. */
    @Test
    void initializer() {
        Local<String> initialised = new Local<>();
        AtomicInteger runs = new AtomicInteger();
        try (var pool = ThreadPoolExecutor.builder().maxWorkers(1).initializer(() -> {
            runs.incrementAndGet();
            initialised.set("yes in " + threadName());
        }).threadNamePrefix("init").build()) {
            assertEquals("yes in init_0", pool.submit(initialised::get).result());
            assertEquals("yes in init_0", pool.submit(initialised::get).result());
        }
        assertEquals(1, runs.get());
    }

    /** A failing initializer breaks the pool: pending futures and later submits get BrokenThreadPool. */
    @Test
    void brokenPool() {
        IllegalStateException cause = new IllegalStateException("no database");
        try (var pool = ThreadPoolExecutor.builder().maxWorkers(1).initializer(() -> {
            throw cause;
        }).build()) {
            Future<Integer> pending = pool.submit(() -> 1);
            Throwable e = pending.exception(Duration.ofSeconds(30));
            assertInstanceOf(BrokenThreadPool.class, e);
            assertEquals("A thread initializer failed, the thread pool is not usable anymore", e.getMessage());
            assertSame(cause, e.getCause());
            BrokenThreadPool later = assertThrows(BrokenThreadPool.class, () -> pool.submit(() -> 2));
            assertInstanceOf(BrokenExecutor.class, later);
            assertSame(cause, later.getCause());
            assertTrue(pool.toString().contains("broken"));
        }
    }

    /** map returns the results in the order of the items, whatever order the calls finish in. */
    @Test
    void mapOrder() {
        Event lastDone = new Event();
        try (var pool = new ThreadPoolExecutor(4)) {
            Iterable<String> results = pool.map(i -> {
                if (i < 3) {
                    lastDone.await();    // the first items finish after the last one
                } else {
                    lastDone.set();
                }
                return "r" + i;
            }, List.of(0, 1, 2, 3));
            List<String> got = new ArrayList<>();
            results.forEach(got::add);
            assertEquals(List.of("r0", "r1", "r2", "r3"), got);
        }
    }

    /** map rethrows a call's exception when its result is reached. */
    @Test
    void mapFailure() {
        try (var pool = new ThreadPoolExecutor(2)) {
            Iterator<Integer> it = pool.map(i -> 10 / i, List.of(1, 0, 5)).iterator();
            assertEquals(10, it.next());
            assertThrows(ArithmeticException.class, it::next);
            assertFalse(it.hasNext());
        }
        assertThrows(IllegalArgumentException.class, () -> new ThreadPoolExecutor(1).map(null, List.of()));
    }

    /** map with a timeout throws TimeoutError no earlier than the timeout and cancels the calls not started. */
    @Test
    void mapTimeout() {
        Event release = new Event();
        Set<Integer> started = ConcurrentHashMap.newKeySet();
        try (var pool = new ThreadPoolExecutor(1)) {
            try {
                // The timeout counts from the call to map, as in Python.
                assertThrowsNoEarlierThan(TimeoutError.class, SHORT, () -> {
                    Iterator<Boolean> it = pool.map(i -> {
                        started.add(i);
                        return release.await();
                    }, List.of(1, 2, 3), SHORT).iterator();
                    try {
                        it.next();
                    } finally {
                        assertFalse(it.hasNext());
                    }
                });
            } finally {
                release.set();
            }
        }
        // The calls still pending at the timeout were cancelled: 2 and 3 never ran (1 ran unless the
        // single worker had not taken it yet when the timeout cancelled it too).
        assertTrue(Set.of(1).containsAll(started), started.toString());
    }

    /** shutdown(wait) returns after the running and queued calls finished; submit then throws. */
    @Test
    void shutdownWaits() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1);
        Event release = new Event();
        Future<Boolean> running = pool.submit(() -> release.await());
        Future<Integer> queued = pool.submit(() -> 2);
        var shutter = Threads.run("shutter", () -> pool.shutdown(true, false));
        untilParkedIn(shutter.thread(), ThreadPoolExecutor.class);
        assertFalse(queued.done());
        release.set();
        shutter.get();
        assertTrue(running.done());
        assertEquals(2, queued.result(Duration.ZERO));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.submit(() -> 3));
        assertEquals("cannot schedule new futures after shutdown", e.getMessage());
        assertTrue(pool.toString().contains("shut down"));
        pool.shutdown();     // again: harmless
    }

    /** shutdown(cancelFutures) cancels the calls not started; the running call finishes. */
    @Test
    void shutdownCancelsPending() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1);
        Event release = new Event();
        Future<Boolean> running = pool.submit(() -> release.await());
        Threads.until("first call running", running::running);
        Future<Integer> queued1 = pool.submit(() -> 1);
        Future<Integer> queued2 = pool.submit(() -> 2);
        pool.shutdown(false, true);
        assertTrue(queued1.cancelled());
        assertTrue(queued2.cancelled());
        assertFalse(running.done());
        release.set();
        assertTrue(running.result(Duration.ofSeconds(30)));
        pool.shutdown(true, true);
    }

    /** A non-positive maxWorkers is refused. */
    @Test
    void badMaxWorkers() {
        assertEquals("maxWorkers must be greater than 0, not 0",
                assertThrows(IllegalArgumentException.class, () -> new ThreadPoolExecutor(0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> ThreadPoolExecutor.builder().maxWorkers(-1).build());
    }

    /** The JVM's exit waits for every call submitted to a pool that was not shut down, or shut down without waiting. */
    @Test
    void jvmExitWaitsForSubmittedCalls() {
        for (String mode : List.of("open", "shutdown-nowait")) {
            var r = ChildJvm.run(ExitMain.class, List.of(), mode);
            assertEquals(0, r.exitCode(), r.toString());
            assertEquals("main returns\ntask 0\ntask 1\ntask 2\n", r.out(), mode + ": " + r);
        }
    }

    /** Child JVM: submits three calls that run only after main ended, then returns. */
    static final class ExitMain {
        public static void main(String[] args) {
            var pool = new ThreadPoolExecutor(1);
            var main = Threading.mainThread();
            for (int i = 0; i < 3; i++) {
                int n = i;
                pool.submit((Runnable) () -> {
                    main.join();
                    System.out.println("task " + n);
                });
            }
            if (args[0].equals("shutdown-nowait")) {
                pool.shutdown(false);
            }
            System.out.println("main returns");
        }
    }

    /** Six blocked calls on a pool of three run on exactly three workers, three at a time. */
    @Test
    void neverMoreThanMaxWorkers() {
        Set<String> names = new TreeSet<>();
        Event release = new Event();
        AtomicInteger running = new AtomicInteger();
        try (var pool = ThreadPoolExecutor.builder().maxWorkers(3).threadNamePrefix("cap").build()) {
            List<Future<String>> fs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                fs.add(pool.submit(() -> {
                    running.incrementAndGet();
                    release.await();
                    return threadName();
                }));
            }
            Threads.until("three calls running at once", () -> running.get() == 3);
            assertEquals(3, running.get(), "no fourth call runs while three workers are busy");
            release.set();
            fs.forEach(f -> names.add(f.result()));
        }
        assertEquals(Set.of("cap_0", "cap_1", "cap_2"), names);
    }
}
