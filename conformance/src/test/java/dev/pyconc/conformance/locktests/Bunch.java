package dev.pyconc.conformance.locktests;

import static dev.pyconc.testing.Threads.until;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import dev.pyconc.testing.Threads;

/**
 * lock_tests' {@code Bunch}: {@code nthread} threads running the same function, used as
 * {@code try (var bunch = new Bunch(f, n)) { ... }} where CPython writes {@code with Bunch(f, n) as bunch:}.
 *
 * <p>The threads are plain JDK threads, not pyconc {@link dev.pyconc.threading.Thread}s, as
 * CPython's are {@code _thread.start_new_thread} threads: "foreign" to {@code threading}. The
 * constructor returns once every thread has started; {@link #close()} waits until every thread
 * has finished, and fails the test with what the function threw in any of them. With
 * {@code waitBeforeExit}, the threads do not end until {@link #doFinish()}. The harness uses the
 * JDK's primitives only, never those under test.
 */
public final class Bunch implements AutoCloseable {
    private final int nthread;
    private final List<Threads.Async<Void>> threads = new ArrayList<>();
    private final AtomicInteger started = new AtomicInteger();
    private final AtomicInteger finished = new AtomicInteger();
    private final ConcurrentLinkedQueue<Throwable> exceptions = new ConcurrentLinkedQueue<>();
    private final CountDownLatch canExit;

    /** Starts {@code nthread} threads running {@code func}, which end when it returns. */
    public Bunch(Runnable func, int nthread) {
        this(func, nthread, false);
    }

    /**
     * Starts {@code nthread} threads running {@code func}; with {@code waitBeforeExit} they do not
     * end before {@link #doFinish()}. Returns once all have started.
     */
    public Bunch(Runnable func, int nthread, boolean waitBeforeExit) {
        this.nthread = nthread;
        this.canExit = new CountDownLatch(waitBeforeExit ? 1 : 0);
        for (int i = 0; i < nthread; i++) {
            threads.add(Threads.run("bunch-" + i, () -> task(func)));
        }
        until(nthread + " threads of the bunch started", () -> started.get() >= nthread);
    }

    private void task(Runnable func) {
        started.incrementAndGet();
        try {
            func.run();
        } catch (Throwable e) {
            exceptions.add(e);
        } finally {
            finished.incrementAndGet();
            try {
                canExit.await();
            } catch (InterruptedException e) {
                java.lang.Thread.currentThread().interrupt();
            }
        }
    }

    /** How many threads have finished the function. */
    public int finished() {
        return finished.get();
    }

    /** The JDK threads of the bunch. */
    public List<java.lang.Thread> threads() {
        return threads.stream().map(Threads.Async::thread).toList();
    }

    /**
     * lock_tests' {@code wait_threads_blocked(nthread)}, without its sleep: waits until every
     * thread of the bunch is parked inside a method of {@code where} (the primitive it blocks on)
     * or has finished the function.
     */
    public void untilBlockedIn(Class<?> where) {
        until("the threads of the bunch blocked in " + where.getSimpleName() + " or finished", () -> {
            int blocked = 0;
            for (Threads.Async<Void> t : threads) {
                if (Threads.parkedIn(t.thread(), where)) {
                    blocked++;
                }
            }
            return blocked + finished.get() >= nthread;
        });
    }

    /** Lets the threads of a bunch made with {@code waitBeforeExit} end. */
    public void doFinish() {
        canExit.countDown();
    }

    /** Waits until every thread has finished and ended; fails with what the function threw, if anything. */
    @Override
    public void close() {
        until("the " + nthread + " threads of the bunch finished", () -> finished.get() >= nthread);
        threads.forEach(Threads.Async::join);
        if (!exceptions.isEmpty()) {
            AssertionError e = new AssertionError(exceptions.size() + " threads of the bunch threw: "
                    + exceptions.peek(), exceptions.peek());
            exceptions.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
    }
}
