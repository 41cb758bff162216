package dev.pyconc.conformance.testthreading;

import dev.pyconc.threading.Condition;
import dev.pyconc.threading.Lock;

/** test_threading's {@code ConditionTests}: lock_tests' ConditionTests on {@link Condition}. */
class ConditionTests extends dev.pyconc.conformance.locktests.ConditionTests {
    @Override
    protected Condition condtype() {
        return new Condition();
    }

    @Override
    protected Condition condtype(Lock lock) {
        return new Condition(lock);
    }
}
