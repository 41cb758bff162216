package dev.pyconc.conformance.testmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.pyconc.conformance.SegmentDirectory;
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
        SegmentDirectory.ensure();
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
     * Child JVMs that run the tasks put to them, one at a time each: what a test class starts once
     * (in its {@code @BeforeAll}) where CPython starts new processes in every test, so that a
     * class's tests share the start-up cost of its processes. A task travels as a
     * {@link SerializableRunnable} through the worker's own queue; one that throws is counted in
     * {@link #failures} and its stack trace printed by the worker.
     */
    static final class Workers implements AutoCloseable {
        /** Admits the tasks of this package: lambdas and the values they capture. */
        private static final dev.pyconc.multiprocessing.Codec<Object> TASKS = dev.pyconc.multiprocessing.Codec.builder()
                .allowPackage(Mp1Support.class.getPackageName())
                .allowClass("java.lang.invoke.SerializedLambda")
                .build();

        private final List<Process> processes = new ArrayList<>();
        private final List<dev.pyconc.multiprocessing.Queue<Object>> queues = new ArrayList<>();
        final DummyList failures = new DummyList();

        Workers(int n) {
            DummyList failures = this.failures;
            for (int i = 0; i < n; i++) {
                dev.pyconc.multiprocessing.Queue<Object> q = dev.pyconc.multiprocessing.Queue.builder().codec(TASKS).build();
                Process p = Process.builder().daemon(true).target(() -> serve(q, failures)).build();
                p.start();
                processes.add(p);
                queues.add(q);
            }
        }

        private static void serve(dev.pyconc.multiprocessing.Queue<Object> tasks, DummyList failures) {
            for (Object task = tasks.get(); task != null; task = tasks.get()) {
                try {
                    ((SerializableRunnable) task).run();
                } catch (Throwable t) {
                    t.printStackTrace();
                    failures.append();
                }
            }
        }

        int size() {
            return processes.size();
        }

        /** Gives {@code task} to worker {@code i}, which runs it after the tasks it was given before. */
        void run(int i, SerializableRunnable task) {
            queues.get(i).put(task);
        }

        /**
         * Runs {@code f} in worker {@code i} as a process of its own would run it: the returned
         * task's {@link Task#join()} waits for it to end and fails if it threw.
         */
        Task start(int i, SerializableRunnable f) {
            dev.pyconc.multiprocessing.Event done = new dev.pyconc.multiprocessing.Event();
            DummyList failed = new DummyList();
            run(i, () -> {
                try {
                    f.run();
                } catch (Throwable t) {
                    failed.append();
                    throw t;
                } finally {
                    done.set();
                }
            });
            return new Task(done, failed);
        }

        /** Stops the workers and joins them. */
        @Override
        public void close() {
            for (var q : queues) {
                q.put(null);
            }
            for (Process p : processes) {
                joinProcess(p);
            }
            for (var q : queues) {
                q.close();
            }
        }
    }

    /** A function running in one of the {@link Workers}: CPython's process of the test. */
    record Task(dev.pyconc.multiprocessing.Event done, DummyList failed) {
        /** CPython's {@code join_process}, and the exit code 0 of a target that returned. */
        void join() {
            org.junit.jupiter.api.Assertions.assertTrue(done.await(Threads.LIVENESS), "the task did not end within " + Threads.LIVENESS);
            org.junit.jupiter.api.Assertions.assertEquals(0, failed.len(), "the task failed: see its stack trace above");
        }
    }

    /**
     * CPython's {@code Bunch}: {@code f} run once by each of the {@link Workers} (CPython starts a
     * process for each), counted started and finished in shared memory.
     */
    static final class Bunch {
        final int n;
        final DummyList started = new DummyList();
        final DummyList finished = new DummyList();
        private final Workers workers;
        private final int failuresBefore;

        Bunch(Workers workers, SerializableRunnable f) {
            this.workers = workers;
            this.n = workers.size();
            this.failuresBefore = workers.failures.len();
            DummyList started = this.started, finished = this.finished;
            for (int i = 0; i < n; i++) {
                workers.run(i, () -> task(f, started, finished));
            }
        }

        private static void task(SerializableRunnable f, DummyList started, DummyList finished) {
            started.append();
            try {
                f.run();
            } finally {
                finished.append();
            }
        }

        void waitForStarted() {
            eventually(n + " processes started", () -> started.len() >= n);
        }

        void waitForFinished() {
            eventually(n + " processes finished", () -> finished.len() >= n);
        }

        /** Checks that each worker ran {@code f} without an exception (a failing one printed its stack trace). */
        void close() {
            waitForFinished();
            org.junit.jupiter.api.Assertions.assertEquals(failuresBefore, workers.failures.len(),
                    "a worker's run of the bunch's function failed: see its stack trace above");
        }
    }
}
