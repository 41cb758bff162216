package dev.pyconc.conformance.testthreading;

import dev.pyconc.conformance.locktests.AnyLock;
import dev.pyconc.threading.Condition;

/**
 * test_threading's {@code ConditionAsRLockTests}: lock_tests' RLockTests on a {@link Condition},
 * which uses an RLock of its own and exports its methods.
 */
class ConditionAsRLockTests extends dev.pyconc.conformance.locktests.RLockTests {
    @Override
    protected AnyLock locktype() {
        return AnyLock.of(new Condition());
    }

    /** Not a test here: CPython skips it too, "Condition does not expose _recursion_count()". */
    @Override
    protected void testRecursionCount() {
    }
}
