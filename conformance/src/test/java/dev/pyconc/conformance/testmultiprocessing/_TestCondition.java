package dev.pyconc.conformance.testmultiprocessing;

import static dev.pyconc.conformance.testmultiprocessing.Mp1Support.DELTA;
import static dev.pyconc.conformance.testmultiprocessing.Mp1Support.TIMEOUT1;
import static dev.pyconc.conformance.testmultiprocessing.Mp1Support.sleep;
import static dev.pyconc.testing.Timing.assertFalseNoEarlierThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.builtins.InterruptedError;
import dev.pyconc.conformance.testmultiprocessing.Mp1Support.Task;
import dev.pyconc.conformance.testmultiprocessing.Mp1Support.Workers;
import dev.pyconc.multiprocessing.Condition;
import dev.pyconc.multiprocessing.Semaphore;
import dev.pyconc.multiprocessing.Value;
import dev.pyconc.testing.Threads;

/**
 * _test_multiprocessing.py's {@code _TestCondition} in its processes form: a
 * {@link Condition} of {@code dev.pyconc.multiprocessing} waited on by child JVMs and by threads
 * of this JVM at once, as CPython's processes mixin does. The processes are three worker JVMs
 * started once for the class ({@link Workers}), where CPython starts new ones in each test (up
 * to six, three at a time). CPython's {@code check_invariant} reads
 * the private counters of its semaphore-based condition, which pyconc's has not; the counts of
 * woken waiters are checked instead.
 */
class _TestCondition {
    private static Workers workers;
    private static int next;

    @BeforeAll
    static void startWorkers() {
        Mp1Support.init();
        workers = new Workers(3);
    }

    @AfterAll
    static void stopWorkers() {
        workers.close();
    }

    /** CPython's {@code f}: announce, wait (with an optional timeout), count the wake-up. */
    private static void f(Condition cond, Semaphore sleeping, Semaphore woken, Duration timeout) {
        cond.acquire();
        sleeping.release();
        if (timeout == null) {
            cond.await();
        } else {
            cond.await(timeout);
        }
        woken.release();
        cond.release();
    }

    /** A process that runs {@code f}: the next of the class's workers. */
    private static Task startProcess(Condition cond, Semaphore sleeping, Semaphore woken, Duration timeout) {
        return workers.start(next++ % workers.size(), () -> f(cond, sleeping, woken, timeout));
    }

    private static java.lang.Thread startThread(Condition cond, Semaphore sleeping, Semaphore woken, Duration timeout) {
        java.lang.Thread t = new java.lang.Thread(() -> f(cond, sleeping, woken, timeout));
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** CPython's {@code assertReachesEventually}: the value gets there within the liveness limit and stays. */
    private static void assertReachesEventually(Semaphore woken, int value) {
        Mp1Support.eventually("woken reaches " + value, () -> woken.getValue() == value);
        assertEquals(value, woken.getValue());
    }

    /** Each signal() wakes one waiter, a process or a thread. */
    @Test
    @DisplayName("test_notify")
    void testNotify() {
        Condition cond = new Condition();
        Semaphore sleeping = new Semaphore(0);
        Semaphore woken = new Semaphore(0);

        Task p = startProcess(cond, sleeping, woken, null);
        java.lang.Thread t = startThread(cond, sleeping, woken, null);

        sleeping.acquire();
        sleeping.acquire();

        assertReachesEventually(woken, 0);

        cond.acquire();
        cond.signal();
        cond.release();

        assertReachesEventually(woken, 1);

        cond.acquire();
        cond.signal();
        cond.release();

        assertReachesEventually(woken, 2);

        Threads.join(t);
        p.join();
    }

    /** Waiters with a timeout all time out; waiters without one all wake on signalAll(). */
    @Test
    @DisplayName("test_notify_all")
    void testNotifyAll() {
        Condition cond = new Condition();
        Semaphore sleeping = new Semaphore(0);
        Semaphore woken = new Semaphore(0);
        List<Task> processes = new ArrayList<>();
        List<java.lang.Thread> threads = new ArrayList<>();

        for (int i = 0; i < 3; i++) {
            processes.add(startProcess(cond, sleeping, woken, TIMEOUT1));
            threads.add(startThread(cond, sleeping, woken, TIMEOUT1));
        }
        for (int i = 0; i < 6; i++) {
            sleeping.acquire();
        }
        for (int i = 0; i < 6; i++) {
            woken.acquire();
        }
        assertEquals(0, woken.getValue());

        for (int i = 0; i < 3; i++) {
            processes.add(startProcess(cond, sleeping, woken, null));
            threads.add(startThread(cond, sleeping, woken, null));
        }
        for (int i = 0; i < 6; i++) {
            sleeping.acquire();
        }
        sleep(DELTA);
        assertEquals(0, woken.getValue());

        cond.acquire();
        cond.signalAll();
        cond.release();

        for (int i = 0; i < 6; i++) {
            woken.acquire();
        }
        assertEquals(0, woken.getValue());

        threads.forEach(Threads::join);
        processes.forEach(Task::join);
    }

    /** signal(2) wakes two, signal(4) the other four, and a signal(3) with nobody waiting wakes nobody. */
    @Test
    @DisplayName("test_notify_n")
    void testNotifyN() {
        Condition cond = new Condition();
        Semaphore sleeping = new Semaphore(0);
        Semaphore woken = new Semaphore(0);
        List<Task> processes = new ArrayList<>();
        List<java.lang.Thread> threads = new ArrayList<>();

        for (int i = 0; i < 3; i++) {
            processes.add(startProcess(cond, sleeping, woken, null));
            threads.add(startThread(cond, sleeping, woken, null));
        }
        for (int i = 0; i < 6; i++) {
            sleeping.acquire();
        }
        sleep(DELTA);
        assertEquals(0, woken.getValue());

        cond.acquire();
        cond.signal(2);
        cond.release();

        assertReachesEventually(woken, 2);

        cond.acquire();
        cond.signal(4);
        cond.release();

        assertReachesEventually(woken, 6);

        cond.acquire();
        cond.signal(3);
        cond.release();

        assertEquals(6, woken.getValue());

        threads.forEach(Threads::join);
        processes.forEach(Task::join);
    }

    /** await(timeout) without a signal returns false after its timeout. */
    @Test
    @DisplayName("test_timeout")
    void testTimeout() {
        Condition cond = new Condition();
        cond.acquire();
        try {
            assertFalseNoEarlierThan(TIMEOUT1, () -> cond.await(TIMEOUT1));
        } finally {
            cond.release();
        }
    }

    private static void waitforChild(Condition cond, Value.OfInt state) {
        try (var _ = cond.enter()) {
            state.set(0);
            cond.signal();
            boolean result = cond.waitFor(() -> state.get() == 4);
            if (!result || state.get() != 4) {
                throw new AssertionError("waitFor returned " + result + " with state " + state.get());
            }
        }
    }

    /** waitFor in a child sees each change the parent signals, until its predicate holds. */
    @Test
    @DisplayName("test_waitfor")
    void testWaitfor() {
        Condition cond = new Condition();
        Value.OfInt state = Value.ofInt(-1);

        Task p = workers.start(0, () -> waitforChild(cond, state));

        try (var _ = cond.enter()) {
            boolean result = cond.waitFor(() -> state.get() == 0);
            assertTrue(result);
            assertEquals(0, state.get());
        }

        for (int i = 0; i < 4; i++) {
            sleep(Duration.ofMillis(10));
            try (var _ = cond.enter()) {
                state.set(state.get() + 1);
                cond.signal();
            }
        }

        p.join();
    }

    private static void waitforTimeoutChild(Condition cond, Value.OfInt state, Value.OfInt success, Semaphore sem) {
        sem.release();
        try (var _ = cond.enter()) {
            Duration expected = Duration.ofMillis(100);
            long dt = System.nanoTime();
            boolean result = cond.waitFor(() -> state.get() == 4, expected);
            dt = System.nanoTime() - dt;
            if (!result && dt >= expected.toNanos()) {
                success.set(1);
            }
        }
    }

    /** waitFor(predicate, 100 ms) in a child returns false after its timeout when the predicate never holds. */
    @Test
    @DisplayName("test_waitfor_timeout")
    void testWaitforTimeout() {
        Condition cond = new Condition();
        Value.OfInt state = Value.ofInt(0);
        Value.OfInt success = Value.ofInt(0);
        Semaphore sem = new Semaphore(0);

        Task p = workers.start(0, () -> waitforTimeoutChild(cond, state, success, sem));
        assertTrue(sem.acquire(Duration.ofSeconds(300)));

        for (int i = 0; i < 3; i++) {
            sleep(Duration.ofMillis(10));
            try (var _ = cond.enter()) {
                state.set(state.get() + 1);
                cond.signal();
            }
        }

        p.join();
        assertEquals(1, success.get());
    }

    /**
     * await returns false on timeout and true when a child signals; an await that is interrupted
     * throws (CPython's child sends SIGINT to the parent, whose wait raises KeyboardInterrupt; a
     * Java thread's interrupt is InterruptedError).
     */
    @Test
    @DisplayName("test_wait_result")
    void testWaitResult() {
        Condition c = new Condition();
        Task p;
        try (var _ = c.enter()) {
            assertFalse(c.await(Duration.ZERO));
            assertFalse(c.await(Duration.ofMillis(100)));

            p = workers.start(0, () -> {
                try (var _ = c.enter()) {
                    c.signal();
                }
            });

            assertTrue(c.await(Duration.ofSeconds(60)));
        }
        p.join();

        // The waiter is in await once the parent can take the lock the waiter entered with.
        AtomicBoolean entered = new AtomicBoolean();
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        java.lang.Thread waiter = new java.lang.Thread(() -> {
            try (var _ = c.enter()) {
                entered.set(true);
                outcome.complete(c.await(Duration.ofSeconds(60)) ? new AssertionError("signalled") : new AssertionError("timed out"));
            } catch (Throwable e) {
                outcome.complete(e);
            }
        });
        waiter.start();
        Mp1Support.eventually("the waiter holds the condition", entered::get);
        try (var _ = c.enter()) {
            waiter.interrupt();
        }
        Throwable thrown = outcome.join();
        InterruptedError e = assertInstanceOf(InterruptedError.class, thrown);
        assertInstanceOf(InterruptedException.class, e.interruption());
        Threads.join(waiter);
    }
}
