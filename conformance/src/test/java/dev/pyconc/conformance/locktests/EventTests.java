package dev.pyconc.conformance.locktests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.threading.Event;

/**
 * lock_tests' {@code EventTests}. ({@code test_at_fork_reinit} is not applicable: a JVM does not fork.)
 */
public abstract class EventTests extends BaseTestCase {

    /** A new event of the type under test: CPython's {@code self.eventtype()}. */
    protected abstract Event eventtype();

    /** isSet() follows set() and clear(), each of which may be repeated. */
    @Test
    @DisplayName("test_is_set")
    void testIsSet() {
        Event evt = eventtype();
        assertFalse(evt.isSet());
        evt.set();
        assertTrue(evt.isSet());
        evt.set();
        assertTrue(evt.isSet());
        evt.clear();
        assertFalse(evt.isSet());
        evt.clear();
        assertFalse(evt.isSet());
    }

    /** Five threads wait; set() wakes all, and their second await() returns at once. */
    private void checkNotify(Event evt) {
        int n = 5;
        List<Boolean> results1 = Collections.synchronizedList(new ArrayList<>());
        List<Boolean> results2 = Collections.synchronizedList(new ArrayList<>());
        Runnable f = () -> {
            results1.add(evt.await());
            results2.add(evt.await());
        };
        try (var bunch = new Bunch(f, n)) {
            bunch.untilBlockedIn(Event.class);
            assertEquals(0, results1.size());
            evt.set();
        }
        assertEquals(Collections.nCopies(n, true), results1);
        assertEquals(Collections.nCopies(n, true), results2);
    }

    /** set() wakes every waiter, also after an explicit clear(). */
    @Test
    @DisplayName("test_notify")
    void testNotify() {
        Event evt = eventtype();
        checkNotify(evt);
        evt.set();
        evt.clear();
        checkNotify(evt);
    }

    /** Timed waits of an unset event return false, no earlier than their timeout; of a set one, true. */
    @Test
    @DisplayName("test_timeout")
    void testTimeout() {
        Event evt = eventtype();
        int n = 5;
        List<Boolean> results1 = Collections.synchronizedList(new ArrayList<>());
        List<Boolean> results2 = Collections.synchronizedList(new ArrayList<>());
        List<Long> elapsed = Collections.synchronizedList(new ArrayList<>());
        Runnable f = () -> {
            results1.add(evt.await(Duration.ZERO));
            long t1 = System.nanoTime();
            boolean r = evt.await(Duration.ofMillis(500));
            elapsed.add(System.nanoTime() - t1);
            results2.add(r);
        };
        try (var _ = new Bunch(f, n)) {
            // every wait times out
        }
        assertEquals(Collections.nCopies(n, false), results1);
        assertEquals(Collections.nCopies(n, false), results2);
        elapsed.forEach(dt -> assertTimeout(dt, Duration.ofMillis(500)));

        results1.clear();
        results2.clear();
        evt.set();
        try (var _ = new Bunch(f, n)) {
            // the event is set
        }
        assertEquals(Collections.nCopies(n, true), results1);
        assertEquals(Collections.nCopies(n, true), results2);
    }

    /** A waiter woken by set() returns true even if clear() came before it ran (CPython gh-57711). */
    @Test
    @DisplayName("test_set_and_clear")
    void testSetAndClear() {
        Event event = eventtype();
        List<Boolean> results = Collections.synchronizedList(new ArrayList<>());
        int n = 5;
        try (var bunch = new Bunch(() -> results.add(event.await(Duration.ofMinutes(5))), n)) {
            bunch.untilBlockedIn(Event.class);
            event.set();
            event.clear();
        }
        assertEquals(Collections.nCopies(n, true), results);
    }

    /** toString() says whether the event is set (CPython's repr: {@code <threading.Event at ...: unset>}). */
    @Test
    @DisplayName("test_repr")
    void testRepr() {
        Event evt = eventtype();
        assertEquals("Event[unset]", evt.toString());
        evt.set();
        assertEquals("Event[set]", evt.toString());
    }
}
