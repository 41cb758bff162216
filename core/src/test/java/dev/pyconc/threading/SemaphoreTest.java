package dev.pyconc.threading;

import static dev.pyconc.testing.Threads.assertInterruptible;
import static dev.pyconc.testing.Threads.untilParkedIn;
import static dev.pyconc.testing.Timing.SHORT;
import static dev.pyconc.testing.Timing.assertFalseNoEarlierThan;
import static dev.pyconc.testing.Timing.assertRejectsBadTimeouts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.pyconc.testing.Threads;
import dev.pyconc.builtins.InterruptedError;

class SemaphoreTest {

    /** acquire takes permits until none is left; release returns them. */
    @Test
    void counts() {
        Semaphore s = new Semaphore(2);
        assertTrue(s.acquire());
        assertTrue(s.tryAcquire());
        assertEquals(0, s.value());
        assertFalse(s.tryAcquire());
        assertFalse(s.acquire(Duration.ZERO));
        s.release(2);
        assertEquals(2, s.value());
        assertEquals("Semaphore[value=2]", s.toString());
    }

    /** A plain Semaphore's value may grow above its initial value. */
    @Test
    void unboundedRelease() {
        Semaphore s = new Semaphore(0);
        s.release();
        s.release(3);
        assertEquals(4, s.value());
    }

    /** A negative initial value and release(n) with n < 1 are refused. */
    @Test
    void badArguments() {
        assertEquals("semaphore initial value must be >= 0, not -1",
                assertThrows(IllegalArgumentException.class, () -> new Semaphore(-1)).getMessage());
        Semaphore s = new Semaphore(1);
        assertEquals("n must be one or more, not 0", assertThrows(IllegalArgumentException.class, () -> s.release(0)).getMessage());
        assertEquals(1, s.value());
        assertRejectsBadTimeouts(s::acquire);
    }

    /** release(n) wakes n blocked acquirers. */
    @Test
    void releaseNWakesN() {
        Semaphore s = new Semaphore(0);
        List<Threads.Async<Void>> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            var w = Threads.run("waiter-" + i, s::acquire);
            untilParkedIn(w.thread(), Semaphore.class);
            waiters.add(w);
        }
        s.release(3);
        waiters.forEach(Threads.Async::get);
        assertEquals(0, s.value());
    }

    /** A timed acquire without permits returns false, no earlier than its timeout. */
    @Test
    void timedAcquireTimesOut() {
        Semaphore s = new Semaphore(0);
        assertFalseNoEarlierThan(SHORT, () -> s.acquire(SHORT));
        assertEquals(0, s.value());
    }

    /** At most n of many threads hold a Semaphore(n) at once. */
    @Test
    void atMostNHolders() {
        Semaphore s = new Semaphore(3);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        List<Threads.Async<Void>> threads = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            threads.add(Threads.run("holder-" + t, () -> {
                for (int i = 0; i < 2_000; i++) {
                    try (var _ = s.enter()) {
                        max.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        inside.decrementAndGet();
                    }
                }
            }));
        }
        threads.forEach(Threads.Async::get);
        assertTrue(max.get() <= 3, "max holders " + max.get());
        assertEquals(3, s.value());
    }

    /** An interrupted acquire throws InterruptedError with the flag set and takes no permit. */
    @Test
    void interruptedAcquire() {
        Semaphore s = new Semaphore(0);
        assertInterruptible(Semaphore.class, s::acquire);
        assertInterruptible(Semaphore.class, () -> s.acquire(Duration.ofSeconds(30)));
        s.release();
        assertEquals(1, s.value());
    }
}
