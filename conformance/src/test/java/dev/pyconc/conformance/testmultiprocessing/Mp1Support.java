package dev.pyconc.conformance.testmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.Serializable;
import java.lang.invoke.MethodHandles;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.pyconc.conformance.concurrentfutures.util.ExecutorMixin;
import dev.pyconc.multiprocessing.Event;
import dev.pyconc.multiprocessing.Process;
import dev.pyconc.multiprocessing.SerializableRunnable;
import dev.pyconc.multiprocessing.Value;
import dev.pyconc.testing.Threads;

/**
 * What the ported classes of _test_multiprocessing.py's processes, queues, synchronization and
 * shared values share: CPython's {@code join_process}, {@code DummyList} and {@code Bunch} for child
 * JVMs, and the suite's segment directory.
 */
final class Mp1Support {
    /** CPython's {@code DELTA}, {@code TIMEOUT1}, {@code TIMEOUT2} and {@code TIMEOUT3}. */
    static final Duration DELTA = Duration.ofMillis(100);
    static final Duration TIMEOUT1 = Duration.ofMillis(100);
    static final Duration TIMEOUT2 = Duration.ofMillis(520);
    static final Duration TIMEOUT3 = Duration.ofMillis(100);

    static {
        // The suite's segment directory (pyconc.shm.dir) is made by ExecutorMixin's initializer.
        try {
            MethodHandles.lookup().ensureInitialized(ExecutorMixin.class);
        } catch (IllegalAccessException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Mp1Support() {}

    /** Makes the suite's segment directory; a class's {@code @BeforeAll} calls it before its first segment. */
    static void init() {
        // the static initializer did it
    }

    /** CPython's {@code join_process}: joins {@code p}, failing if it has not ended within {@link Threads#LIVENESS}. */
    static void joinProcess(Process p) {
        p.join(Threads.LIVENESS);
        assertFalse(p.isAlive(), p + " did not end within " + Threads.LIVENESS);
    }

    /**
     * Waits until {@code condition} holds, checking every millisecond (a child JVM needs the CPU
     * more than a spinning parent); fails after {@link Threads#LIVENESS}.
     */
    static void eventually(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + Threads.LIVENESS.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                org.junit.jupiter.api.Assertions.fail("not within " + Threads.LIVENESS + ": " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    /** Sleeps in a child, where nothing can be waited for instead (CPython's {@code time.sleep}). */
    static void sleep(Duration d) {
        try {
            java.lang.Thread.sleep(d);
        } catch (InterruptedException e) {
            java.lang.Thread.currentThread().interrupt();
            throw new dev.pyconc.builtins.InterruptedError("interrupted while sleeping", e);
        }
    }

    /**
     * CPython's {@code _DummyList}: a list whose length is all that counts, in shared memory so that
     * every process appends to the same one. {@code append} is an atomic increment.
     */
    record DummyList(Value.OfInt length) implements Serializable {
        DummyList() {
            this(Value.ofInt(0));
        }

        void append() {
            length.addAndGet(1);
        }

        int len() {
            return length.get();
        }
    }

    /**
     * CPython's {@code Bunch}: {@code n} daemon child processes that run {@code f}, count themselves
     * started and finished, and wait (up to 30 s) for {@link #doFinish()} before they exit when
     * {@code waitBeforeExit}.
     */
    static final class Bunch {
        final int n;
        final DummyList started = new DummyList();
        final DummyList finished = new DummyList();
        private final Event canExit = new Event();
        private final List<Process> processes = new ArrayList<>();

        Bunch(SerializableRunnable f, int n, boolean waitBeforeExit) {
            this.n = n;
            if (!waitBeforeExit) {
                canExit.set();
            }
            DummyList started = this.started, finished = this.finished;
            Event canExit = this.canExit;
            for (int i = 0; i < n; i++) {
                Process p = Process.builder().daemon(true).target(() -> task(f, started, finished, canExit)).build();
                p.start();
                processes.add(p);
            }
        }

        private static void task(SerializableRunnable f, DummyList started, DummyList finished, Event canExit) {
            started.append();
            try {
                f.run();
            } finally {
                finished.append();
                canExit.await(Duration.ofSeconds(30));
                if (!canExit.isSet()) {
                    throw new AssertionError("the bunch was not let exit");
                }
            }
        }

        void waitForStarted() {
            eventually(n + " processes started", () -> started.len() >= n);
        }

        void waitForFinished() {
            eventually(n + " processes finished", () -> finished.len() >= n);
        }

        void doFinish() {
            canExit.set();
        }

        /** Joins the processes (CPython's finalizer) and checks that each ran {@code f} without an exception. */
        void close() {
            for (Process p : processes) {
                joinProcess(p);
            }
            for (Process p : processes) {
                org.junit.jupiter.api.Assertions.assertEquals(0, p.exitCode(), p + " failed: see its stack trace above");
            }
        }
    }
}
