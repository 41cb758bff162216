package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

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

    /** An expired block raises TimeoutError out of it; inside, the await saw a CancelledError. */
    @Test
    void expiredRaisesTimeoutError() {
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
                    }
                }
            });
            assertTrue(t[0].expired());
            assertEquals(0, Asyncio.currentTask().cancelling(), "the timeout's own cancellation was withdrawn");
            Asyncio.sleep(Duration.ZERO);     // the task goes on normally
            log.add("after: " + e.getClass().getSimpleName());
            return null;
        });
        assertEquals(List.of("inside: cancelled", "after: TimeoutError"), log);
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
            assertFalse(e instanceof TimeoutError);
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
            assertFalse(e instanceof TimeoutError, "the outer cancellation was turned into a TimeoutError");
            assertTrue(t.cancelled());
            return null;
        });
    }

    /** Nested timeouts: only the inner one that expired converts; the outer sees a TimeoutError pass through. */
    @Test
    void nestedTimeouts() {
        Asyncio.run(() -> {
            Timeout[] outer = new Timeout[1];
            Timeout[] inner = new Timeout[1];
            assertThrows(TimeoutError.class, () -> {
                try (Timeout o = Asyncio.timeout(Duration.ofHours(1))) {
                    outer[0] = o;
                    try (Timeout i = Asyncio.timeout(Duration.ofMillis(5))) {
                        inner[0] = i;
                        Asyncio.sleep(Duration.ofHours(1));
                    }
                }
            });
            assertTrue(inner[0].expired());
            assertFalse(outer[0].expired());
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

    /** A task whose body ends with a TimeoutError fails with it; it is not cancelled. */
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
