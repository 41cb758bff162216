package dev.pyconc.conformance.concurrentfutures.testascompleted;

import static dev.pyconc.conformance.concurrentfutures.util.Util.cancelledAndNotifiedFuture;
import static dev.pyconc.conformance.concurrentfutures.util.Util.exceptionFuture;
import static dev.pyconc.conformance.concurrentfutures.util.Util.pendingFuture;
import static dev.pyconc.conformance.concurrentfutures.util.Util.runningFuture;
import static dev.pyconc.conformance.concurrentfutures.util.Util.successfulFuture;
import static dev.pyconc.testing.Threads.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.builtins.TimeoutError;
import dev.pyconc.futures.Executor;
import dev.pyconc.futures.Future;
import dev.pyconc.futures.Futures;
import dev.pyconc.multiprocessing.SerializableCallable;

/**
 * test_concurrent_futures/test_as_completed.py's {@code AsCompletedTests}: {@link Futures#asCompleted}
 * over futures of an executor (five workers, made before each test and shut down after it, as
 * CPython's {@code ExecutorMixin}; a process pool class keeps one for all its methods) and futures
 * already in each state. The calls are serializable lambdas, so that they can travel to a worker process. Python's arbitrary iterable
 * ({@code itertools.repeat}) is a collection here ({@code Collections.nCopies}).
 */
public abstract class AsCompletedTests {
    protected Executor executor;

    /** The executor for the next test: CPython's {@code executor_type(max_workers=5)}. */
    protected abstract Executor newExecutor();

    @BeforeEach
    void setUpExecutor() {
        executor = newExecutor();
    }

    @AfterEach
    protected void tearDownExecutor() {
        executor.shutdown(true, false);
        executor = null;
    }

    /** Submits {@code fn}, a lambda that can travel to a worker process. */
    protected Future<Object> submit(SerializableCallable<Object> fn) {
        return executor.submit(fn);
    }

    static Object sleep(Duration d) {
        try {
            java.lang.Thread.sleep(d);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return null;
    }

    @Test
    @DisplayName("test_no_timeout")
    void testNoTimeout() {
        Future<Object> future1 = submit(() -> 2 * 21);
        Future<Object> future2 = submit(() -> 7 * 6);
        List<Future<Object>> all = List.of(cancelledAndNotifiedFuture(), exceptionFuture(), successfulFuture(), future1, future2);
        Set<Future<Object>> completed = new HashSet<>();
        for (Future<Object> f : Futures.asCompleted(all)) {
            completed.add(f);
        }
        assertEquals(Set.copyOf(all), completed);
    }

    /** With a timeout of 0 and of 100 ms, the done futures come out and then TimeoutError, before the 1 s call ends. */
    @Test
    @DisplayName("test_future_times_out")
    void testFutureTimesOut() {
        Set<Future<Object>> alreadyCompleted = Set.of(cancelledAndNotifiedFuture(), exceptionFuture(), successfulFuture());
        Duration shortTimeout = Duration.ofMillis(100);
        for (Duration timeout : List.of(Duration.ZERO, shortTimeout)) {
            Set<Future<Object>> completedFutures = new HashSet<>();
            Future<Object> future = submit(() -> sleep(shortTimeout.multipliedBy(10)));
            List<Future<Object>> fs = new ArrayList<>(alreadyCompleted);
            fs.add(future);
            try {
                for (Future<Object> f : Futures.asCompleted(fs, timeout)) {
                    completedFutures.add(f);
                }
            } catch (TimeoutError e) {
                // expected
            }
            assertEquals(alreadyCompleted, completedFutures, "timeout " + timeout);
        }
    }

    /** A future given three times comes out once (bpo-20367). */
    @Test
    @DisplayName("test_duplicate_futures")
    void testDuplicateFutures() {
        Future<Object> future1 = submit(() -> sleep(Duration.ofSeconds(2)));
        List<Future<Object>> completed = new ArrayList<>();
        for (Future<Object> f : Futures.asCompleted(Collections.nCopies(3, future1))) {
            completed.add(f);
        }
        assertEquals(1, completed.size());
    }

    private static void assertCollected(WeakReference<Future<Object>> wr) {
        until("the yielded future is collected", () -> {
            System.gc();
            return wr.get() == null;
        });
        assertNull(wr.get());
    }

    /**
     * The iteration keeps no reference to a future it has yielded (bpo-14406). Python checks a weak
     * reference after gc_collect(); here a {@link WeakReference} must be cleared (System.gc() until it is).
     */
    @Test
    @DisplayName("test_free_reference_yielded_future")
    void testFreeReferenceYieldedFuture() {
        List<Future<Object>> futuresList = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            futuresList.add(new Future<>());
        }
        futuresList.add(cancelledAndNotifiedFuture());
        futuresList.add(successfulFuture());
        assertThrows(TimeoutError.class, () -> {
            for (Future<Object> future : Futures.asCompleted(futuresList, Duration.ZERO)) {
                futuresList.remove(future);
                WeakReference<Future<Object>> wr = new WeakReference<>(future);
                future = null;
                assertCollected(wr);
            }
        });
        futuresList.get(0).setResult("test");
        for (Future<Object> future : Futures.asCompleted(futuresList)) {
            futuresList.remove(future);
            WeakReference<Future<Object>> wr = new WeakReference<>(future);
            future = null;
            assertCollected(wr);
            if (!futuresList.isEmpty()) {
                futuresList.get(0).setResult("test");
            }
        }
    }

    /** The TimeoutError says how many futures are unfinished. */
    @Test
    @DisplayName("test_correct_timeout_exception_msg")
    void testCorrectTimeoutExceptionMsg() {
        List<Future<Object>> futuresList = List.of(cancelledAndNotifiedFuture(), pendingFuture(), runningFuture(),
                successfulFuture());
        TimeoutError e = assertThrows(TimeoutError.class, () -> {
            for (Future<Object> f : Futures.asCompleted(futuresList, Duration.ZERO)) {
                // drain
            }
        });
        assertEquals("2 (of 4) futures unfinished", e.getMessage());
    }
}
