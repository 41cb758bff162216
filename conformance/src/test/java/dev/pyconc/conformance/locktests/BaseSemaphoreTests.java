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
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.threading.Semaphore;

/** lock_tests' {@code BaseSemaphoreTests}: tests common to bounded and unbounded semaphores. */
public abstract class BaseSemaphoreTests extends BaseTestCase {

    /** A new semaphore of the type under test: CPython's {@code self.semtype(value)}. */
    protected abstract Semaphore semtype(int value);

    /** A new semaphore of the type under test with its default value: CPython's {@code self.semtype()}. */
    protected abstract Semaphore semtype();

    /** A negative initial value is a ValueError: IllegalArgumentException. */
    @Test
    @DisplayName("test_constructor")
    void testConstructor() {
        assertThrows(IllegalArgumentException.class, () -> semtype(-1));
        assertThrows(IllegalArgumentException.class, () -> semtype(-Integer.MAX_VALUE));    // -sys.maxsize
    }

    /** Permits are taken and returned. */
    @Test
    @DisplayName("test_acquire")
    void testAcquire() {
        Semaphore sem = semtype(1);
        sem.acquire();
        sem.release();
        sem = semtype(2);
        sem.acquire();
        sem.acquire();
        sem.release();
        sem.release();
    }

    /** A semaphore can be dropped with a permit taken. CPython's {@code semtype()} has the value 1. */
    @Test
    @DisplayName("test_acquire_destroy")
    void testAcquireDestroy() {
        Semaphore sem = semtype(1);
        assertTrue(sem.acquire());
    }

    /**
     * Ten threads take two permits each from a semaphore of 7 with one taken: 6 pass, then each
     * release lets exactly one more through, and every acquire returns true.
     */
    @Test
    @DisplayName("test_acquire_contended")
    void testAcquireContended() {
        int semValue = 7;
        Semaphore sem = semtype(semValue);
        sem.acquire();

        List<Boolean> semResults = Collections.synchronizedList(new ArrayList<>());
        List<Integer> results1 = Collections.synchronizedList(new ArrayList<>());
        List<Integer> results2 = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger phaseNum = new AtomicInteger();
        Runnable func = () -> {
            semResults.add(sem.acquire());
            results1.add(phaseNum.get());
            semResults.add(sem.acquire());
            results2.add(phaseNum.get());
        };
        int n = 10;
        try (var _ = new Bunch(func, n)) {
            // Phase 0
            int count1 = semValue - 1;
            waitCount(results1, results2, count1);
            assertEquals(Collections.nCopies(count1, 0), concat(results1, results2));

            // Phase 1
            phaseNum.set(1);
            for (int i = 0; i < semValue; i++) {
                sem.release();
            }
            int count2 = semValue;
            waitCount(results1, results2, count1 + count2);
            assertEquals(phases(count1, count2), sorted(concat(results1, results2)));

            // Phase 2
            phaseNum.set(2);
            int count3 = semValue - 1;
            for (int i = 0; i < count3; i++) {
                sem.release();
            }
            waitCount(results1, results2, count1 + count2 + count3);
            assertEquals(phases(count1, count2, count3), sorted(concat(results1, results2)));
            // the semaphore is still taken
            assertFalse(sem.tryAcquire());

            // Final release, to let the last thread finish
            sem.release();
        }
        assertEquals(Collections.nCopies(2 * n, true), semResults);
    }

    /** As test_acquire_contended, with release(n) returning several permits at once. */
    @Test
    @DisplayName("test_multirelease")
    void testMultirelease() {
        int semValue = 7;
        Semaphore sem = semtype(semValue);
        sem.acquire();

        List<Integer> results1 = Collections.synchronizedList(new ArrayList<>());
        List<Integer> results2 = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger phaseNum = new AtomicInteger();
        Runnable func = () -> {
            sem.acquire();
            results1.add(phaseNum.get());
            sem.acquire();
            results2.add(phaseNum.get());
        };
        try (var _ = new Bunch(func, 10)) {
            // Phase 0
            int count1 = semValue - 1;
            waitCount(results1, results2, count1);
            assertEquals(Collections.nCopies(count1, 0), concat(results1, results2));

            // Phase 1
            phaseNum.set(1);
            int count2 = semValue;
            sem.release(count2);
            waitCount(results1, results2, count1 + count2);
            assertEquals(phases(count1, count2), sorted(concat(results1, results2)));

            // Phase 2
            phaseNum.set(2);
            int count3 = semValue - 1;
            sem.release(count3);
            waitCount(results1, results2, count1 + count2 + count3);
            assertEquals(phases(count1, count2, count3), sorted(concat(results1, results2)));
            // the semaphore is still taken
            assertFalse(sem.tryAcquire());

            // Final release, to let the last thread finish
            sem.release();
        }
    }

    /** tryAcquire() takes a permit while one is left. */
    @Test
    @DisplayName("test_try_acquire")
    void testTryAcquire() {
        Semaphore sem = semtype(2);
        assertTrue(sem.tryAcquire());
        assertTrue(sem.tryAcquire());
        assertFalse(sem.tryAcquire());
        sem.release();
        assertTrue(sem.tryAcquire());
    }

    /** Five threads try twice each on a semaphore with 3 permits left: exactly 3 succeed. */
    @Test
    @DisplayName("test_try_acquire_contended")
    void testTryAcquireContended() {
        Semaphore sem = semtype(4);
        sem.acquire();
        List<Boolean> results = Collections.synchronizedList(new ArrayList<>());
        Runnable f = () -> {
            results.add(sem.tryAcquire());
            results.add(sem.tryAcquire());
        };
        try (var _ = new Bunch(f, 5)) {
            // each thread tries twice
        }
        List<Boolean> expected = new ArrayList<>(Collections.nCopies(7, false));
        expected.addAll(Collections.nCopies(3, true));
        assertEquals(expected, sorted(results));
    }

    /** Timed acquires take free permits and return false, no earlier than their timeout, when none is left. */
    @Test
    @DisplayName("test_acquire_timeout")
    void testAcquireTimeout() {
        Semaphore sem = semtype(2);
        // CPython: acquire(False, timeout=1.0) is a ValueError; tryAcquire() takes no timeout.
        Duration tiny = Duration.ofMillis(5);
        assertTrue(sem.acquire(tiny));
        assertTrue(sem.acquire(tiny));
        assertFalse(sem.acquire(tiny));
        sem.release();
        assertTrue(sem.acquire(tiny));
        long t = System.nanoTime();
        assertFalse(sem.acquire(Duration.ofMillis(500)));
        assertTimeout(System.nanoTime() - t, Duration.ofMillis(500));
    }

    /** The default value is 1: with the one permit taken, a second acquirer blocks until it is released. */
    @Test
    @DisplayName("test_default_value")
    void testDefaultValue() {
        Semaphore sem = semtype();
        sem.acquire();
        Runnable f = () -> {
            sem.acquire();
            sem.release();
        };
        try (var bunch = new Bunch(f, 1)) {
            bunch.untilBlockedIn(Semaphore.class);
            assertEquals(0, bunch.finished());
            sem.release();
        }
    }

    /** enter() (Python's {@code with sem:}) takes a permit and returns it on leaving, also by an exception. */
    @Test
    @DisplayName("test_with")
    void testWith() {
        Semaphore sem = semtype(2);
        withSem(sem, null);
        assertTrue(sem.tryAcquire());
        sem.release();
        assertThrows(TypeError.class, () -> withSem(sem, new TypeError()));
        assertTrue(sem.tryAcquire());
        sem.release();
    }

    private static void withSem(Semaphore sem, RuntimeException err) {
        try (var _ = sem.enter()) {
            assertTrue(sem.tryAcquire());
            sem.release();
            try (var _ = sem.enter()) {
                assertFalse(sem.tryAcquire());
                if (err != null) {
                    throw err;
                }
            }
        }
    }

    /** lock_tests' {@code wait_count}: until the two result lists hold {@code count} entries together. */
    private static void waitCount(List<Integer> results1, List<Integer> results2, int count) {
        until(count + " acquires", () -> results1.size() + results2.size() >= count);
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all;
        synchronized (a) {
            all = new ArrayList<>(a);
        }
        synchronized (b) {
            all.addAll(b);
        }
        return all;
    }

    private static <T extends Comparable<T>> List<T> sorted(List<T> list) {
        List<T> copy;
        synchronized (list) {
            copy = new ArrayList<>(list);
        }
        Collections.sort(copy);
        return copy;
    }

    /** {@code counts[0]} zeros, then {@code counts[1]} ones, ...: CPython's {@code [0] * c1 + [1] * c2 ...}. */
    private static List<Integer> phases(int... counts) {
        List<Integer> all = new ArrayList<>();
        for (int phase = 0; phase < counts.length; phase++) {
            all.addAll(Collections.nCopies(counts[phase], phase));
        }
        return all;
    }
}
