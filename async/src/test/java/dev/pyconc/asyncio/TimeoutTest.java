package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.builtins.ExceptionGroup;
import dev.pyconc.builtins.TimeoutError;

@org.junit.jupiter.api.Timeout(60)
class TimeoutTest extends LoopTesting {

    /** A block that finishes in time returns normally and is not expired. */
    @Test
    void inTime() {
        Asyncio.run(() -> {
            Timeout t;
            try (Timeout tt = Asyncio.timeout(Duration.ofSeconds(10))) {
                t = tt;
                Asyncio.sleep(Duration.ofMillis(1));
            }
            assertFalse(t.expired());
            return null;
        });
    }

    /**
     * An expired block raises TimeoutError out of it; the body's await already raises the
     * TimeoutError, which a catch of CancelledError in the block does not see (where Java differs).
     */
    @Test
    @DisplayName("test_waiter_cancelled")
    void testWaiterCancelled() {
        List<String> log = new ArrayList<>();
        Asyncio.run(() -> {
            Timeout[] t = new Timeout[1];
            TimeoutError e = assertThrows(TimeoutError.class, () -> {
                try (Timeout tt = Asyncio.timeout(Duration.ofMillis(10))) {
                    t[0] = tt;
                    try {
                        Asyncio.sleep(Duration.ofHours(1));
                    } catch (CancelledError inside) {
                        log.add("inside: cancelled");
                        throw inside;
                    } catch (TimeoutError inside) {
                        log.add("inside: timeout");
                        throw inside;
                    }
                }
            });
            assertTrue(t[0].expired());
            assertEquals(0, Asyncio.currentTask().cancelling(), "the timeout's own cancellation was withdrawn");
            Asyncio.sleep(Duration.ZERO);     // the task goes on normally
            log.add("after: " + e.getClass().getName());
            return null;
        });
        assertEquals(List.of("inside: timeout", "after: dev.pyconc.builtins.TimeoutError"), log);
    }

    /** catch (CancelledError e) around a timeout block never catches the timeout: TimeoutError is not a cancellation. */
    @Test
    void catchOfCancelledErrorNeverCatchesTheTimeout() {
        List<String> log = new ArrayList<>();
        Asyncio.run(() -> {
            try {
                try (Timeout t = Asyncio.timeout(Duration.ofMillis(5))) {
                    Asyncio.sleep(Duration.ofHours(1));
                }
            } catch (CancelledError e) {
                log.add("caught as CancelledError");
            } catch (RuntimeException e) {
                log.add("caught as " + e.getClass().getName());
            }
            return null;
        });
        assertEquals(List.of("caught as dev.pyconc.builtins.TimeoutError"), log);
        assertFalse(CancelledError.class.isAssignableFrom(TimeoutError.class));
        assertTrue(java.io.UncheckedIOException.class.isAssignableFrom(TimeoutError.class), "TimeoutError is an OSError");
    }

    /** The TimeoutError carries the CancelledError it stands for (Python's __cause__) as a suppressed exception. */
    @Test
    @DisplayName("test_timeout_exception_cause")
    void testTimeoutExceptionCause() {
        Asyncio.run(() -> {
            TimeoutError e = assertThrows(TimeoutError.class, () -> {
                try (Timeout t = Asyncio.timeout(Duration.ZERO)) {
                    Asyncio.sleep(Duration.ofSeconds(1));
                }
            });
            assertEquals(1, e.getSuppressed().length);
            assertInstanceOf(CancelledError.class, e.getSuppressed()[0]);
            return null;
        });
    }

    /** An outer cancellation inside a timeout block stays a CancelledError. */
    @Test
    void outerCancellationIsNotConverted() {
        Asyncio.run(() -> {
            Task<Void> t = Asyncio.createTask(() -> {
                try (Timeout tt = Asyncio.timeout(Duration.ofHours(1))) {
                    Asyncio.sleep(Duration.ofHours(1));
                }
            });
            Asyncio.sleep(Duration.ZERO);
            t.cancel("outer");
            CancelledError e = assertThrows(CancelledError.class, t::await);
            assertEquals("outer", e.getMessage());
            assertTrue(t.cancelled());
            return null;
        });
    }

    /** When the timeout expired and the task is also cancelled from outside, it stays a CancelledError. */
    @Test
    void expiryPlusOuterCancelStaysCancelled() {
        Asyncio.run(() -> {
            Timeout[] holder = new Timeout[1];
            Task<Void> t = Asyncio.createTask(() -> {
                try (Timeout tt = Asyncio.timeout(Duration.ofMillis(5))) {
                    holder[0] = tt;
                    Future<Void> never = Asyncio.getRunningLoop().createFuture();
                    never.await();
                }
            });
            long deadline = System.nanoTime() + 10_000_000_000L;
            while ((holder[0] == null || !holder[0].expired()) && System.nanoTime() < deadline) {
                Asyncio.sleep(Duration.ZERO);       // until the timeout fired, before t resumed
            }
            assertTrue(holder[0].expired());
            assertFalse(t.done());
            t.cancel("outer");
            CancelledError e = assertThrows(CancelledError.class, t::await);
            assertEquals("outer", e.getMessage());
            assertTrue(t.cancelled());
            return null;
        });
    }

    /** Nested timeouts with one deadline: both expire, and the outer one raises the TimeoutError. */
    @Test
    @DisplayName("test_nested_timeouts")
    void testNestedTimeouts() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            double deadline = loop.time() + 0.01;
            Timeout[] cm = new Timeout[2];
            assertThrows(TimeoutError.class, () -> {
                try (Timeout cm1 = Asyncio.timeoutAt(deadline)) {
                    cm[0] = cm1;
                    try (Timeout cm2 = Asyncio.timeoutAt(deadline)) {
                        cm[1] = cm2;
                        Asyncio.sleep(Duration.ofSeconds(10));
                    }
                }
            });
            assertTrue(cm[0].expired());
            assertTrue(cm[1].expired());
            assertEquals(0, Asyncio.currentTask().cancelling());
            return null;
        });
    }

    /** An inner timeout that expired while an outer one is still running: the inner raises the TimeoutError. */
    @Test
    void innerTimeoutExpires() {
        Asyncio.run(() -> {
            Timeout[] outer = new Timeout[1];
            Timeout[] inner = new Timeout[1];
            try (Timeout o = Asyncio.timeout(Duration.ofHours(1))) {
                outer[0] = o;
                assertThrows(TimeoutError.class, () -> {
                    try (Timeout i = Asyncio.timeout(Duration.ofMillis(5))) {
                        inner[0] = i;
                        Asyncio.sleep(Duration.ofHours(1));
                    }
                });
            }
            assertTrue(inner[0].expired());
            assertFalse(outer[0].expired());
            return null;
        });
    }

    /** The outer timeout expires while the inner one runs: the TimeoutError passes the inner block, which is not expired. */
    @Test
    @DisplayName("test_nested_timeouts_concurrent")
    void testNestedTimeoutsConcurrent() {
        Asyncio.run(() -> {
            Timeout[] cm = new Timeout[2];
            assertThrows(TimeoutError.class, () -> {
                try (Timeout outer = Asyncio.timeout(Duration.ofMillis(2))) {
                    cm[0] = outer;
                    try (Timeout inner = Asyncio.timeout(Duration.ofSeconds(30))) {
                        cm[1] = inner;
                        Thread.sleep(10);                        // pretend to crunch numbers
                        Asyncio.sleep(Duration.ofSeconds(1));
                    }
                }
            });
            assertTrue(cm[0].expired());
            assertFalse(cm[1].expired());
            return null;
        });
    }

    /**
     * Both timeouts are due when the busy loop gets back to them: the cancellation passes the
     * inner block (two requests, one its own) and the outer block raises the TimeoutError, so
     * the code after the inner block never runs.
     */
    @Test
    @DisplayName("test_nested_timeouts_loop_busy")
    void testNestedTimeoutsLoopBusy() {
        List<String> log = new ArrayList<>();
        Asyncio.run(() -> {
            Timeout[] cm = new Timeout[2];
            assertThrows(TimeoutError.class, () -> {
                try (Timeout outer = Asyncio.timeout(Duration.ofMillis(100))) {
                    cm[0] = outer;
                    try (Timeout inner = Asyncio.timeout(Duration.ofMillis(10))) {
                        cm[1] = inner;
                        Thread.sleep(150);                       // the loop is busy past both deadlines
                        Asyncio.sleep(Duration.ofSeconds(1));
                    }
                    log.add("after the inner block");
                    Asyncio.sleep(Duration.ofHours(1));
                }
            });
            assertTrue(cm[0].expired());
            assertTrue(cm[1].expired());
            assertEquals(0, Asyncio.currentTask().cancelling());
            return null;
        });
        assertEquals(List.of(), log);
    }

    /** A timeout entered after the task swallowed a cancellation still raises TimeoutError when it expires. */
    @Test
    @DisplayName("test_timeout_after_cancellation")
    void testTimeoutAfterCancellation() {
        Asyncio.run(() -> {
            try {
                Asyncio.currentTask().cancel();
                Asyncio.sleep(Duration.ofSeconds(1));        // work which is cancelled
            } catch (CancelledError e) {
                // swallowed, without uncancel(): one request stays outstanding
            } finally {
                assertThrows(TimeoutError.class, () -> {
                    try (Timeout t = Asyncio.timeout(Duration.ZERO)) {
                        Asyncio.sleep(Duration.ofSeconds(1));    // some clean-up
                    }
                });
            }
            assertEquals(1, Asyncio.currentTask().cancelling());
            Asyncio.currentTask().uncancel();
            return null;
        });
    }

    /** After a swallowed cancellation, a new cancellation inside a timeout that did not expire stays a CancelledError. */
    @Test
    @DisplayName("test_cancel_in_timeout_after_cancellation")
    void testCancelInTimeoutAfterCancellation() {
        Asyncio.run(() -> {
            try {
                Asyncio.currentTask().cancel();
                Asyncio.sleep(Duration.ofSeconds(1));
            } catch (CancelledError e) {
                // swallowed
            } finally {
                assertThrows(CancelledError.class, () -> {
                    try (Timeout t = Asyncio.timeout(Duration.ofSeconds(1))) {
                        Asyncio.currentTask().cancel();
                        Asyncio.sleep(Duration.ofSeconds(2));
                    }
                });
            }
            assertEquals(2, Asyncio.currentTask().cancelling());
            Asyncio.currentTask().uncancel();
            Asyncio.currentTask().uncancel();
            return null;
        });
    }

    /** An outer cancellation of a block that did not expire stays a CancelledError. */
    @Test
    @DisplayName("test_foreign_cancel_doesnt_timeout_if_not_expired")
    void testForeignCancelDoesntTimeoutIfNotExpired() {
        Asyncio.run(() -> {
            Timeout[] cm = new Timeout[1];
            assertThrows(CancelledError.class, () -> {
                try (Timeout t = Asyncio.timeout(Duration.ofSeconds(10))) {
                    cm[0] = t;
                    Asyncio.currentTask().cancel();
                    Asyncio.sleep(Duration.ofSeconds(10));
                }
            });
            assertFalse(cm[0].expired());
            Asyncio.currentTask().uncancel();
            return null;
        });
    }

    /** An exception of the body leaves the block as it is; the block did not expire. */
    @Test
    @DisplayName("test_foreign_exception_passed")
    void testForeignExceptionPassed() {
        Asyncio.run(() -> {
            Timeout[] cm = new Timeout[1];
            assertThrows(java.util.NoSuchElementException.class, () -> {
                try (Timeout t = Asyncio.timeout(Duration.ofMillis(10))) {
                    cm[0] = t;
                    throw new java.util.NoSuchElementException();
                }
            });
            assertFalse(cm[0].expired());
            return null;
        });
    }

    /** An error thrown by the clean-up of a timed-out call leaves the block instead of the TimeoutError. */
    @Test
    @DisplayName("test_foreign_exception_on_timeout")
    void testForeignExceptionOnTimeout() {
        Asyncio.run(() -> {
            assertThrows(ArithmeticException.class, () -> {
                try (Timeout t = Asyncio.timeout(Duration.ofMillis(10))) {
                    try {
                        Asyncio.sleep(Duration.ofSeconds(1));
                    } finally {
                        throw new ArithmeticException("/ by zero");
                    }
                }
            });
            return null;
        });
    }

    /** A task whose body ends with a block's TimeoutError finishes with it; the task is not cancelled. */
    @Test
    @DisplayName("test_outer_task_is_not_cancelled")
    void testOuterTaskIsNotCancelled() {
        Asyncio.run(() -> {
            Task<Void> task = Asyncio.createTask(() -> {
                assertThrows(TimeoutError.class, () -> {
                    try (Timeout t = Asyncio.timeout(Duration.ofMillis(1))) {
                        Asyncio.sleep(Duration.ofSeconds(10));
                    }
                });
            });
            task.await();
            assertFalse(task.cancelled());
            assertTrue(task.done());
            return null;
        });
    }

    /** reschedule() of an expired, an expiring and a finished block is refused with its state's name. */
    @Test
    @DisplayName("test_timeout_expired")
    void testTimeoutExpired() {
        Asyncio.run(() -> {
            Timeout[] cm = new Timeout[1];
            assertThrows(TimeoutError.class, () -> {
                try (Timeout t = Asyncio.timeout(Duration.ofMillis(10))) {
                    cm[0] = t;
                    Asyncio.sleep(Duration.ofSeconds(1));
                }
            });
            var e = assertThrows(IllegalStateException.class, () -> cm[0].reschedule(0.02));
            assertEquals("Cannot change state of expired Timeout", e.getMessage());
            try (Timeout t = Asyncio.timeout(Duration.ofMillis(10))) {
                assertThrows(TimeoutError.class, () -> Asyncio.sleep(Duration.ofSeconds(1)));
                e = assertThrows(IllegalStateException.class, () -> t.reschedule(0.02));
                assertEquals("Cannot change state of expiring Timeout", e.getMessage());
                cm[0] = t;
            }
            try (Timeout t = Asyncio.timeout(Duration.ofMillis(10))) {
                cm[0] = t;
            }
            e = assertThrows(IllegalStateException.class, () -> cm[0].reschedule(0.02));
            assertEquals("Cannot change state of finished Timeout", e.getMessage());
            assertEquals("Timeout[finished]", cm[0].toString());
            return null;
        });
    }

    /**
     * A timeout around a TaskGroup.run block whose body throws and then awaits in its finally: the
     * timeout's cancellation cancels the group's task, whose clean-up fails, and the
     * ExceptionGroup of that failure leaves both blocks.
     */
    @Test
    @DisplayName("test_timeout_taskgroup")
    void testTimeoutTaskgroup() {
        Asyncio.run(() -> {
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> {
                try (Timeout t = Asyncio.timeout(Duration.ofMillis(10))) {
                    TaskGroup.run(tg -> {
                        tg.createTask(() -> {
                            try {
                                Asyncio.sleep(Duration.ofSeconds(2));    // interrupted after 10 ms
                            } finally {
                                throw new ArithmeticException("/ by zero");
                            }
                        });
                        try {
                            throw new IllegalArgumentException();
                        } finally {
                            Asyncio.sleep(Duration.ofSeconds(1));
                        }
                    });
                }
            });
            assertEquals(1, eg.exceptions().size(), eg.toString());
            assertInstanceOf(ArithmeticException.class, eg.exceptions().getFirst());
            assertEquals(0, Asyncio.currentTask().cancelling());
            return null;
        });
    }

    /** reschedule moves the deadline; reschedule(null) removes it; when() reports it. */
    @Test
    void reschedule() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            try (Timeout t = Asyncio.timeout()) {
                assertNull(t.when());
                t.reschedule(loop.time() + 3600);
                assertTrue(t.when() > loop.time() + 3000);
                t.reschedule(loop.time() + 0.005);
                assertThrows(TimeoutError.class, () -> {
                    try (Timeout t2 = t) {
                        Asyncio.sleep(Duration.ofHours(1));
                    }
                });
                assertThrows(IllegalStateException.class, () -> t.reschedule(null));
            }
            try (Timeout t = Asyncio.timeoutAt(loop.time() + 0.001)) {
                t.reschedule(null);
                Asyncio.sleep(Duration.ofMillis(10));
                assertFalse(t.expired());
            }
            return null;
        });
    }

    /** A deadline already past expires at the next await. */
    @Test
    void pastDeadline() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            assertThrows(TimeoutError.class, () -> {
                try (Timeout t = Asyncio.timeoutAt(loop.time() - 1)) {
                    Asyncio.sleep(Duration.ofMillis(50));
                }
            });
            return null;
        });
    }

    /** A task whose body ends with a TimeoutError fails with it; it is not cancelled (it is not a CancelledError). */
    @Test
    void timeoutErrorFailsTask() {
        Asyncio.run(() -> {
            Task<Void> t = Asyncio.createTask(() -> {
                try (Timeout x = Asyncio.timeout(Duration.ofMillis(1))) {
                    Asyncio.sleep(Duration.ofHours(1));
                }
            });
            assertThrows(TimeoutError.class, t::await);
            assertFalse(t.cancelled());
            assertInstanceOf(TimeoutError.class, t.exception());
            return null;
        });
    }

    /** timeoutAt(deadline).when() is the very deadline given. */
    @Test
    @DisplayName("test_timeout_at_basic")
    void testTimeoutAtBasic() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            double deadline = loop.time() + 0.01;
            Timeout[] cm = new Timeout[1];
            assertThrows(TimeoutError.class, () -> {
                try (Timeout t = Asyncio.timeoutAt(deadline)) {
                    cm[0] = t;
                    Asyncio.sleep(Duration.ofSeconds(10));
                }
            });
            assertTrue(cm[0].expired());
            assertEquals(deadline, cm[0].when());
            return null;
        });
    }

    /** reschedule(when) makes when() return that very value, every time. */
    @Test
    @DisplayName("test_reschedule")
    void testReschedule() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            int differ = 0;
            try (Timeout t = Asyncio.timeout()) {
                for (int i = 0; i < 1000; i++) {
                    double d = loop.time() + 3600 + i * 0.001_234_567;
                    t.reschedule(d);
                    if (t.when() != d) {
                        differ++;
                    }
                }
                t.reschedule(null);
                assertNull(t.when());
            }
            assertEquals(0, differ, "reschedule(d).when() != d");
            return null;
        });
    }

    /** A zero timeout expires at the block's first await, a long sleep; when() lies between the times read around it. */
    @Test
    @DisplayName("test_timeout_zero")
    void testTimeoutZero() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            double t0 = loop.time();
            Timeout[] cm = new Timeout[1];
            assertThrows(TimeoutError.class, () -> {
                try (Timeout t = Asyncio.timeout(Duration.ZERO)) {
                    cm[0] = t;
                    Asyncio.sleep(Duration.ofSeconds(10));
                }
            });
            double t1 = loop.time();
            assertTrue(cm[0].expired());
            assertTrue(t0 <= cm[0].when() && cm[0].when() <= t1, t0 + " <= " + cm[0].when() + " <= " + t1);
            return null;
        });
    }

    /** A zero timeout expires even when the block only yields with sleep(0): a due deadline is called soon, not timed. */
    @Test
    @DisplayName("test_timeout_zero_sleep_zero")
    void testTimeoutZeroSleepZero() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            double t0 = loop.time();
            Timeout[] cm = new Timeout[1];
            assertThrows(TimeoutError.class, () -> {
                try (Timeout t = Asyncio.timeout(Duration.ZERO)) {
                    cm[0] = t;
                    Asyncio.sleep(Duration.ZERO);
                }
            });
            double t1 = loop.time();
            assertTrue(cm[0].expired());
            assertTrue(t0 <= cm[0].when() && cm[0].when() <= t1, t0 + " <= " + cm[0].when() + " <= " + t1);
            return null;
        });
    }

    /** A deadline in the past expires at a sleep(0) too (timeoutAt: a negative delay is refused in Java). */
    @Test
    @DisplayName("test_timeout_in_the_past_sleep_zero")
    void testTimeoutInThePastSleepZero() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            double past = loop.time() - 11;
            Timeout[] cm = new Timeout[1];
            assertThrows(TimeoutError.class, () -> {
                try (Timeout t = Asyncio.timeoutAt(past)) {
                    cm[0] = t;
                    Asyncio.sleep(Duration.ZERO);
                }
            });
            assertTrue(cm[0].expired());
            assertEquals(past, cm[0].when());
            assertThrows(IllegalArgumentException.class, () -> Asyncio.timeout(Duration.ofSeconds(-11)));
            return null;
        });
    }

    /** Timeouts outside a task are refused. */
    @Test
    void outsideTask() {
        assertThrows(IllegalStateException.class, () -> Asyncio.timeout(Duration.ofSeconds(1)));
        EventLoop loop = loop();
        List<Throwable> seen = new ArrayList<>();
        loop.callSoon(() -> {
            try {
                Asyncio.timeout(Duration.ofSeconds(1));
            } catch (Throwable e) {
                seen.add(e);
            }
            loop.stop();
        });
        loop.runForever();
        assertInstanceOf(IllegalStateException.class, seen.getFirst());
    }
}
