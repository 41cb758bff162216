package dev.pyconc.conformance.testmultiprocessing;

import static dev.pyconc.conformance.testmultiprocessing.Mp1Support.eventually;
import static dev.pyconc.conformance.testmultiprocessing.Mp1Support.joinProcess;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.multiprocessing.Event;
import dev.pyconc.multiprocessing.Lock;
import dev.pyconc.multiprocessing.Process;
import dev.pyconc.multiprocessing.Queue;
import dev.pyconc.multiprocessing.RLock;
import dev.pyconc.threading.Thread;
import dev.pyconc.threading.Threading;

/**
 * _test_multiprocessing.py's {@code _TestLock} in its processes form: {@link Lock} and
 * {@link RLock} of {@code dev.pyconc.multiprocessing}. Python's {@code acquire(False)} is
 * {@code tryAcquire()}; the ValueError and AssertionError of a release without the lock are
 * {@link IllegalStateException}s. CPython's repr tests hand the child's repr back in a manager's
 * list; here a {@link Queue} carries it (managers are not yet), and where CPython sleeps 0.1 s for
 * a thread to take the lock, the test waits until it has.
 */
class _TestLock {
    @BeforeAll
    static void segments() {
        Mp1Support.init();
    }

    /** acquire, a second acquire fails, release; releasing an unlocked lock throws. */
    @Test
    @DisplayName("test_lock")
    void testLock() {
        Lock lock = new Lock();
        assertTrue(lock.acquire());
        assertFalse(lock.tryAcquire());
        lock.release();
        assertThrows(IllegalStateException.class, lock::release);
    }

    /** Three acquires need three releases; a fourth release throws. */
    @Test
    @DisplayName("test_rlock")
    void testRlock() {
        RLock lock = new RLock();
        assertTrue(lock.acquire());
        assertTrue(lock.acquire());
        assertTrue(lock.acquire());
        lock.release();
        lock.release();
        lock.release();
        assertThrows(IllegalStateException.class, lock::release);
    }

    /** A lock is a context manager: enter() acquires, close() releases. */
    @Test
    @DisplayName("test_lock_context")
    void testLockContext() {
        Lock lock = new Lock();
        try (var _ = lock.enter()) {
            assertTrue(lock.locked());
        }
        assertFalse(lock.locked());
    }

    /** CPython's {@code _acquire}: takes the lock and, if given a list, adds the lock's repr. */
    private static void acquire(Object lock, List<String> l) {
        if (lock instanceof Lock k) {
            k.acquire();
        } else {
            ((RLock) lock).acquire();
        }
        if (l != null) {
            l.add(lock.toString());
        }
    }

    /** Python's name of the calling thread as holder: the main process, and the thread unless it is the main thread. */
    private static String me() {
        String t = Threading.currentThread().name();
        return "MainThread".equals(t) ? "MainProcess" : "MainProcess|" + t;
    }

    /**
     * repr names no owner, then this thread, then T1 as seen from T1, then SomeOtherThread as seen
     * from here, then process P1 as seen from P1, and SomeOtherProcess while another process holds it.
     */
    @Test
    @DisplayName("test_repr_lock")
    void testReprLock() {
        Lock lock = new Lock();
        assertEquals("<Lock(owner=None)>", lock.toString());

        lock.acquire();
        assertEquals("<Lock(owner=" + me() + ")>", lock.toString());
        lock.release();

        List<String> l = new CopyOnWriteArrayList<>();
        Thread t = new Thread(() -> acquire(lock, l), "T1");
        t.start();
        t.join();
        assertEquals("<Lock(owner=MainProcess|T1)>", l.get(0));
        lock.release();

        t = new Thread(() -> acquire(lock, null), "T1");
        t.start();
        t.join();
        assertEquals("<Lock(owner=SomeOtherThread)>", lock.toString());
        lock.release();

        Queue<String> q = new Queue<>();
        Process p = Process.builder().name("P1").target(() -> {
            lock.acquire();
            q.put(lock.toString());
        }).build();
        p.start();
        joinProcess(p);
        assertEquals("<Lock(owner=P1)>", q.get());

        Lock lock2 = new Lock();
        Event event = new Event();
        p = Process.builder().name("P2").target(() -> {
            lock2.acquire();
            event.set();
            Mp1Support.sleep(Duration.ofSeconds(1));
        }).build();
        p.start();
        event.await();
        assertEquals("<Lock(owner=SomeOtherProcess)>", lock2.toString());
        p.terminate();
        joinProcess(p);
    }

    /**
     * repr of an RLock: (None, 0), then this thread with its count, each of T1..T3 with its own
     * count, SomeOtherThread while T1 holds it, P1 with 1 as seen from P1, and SomeOtherProcess.
     */
    @Test
    @DisplayName("test_repr_rlock")
    void testReprRlock() {
        RLock lock = new RLock();
        assertEquals("<RLock(None, 0)>", lock.toString());

        int n = 3;
        for (int i = 0; i < n; i++) {
            lock.acquire();
        }
        assertEquals("<RLock(" + me() + ", " + n + ")>", lock.toString());
        for (int i = 0; i < n; i++) {
            lock.release();
        }

        List<Thread> ts = new java.util.ArrayList<>();
        List<String> l = new CopyOnWriteArrayList<>();
        for (int i = 0; i < n; i++) {
            int levels = i + 1;
            ts.add(new Thread(() -> acquireRelease(lock, Duration.ofMillis(100), l, levels), "T" + levels));
            ts.getLast().start();
        }
        for (Thread t : ts) {
            t.join();
        }
        for (int i = 0; i < n; i++) {
            assertTrue(l.contains("<RLock(MainProcess|T" + (i + 1) + ", " + (i + 1) + ")>"), l.toString());
        }

        java.util.concurrent.CountDownLatch letGo = new java.util.concurrent.CountDownLatch(1);
        Thread t = new Thread(() -> {
            lock.acquire();
            try {
                letGo.await();
            } catch (InterruptedException e) {
                java.lang.Thread.currentThread().interrupt();
            }
            lock.release();
        }, "T1");
        t.start();
        eventually("T1 holds the lock", lock::locked);
        assertEquals("<RLock(SomeOtherThread, nonzero)>", lock.toString());
        letGo.countDown();
        t.join();

        Queue<String> q = new Queue<>();
        Process p = Process.builder().name("P1").target(() -> {
            List<String> seen = new java.util.ArrayList<>();
            acquireRelease(lock, Duration.ofMillis(100), seen, 1);
            q.put(seen.get(0));
        }).build();
        p.start();
        joinProcess(p);
        assertEquals("<RLock(P1, 1)>", q.get());

        Event event = new Event();
        RLock lock2 = new RLock();
        p = Process.builder().target(() -> {
            lock2.acquire();
            event.set();
            Mp1Support.sleep(Duration.ofSeconds(1));
        }).build();
        p.start();
        event.await();
        assertEquals("<RLock(SomeOtherProcess, nonzero)>", lock2.toString());
        joinProcess(p);
    }

    /** CPython's {@code _acquire_release}: takes the lock n times, adds its repr, sleeps, releases n times. */
    private static void acquireRelease(RLock lock, Duration timeout, List<String> l, int n) {
        for (int i = 0; i < n; i++) {
            lock.acquire();
        }
        if (l != null) {
            l.add(lock.toString());
        }
        Mp1Support.sleep(timeout);
        for (int i = 0; i < n; i++) {
            lock.release();
        }
    }
}
