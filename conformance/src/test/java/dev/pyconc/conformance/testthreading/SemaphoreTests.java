package dev.pyconc.conformance.testthreading;

import dev.pyconc.threading.Semaphore;

/** test_threading's {@code SemaphoreTests}: lock_tests' SemaphoreTests on {@link Semaphore}. */
class SemaphoreTests extends dev.pyconc.conformance.locktests.SemaphoreTests {
    @Override
    protected Semaphore semtype(int value) {
        return new Semaphore(value);
    }

    @Override
    protected Semaphore semtype() {
        return new Semaphore();
    }
}
