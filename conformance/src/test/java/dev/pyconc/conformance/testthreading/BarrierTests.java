package dev.pyconc.conformance.testthreading;

import java.time.Duration;

import dev.pyconc.threading.Barrier;

/** test_threading's {@code BarrierTests}: lock_tests' BarrierTests on {@link Barrier}. */
class BarrierTests extends dev.pyconc.conformance.locktests.BarrierTests {
    @Override
    protected Barrier barriertype(int parties, Runnable action, Duration timeout) {
        return new Barrier(parties, action, timeout);
    }
}
