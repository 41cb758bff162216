package dev.pyconc.conformance.testthreading;

import dev.pyconc.conformance.locktests.AnyLock;
import dev.pyconc.threading.RLock;

/**
 * test_threading's {@code CRLockTests}: lock_tests' RLockTests on {@link RLock}. CPython runs them
 * on its two RLocks, the C one ({@code threading.RLock}, this class) and the Python one
 * ({@code PyRLockTests}); pyconc has one RLock, tested here. ({@code test_signature}, the
 * DeprecationWarning for arguments to {@code RLock()}, is not applicable: Java's compiler refuses
 * arguments the constructor does not declare.)
 */
class CRLockTests extends dev.pyconc.conformance.locktests.RLockTests {
    @Override
    protected AnyLock locktype() {
        return AnyLock.of(new RLock());
    }
}
