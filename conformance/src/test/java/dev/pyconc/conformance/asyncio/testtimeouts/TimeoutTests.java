package dev.pyconc.conformance.asyncio.testtimeouts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.CancelledError;
import dev.pyconc.asyncio.EventLoop;
import dev.pyconc.asyncio.Future;
import dev.pyconc.asyncio.Task;
import dev.pyconc.asyncio.TaskGroup;
import dev.pyconc.asyncio.Timeout;
import dev.pyconc.builtins.ExceptionGroup;
import dev.pyconc.builtins.TimeoutError;
import dev.pyconc.conformance.asyncio.IsolatedAsyncioTestCase;

/**
 * test_asyncio/test_timeouts.py's {@code TimeoutTests}.
 *
 * <p>Where Java differs: a try-with-resources block cannot replace the exception that leaves it,
 * so the await where a block's own expiry arrives raises the block's {@code TimeoutError} itself,
 * and the {@code CancelledError} Python gives the body (and keeps as the TimeoutError's
 * {@code __cause__}) is its suppressed exception ({@link Timeout}'s javadoc). Python's implicit
 * {@code __context__} has no Java counterpart: an exception thrown in a {@code finally} replaces
 * the one in flight, so those links are not checked. Entering the block is the factory call
 * ({@code Asyncio.timeout}), so the states "not entered" and "entered twice" do not exist in
 * Java (test_timeout_not_entered, test_timeout_already_entered and test_timeout_double_enter are
 * not applicable).
 */
public class TimeoutTests extends IsolatedAsyncioTestCase {

    private static double loopTime() {
        return Asyncio.getRunningLoop().time();
    }

    private static Duration seconds(double s) {
        return Duration.ofNanos((long) (s * 1e9));
    }

    /** The CancelledError a block's TimeoutError stands for: Python's {@code __cause__}, here its suppressed exception. */
    private static CancelledError cause(TimeoutError e) {
        for (Throwable s : e.getSuppressed()) {
            if (s instanceof CancelledError c) {
                return c;
            }
        }
        throw new AssertionError("no CancelledError behind " + e, e);
    }

    /** A block of 10 ms around a sleep of 10 s raises TimeoutError and is expired. */
    @Test
    @DisplayName("test_timeout_basic")
    void testTimeoutBasic() {
        run(() -> {
            Timeout[] cm = new Timeout[1];
            assertThrows(TimeoutError.class, () -> {
                try (Timeout t = Asyncio.timeout(seconds(0.01))) {
                    cm[0] = t;
                    sleep(10);
                }
            });
            assertTrue(cm[0].expired());
        });
    }

    /** timeoutAt(now + 10 ms) expires, and when() is the deadline given. */
    @Test
    @DisplayName("test_timeout_at_basic")
    void testTimeoutAtBasic() {
        run(() -> {
            Timeout[] cm = new Timeout[1];
            double deadline = loopTime() + 0.01;
            assertThrows(TimeoutError.class, () -> {
                try (Timeout t = Asyncio.timeoutAt(deadline)) {
                    cm[0] = t;
                    sleep(10);
                }
            });
            assertTrue(cm[0].expired());
            assertEquals(deadline, cm[0].when());
        });
    }

    /**
     * Two blocks with one deadline: only the outer raises TimeoutError, and both are expired. In
     * CPython the inner block's body gets the CancelledError and the inner block lets it pass;
     * here what reaches the inner body and passes the inner block is the outer block's
     * TimeoutError (carrying that CancelledError), since no block can replace what leaves it.
     */
    @Test
    @DisplayName("test_nested_timeouts")
    void testNestedTimeouts() {
        run(() -> {
            boolean[] cancelled = {false};
            Timeout[] cm = new Timeout[2];
            double deadline = loopTime() + 0.01;
            TimeoutError[] inner = new TimeoutError[1];
            TimeoutError outer = assertThrows(TimeoutError.class, () -> {
                try (Timeout cm1 = Asyncio.timeoutAt(deadline)) {
                    cm[0] = cm1;
                    try (Timeout cm2 = Asyncio.timeoutAt(deadline)) {
                        cm[1] = cm2;
                        sleep(10);
                    } catch (TimeoutError e) {
                        assertNotNull(cause(e));
                        inner[0] = e;
                        cancelled[0] = true;
                        throw e;
                    }
                }
            });
            assertTrue(cancelled[0]);
            assertSame(inner[0], outer);
            assertTrue(cm[0].expired());
            assertTrue(cm[1].expired());
        });
    }

    /** The awaiting body is interrupted by the expiry (here by the block's TimeoutError, carrying the CancelledError). */
    @Test
    @DisplayName("test_waiter_cancelled")
    void testWaiterCancelled() {
        run(() -> {
            boolean[] cancelled = {false};
            assertThrows(TimeoutError.class, () -> {
                try (var _ = Asyncio.timeout(seconds(0.01))) {
                    try {
                        sleep(10);
                    } catch (TimeoutError e) {
                        assertNotNull(cause(e));
                        cancelled[0] = true;
                        throw e;
                    }
                }
            });
            assertTrue(cancelled[0]);
        });
    }

    /** A block that ends in time is not expired, and its deadline is later than its end. */
    @Test
    @DisplayName("test_timeout_not_called")
    void testTimeoutNotCalled() {
        run(() -> {
            Timeout cm;
            try (Timeout t = Asyncio.timeout(seconds(10))) {
                cm = t;
                sleep(0.01);
            }
            double t1 = loopTime();
            assertFalse(cm.expired());
            assertTrue(cm.when() > t1);
        });
    }

    /** timeout(None), Asyncio.timeout(): no deadline, never expires. */
    @Test
    @DisplayName("test_timeout_disabled")
    void testTimeoutDisabled() {
        run(() -> {
            Timeout cm;
            try (Timeout t = Asyncio.timeout()) {
                cm = t;
                sleep(0.01);
            }
            assertFalse(cm.expired());
            assertNull(cm.when());
        });
    }

    /**
     * timeout_at(None): the Java form is the same block without a deadline, Asyncio.timeout()
     * (timeoutAt takes a double, which cannot be None).
     */
    @Test
    @DisplayName("test_timeout_at_disabled")
    void testTimeoutAtDisabled() {
        run(() -> {
            Timeout cm;
            try (Timeout t = Asyncio.timeout()) {
                t.reschedule(null);
                cm = t;
                sleep(0.01);
            }
            assertFalse(cm.expired());
            assertNull(cm.when());
        });
    }

    /** timeout(0) expires at the first await, with a deadline between the times before and after. */
    @Test
    @DisplayName("test_timeout_zero")
    void testTimeoutZero() {
        timeoutZero(10);
    }

    /** timeout(0) expires even at an await that only yields. */
    @Test
    @DisplayName("test_timeout_zero_sleep_zero")
    void testTimeoutZeroSleepZero() {
        timeoutZero(0);
    }

    private static void timeoutZero(double sleepSeconds) {
        run(() -> {
            double t0 = loopTime();
            Timeout[] cm = new Timeout[1];
            assertThrows(TimeoutError.class, () -> {
                try (Timeout t = Asyncio.timeout(Duration.ZERO)) {
                    cm[0] = t;
                    sleep(sleepSeconds);
                }
            });
            double t1 = loopTime();
            assertTrue(cm[0].expired());
            assertTrue(t0 <= cm[0].when() && cm[0].when() <= t1, t0 + " <= " + cm[0].when() + " <= " + t1);
        });
    }

    /**
     * A deadline 11 s in the past expires at an await that only yields. A negative Duration is an
     * IllegalArgumentException in pyconc, so the Java form of timeout(-11) is timeoutAt(time() - 11),
     * which is what CPython's timeout(-11) computes.
     */
    @Test
    @DisplayName("test_timeout_in_the_past_sleep_zero")
    void testTimeoutInThePastSleepZero() {
        run(() -> {
            double t0 = loopTime();
            Timeout[] cm = new Timeout[1];
            assertThrows(TimeoutError.class, () -> {
                try (Timeout t = Asyncio.timeoutAt(loopTime() - 11)) {
                    cm[0] = t;
                    sleep0();
                }
            });
            double t1 = loopTime();
            assertTrue(cm[0].expired());
            assertTrue(t0 >= cm[0].when() && cm[0].when() <= t1);
        });
    }

    /** An exception of the body leaves the block as it is, and the block is not expired. */
    @Test
    @DisplayName("test_foreign_exception_passed")
    void testForeignExceptionPassed() {
        run(() -> {
            Timeout[] cm = new Timeout[1];
            assertThrows(KeyError.class, () -> {
                try (Timeout t = Asyncio.timeout(seconds(0.01))) {
                    cm[0] = t;
                    throw new KeyError();
                }
            });
            assertFalse(cm[0].expired());
        });
    }

    /** Python's KeyError. */
    private static final class KeyError extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    /** An expiry in the finally of a failed statement: TimeoutError, caused by the CancelledError. */
    @Test
    @DisplayName("test_timeout_exception_context")
    void testTimeoutExceptionContext() {
        run(() -> {
            TimeoutError e = assertThrows(TimeoutError.class, () -> {
                try (var _ = Asyncio.timeout(seconds(0.01))) {
                    try {
                        divide(1, 0);
                    } finally {
                        sleep(1);
                    }
                }
            });
            CancelledError e2 = cause(e);
            assertNull(e2.getCause());
        });
    }

    private static int divide(int a, int b) {
        return a / b;            // Python's 1/0: ZeroDivisionError, Java's ArithmeticException
    }

    /** A failure in the clean-up of an expired await leaves the block as it is (its context, the TimeoutError, is Python's). */
    @Test
    @DisplayName("test_foreign_exception_on_timeout")
    void testForeignExceptionOnTimeout() {
        run(() -> {
            ArithmeticException e = assertThrows(ArithmeticException.class, () -> {
                try (var _ = Asyncio.timeout(seconds(0.01))) {
                    try {
                        sleep(1);
                    } finally {
                        divide(1, 0);
                    }
                }
            });
            assertNull(e.getCause());
        });
    }

    /** As test_foreign_exception_on_timeout, with a ValueError before and a KeyError between. */
    @Test
    @DisplayName("test_foreign_exception_on_timeout_2")
    void testForeignExceptionOnTimeout2() {
        run(() -> {
            ArithmeticException e = assertThrows(ArithmeticException.class, () -> {
                try (var _ = Asyncio.timeout(seconds(0.01))) {
                    try {
                        try {
                            throw new IllegalArgumentException();
                        } finally {
                            sleep(1);
                        }
                    } finally {
                        try {
                            throw new KeyError();
                        } finally {
                            divide(1, 0);
                        }
                    }
                }
            });
            assertNull(e.getCause());
        });
    }

    /** A cancellation from elsewhere leaves a block that has not expired as a CancelledError. */
    @Test
    @DisplayName("test_foreign_cancel_doesnt_timeout_if_not_expired")
    void testForeignCancelDoesntTimeoutIfNotExpired() {
        run(() -> {
            Timeout[] cm = new Timeout[1];
            assertThrows(CancelledError.class, () -> {
                try (Timeout t = Asyncio.timeout(seconds(10))) {
                    cm[0] = t;
                    Asyncio.currentTask().cancel();
                    sleep(10);
                }
            });
            assertFalse(cm[0].expired());
        });
    }

    /** A task whose block timed out is not cancelled. */
    @Test
    @DisplayName("test_outer_task_is_not_cancelled")
    void testOuterTaskIsNotCancelled() {
        run(() -> {
            Task<Void> task = Asyncio.createTask(() -> {
                assertThrows(TimeoutError.class, () -> {
                    try (var _ = Asyncio.timeout(seconds(0.001))) {
                        sleep(10);
                    }
                });
            });
            task.await();
            assertFalse(task.cancelled());
            assertTrue(task.done());
        });
    }

    /**
     * Outer 2 ms, inner 100 ms, the loop blocked 10 ms: the outer block raises TimeoutError, the
     * inner one finishes without expiring. CPython's inner {@code assertRaises(TimeoutError)} sees a
     * CancelledError, which it lets pass (CPython 3.13 gives the inner block [finished], the outer
     * [expired]); here what passes is the outer block's TimeoutError, so the states of the two
     * blocks stand for that assertion.
     */
    @Test
    @DisplayName("test_nested_timeouts_concurrent")
    void testNestedTimeoutsConcurrent() {
        run(() -> {
            Timeout[] cm = new Timeout[2];
            TimeoutError e = assertThrows(TimeoutError.class, () -> {
                try (Timeout outer = Asyncio.timeout(seconds(0.002))) {
                    cm[0] = outer;
                    try (Timeout inner = Asyncio.timeout(seconds(0.1))) {
                        cm[1] = inner;
                        Thread.sleep(10);          // time.sleep: crunches numbers, holding the loop
                        sleep(1);
                    }
                }
            });
            assertNotNull(cause(e));
            assertTrue(cm[0].expired());
            assertFalse(cm[1].expired());
            assertEquals("Timeout[finished]", cm[1].toString());
        });
    }

    /**
     * Both blocks expire while the loop is blocked: the outer one raises TimeoutError and the
     * sleep of 10 s after the inner block never runs to its end. CPython's inner
     * {@code assertRaises(TimeoutError)} sees a CancelledError and lets it pass (CPython 3.13 gives
     * both blocks [expired]); here what passes is the outer block's TimeoutError, so the states of
     * the blocks stand for that assertion. (CPython bounds the run by 1 s; here the bound is the
     * sleep's own 10 s.)
     */
    @Test
    @DisplayName("test_nested_timeouts_loop_busy")
    void testNestedTimeoutsLoopBusy() {
        run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            loop.setSlowCallbackDuration(Duration.ofSeconds(10));
            double t0 = loop.time();
            Timeout[] cm = new Timeout[2];
            TimeoutError e = assertThrows(TimeoutError.class, () -> {
                try (Timeout outer = Asyncio.timeout(seconds(0.1))) {                 // (1)
                    cm[0] = outer;
                    try (Timeout inner = Asyncio.timeout(seconds(0.01))) {            // (2)
                        cm[1] = inner;
                        Thread.sleep(100);
                        sleep(1);
                    }
                    sleep(10);
                }
            });
            double t1 = loop.time();
            assertNotNull(cause(e));
            assertTrue(cm[0].expired());
            assertTrue(cm[1].expired());
            assertTrue(t0 <= t1 && t1 < t0 + 10, t0 + " <= " + t1 + " < " + (t0 + 10));
        });
    }

    /** reschedule() moves the deadline and removes it; a cancelled task's block is not expired. */
    @Test
    @DisplayName("test_reschedule")
    void testReschedule() {
        run(() -> {
            Future<Timeout> fut = Asyncio.getRunningLoop().createFuture();
            double deadline1 = loopTime() + 10;
            double deadline2 = deadline1 + 20;
            Task<Void> task = Asyncio.createTask(() -> {
                try (Timeout cm = Asyncio.timeoutAt(deadline1)) {
                    fut.setResult(cm);
                    sleep(50);
                }
            });
            Timeout cm = fut.await();
            assertEquals(deadline1, cm.when());
            cm.reschedule(deadline2);
            assertEquals(deadline2, cm.when());
            cm.reschedule(null);
            assertNull(cm.when());
            task.cancel();
            assertThrows(CancelledError.class, task::await);
            assertFalse(cm.expired());
        });
    }

    /** toString of an active block: active and its deadline. */
    @Test
    @DisplayName("test_repr_active")
    void testReprActive() {
        run(() -> {
            try (Timeout cm = Asyncio.timeout(seconds(10))) {
                assertTrue(cm.toString().matches("Timeout\\[active when=\\d+\\.\\d*(E\\d+)?\\]"), cm.toString());
            }
        });
    }

    /** toString of an expired block. */
    @Test
    @DisplayName("test_repr_expired")
    void testReprExpired() {
        run(() -> {
            Timeout[] cm = new Timeout[1];
            assertThrows(TimeoutError.class, () -> {
                try (Timeout t = Asyncio.timeout(seconds(0.01))) {
                    cm[0] = t;
                    sleep(10);
                }
            });
            assertEquals("Timeout[expired]", cm[0].toString());
        });
    }

    /** toString of a block that ended in time. */
    @Test
    @DisplayName("test_repr_finished")
    void testReprFinished() {
        run(() -> {
            Timeout cm;
            try (Timeout t = Asyncio.timeout(seconds(10))) {
                cm = t;
                sleep0();
            }
            assertEquals("Timeout[finished]", cm.toString());
        });
    }

    /** toString of a block without a deadline. */
    @Test
    @DisplayName("test_repr_disabled")
    void testReprDisabled() {
        run(() -> {
            try (Timeout cm = Asyncio.timeout()) {
                assertEquals("Timeout[active when=null]", cm.toString());
            }
        });
    }

    /** A block that expires in the finally of an expired block raises its own TimeoutError; the outer one its own. */
    @Test
    @DisplayName("test_nested_timeout_in_finally")
    void testNestedTimeoutInFinally() {
        run(() -> {
            TimeoutError[] e2 = new TimeoutError[1];
            TimeoutError e1 = assertThrows(TimeoutError.class, () -> {
                try (var _ = Asyncio.timeout(seconds(0.01))) {
                    try {
                        sleep(1);
                    } finally {
                        e2[0] = assertThrows(TimeoutError.class, () -> {
                            try (var _ = Asyncio.timeout(seconds(0.01))) {
                                sleep(10);
                            }
                        });
                    }
                }
            });
            CancelledError e12 = cause(e1);
            assertNull(e12.getCause());
            CancelledError e22 = cause(e2[0]);
            assertNull(e22.getCause());
        });
    }

    /** A block entered after the task caught its own cancellation still times out. */
    @Test
    @DisplayName("test_timeout_after_cancellation")
    void testTimeoutAfterCancellation() {
        run(() -> {
            try {
                Asyncio.currentTask().cancel();
                sleep(1);
            } catch (CancelledError e) {
                // as CPython: pass
            } finally {
                assertThrows(TimeoutError.class, () -> {
                    try (var _ = Asyncio.timeout(Duration.ZERO)) {
                        sleep(1);
                    }
                });
            }
        });
    }

    /** In such a block a new cancellation of the task leaves it as a CancelledError. */
    @Test
    @DisplayName("test_cancel_in_timeout_after_cancellation")
    void testCancelInTimeoutAfterCancellation() {
        run(() -> {
            try {
                Asyncio.currentTask().cancel();
                sleep(1);
            } catch (CancelledError e) {
                // as CPython: pass
            } finally {
                assertThrows(CancelledError.class, () -> {
                    try (var _ = Asyncio.timeout(seconds(1))) {
                        Asyncio.currentTask().cancel();
                        sleep(2);
                    }
                });
            }
        });
    }

    /** reschedule() of a finished block is IllegalStateException (Python's RuntimeError) naming the state. */
    @Test
    @DisplayName("test_timeout_finished")
    void testTimeoutFinished() {
        run(() -> {
            Timeout cm;
            try (Timeout t = Asyncio.timeout(seconds(0.01))) {
                cm = t;
            }
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> cm.reschedule(0.02));
            assertTrue(e.getMessage().contains("finished"), e.getMessage());
        });
    }

    /** reschedule() of an expired block is IllegalStateException naming the state. */
    @Test
    @DisplayName("test_timeout_expired")
    void testTimeoutExpired() {
        run(() -> {
            Timeout[] cm = new Timeout[1];
            assertThrows(TimeoutError.class, () -> {
                try (Timeout t = Asyncio.timeout(seconds(0.01))) {
                    cm[0] = t;
                    sleep(1);
                }
            });
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> cm[0].reschedule(0.02));
            assertTrue(e.getMessage().contains("expired"), e.getMessage());
        });
    }

    /** reschedule() of a block whose expiry the body caught is IllegalStateException naming expiring. */
    @Test
    @DisplayName("test_timeout_expiring")
    void testTimeoutExpiring() {
        run(() -> {
            try (Timeout cm = Asyncio.timeout(seconds(0.01))) {
                TimeoutError t = assertThrows(TimeoutError.class, () -> sleep(1));
                assertNotNull(cause(t));
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> cm.reschedule(0.02));
                assertTrue(e.getMessage().contains("expiring"), e.getMessage());
            }
        });
    }

    /**
     * A block entered outside a task is IllegalStateException (Python's RuntimeError) naming the
     * task. (The rest of CPython's test, reschedule() of the block never entered, has no Java
     * form: the factory enters.)
     */
    @Test
    @DisplayName("test_timeout_without_task")
    void testTimeoutWithoutTask() {
        run(() -> {
            Future<Throwable> outcome = Asyncio.getRunningLoop().createFuture();
            Asyncio.getRunningLoop().callSoon(() -> {
                try {
                    Asyncio.timeout(seconds(0.01));
                    outcome.setResult(null);
                } catch (RuntimeException e) {
                    outcome.setResult(e);
                }
            });
            Throwable e = outcome.await();
            assertInstanceOf(IllegalStateException.class, e);
            assertTrue(e.getMessage().contains("task"), e.getMessage());
        });
    }

    /** A task group in an expired block: its ExceptionGroup holds the child's failure in clean-up. */
    @Test
    @DisplayName("test_timeout_taskgroup")
    void testTimeoutTaskgroup() {
        run(() -> {
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> {
                try (var _ = Asyncio.timeout(seconds(0.01))) {
                    TaskGroup.run(tg -> {
                        tg.createTask(() -> {
                            try {
                                sleep(2);
                            } finally {
                                divide(1, 0);
                            }
                        });
                        try {
                            throw new IllegalArgumentException();
                        } finally {
                            sleep(1);
                        }
                    });
                }
            });
            // Python's eg.__cause__ is None; a pyconc ExceptionGroup's cause is its first exception
            assertSame(eg.exceptions().get(0), eg.getCause());
            assertEquals(1, eg.exceptions().size(), eg.toString());
            Throwable e1 = eg.exceptions().get(0);
            assertInstanceOf(ArithmeticException.class, e1);
            assertNull(e1.getCause());
        });
    }
}
