package dev.pyconc.conformance.concurrentfutures.testshutdown;

import java.time.Duration;

import dev.pyconc.futures.Executor;
import dev.pyconc.futures.ThreadPoolExecutor;
import dev.pyconc.multiprocessing.Multiprocessing;
import dev.pyconc.multiprocessing.ProcessPoolExecutor;
import dev.pyconc.multiprocessing.SerializableCallable;

/**
 * The child JVM of test_shutdown's tests that end a program: CPython's {@code python -c} scripts.
 * Arguments: the executor type ({@code ThreadPoolExecutor} or {@code ProcessPoolExecutor}), the
 * script, and for a process pool the start method.
 */
final class ShutdownChild {
    private ShutdownChild() {}

    /** test_shutdown's {@code sleep_and_print}. */
    static Object sleepAndPrint(Duration t, String msg) {
        ExecutorShutdownTest.sleep(t);
        System.out.println(msg);
        System.out.flush();
        return null;
    }

    private static Executor executor(String type, int maxWorkers) {
        return switch (type) {
            case "ThreadPoolExecutor" -> maxWorkers > 0 ? new ThreadPoolExecutor(maxWorkers) : new ThreadPoolExecutor();
            case "ProcessPoolExecutor" -> maxWorkers > 0 ? new ProcessPoolExecutor(maxWorkers) : new ProcessPoolExecutor();
            default -> throw new IllegalArgumentException(type);
        };
    }

    public static void main(String[] args) {
        String type = args[0];
        if (args.length > 2) {
            Multiprocessing.setStartMethod(args[2]);
        }
        switch (args[1]) {
            case "interpreter_shutdown" -> {
                Executor t = executor(type, 5);
                t.submit((SerializableCallable<Object>) () -> sleepAndPrint(Duration.ofSeconds(1), "apple"));
            }
            case "gh83386" -> {
                Executor t = executor(type, 3);
                t.submit((SerializableCallable<Object>) () -> sleepAndPrint(Duration.ofSeconds(1), "apple"));
                t.shutdown(false, false);
            }
            case "cancel_futures_wait_false" -> {
                Executor t = executor(type, 0);
                t.submit((SerializableCallable<Object>) () -> sleepAndPrint(Duration.ofMillis(100), "apple"));
                t.shutdown(false, true);
            }
            default -> throw new IllegalArgumentException(args[1]);
        }
    }
}
