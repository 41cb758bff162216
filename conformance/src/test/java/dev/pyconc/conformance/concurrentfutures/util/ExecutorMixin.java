package dev.pyconc.conformance.concurrentfutures.util;

import java.io.IOException;
import java.io.Serializable;

import dev.pyconc.conformance.SegmentDirectory;
import dev.pyconc.futures.Executor;
import dev.pyconc.futures.ThreadPoolExecutor;
import dev.pyconc.multiprocessing.Multiprocessing;
import dev.pyconc.multiprocessing.ProcessPoolExecutor;

/**
 * util.py's executor mixins: {@code ThreadPoolMixin}, {@code ProcessPoolSpawnMixin} and
 * {@code ProcessPoolForkserverMixin} ({@code ProcessPoolForkMixin} is not applicable: a JVM does
 * not fork). Each makes an executor of {@link #WORKER_COUNT} workers and an event its calls can
 * wait on: threading's for threads, multiprocessing's for processes (CPython's {@code manager.Event()}).
 *
 * <p>pyconc's start method is global ({@link Multiprocessing#setStartMethod(String, boolean)}), where
 * CPython passes {@code mp_context}: a process pool class sets it for the time of its tests and
 * restores it after ({@link #useStartMethod}, {@link #restoreStartMethod}).
 */
public final class ExecutorMixin {
    /** CPython's {@code ExecutorMixin.worker_count}. */
    public static final int WORKER_COUNT = 5;

    private static String savedStartMethod;

    static {
        SegmentDirectory.ensure();   // the process pools' segments
    }

    private ExecutorMixin() {}

    /** An event shared with the calls of an executor: CPython's {@code create_event()}. */
    public interface TestEvent extends Serializable {
        boolean await();

        void set();
    }

    /** ThreadPoolMixin's executor. */
    public static Executor threadPool() {
        return new ThreadPoolExecutor(WORKER_COUNT);
    }

    /** ThreadPoolMixin's event: a {@link dev.pyconc.threading.Event}, which never leaves this JVM. */
    public static TestEvent threadEvent() {
        dev.pyconc.threading.Event e = new dev.pyconc.threading.Event();
        return new TestEvent() {
            private static final long serialVersionUID = 1L;

            @Override
            public boolean await() {
                return e.await();
            }

            @Override
            public void set() {
                e.set();
            }
        };
    }

    /** A process pool mixin's executor, started by the start method in force. */
    public static Executor processPool() {
        return processPool(WORKER_COUNT);
    }

    /** A process pool of {@code maxWorkers} workers, started by the start method in force. */
    public static ProcessPoolExecutor processPool(int maxWorkers) {
        return new ProcessPoolExecutor(maxWorkers);
    }

    /** A process pool mixin's event: a {@link dev.pyconc.multiprocessing.Event}, which travels to workers. */
    public static TestEvent processEvent() {
        return new ProcessEvent(new dev.pyconc.multiprocessing.Event());
    }

    private record ProcessEvent(dev.pyconc.multiprocessing.Event e) implements TestEvent {
        @Override
        public boolean await() {
            return e.await();
        }

        @Override
        public void set() {
            e.set();
        }
    }

    /** Sets the start method ({@code "spawn"} or {@code "forkserver"}) for a process pool class's tests. */
    public static void useStartMethod(String method) {
        savedStartMethod = Multiprocessing.getStartMethod();
        Multiprocessing.setStartMethod(method, true);
    }

    /** Restores the start method {@link #useStartMethod} replaced. */
    public static void restoreStartMethod() {
        Multiprocessing.setStartMethod(savedStartMethod, true);
    }
}
