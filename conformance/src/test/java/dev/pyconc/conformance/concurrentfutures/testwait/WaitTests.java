package dev.pyconc.conformance.concurrentfutures.testwait;

import static dev.pyconc.conformance.concurrentfutures.util.Util.cancelledAndNotifiedFuture;
import static dev.pyconc.conformance.concurrentfutures.util.Util.cancelledFuture;
import static dev.pyconc.conformance.concurrentfutures.util.Util.exceptionFuture;
import static dev.pyconc.conformance.concurrentfutures.util.Util.successfulFuture;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.conformance.concurrentfutures.util.ExecutorMixin;
import dev.pyconc.conformance.concurrentfutures.util.ExecutorMixin.TestEvent;
import dev.pyconc.futures.DoneAndNotDone;
import dev.pyconc.futures.Executor;
import dev.pyconc.futures.Future;
import dev.pyconc.futures.Futures;
import dev.pyconc.futures.ReturnWhen;
import dev.pyconc.multiprocessing.SerializableCallable;
import dev.pyconc.testing.Threads;

/**
 * test_concurrent_futures/test_wait.py's {@code WaitTests}: {@link Futures#wait} over futures of an
 * executor and futures already in each state. CPython's {@code ExecutorMixin} makes an executor
 * of five workers before each test and shuts it down, waiting, after it; a concrete class supplies
 * the executor and the event its calls wait on. Python's {@code divmod(21, 0)} is {@code 21 / 0}
 * (ArithmeticException for ZeroDivisionError).
 */
public abstract class WaitTests {
    protected Executor executor;

    /** The executor for the next test: CPython's {@code executor_type(max_workers=5)}. */
    protected abstract Executor newExecutor();

    /** An event the executor's calls can wait on: CPython's {@code create_event()}. */
    protected abstract TestEvent createEvent();

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

    /** Python's {@code wait_and_raise(e)}. */
    static Object waitAndRaise(TestEvent e) {
        e.await();
        throw new RuntimeException("this is an exception");
    }

    /** A future given twice is one future in the result (bpo-20369). */
    @Test
    @DisplayName("test_20369")
    void test20369() {
        Future<Object> future = submit(() -> 1 * 2);
        DoneAndNotDone<Object> r = Futures.wait(List.of(future, future), ReturnWhen.ALL_COMPLETED);
        assertEquals(Set.of(future), r.done());
        assertEquals(Set.of(), r.notDone());
    }

    /** FIRST_COMPLETED returns the finished future; a cancelled one the executor never saw is not done for wait. */
    @Test
    @DisplayName("test_first_completed")
    void testFirstCompleted() {
        TestEvent event = createEvent();
        Future<Object> cancelled = cancelledFuture();
        Future<Object> future1 = submit(() -> 21 * 2);
        Future<Object> future2 = submit(() -> event.await());
        try {
            DoneAndNotDone<Object> r = Futures.wait(List.of(cancelled, future1, future2), ReturnWhen.FIRST_COMPLETED);
            assertEquals(Set.of(future1), r.done());
            assertEquals(Set.of(cancelled, future2), r.notDone());
        } finally {
            event.set();
        }
        future2.result();
    }

    @Test
    @DisplayName("test_first_completed_some_already_completed")
    void testFirstCompletedSomeAlreadyCompleted() {
        TestEvent event = createEvent();
        Future<Object> cancelledAndNotified = cancelledAndNotifiedFuture();
        Future<Object> successful = successfulFuture();
        Future<Object> future1 = submit(() -> event.await());
        try {
            DoneAndNotDone<Object> r = Futures.wait(List.of(cancelledAndNotified, successful, future1),
                    ReturnWhen.FIRST_COMPLETED);
            assertEquals(Set.of(cancelledAndNotified, successful), r.done());
            assertEquals(Set.of(future1), r.notDone());
        } finally {
            event.set();
        }
        future1.result();
    }

    /** FIRST_EXCEPTION returns once a call threw, with the futures finished before it. */
    @Test
    @DisplayName("test_first_exception")
    void testFirstException() {
        TestEvent event1 = createEvent();
        TestEvent event2 = createEvent();
        Future<Object> future3;
        try {
            Future<Object> future1 = submit(() -> 2 * 21);
            Future<Object> future2 = submit(() -> waitAndRaise(event1));
            future3 = submit(() -> event2.await());
            // future1 completes before future2 finishes
            var t = Threads.run("wait_for_future1", () -> {
                future1.result();
                event1.set();
            });
            DoneAndNotDone<Object> r = Futures.wait(List.of(future1, future2, future3), ReturnWhen.FIRST_EXCEPTION);
            assertEquals(Set.of(future1, future2), r.done());
            assertEquals(Set.of(future3), r.notDone());
            t.get();
        } finally {
            event1.set();
            event2.set();
        }
        future3.result();
    }

    @Test
    @DisplayName("test_first_exception_some_already_complete")
    void testFirstExceptionSomeAlreadyComplete() {
        TestEvent event = createEvent();
        Future<Object> successful = successfulFuture();
        Future<Object> cancelled = cancelledFuture();
        Future<Object> cancelledAndNotified = cancelledAndNotifiedFuture();
        Future<Object> future1 = submit(() -> 21 / 0);
        Future<Object> future2 = submit(() -> event.await());
        try {
            DoneAndNotDone<Object> r = Futures.wait(List.of(successful, cancelled, cancelledAndNotified, future1, future2),
                    ReturnWhen.FIRST_EXCEPTION);
            assertEquals(Set.of(successful, cancelledAndNotified, future1), r.done());
            assertEquals(Set.of(cancelled, future2), r.notDone());
        } finally {
            event.set();
        }
        future2.result();
    }

    @Test
    @DisplayName("test_first_exception_one_already_failed")
    void testFirstExceptionOneAlreadyFailed() {
        TestEvent event = createEvent();
        Future<Object> failed = exceptionFuture();
        Future<Object> future1 = submit(() -> event.await());
        try {
            DoneAndNotDone<Object> r = Futures.wait(List.of(failed, future1), ReturnWhen.FIRST_EXCEPTION);
            assertEquals(Set.of(failed), r.done());
            assertEquals(Set.of(future1), r.notDone());
        } finally {
            event.set();
        }
        future1.result();
    }

    @Test
    @DisplayName("test_all_completed")
    void testAllCompleted() {
        Future<Object> successful = successfulFuture();
        Future<Object> cancelledAndNotified = cancelledAndNotifiedFuture();
        Future<Object> failed = exceptionFuture();
        Future<Object> future1 = submit(() -> 2 / 0);
        Future<Object> future2 = submit(() -> 2 * 21);
        DoneAndNotDone<Object> r = Futures.wait(List.of(successful, cancelledAndNotified, failed, future1, future2),
                ReturnWhen.ALL_COMPLETED);
        assertEquals(Set.of(successful, cancelledAndNotified, failed, future1, future2), r.done());
        assertEquals(Set.of(), r.notDone());
    }

    /** A timed wait returns the sets as they are when the 50 ms run out. */
    @Test
    @DisplayName("test_timeout")
    void testTimeout() {
        Duration shortTimeout = Duration.ofMillis(50);
        TestEvent event = createEvent();
        Future<Object> cancelledAndNotified = cancelledAndNotifiedFuture();
        Future<Object> failed = exceptionFuture();
        Future<Object> successful = successfulFuture();
        Future<Object> future = submit(() -> event.await());
        try {
            DoneAndNotDone<Object> r = Futures.wait(List.of(cancelledAndNotified, failed, successful, future),
                    shortTimeout, ReturnWhen.ALL_COMPLETED);
            assertEquals(Set.of(cancelledAndNotified, failed, successful), r.done());
            assertEquals(Set.of(future), r.notDone());
        } finally {
            event.set();
        }
        future.result();
    }
}
