package dev.pyconc.conformance.testthreading;

import dev.pyconc.threading.Event;

/** test_threading's {@code EventTests}: lock_tests' EventTests on {@link Event}. */
class EventTests extends dev.pyconc.conformance.locktests.EventTests {
    @Override
    protected Event eventtype() {
        return new Event();
    }
}
