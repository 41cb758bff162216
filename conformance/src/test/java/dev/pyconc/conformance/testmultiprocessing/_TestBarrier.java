package dev.pyconc.conformance.testmultiprocessing;

import static dev.pyconc.conformance.testmultiprocessing.Mp1Support.sleep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.conformance.testmultiprocessing.Mp1Support.Bunch;
import dev.pyconc.conformance.testmultiprocessing.Mp1Support.DummyList;
import dev.pyconc.conformance.testmultiprocessing.Mp1Support.Workers;
import dev.pyconc.multiprocessing.Barrier;
import dev.pyconc.multiprocessing.Connection;
import dev.pyconc.multiprocessing.Lock;
import dev.pyconc.multiprocessing.Multiprocessing;
import dev.pyconc.multiprocessing.Process;
import dev.pyconc.multiprocessing.Queue;
import dev.pyconc.multiprocessing.SerializableRunnable;
import dev.pyconc.threading.BrokenBarrierError;

/**
 * _test_multiprocessing.py's {@code _TestBarrier} in its processes form: a {@link Barrier} of
 * {@code dev.pyconc.multiprocessing} passed by this JVM's thread and {@code N - 1} child JVMs
 * (CPython's {@code Bunch} of processes). The four child JVMs are {@link Workers} started once
 * for the class, where CPython starts four processes in each test. CPython's {@code _DummyList}
 * counter is {@link DummyList}, in shared memory. A child's failed check fails the test
 * ({@link Bunch#close()}), where CPython's child prints a traceback nobody checks.
 */
class _TestBarrier {
    static final int N = 5;
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static Workers workers;

    private Barrier barrier;

    @BeforeAll
    static void startWorkers() {
        Mp1Support.init();
        workers = new Workers(N - 1);
    }

    @AfterAll
    static void stopWorkers() {
        workers.close();
    }

    @BeforeEach
    void setUp() {
        barrier = new Barrier(N, null, DEFAULT_TIMEOUT);
    }

    @AfterEach
    void tearDown() {
        barrier.abort();
        barrier = null;
    }

    /** CPython's {@code run_threads}: {@code f} in N - 1 child processes and in this thread. */
    private static void runThreads(SerializableRunnable f) {
        Bunch b = new Bunch(workers, f);
        try {
            f.run();
            b.waitForFinished();
        } finally {
            b.close();
        }
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }

    private static void multipass(Barrier barrier, DummyList results0, DummyList results1, int n) {
        int m = barrier.parties();
        check(m == N, "parties " + m);
        for (int i = 0; i < n; i++) {
            results0.append();
            check(results1.len() == i * m, "results[1] " + results1.len() + " at pass " + i);
            barrier.await();
            results1.append();
            check(results0.len() == (i + 1) * m, "results[0] " + results0.len() + " at pass " + i);
            barrier.await();
        }
        check(barrier.nWaiting() == 0, "n_waiting " + barrier.nWaiting());
        check(!barrier.broken(), "broken");
    }

    private void testBarrier(int passes) {
        DummyList results0 = new DummyList(), results1 = new DummyList();
        Barrier barrier = this.barrier;
        runThreads(() -> multipass(barrier, results0, results1, passes));
    }

    /** The parties pass the barrier in lockstep. */
    @Test
    @DisplayName("test_barrier")
    void testBarrier() {
        testBarrier(1);
    }

    /** The barrier works for 10 passes in a row. */
    @Test
    @DisplayName("test_barrier_10")
    void testBarrier10() {
        testBarrier(10);
    }

    /** Exactly one party gets arrival index 0. */
    @Test
    @DisplayName("test_wait_return")
    void testWaitReturn() {
        Queue<Integer> queue = new Queue<>();
        Barrier barrier = this.barrier;
        runThreads(() -> queue.put(barrier.await()));
        List<Integer> results = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            results.add(queue.get());
        }
        assertEquals(1, Collections.frequency(results, 0), results.toString());
        queue.close();
    }

    /** The action runs once, before any party leaves. */
    @Test
    @DisplayName("test_action")
    void testAction() {
        DummyList results = new DummyList();
        Barrier barrier = new Barrier(N, (SerializableRunnable) results::append, null);
        runThreads(() -> {
            barrier.await();
            if (results.len() != 1) {
                throw new IllegalStateException("the action ran " + results.len() + " times");
            }
        });
        assertEquals(1, results.len());
    }

    private static void abortF(Barrier barrier, DummyList results1, DummyList results2) {
        try {
            int i = barrier.await();
            if (i == N / 2) {
                barrier.abort();
                return;
            }
            barrier.await();
            results1.append();
        } catch (BrokenBarrierError e) {
            results2.append();
        }
    }

    /** abort() breaks the barrier: every other party gets BrokenBarrierError. */
    @Test
    @DisplayName("test_abort")
    void testAbort() {
        DummyList results1 = new DummyList(), results2 = new DummyList();
        Barrier barrier = this.barrier;
        runThreads(() -> abortF(barrier, results1, results2));
        assertEquals(0, results1.len());
        assertEquals(N - 1, results2.len());
        assertTrue(barrier.broken());
    }

    private static void resetF(Barrier barrier, DummyList results1, DummyList results2, DummyList results3) {
        int i = barrier.await();
        if (i == N / 2) {
            // wait until the other parties are all in the barrier
            while (barrier.nWaiting() < N - 1) {
                sleep(Duration.ofMillis(1));
            }
            barrier.reset();
        } else {
            try {
                barrier.await();
                results1.append();
            } catch (BrokenBarrierError e) {
                results2.append();
            }
        }
        // now pass the barrier again
        barrier.await();
        results3.append();
    }

    /** reset() frees the waiting parties with BrokenBarrierError, and the barrier works again. */
    @Test
    @DisplayName("test_reset")
    void testReset() {
        DummyList results1 = new DummyList(), results2 = new DummyList(), results3 = new DummyList();
        Barrier barrier = this.barrier;
        runThreads(() -> resetF(barrier, results1, results2, results3));
        assertEquals(0, results1.len());
        assertEquals(N - 1, results2.len());
        assertEquals(N, results3.len());
    }

    private static void abortAndResetF(Barrier barrier, Barrier barrier2, DummyList results1, DummyList results2,
            DummyList results3) {
        try {
            int i = barrier.await();
            if (i == N / 2) {
                barrier.abort();
            } else {
                barrier.await();
                results1.append();
            }
        } catch (BrokenBarrierError e) {
            results2.append();
        }
        // synchronize and reset the barrier: everyone has left it, and nobody enters it before the reset
        if (barrier2.await() == N / 2) {
            barrier.reset();
        }
        barrier2.await();
        barrier.await();
        results3.append();
    }

    /** A broken barrier works again after reset(). */
    @Test
    @DisplayName("test_abort_and_reset")
    void testAbortAndReset() {
        DummyList results1 = new DummyList(), results2 = new DummyList(), results3 = new DummyList();
        Barrier barrier = this.barrier;
        Barrier barrier2 = new Barrier(N);
        runThreads(() -> abortAndResetF(barrier, barrier2, results1, results2, results3));
        assertEquals(0, results1.len());
        assertEquals(N - 1, results2.len());
        assertEquals(N, results3.len());
    }

    private static void timeoutF(Barrier barrier, DummyList results) {
        int i = barrier.await();
        if (i == N / 2) {
            sleep(Duration.ofSeconds(1));       // one party is late
        }
        try {
            barrier.await(Duration.ofMillis(500));
        } catch (BrokenBarrierError e) {
            results.append();
        }
    }

    /** await(timeout) breaks the barrier when a party is late: every party gets BrokenBarrierError. */
    @Test
    @DisplayName("test_timeout")
    void testTimeout() {
        DummyList results = new DummyList();
        Barrier barrier = this.barrier;
        runThreads(() -> timeoutF(barrier, results));
        assertEquals(barrier.parties(), results.len());
    }

    private static void defaultTimeoutF(Barrier barrier, DummyList results) {
        int i = barrier.await(DEFAULT_TIMEOUT);
        if (i == N / 2) {
            sleep(Duration.ofSeconds(1));       // later than the barrier's default timeout
        }
        try {
            barrier.await();
        } catch (BrokenBarrierError e) {
            results.append();
        }
    }

    /** The barrier's default timeout breaks it when a party is late. */
    @Test
    @DisplayName("test_default_timeout")
    void testDefaultTimeout() {
        Barrier barrier = new Barrier(N, null, Duration.ofMillis(500));
        DummyList results = new DummyList();
        runThreads(() -> defaultTimeoutF(barrier, results));
        assertEquals(barrier.parties(), results.len());
    }

    /** A barrier of one party never waits. */
    @Test
    @DisplayName("test_single_thread")
    void testSingleThread() {
        Barrier b = new Barrier(1);
        b.await();
        b.await();
    }

    private static void thousandF(Barrier barrier, int passes, Connection conn, Lock lock) {
        for (int i = 0; i < passes; i++) {
            barrier.await();
            try (var _ = lock.enter()) {
                conn.send(i);
            }
        }
    }

    /**
     * Five processes pass the barrier 1000 times; each pass's five messages come before the next's.
     * Four of the processes are the class's workers, the fifth is started for the test.
     */
    @Test
    @DisplayName("test_thousand")
    void testThousand() {
        int passes = 1000;
        Lock lock = new Lock();
        Connection.Pair pipe = Multiprocessing.pipe(false);
        Connection conn = pipe.conn1(), childConn = pipe.conn2();
        Barrier barrier = this.barrier;
        SerializableRunnable f = () -> thousandF(barrier, passes, childConn, lock);
        Bunch b = new Bunch(workers, f);
        Process p = new Process(f);
        try {
            p.start();
            for (int i = 0; i < passes; i++) {
                for (int j = 0; j < N; j++) {
                    assertEquals(i, conn.recv());
                }
            }
        } finally {
            b.close();
            Mp1Support.joinProcess(p);
            conn.close();
            childConn.close();
        }
        assertEquals(0, p.exitCode());
    }
}
