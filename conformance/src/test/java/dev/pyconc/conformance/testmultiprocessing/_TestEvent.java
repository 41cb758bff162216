package dev.pyconc.conformance.testmultiprocessing;

import static dev.pyconc.conformance.testmultiprocessing.Mp1Support.TIMEOUT1;
import static dev.pyconc.conformance.testmultiprocessing.Mp1Support.TIMEOUT2;
import static dev.pyconc.conformance.testmultiprocessing.Mp1Support.sleep;
import static dev.pyconc.testing.Timing.assertFalseNoEarlierThan;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.multiprocessing.Event;
import dev.pyconc.multiprocessing.Process;

/** _test_multiprocessing.py's {@code _TestEvent} in its processes form: {@link Event} set by a child JVM. */
class _TestEvent {
    @BeforeAll
    static void segments() {
        Mp1Support.init();
    }

    /** await times out while unset, returns at once while set, and returns when a child sets it. */
    @Test
    @DisplayName("test_event")
    void testEvent() {
        Event event = new Event();
        assertFalse(event.isSet());
        assertFalse(event.await(Duration.ZERO));
        assertFalseNoEarlierThan(TIMEOUT1, () -> event.await(TIMEOUT1));

        event.set();
        assertTrue(event.isSet());
        assertTrue(event.await());
        assertTrue(event.await(TIMEOUT1));

        event.clear();

        Process p = new Process(() -> {
            sleep(TIMEOUT2);
            event.set();
        });
        p.setDaemon(true);
        p.start();
        assertTrue(event.await());
        p.join();
    }

    /** toString() says "unset" or "set" (CPython's repr: {@code <Event at 0x... unset>}, whose address Java has not). */
    @Test
    @DisplayName("test_repr")
    void testRepr() {
        Event event = new Event();
        assertTrue(event.toString().matches("Event\\[.*\\bunset\\]"), event.toString());
        event.set();
        assertTrue(event.toString().matches("Event\\[.*(?<!un)set\\]"), event.toString());
        event.clear();
        assertTrue(event.toString().matches("Event\\[.*\\bunset\\]"), event.toString());
    }
}
