package dev.pyconc.conformance.locktests;

import static dev.pyconc.testing.Threads.until;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import dev.pyconc.threading.Threading;

/**
 * lock_tests' {@code BaseTestCase}: after each test no thread the test started is left alive
 * (CPython's {@code threading_setup}/{@code threading_cleanup}), and {@link #assertTimeout}.
 */
public abstract class BaseTestCase {
    private int threadsBefore;

    /** Stands for the TypeError that CPython's tests raise inside a {@code with} block. */
    protected static final class TypeError extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    @BeforeEach
    void threadingSetup() {
        threadsBefore = Threading.activeCount();
    }

    @AfterEach
    void threadingCleanup() {
        until("the threads started by the test ended (" + threadsBefore + " before)",
                () -> Threading.activeCount() <= threadsBefore);
    }

    /**
     * lock_tests' {@code assertTimeout(actual, expected)}: a wait that timed out lasted at least its
     * timeout. CPython allows 0.6 of it for imprecise clocks; the JDK's timed waits never return
     * early, so the bound here is the whole timeout. CPython's upper bound (ten times the timeout,
     * "nothing insane happened") is not checked: a hang fails the test's liveness bound instead.
     */
    protected static void assertTimeout(long actualNanos, Duration expected) {
        assertTrue(actualNanos >= expected.toNanos(),
                "the wait timed out after " + Duration.ofNanos(actualNanos) + ", before its timeout " + expected);
    }
}
