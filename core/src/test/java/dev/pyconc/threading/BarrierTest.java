package dev.pyconc.threading;

import static dev.pyconc.testing.Threads.assertInterruptible;
import static dev.pyconc.testing.Threads.untilParkedIn;
import static dev.pyconc.testing.Timing.SHORT;
import static dev.pyconc.testing.Timing.assertRejectsBadTimeouts;
import static dev.pyconc.testing.Timing.assertThrowsNoEarlierThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.pyconc.testing.Threads;
import dev.pyconc.builtins.InterruptedError;

class BarrierTest {

    /** Parties get the distinct indices 0..parties-1, round after round. */
    @Test
    void indices() {
        Barrier b = new Barrier(3);
        for (int round = 0; round < 3; round++) {
            List<Threads.Async<Integer>> parties = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                parties.add(Threads.start("party-" + i, b::await));
            }
            Set<Integer> indices = new HashSet<>();
            parties.forEach(p -> indices.add(p.get()));
            assertEquals(Set.of(0, 1, 2), indices);
            assertEquals(0, b.nWaiting());
            assertFalse(b.broken());
        }
        assertEquals(3, b.parties());
    }

    /** The action runs once per round, in the last party to arrive, before any party is released. */
    @Test
    void actionRunsOnceBeforeRelease() {
        AtomicInteger runs = new AtomicInteger();
        AtomicReference<java.lang.Thread> runner = new AtomicReference<>();
        Barrier b = new Barrier(3, () -> {
            runs.incrementAndGet();
            runner.set(java.lang.Thread.currentThread());
        }, null);
        List<Threads.Async<int[]>> parties = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            var p = Threads.start("party-" + i, () -> new int[] {b.await(), runs.get()});
            parties.add(p);
            if (i < 2) {
                untilParkedIn(p.thread(), Barrier.class);
                assertEquals(i + 1, b.nWaiting());
                assertEquals(0, runs.get());
            }
        }
        for (var p : parties) {
            int[] r = p.get();
            assertEquals(1, r[1], "action ran before this party was released");
        }
        assertEquals(1, runs.get());
        assertSame(parties.get(2).thread(), runner.get());
        assertEquals(2, parties.get(2).get()[0]);
    }

    /** A wait that times out breaks the barrier: it and every other waiter get BrokenBarrierError. */
    @Test
    void timeoutBreaks() {
        Barrier b = new Barrier(3);
        var other = Threads.start("other", b::await);
        untilParkedIn(other.thread(), Barrier.class);
        BrokenBarrierError e = assertThrowsNoEarlierThan(BrokenBarrierError.class, SHORT, () -> b.await(SHORT));
        assertEquals("barrier wait timed out", e.getMessage());
        assertInstanceOf(BrokenBarrierError.class, other.failure());
        assertTrue(b.broken());
        assertEquals(0, b.nWaiting());
        assertEquals("barrier is broken", assertThrows(BrokenBarrierError.class, b::await).getMessage());
        assertThrows(BrokenBarrierError.class, () -> b.await(Duration.ZERO));
    }

    /** The constructor's default timeout breaks a wait without its own timeout. */
    @Test
    void defaultTimeoutBreaks() {
        Barrier b = new Barrier(2, null, SHORT);
        assertThrowsNoEarlierThan(BrokenBarrierError.class, SHORT, b::await);
        assertTrue(b.broken());
    }

    /** abort breaks the barrier for waiting and later parties until reset; then a round passes. */
    @Test
    void abortUntilReset() {
        Barrier b = new Barrier(2);
        var waiter = Threads.start("waiter", b::await);
        untilParkedIn(waiter.thread(), Barrier.class);
        b.abort();
        assertInstanceOf(BrokenBarrierError.class, waiter.failure());
        assertTrue(b.broken());
        assertThrows(BrokenBarrierError.class, b::await);
        assertThrows(BrokenBarrierError.class, b::await);
        b.reset();
        assertFalse(b.broken());
        var party = Threads.start("party", b::await);
        int mine = b.await(Duration.ofSeconds(30));
        assertEquals(Set.of(0, 1), Set.of(mine, party.get()));
    }

    /** reset with waiters makes them throw BrokenBarrierError and leaves the barrier usable. */
    @Test
    void resetWithWaiters() {
        Barrier b = new Barrier(3);
        var w1 = Threads.start("w1", b::await);
        var w2 = Threads.start("w2", b::await);
        // both counted: parked in Barrier alone may be parked on its internal lock, not yet arrived
        Threads.until("two parties waiting", () -> b.nWaiting() == 2);
        b.reset();
        assertInstanceOf(BrokenBarrierError.class, w1.failure());
        assertInstanceOf(BrokenBarrierError.class, w2.failure());
        assertFalse(b.broken());
        List<Threads.Async<Integer>> parties = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            parties.add(Threads.start("party-" + i, b::await));
        }
        Set<Integer> indices = new HashSet<>();
        parties.forEach(p -> indices.add(p.get()));
        assertEquals(Set.of(0, 1, 2), indices);
    }

    /** An action that throws breaks the barrier: the last party gets its exception, the others BrokenBarrierError. */
    @Test
    void failingActionBreaks() {
        Barrier b = new Barrier(2, () -> {
            throw new IllegalArgumentException("boom");
        }, null);
        var waiter = Threads.start("waiter", b::await);
        untilParkedIn(waiter.thread(), Barrier.class);
        assertEquals("boom", assertThrows(IllegalArgumentException.class, b::await).getMessage());
        assertInstanceOf(BrokenBarrierError.class, waiter.failure());
        assertTrue(b.broken());
    }

    /** An interrupted wait throws InterruptedError with the flag set and breaks the barrier. */
    @Test
    void interruptBreaks() {
        Barrier b = new Barrier(2);
        assertInterruptible(Barrier.class, b::await);
        assertTrue(b.broken());
    }

    /** parties < 1 and bad timeouts are refused with IllegalArgumentException. */
    @Test
    void badArguments() {
        assertEquals("parties must be >= 1, not 0", assertThrows(IllegalArgumentException.class, () -> new Barrier(0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Barrier(1, null, Duration.ofNanos(-1)));
        Barrier b = new Barrier(2);
        assertRejectsBadTimeouts(b::await);
        assertFalse(b.broken());
        assertEquals(0, new Barrier(1).await());
    }
}
