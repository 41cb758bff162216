package dev.pyconc.conformance.testthreading;

import static dev.pyconc.testing.Threads.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.testing.ChildJvm;
import dev.pyconc.testing.Threads;
import dev.pyconc.threading.BoundedSemaphore;
import dev.pyconc.threading.Event;
import dev.pyconc.threading.Lock;
import dev.pyconc.threading.RLock;
import dev.pyconc.threading.Thread;
import dev.pyconc.threading.Threading;

/**
 * test_threading's {@code ThreadTests}: threads, their names, idents, repr, join and daemon
 * semantics. Those that fork, use the C API, interpreter hooks or Python's finalization are not
 * applicable (conformance/cpython/not-applicable.tsv).
 */
class ThreadTests extends BaseTestCase {

    /** test_threading's {@code TestThread}: at most 3 of them in the semaphore at once, counted under a mutex. */
    static final class TestThread extends Thread {
        private final BoundedSemaphore sema;
        private final RLock mutex;
        private final int[] nrunning;       // guarded by mutex
        final List<Throwable> failures;

        TestThread(String name, BoundedSemaphore sema, RLock mutex, int[] nrunning, List<Throwable> failures) {
            super(null, name);
            this.sema = sema;
            this.mutex = mutex;
            this.nrunning = nrunning;
            this.failures = failures;
        }

        @Override
        public void run() {
            long delayNanos = (long) (ThreadLocalRandom.current().nextDouble() / 10_000.0 * 1e9);
            try (var _ = sema.enter()) {
                try (var _ = mutex.enter()) {
                    nrunning[0]++;
                    check(nrunning[0] <= 3, "at most 3 running, not " + nrunning[0]);
                }
                java.util.concurrent.locks.LockSupport.parkNanos(delayNanos);    // the task's work
                try (var _ = mutex.enter()) {
                    nrunning[0]--;
                    check(nrunning[0] >= 0, "running count below 0: " + nrunning[0]);
                }
            }
        }

        private void check(boolean ok, String what) {
            if (!ok) {
                failures.add(new AssertionError(what));
            }
        }
    }

    /** A thread's name is the one given; without one, or with an empty one, it is Thread-N. */
    @Test
    @DisplayName("test_name")
    void testName() {
        Runnable func = () -> {};
        Thread thread = Thread.builder().name("myname1").build();
        assertEquals("myname1", thread.name());
        // Python converts name=123 to "123": a Java name is a String.
        thread = new Thread(func, "myname2");       // the target does not name a thread that has a name
        assertEquals("myname2", thread.name());
        thread = Thread.builder().name("").build();
        assertTrue(thread.name().matches("Thread-\\d+"), thread.name());
        thread = new Thread();
        assertTrue(thread.name().matches("Thread-\\d+"), thread.name());
        // Python appends the target's __name__ ("Thread-5 (func)"); a Java lambda has no name.
        thread = new Thread(func);
        assertTrue(thread.name().startsWith("Thread-"), thread.name());
    }

    /**
     * Ten threads, at most three at once in a BoundedSemaphore(3): each has no ident before start,
     * a distinct native id after, and is stopped with an ident after join; toString says so.
     */
    @Test
    @DisplayName("test_various_ops")
    void testVariousOps() {
        int numtasks = 10;
        BoundedSemaphore sema = new BoundedSemaphore(3);
        RLock mutex = new RLock();
        int[] numrunning = {0};
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        List<TestThread> threads = new ArrayList<>();
        for (int i = 0; i < numtasks; i++) {
            TestThread t = new TestThread("<thread " + i + ">", sema, mutex, numrunning, failures);
            threads.add(t);
            assertNull(t.ident());
            assertTrue(t.toString().matches("^<TestThread\\(.*, initial\\)>$"), t.toString());
            t.start();
        }
        Set<Long> nativeIds = new HashSet<>();
        for (TestThread t : threads) {
            nativeIds.add(t.nativeId());
        }
        nativeIds.add(Threading.getNativeId());
        assertFalse(nativeIds.contains(null));
        assertEquals(numtasks + 1, nativeIds.size());
        for (TestThread t : threads) {
            t.join();
            assertFalse(t.isAlive());
            assertNotNull(t.ident());
            assertNotEquals(0L, t.ident());
            assertTrue(t.toString().matches("^<TestThread\\(.*, stopped -?\\d+\\)>$"), t.toString());
        }
        assertEquals(List.of(), failures);
        try (var _ = mutex.enter()) {
            assertEquals(0, numrunning[0]);
        }
    }

    /** test_various_ops with a 256 KiB stack for the new threads, then the default again. */
    @Test
    @DisplayName("test_various_ops_small_stack")
    void testVariousOpsSmallStack() {
        Threading.stackSize(262144);
        try {
            testVariousOps();
        } finally {
            Threading.stackSize(0);
        }
    }

    /** test_various_ops with a 1 MiB stack for the new threads, then the default again. */
    @Test
    @DisplayName("test_various_ops_large_stack")
    void testVariousOpsLargeStack() {
        Threading.stackSize(0x100000);
        try {
            testVariousOps();
        } finally {
            Threading.stackSize(0);
        }
    }

    /** The main thread's and a foreign thread's Thread objects have their threads' idents. */
    @Test
    @DisplayName("test_ident_of_no_threading_threads")
    void testIdentOfNoThreadingThreads() {
        assertNotNull(Threading.currentThread().ident());
        List<Long> ident = Collections.synchronizedList(new ArrayList<>());
        var done = new CountDownLatch(1);
        var foreign = Threads.run("foreign", () -> {
            ident.add(Threading.currentThread().ident());
            done.countDown();
        });
        until("the foreign thread ran", () -> done.getCount() == 0);
        assertEquals(foreign.thread().threadId(), ident.get(0));
        foreign.get();
    }

    /**
     * A thread pyconc did not start can use threading: currentThread() gives it a dummy Thread,
     * listed while alive, which cannot be joined, and which enumerate() forgets once it ended.
     */
    @Test
    @DisplayName("test_foreign_thread")
    void testForeignThread() {
        AtomicReference<Thread> dummyThread = new AtomicReference<>();
        Lock mutex = new Lock();
        mutex.acquire();
        var foreign = Threads.run("foreign", () -> {
            try {
                // currentThread() makes the foreign thread's entry
                Thread dummy = Threading.currentThread();
                dummyThread.set(dummy);
                assertEquals(java.lang.Thread.currentThread().threadId(), dummy.ident());
                assertTrue(Threading.enumerate().contains(dummy));
                assertTrue(dummy.isAlive(), "Expected _DummyThread to be considered alive.");     // gh-29376
                assertTrue(dummy.toString().contains("_DummyThread"), dummy.toString());
            } finally {
                mutex.release();
            }
        });
        mutex.acquire();        // wait for the thread to finish
        foreign.get();
        Thread dummy = dummyThread.get();
        assertEquals(foreign.thread().threadId(), dummy.ident());
        // gh-106236: a dummy thread cannot be joined
        assertThrows(IllegalStateException.class, dummy::join);
        // after the thread ended, its dummy thread is no longer listed
        until("the dummy thread no longer listed", () -> !Threading.enumerate().contains(dummy));
    }

    /**
     * An exception that ends the main thread does not skip the wait for non-daemon threads
     * (CPython issue 1722344, there with SystemExit): the thread wakes up after main ended and
     * runs to its end.
     */
    @Test
    @DisplayName("test_join_nondaemon_on_shutdown")
    void testJoinNondaemonOnShutdown() {
        var r = ChildJvm.run(JoinNondaemonOnShutdown.class, List.of());
        assertEquals("Woke up, after the main thread ended\n", r.out(), r.toString());
        assertEquals(1, r.exitCode(), r.toString());        // the JVM's exit code for main's uncaught exception
        assertTrue(r.err().contains("Exception in thread \"main\" java.lang.IllegalStateException: main ends"), r.toString());
    }

    /** Child JVM of test_join_nondaemon_on_shutdown. */
    static final class JoinNondaemonOnShutdown {
        public static void main(String[] args) {
            Thread main = Threading.mainThread();
            new Thread(() -> {
                main.join();
                System.out.println("Woke up, after the main thread ended");
            }).start();
            throw new IllegalStateException("main ends");
        }
    }

    /** A joined thread is never listed by enumerate() (CPython #1703448), 99 times. */
    @Test
    @DisplayName("test_enumerate_after_join")
    void testEnumerateAfterJoin() {
        // CPython varies the switch interval to shake the timing; pyconc's threads run without a GIL here.
        for (int i = 1; i < 100; i++) {
            Thread t = new Thread(() -> {});
            t.start();
            t.join();
            List<Thread> l = Threading.enumerate();
            assertFalse(l.contains(t), "#1703448 triggered after " + i + " trials: " + l);
        }
    }

    /** join() is thread-safe: N threads join one, for N from 2 to 19. */
    @Test
    @DisplayName("test_join_from_multiple_threads")
    void testJoinFromMultipleThreads() {
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        for (int n = 2; n < 20; n++) {
            var go = new CountDownLatch(1);
            Thread worker = new Thread(() -> {
                try {
                    go.await();         // CPython's worker sleeps 5 ms: here it ends once all joiners wait
                } catch (InterruptedException e) {
                    errors.add(e);
                }
            });
            List<Thread> threads = new ArrayList<>(List.of(worker));
            for (int i = 0; i < n; i++) {
                threads.add(new Thread(() -> {
                    try {
                        worker.join();
                    } catch (RuntimeException e) {
                        errors.add(e);
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread joiner : threads.subList(1, threads.size())) {
                Threads.untilParkedIn(joiner.javaThread(), Event.class);       // in worker.join()
            }
            go.countDown();
            threads.forEach(Thread::join);
            assertEquals(List.of(), errors);
        }
    }

    /** A timed join of a blocked thread returns with the thread alive; a join after it is released waits for its end. */
    @Test
    @DisplayName("test_join_with_timeout")
    void testJoinWithTimeout() {
        Lock lock = new Lock();
        lock.acquire();
        Thread thread = new Thread(lock::acquire);
        thread.start();
        thread.join(Duration.ofMillis(10));
        assertTrue(thread.isAlive());
        lock.release();
        thread.join();
        assertFalse(thread.isAlive());
    }

    /** An object whose thread's target refers back to it is collected once the thread ended, also when the target threw. */
    @Test
    @DisplayName("test_no_refcycle_through_target")
    void testNoRefcycleThroughTarget() {
        var hook = Threading.getExcepthook();
        Threading.setExcepthook(args -> {});    // the raising target's exception is expected
        try {
            WeakReference<RunSelfFunction> weakCyclicObject = RunSelfFunction.startAndJoin(false);
            until("the object is collected", () -> {
                System.gc();
                return weakCyclicObject.get() == null;
            });
            WeakReference<RunSelfFunction> weakRaisingCyclicObject = RunSelfFunction.startAndJoin(true);
            until("the object whose target threw is collected", () -> {
                System.gc();
                return weakRaisingCyclicObject.get() == null;
            });
        } finally {
            Threading.setExcepthook(hook);
        }
    }

    /** An object that owns a thread whose target refers back to the object. */
    static final class RunSelfFunction {
        private final boolean shouldRaise;
        private final Thread thread;

        private RunSelfFunction(boolean shouldRaise) {
            this.shouldRaise = shouldRaise;
            this.thread = new Thread(() -> run(this));
            thread.start();
        }

        private void run(RunSelfFunction otherRef) {
            if (otherRef.shouldRaise) {
                throw new IllegalStateException("the target raises");
            }
        }

        static WeakReference<RunSelfFunction> startAndJoin(boolean shouldRaise) {
            RunSelfFunction cyclicObject = new RunSelfFunction(shouldRaise);
            cyclicObject.thread.join();
            return new WeakReference<>(cyclicObject);
        }
    }

    /** toString() says "daemon" only for a daemon thread. */
    @Test
    @DisplayName("test_repr_daemon")
    void testReprDaemon() {
        Thread t = new Thread();
        assertFalse(t.toString().contains("daemon"), t.toString());
        t.setDaemon(true);
        assertTrue(t.toString().contains("daemon"), t.toString());
    }

    /** A thread made by the (non-daemon) test thread is no daemon, unless told so. */
    @Test
    @DisplayName("test_daemon_param")
    void testDaemonParam() {
        Thread t = new Thread();
        assertFalse(t.isDaemon());
        t = Thread.builder().daemon(false).build();
        assertFalse(t.isDaemon());
        t = Thread.builder().daemon(true).build();
        assertTrue(t.isDaemon());
    }

    /** mainThread() is named MainThread and has the main thread's ident; another thread is not the main thread. */
    @Test
    @DisplayName("test_main_thread")
    void testMainThread() {
        var r = ChildJvm.run(MainThreadMain.class, List.of());
        assertEquals("MainThread\ntrue\ntrue\ntrue\n", r.out(), r.toString());
        assertEquals(0, r.exitCode(), r.toString());
    }

    /** Child JVM of test_main_thread: run in the JVM's main thread, as CPython's test is. */
    static final class MainThreadMain {
        public static void main(String[] args) {
            Thread main = Threading.mainThread();
            System.out.println(main.name());
            System.out.println(main.ident() == Threading.currentThread().ident().longValue());
            System.out.println(main.ident() == Threading.getIdent());
            boolean[] other = new boolean[1];
            Thread th = new Thread(() -> other[0] = !Threading.mainThread().ident().equals(Threading.currentThread().ident()));
            th.start();
            th.join();
            System.out.println(other[0]);
        }
    }

    /** toString() says "started" while the thread runs and "stopped" once it ended, without a join. */
    @Test
    @DisplayName("test_repr_stopped")
    void testReprStopped() {
        Lock started = new Lock();
        Lock finish = new Lock();
        started.acquire();
        finish.acquire();
        Thread t = new Thread(() -> {
            started.release();
            finish.acquire();
        });
        t.start();
        started.acquire();
        assertTrue(t.toString().contains("started"), t.toString());
        finish.release();
        // "stopped" shows up all on its own, without join() or isAlive()
        until("stopped in " + t, () -> t.toString().contains("stopped"));
        t.join();
    }

    /** A BoundedSemaphore released by other threads as often as acquired refuses one more release. */
    @Test
    @DisplayName("test_BoundedSemaphore_limit")
    void testBoundedSemaphoreLimit() {
        for (int limit = 1; limit < 10; limit++) {
            BoundedSemaphore bs = new BoundedSemaphore(limit);
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < limit; i++) {
                threads.add(new Thread(bs::acquire));
            }
            threads.forEach(Thread::start);
            threads.forEach(Thread::join);
            threads.clear();
            for (int i = 0; i < limit; i++) {
                threads.add(new Thread(bs::release));
            }
            threads.forEach(Thread::start);
            threads.forEach(Thread::join);
            // Python's ValueError; pyconc's IllegalStateException (docs/python-to-java/threading.md)
            assertThrows(IllegalStateException.class, bs::release);
        }
    }

    /** A thread that is never joined does not leak: it ends and leaves the list of threads. */
    @Test
    @DisplayName("test_leak_without_join")
    void testLeakWithoutJoin() {
        int before = Threading.activeCount();
        Thread t = new Thread(() -> {});
        t.start();
        // Thread.join() is not called
        until("the thread ended and is no longer listed", () -> !t.javaThread().isAlive()
                && Threading.activeCount() == before);
        assertSame(false, Threading.enumerate().contains(t));
    }

    /**
     * Threading first used from a thread other than the main thread: the program runs and exits
     * without a word on stdout or stderr (CPython bpo-1596321, there the first import).
     */
    @Test
    @DisplayName("test_import_from_another_thread")
    void testImportFromAnotherThread() {
        var r = ChildJvm.run(ImportFromAnotherThread.class, List.of());
        assertEquals("", r.out(), r.toString());
        assertEquals("", r.err(), r.toString());
        assertEquals(0, r.exitCode(), r.toString());
    }

    /** Child JVM of test_import_from_another_thread. */
    static final class ImportFromAnotherThread {
        public static void main(String[] args) throws InterruptedException {
            var t = new java.lang.Thread(Threading::currentThread);      // Threading's first use
            t.start();
            t.join();
            if (Threading.mainThread().javaThread() != java.lang.Thread.currentThread()) {
                System.out.println("the main thread is not the JVM's main thread");
            }
            // do not wait for anything else
        }
    }
}
