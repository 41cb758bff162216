package dev.pyconc.conformance.locktests;

import static dev.pyconc.testing.Threads.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.threading.Barrier;
import dev.pyconc.threading.BrokenBarrierError;

/** lock_tests' {@code BarrierTests}: tests of barriers, five parties with a default timeout of 2 s. */
public abstract class BarrierTests extends BaseTestCase {
    protected static final int N = 5;
    protected static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    protected Barrier barrier;

    /** A new barrier of the type under test: CPython's {@code self.barriertype(parties, action, timeout)}. */
    protected abstract Barrier barriertype(int parties, Runnable action, Duration timeout);

    /** Stands for the RuntimeError that test_abort raises in one party. */
    private static final class PartyFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    @BeforeEach
    void setUpBarrier() {
        barrier = barriertype(N, null, DEFAULT_TIMEOUT);
    }

    @AfterEach
    void tearDownBarrier() {
        barrier.abort();
    }

    private void runThreads(Runnable f) {
        try (var _ = new Bunch(f, N)) {
            // the N parties run f
        }
    }

    /** Each party passes the barrier twice per round, n rounds, in lockstep. */
    private void multipass(List<List<Boolean>> results, int n) {
        int m = barrier.parties();
        assertEquals(N, m);
        for (int i = 0; i < n; i++) {
            results.get(0).add(true);
            assertEquals(i * m, results.get(1).size());
            barrier.await();
            results.get(1).add(true);
            assertEquals((i + 1) * m, results.get(0).size());
            barrier.await();
        }
        assertEquals(0, barrier.nWaiting());
        assertFalse(barrier.broken());
    }

    /** parties below one is a ValueError: IllegalArgumentException. */
    @Test
    @DisplayName("test_constructor")
    void testConstructor() {
        assertThrows(IllegalArgumentException.class, () -> barriertype(0, null, null));
        assertThrows(IllegalArgumentException.class, () -> barriertype(-1, null, null));
    }

    private void barrierPasses(int passes) {
        List<List<Boolean>> results = List.of(
                Collections.synchronizedList(new ArrayList<>()), Collections.synchronizedList(new ArrayList<>()));
        runThreads(() -> multipass(results, passes));
    }

    /** The parties pass the barrier in lockstep. */
    @Test
    @DisplayName("test_barrier")
    void testBarrier() {
        barrierPasses(1);
    }

    /** The barrier works for 10 consecutive rounds. */
    @Test
    @DisplayName("test_barrier_10")
    void testBarrier10() {
        barrierPasses(10);
    }

    /** await() returns each arrival index once: their sum is 0 + 1 + ... + N-1. */
    @Test
    @DisplayName("test_wait_return")
    void testWaitReturn() {
        List<Integer> results = Collections.synchronizedList(new ArrayList<>());
        runThreads(() -> results.add(barrier.await()));
        assertEquals(N * (N - 1) / 2, results.stream().mapToInt(Integer::intValue).sum());
    }

    /** The action runs once, before any party is released. */
    @Test
    @DisplayName("test_action")
    void testAction() {
        List<Boolean> results = Collections.synchronizedList(new ArrayList<>());
        Barrier barrier = barriertype(N, () -> results.add(true), null);
        runThreads(() -> {
            barrier.await();
            assertEquals(1, results.size());
        });
    }

    /** abort() breaks the barrier: the other parties get BrokenBarrierError. */
    @Test
    @DisplayName("test_abort")
    void testAbort() {
        List<Boolean> results1 = Collections.synchronizedList(new ArrayList<>());
        List<Boolean> results2 = Collections.synchronizedList(new ArrayList<>());
        runThreads(() -> {
            try {
                int i = barrier.await();
                if (i == N / 2) {
                    throw new PartyFailure();
                }
                barrier.await();
                results1.add(true);
            } catch (BrokenBarrierError e) {
                results2.add(true);
            } catch (PartyFailure e) {
                barrier.abort();
            }
        });
        assertEquals(0, results1.size());
        assertEquals(N - 1, results2.size());
        assertTrue(barrier.broken());
    }

    /** reset() frees the waiting parties with BrokenBarrierError; the barrier can then be passed again. */
    @Test
    @DisplayName("test_reset")
    void testReset() {
        List<Boolean> results1 = Collections.synchronizedList(new ArrayList<>());
        List<Boolean> results2 = Collections.synchronizedList(new ArrayList<>());
        List<Boolean> results3 = Collections.synchronizedList(new ArrayList<>());
        runThreads(() -> {
            int i = barrier.await();
            if (i == N / 2) {
                // wait until the other parties are all in the barrier
                until("the others waiting", () -> barrier.nWaiting() >= N - 1);
                barrier.reset();
            } else {
                try {
                    barrier.await();
                    results1.add(true);
                } catch (BrokenBarrierError e) {
                    results2.add(true);
                }
            }
            // now pass the barrier again
            barrier.await();
            results3.add(true);
        });
        assertEquals(0, results1.size());
        assertEquals(N - 1, results2.size());
        assertEquals(N, results3.size());
    }

    /** A broken barrier can be reset and used again. */
    @Test
    @DisplayName("test_abort_and_reset")
    void testAbortAndReset() {
        List<Boolean> results1 = Collections.synchronizedList(new ArrayList<>());
        List<Boolean> results2 = Collections.synchronizedList(new ArrayList<>());
        List<Boolean> results3 = Collections.synchronizedList(new ArrayList<>());
        Barrier barrier2 = barriertype(N, null, null);
        runThreads(() -> {
            try {
                int i = barrier.await();
                if (i == N / 2) {
                    throw new PartyFailure();
                }
                barrier.await();
                results1.add(true);
            } catch (BrokenBarrierError e) {
                results2.add(true);
            } catch (PartyFailure e) {
                barrier.abort();
            }
            // Synchronize and reset the barrier: first so that everyone has left it when it is
            // reset, and after so that nobody enters it before.
            if (barrier2.await() == N / 2) {
                barrier.reset();
            }
            barrier2.await();
            barrier.await();
            results3.add(true);
        });
        assertEquals(0, results1.size());
        assertEquals(N - 1, results2.size());
        assertEquals(N, results3.size());
    }

    /**
     * await(timeout) breaks the barrier when a party is late, before the default timeout would.
     * CPython's late party sleeps half the default timeout; here it comes once the barrier is
     * broken, and checks that this happened before the default timeout could have broken it.
     */
    @Test
    @DisplayName("test_timeout")
    void testTimeout() {
        Duration timeout = DEFAULT_TIMEOUT.dividedBy(4);
        runThreads(() -> {
            int i = barrier.await();
            if (i == N / 2) {
                // one party is late
                long late = System.nanoTime();
                until("the barrier broken by the others' timeout", barrier::broken);
                long lateness = System.nanoTime() - late;
                assertTrue(lateness < DEFAULT_TIMEOUT.toNanos(), "broken after " + Duration.ofNanos(lateness)
                        + ": by the default timeout " + DEFAULT_TIMEOUT + ", not by await(" + timeout + ")");
            }
            assertThrows(BrokenBarrierError.class, () -> barrier.await(timeout));
        });
    }

    /** The default timeout breaks the barrier, no earlier than its length. */
    @Test
    @DisplayName("test_default_timeout")
    void testDefaultTimeout() {
        Duration timeout = Duration.ofMillis(100);
        Barrier barrier = barriertype(2, null, timeout);
        long start = System.nanoTime();
        try (var _ = new Bunch(() -> assertThrows(BrokenBarrierError.class, barrier::await), 1)) {
            // the single party times out
        }
        assertTimeout(System.nanoTime() - start, timeout);
    }

    /** A barrier of one party never waits. */
    @Test
    @DisplayName("test_single_thread")
    void testSingleThread() {
        Barrier b = barriertype(1, null, null);
        b.await();
        b.await();
    }

    /**
     * toString() gives the waiting parties, or that the barrier is broken (CPython's repr:
     * {@code <threading.Barrier at ...: waiters=2/3>}, {@code ...: broken>}).
     */
    @Test
    @DisplayName("test_repr")
    void testRepr() {
        Barrier barrier = barriertype(3, null, null);
        Duration timeout = Duration.ofMinutes(5);       // support.LONG_TIMEOUT
        assertEquals("Barrier[waiters=0/3]", barrier.toString());
        int n = 2;
        try (var _ = new Bunch(() -> barrier.await(timeout), n)) {
            until("two parties waiting", () -> barrier.nWaiting() >= n);
            assertEquals("Barrier[waiters=2/3]", barrier.toString());
            barrier.await(timeout);
        }
        assertEquals("Barrier[waiters=0/3]", barrier.toString());
        barrier.abort();
        assertEquals("Barrier[broken]", barrier.toString());
    }
}
