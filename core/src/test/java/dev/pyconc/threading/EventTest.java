package dev.pyconc.threading;

import static dev.pyconc.testing.Threads.assertInterruptible;
import static dev.pyconc.testing.Threads.untilParkedIn;
import static dev.pyconc.testing.Timing.SHORT;
import static dev.pyconc.testing.Timing.assertFalseNoEarlierThan;
import static dev.pyconc.testing.Timing.assertRejectsBadTimeouts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.pyconc.testing.Threads;
import dev.pyconc.builtins.InterruptedError;

class EventTest {

    /** set/clear/isSet track the flag; await returns true at once while set. */
    @Test
    void flag() {
        Event e = new Event();
        assertFalse(e.isSet());
        e.set();
        e.set();
        assertTrue(e.isSet());
        assertTrue(e.await());
        assertTrue(e.await(Duration.ZERO));
        e.clear();
        e.clear();
        assertFalse(e.isSet());
        assertEquals("Event[unset]", e.toString());
    }

    /** set wakes every waiter, timed and untimed. */
    @Test
    void setWakesAll() {
        Event e = new Event();
        List<Threads.Async<Boolean>> waiters = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            boolean timed = i % 2 == 0;
            var w = Threads.start("waiter-" + i, () -> timed ? e.await(Duration.ofSeconds(30)) : e.await());
            untilParkedIn(w.thread(), Event.class);
            waiters.add(w);
        }
        e.set();
        for (var w : waiters) {
            assertTrue(w.get());
        }
    }

    /** A waiter woken by set returns true even though the event was cleared before it ran. */
    @Test
    void setThenClearStillReleases() {
        Event e = new Event();
        var untimed = Threads.start("untimed", () -> e.await());
        var timed = Threads.start("timed", () -> e.await(Duration.ofSeconds(30)));
        untilParkedIn(untimed.thread(), Event.class);
        untilParkedIn(timed.thread(), Event.class);
        e.set();
        e.clear();
        assertTrue(untimed.get());
        assertTrue(timed.get());
        assertFalse(e.isSet());
    }

    /** A timed await on an unset event returns false, no earlier than its timeout. */
    @Test
    void timedAwaitTimesOut() {
        Event e = new Event();
        assertFalseNoEarlierThan(SHORT, () -> e.await(SHORT));
        assertFalse(e.await(Duration.ZERO));
    }

    /** Bad timeouts are refused; an interrupted await throws InterruptedError with the flag set. */
    @Test
    void badTimeoutsAndInterrupts() {
        Event e = new Event();
        assertRejectsBadTimeouts(e::await);
        assertInterruptible(Event.class, e::await);
        assertInterruptible(Event.class, () -> e.await(Duration.ofSeconds(30)));
    }
}
