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

import dev.pyconc.threading.Condition;
import dev.pyconc.threading.Lock;

/** lock_tests' {@code ConditionTests}: tests of condition variables. */
public abstract class ConditionTests extends BaseTestCase {

    /** A new condition with a lock of its own: CPython's {@code self.condtype()}. */
    protected abstract Condition condtype();

    /** A new condition on {@code lock}: CPython's {@code self.condtype(lock)}. */
    protected abstract Condition condtype(Lock lock);

    /** What a waiter recorded: the value await() returned and the phase it saw after. */
    private record Woken(boolean result, int phase) {}

    /** By default the condition's lock is an RLock; given a Lock, the condition acquires and releases that. */
    @Test
    @DisplayName("test_acquire")
    void testAcquire() {
        Condition cond = condtype();
        cond.acquire();
        cond.acquire();
        cond.release();
        cond.release();
        Lock lock = new Lock();
        cond = condtype(lock);
        cond.acquire();
        assertFalse(lock.tryAcquire());
        cond.release();
        assertTrue(lock.tryAcquire());
        assertFalse(cond.tryAcquire());
        lock.release();
        try (var _ = cond.enter()) {
            assertFalse(lock.tryAcquire());
        }
    }

    /** await() without the lock is a RuntimeError: IllegalStateException. */
    @Test
    @DisplayName("test_unacquired_wait")
    void testUnacquiredWait() {
        Condition cond = condtype();
        assertThrows(IllegalStateException.class, cond::await);
    }

    /** signal() without the lock is a RuntimeError: IllegalStateException. */
    @Test
    @DisplayName("test_unacquired_notify")
    void testUnacquiredNotify() {
        Condition cond = condtype();
        assertThrows(IllegalStateException.class, cond::signal);
    }

    /**
     * Five threads wait twice: signal(3) wakes three, signal(5) the other two and the three in
     * their second wait, signalAll() the last two; each woken wait returns true in its phase.
     */
    private void checkNotify(Condition cond) {
        List<Integer> ready = Collections.synchronizedList(new ArrayList<>());
        List<Woken> results1 = Collections.synchronizedList(new ArrayList<>());
        List<Woken> results2 = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger phaseNum = new AtomicInteger();
        Runnable f = () -> {
            cond.acquire();
            ready.add(phaseNum.get());
            boolean result = cond.await();
            cond.release();
            results1.add(new Woken(result, phaseNum.get()));

            cond.acquire();
            ready.add(phaseNum.get());
            result = cond.await();
            cond.release();
            results2.add(new Woken(result, phaseNum.get()));
        };
        int n = 5;
        try (var _ = new Bunch(f, n)) {
            // every worker is in its first await(): each added itself to ready holding the lock
            until("all in their first wait", () -> ready.size() >= n);
            ready.clear();
            assertEquals(List.of(), results1);

            // Signal 3 threads. CPython sleeps after signalling to let them block on the lock; no
            // wait is needed here: the phase changes while the lock is held, so no woken thread
            // can return before it.
            int count1 = 3;
            cond.acquire();
            cond.signal(count1);
            phaseNum.set(1);
            cond.release();
            until("the first three woken", () -> results1.size() >= count1);
            assertEquals(Collections.nCopies(count1, new Woken(true, 1)), results1);
            assertEquals(List.of(), results2);

            // the three woken are in their second await()
            until("the woken in their second wait", () -> ready.size() >= count1);

            // Signal 5 threads: two in their first wait, three in their second
            cond.acquire();
            cond.signal(5);
            phaseNum.set(2);
            cond.release();
            until("all five woken", () -> results1.size() + results2.size() >= n + count1);
            int count2 = n - count1;
            List<Woken> expected1 = new ArrayList<>(Collections.nCopies(count1, new Woken(true, 1)));
            expected1.addAll(Collections.nCopies(count2, new Woken(true, 2)));
            assertEquals(expected1, results1);
            assertEquals(Collections.nCopies(count1, new Woken(true, 2)), results2);

            // the last two are in their second await()
            until("all in their second wait", () -> ready.size() >= n);

            // Signal all: the two left, in their second wait
            cond.acquire();
            cond.signalAll();
            phaseNum.set(3);
            cond.release();
            until("all done", () -> results2.size() >= n);
            assertEquals(expected1, results1);
            List<Woken> expected2 = new ArrayList<>(Collections.nCopies(count1, new Woken(true, 2)));
            expected2.addAll(Collections.nCopies(count2, new Woken(true, 3)));
            assertEquals(expected2, results2);
        }
    }

    /** signal(n) and signalAll() wake the longest waiters, twice on one condition. */
    @Test
    @DisplayName("test_notify")
    void testNotify() {
        Condition cond = condtype();
        checkNotify(cond);
        checkNotify(cond);      // again, to check that its state is still right
    }

    /** Five timed waits nobody signals return false, no earlier than their timeout. */
    @Test
    @DisplayName("test_timeout")
    void testTimeout() {
        Condition cond = condtype();
        Duration timeout = Duration.ofMillis(500);
        List<Boolean> results = Collections.synchronizedList(new ArrayList<>());
        List<Long> elapsed = Collections.synchronizedList(new ArrayList<>());
        Runnable f = () -> {
            cond.acquire();
            long t1 = System.nanoTime();
            boolean result = cond.await(timeout);
            long t2 = System.nanoTime();
            cond.release();
            elapsed.add(t2 - t1);
            results.add(result);
        };
        int n = 5;
        try (var _ = new Bunch(f, n)) {
            // every wait times out
        }
        assertEquals(n, results.size());
        elapsed.forEach(dt -> assertTimeout(dt, timeout));
        // no spurious wake-ups: every wait reports its timeout
        assertEquals(Collections.nCopies(n, false), results);
    }

    /** waitFor() returns true once the predicate holds, rechecking it after each signal. */
    @Test
    @DisplayName("test_waitfor")
    void testWaitfor() {
        Condition cond = condtype();
        int[] state = {0};      // guarded by cond
        Runnable f = () -> {
            try (var _ = cond.enter()) {
                boolean result = cond.waitFor(() -> state[0] == 4);
                assertTrue(result);
                assertEquals(4, state[0]);
            }
        };
        try (var bunch = new Bunch(f, 1)) {
            for (int i = 0; i < 4; i++) {
                bunch.untilBlockedIn(Condition.class);      // CPython sleeps 10 ms
                try (var _ = cond.enter()) {
                    state[0]++;
                    cond.signal();
                }
            }
        }
    }

    /** A timed waitFor() whose predicate never holds returns false, no earlier than its timeout. */
    @Test
    @DisplayName("test_waitfor_timeout")
    void testWaitforTimeout() {
        Condition cond = condtype();
        int[] state = {0};      // guarded by cond
        List<Object> success = Collections.synchronizedList(new ArrayList<>());
        Duration timeout = Duration.ofMillis(100);
        Runnable f = () -> {
            try (var _ = cond.enter()) {
                long dt = System.nanoTime();
                boolean result = cond.waitFor(() -> state[0] == 4, timeout);
                dt = System.nanoTime() - dt;
                assertFalse(result);
                assertTimeout(dt, timeout);
                success.add(null);
            }
        };
        try (var bunch = new Bunch(f, 1)) {
            // only 3 increments, so state == 4 is never reached
            for (int i = 0; i < 3; i++) {
                bunch.untilBlockedIn(Condition.class);      // CPython sleeps 10 ms
                try (var _ = cond.enter()) {
                    state[0]++;
                    cond.signal();
                }
            }
        }
        assertEquals(1, success.size());
    }
}
