package dev.pyconc.futures;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.core.internal.Threads;
import dev.pyconc.queue.SimpleQueue;
import dev.pyconc.threading.Lock;
import dev.pyconc.threading.Semaphore;
import dev.pyconc.threading.Thread;

/**
 * An executor that runs calls on a pool of threads, Python's
 * {@code concurrent.futures.ThreadPoolExecutor}.
 *
 * <pre> {@code
 * try (var pool = ThreadPoolExecutor.builder().maxWorkers(4).threadNamePrefix("fetch")
 *         .initializer(() -> Local.init()).build()) {
 *     var futures = urls.stream().map(u -> pool.submit(() -> fetch(u))).toList();
 *     for (var f : Futures.asCompleted(futures)) {
 *         System.out.println(f.result().length);
 *     }
 * }
 * }</pre>
 *
 * <p>As in Python, workers are started on demand, one per submission while none is idle, up to
 * {@code maxWorkers}, and are named {@code <prefix>_<n>}. They are pyconc {@link Thread}s (so they
 * take part in GIL mode) and daemon threads; but when the JVM exits, it first waits for the calls
 * already submitted to every executor that was not shut down, as Python's interpreter does at
 * exit. If an initializer throws, the pool is broken: pending and later submissions fail with
 * {@link BrokenThreadPool}.
 *
 * <p>Memory consistency effects: actions in a thread prior to {@link #submit} <i>happen-before</i>
 * the call runs, which happens-before the retrieval of its result through its {@link Future}.
 */
public class ThreadPoolExecutor implements Executor {
    private static final Logger LOG = LoggerFactory.getLogger(ThreadPoolExecutor.class);
    private static final AtomicInteger POOLS = new AtomicInteger();
    private static final Set<ThreadPoolExecutor> LIVE = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    static {
        try {
            Runtime.getRuntime().addShutdownHook(new java.lang.Thread(ThreadPoolExecutor::joinAllAtExit, "pyconc-executors-exit"));
        } catch (IllegalStateException alreadyExiting) {
            // first used during JVM shutdown: nothing left to wait for at exit
        }
    }

    /*
     * Overview. CPython's design: a SimpleQueue of work items, a semaphore counting idle
     * workers, and workers that loop on get(). A null item tells a worker to exit; a worker that
     * sees it puts it back for the next one. submit() starts a worker unless one is idle.
     * shutdown and broken are guarded by shutdownLock.
     */
    private record WorkItem<T>(Future<T> future, Callable<T> fn) {
        /**
         * Runs the call and completes the future, releasing {@code idle} (the worker counts itself
         * idle) before it completes the future: a caller that submits again as soon as it sees
         * the result finds the worker idle instead of starting another thread.
         */
        void run(Semaphore idle) {
            if (!future.setRunningOrNotifyCancel()) {
                idle.release();
                return;
            }
            T value;
            try {
                value = fn.call();
            } catch (Throwable e) {
                idle.release();
                future.setException(e);
                return;
            }
            idle.release();
            future.setResult(value);
        }
    }

    private final int maxWorkers;
    private final String threadNamePrefix;
    private final Runnable initializer;
    private final SimpleQueue<WorkItem<?>> workQueue = new SimpleQueue<>();
    private final Semaphore idle = new Semaphore(0);
    private final Lock shutdownLock = new Lock();
    private final List<Thread> threads = new ArrayList<>();   // guarded by shutdownLock
    private boolean shutdown;                                 // guarded by shutdownLock
    private String broken;                                    // guarded by shutdownLock; why it broke
    private Throwable brokenCause;

    /** How to build a pool with Python's keyword arguments. */
    public static final class Builder {
        private int maxWorkers = defaultMaxWorkers();
        private String threadNamePrefix;
        private Runnable initializer;

        private Builder() {}

        /** The most threads the pool starts; by default {@code min(32, cpuCount + 4)}, as in Python. */
        public Builder maxWorkers(int maxWorkers) {
            this.maxWorkers = maxWorkers;
            return this;
        }

        /** Worker names are {@code <prefix>_<n>}; {@code ThreadPoolExecutor-<pool>} by default. */
        public Builder threadNamePrefix(String prefix) {
            this.threadNamePrefix = prefix;
            return this;
        }

        /** Run by each worker when it starts; if it throws, the pool is broken. */
        public Builder initializer(Runnable initializer) {
            this.initializer = initializer;
            return this;
        }

        /** A new pool. */
        public ThreadPoolExecutor build() {
            return new ThreadPoolExecutor(maxWorkers, threadNamePrefix, initializer);
        }
    }

    /** A builder, for Python's keyword arguments. */
    public static Builder builder() {
        return new Builder();
    }

    /** A pool of at most {@code min(32, cpuCount + 4)} threads, Python's default. */
    public ThreadPoolExecutor() {
        this(defaultMaxWorkers(), null, null);
    }

    /**
     * A pool of at most {@code maxWorkers} threads.
     *
     * @throws IllegalArgumentException if {@code maxWorkers} is not positive
     */
    public ThreadPoolExecutor(int maxWorkers) {
        this(maxWorkers, null, null);
    }

    private ThreadPoolExecutor(int maxWorkers, String threadNamePrefix, Runnable initializer) {
        if (maxWorkers <= 0) {
            throw new IllegalArgumentException("maxWorkers must be greater than 0, not " + maxWorkers);
        }
        this.maxWorkers = maxWorkers;
        this.threadNamePrefix = threadNamePrefix != null ? threadNamePrefix : "ThreadPoolExecutor-" + POOLS.getAndIncrement();
        this.initializer = initializer;
        LIVE.add(this);
    }

    private static int defaultMaxWorkers() {
        return Math.min(32, Runtime.getRuntime().availableProcessors() + 4);
    }

    @Override
    public <T> Future<T> submit(Callable<T> fn) {
        if (fn == null) {
            throw new IllegalArgumentException("fn must not be null");
        }
        GilRuntime.checkpoint();
        try (var _ = shutdownLock.enter()) {
            if (broken != null) {
                throw new BrokenThreadPool(broken, brokenCause);
            }
            if (shutdown) {
                throw new IllegalStateException("cannot schedule new futures after shutdown");
            }
            Future<T> f = new Future<>();
            workQueue.put(new WorkItem<>(f, fn));
            adjustThreadCount();
            return f;
        }
    }

    /** Starts a worker unless one is idle; called holding shutdownLock. */
    private void adjustThreadCount() {
        if (idle.tryAcquire()) {
            return;
        }
        if (threads.size() < maxWorkers) {
            Thread t = Thread.builder()
                    .name(threadNamePrefix + "_" + threads.size())
                    .daemon(true)
                    .target(this::work)
                    .build();
            threads.add(t);
            t.start();
        }
    }

    private void work() {
        if (initializer != null) {
            try {
                initializer.run();
            } catch (Throwable e) {
                LOG.error("Exception in initializer of {}", threadNamePrefix, e);
                breakPool(e);
                return;
            }
        }
        for (;;) {
            WorkItem<?> item = workQueue.get();
            if (item == null) {
                workQueue.put(null);      // wake the next worker: the pool is shutting down
                return;
            }
            item.run(idle);
        }
    }

    private void breakPool(Throwable cause) {
        try (var _ = shutdownLock.enter()) {
            if (broken == null) {
                broken = "A thread initializer failed, the thread pool is not usable anymore";
                brokenCause = cause;
            }
            drainPending(f -> {
                try {
                    f.setException(new BrokenThreadPool(broken, brokenCause));
                } catch (InvalidStateError cancelledMeanwhile) {
                    // the caller cancelled it between done() and here: nothing left to report
                }
            });
        }
    }

    private void drainPending(java.util.function.Consumer<Future<?>> action) {
        for (;;) {
            WorkItem<?> item;
            try {
                item = workQueue.getNowait();
            } catch (dev.pyconc.queue.Empty e) {
                return;
            }
            if (item == null) {
                workQueue.put(null);
                return;
            }
            if (!item.future().done()) {
                action.accept(item.future());
            }
            item.future().notifyIfCancelled();   // no worker will take it: tell Futures.wait now
        }
    }

    @Override
    public void shutdown(boolean wait, boolean cancelFutures) {
        GilRuntime.checkpoint();
        List<Thread> toJoin;
        try (var _ = shutdownLock.enter()) {
            if (cancelFutures) {
                drainPending(Future::cancel);     // also on a second call, as in Python
            }
            if (!shutdown) {
                shutdown = true;
                workQueue.put(null);
            }
            toJoin = List.copyOf(threads);
        }
        // The pool stays in LIVE: whatever wait says, the JVM's exit waits for the calls submitted.
        if (wait) {
            for (Thread t : toJoin) {
                if (t.javaThread() != java.lang.Thread.currentThread()) {
                    t.join();
                }
            }
        }
    }

    /** The most threads this pool starts. */
    public int maxWorkers() {
        return maxWorkers;
    }

    /**
     * At JVM exit, as Python's interpreter does at exit: let every pool that was not shut down
     * finish what was submitted. A worker that is itself calling System.exit is not waited for.
     */
    private static void joinAllAtExit() {
        List<ThreadPoolExecutor> pools;
        synchronized (LIVE) {
            pools = new ArrayList<>(LIVE);
        }
        for (ThreadPoolExecutor pool : pools) {
            pool.shutdown(false, false);
            List<Thread> workers;
            try (var _ = pool.shutdownLock.enter()) {
                workers = List.copyOf(pool.threads);
            }
            for (Thread t : workers) {
                java.lang.Thread jt = t.javaThread();
                while (jt.isAlive() && !Threads.isExiting(jt)) {
                    t.join(java.time.Duration.ofMillis(50));
                }
            }
        }
    }

    @Override
    public String toString() {
        try (var _ = shutdownLock.enter()) {
            return "ThreadPoolExecutor[" + threadNamePrefix + ", workers=" + threads.size() + "/" + maxWorkers
                    + (shutdown ? ", shut down" : "") + (broken != null ? ", broken" : "") + "]";
        }
    }
}
