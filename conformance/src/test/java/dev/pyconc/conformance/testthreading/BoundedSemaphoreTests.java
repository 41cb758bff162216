package dev.pyconc.conformance.testthreading;

import dev.pyconc.threading.BoundedSemaphore;
import dev.pyconc.threading.Semaphore;

/** test_threading's {@code BoundedSemaphoreTests}: lock_tests' BoundedSemaphoreTests on {@link BoundedSemaphore}. */
class BoundedSemaphoreTests extends dev.pyconc.conformance.locktests.BoundedSemaphoreTests {
    @Override
    protected Semaphore semtype(int value) {
        return new BoundedSemaphore(value);
    }

    @Override
    protected Semaphore semtype() {
        return new BoundedSemaphore();
    }
}
