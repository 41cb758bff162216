package dev.pyconc.conformance.testthreading;

import dev.pyconc.conformance.locktests.AnyLock;
import dev.pyconc.threading.Lock;

/** test_threading's {@code LockTests}: lock_tests' LockTests on {@link Lock}. */
class LockTests extends dev.pyconc.conformance.locktests.LockTests {
    @Override
    protected AnyLock locktype() {
        return AnyLock.of(new Lock());
    }
}
