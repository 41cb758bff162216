package dev.pyconc.conformance.testmultiprocessing;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.IntStream;

import dev.pyconc.conformance.SegmentDirectory;
import dev.pyconc.multiprocessing.Codec;
import dev.pyconc.multiprocessing.Multiprocessing;
import dev.pyconc.multiprocessing.Pool;
import dev.pyconc.multiprocessing.Process;

/**
 * The module-level helpers of _test_multiprocessing.py that the pool, shared memory and
 * connection tests use ({@code sqr}, {@code mul}, {@code identity}, {@code SayWhenError},
 * {@code exception_throwing_generator}, the timeouts), and the pools they run on.
 */
final class Mp2Support {
    /** CPython's {@code DELTA}. */
    static final Duration DELTA = Duration.ofMillis(100);
    /** CPython's {@code TIMEOUT1}, {@code TIMEOUT2}, {@code TIMEOUT3} (without CHECK_TIMINGS). */
    static final Duration TIMEOUT1 = Duration.ofMillis(100);
    static final Duration TIMEOUT2 = Duration.ofMillis(100);
    /** test.support's {@code SHORT_TIMEOUT} and {@code LONG_TIMEOUT}. */
    static final Duration SHORT_TIMEOUT = Duration.ofSeconds(30);
    static final Duration LONG_TIMEOUT = Duration.ofMinutes(5);

    static {
        SegmentDirectory.ensure();
    }

    private Mp2Support() {}

    /**
     * Makes sure the suite's segment directory exists (this class's initialization does it): each
     * test class calls it before its first test, as CPython's {@code setUpModule}.
     */
    static void setUpModule() {
        // the static initializer has run
    }

    /**
     * A codec that admits this package's classes beside the JDK's: Python pickles any class of
     * the test module, pyconc's standard codec admits only JDK values and collections.
     */
    static Codec<Object> codec() {
        return Codec.builder().allowPackage(Mp2Support.class.getPackageName()).build();
    }

    /** {@code Pool(processes)} with {@link #codec()}. */
    static Pool pool(int processes) {
        return Pool.builder().processes(processes).codec(codec()).build();
    }

    /** The pids of this process's children: CPython's {@code [w.pid for w in pool._pool]}. */
    static List<Long> childPids() {
        return Multiprocessing.activeChildren().stream().map(Process::pid).sorted().toList();
    }

    /** {@code sqr(x)}. */
    static int sqr(int x) {
        return x * x;
    }

    /** {@code sqr(x, wait)}: sleeps {@code wait}, then returns {@code x * x}. */
    static int sqr(int x, Duration wait) {
        sleep(wait);
        return x * x;
    }

    /** {@code mul(x, y)}. */
    static int mul(int x, int y) {
        return x * y;
    }

    /** {@code identity(x)}. */
    static <T> T identity(T x) {
        return x;
    }

    static void sleep(Duration d) {
        try {
            java.lang.Thread.sleep(d);
        } catch (InterruptedException e) {
            java.lang.Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** {@code os.kill(pid, signal)}: runs {@code kill -<signal> <pid>}, for a signal the JDK cannot send. */
    static void kill(String signal, long pid) {
        try {
            int rc = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor();
            if (rc != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid + " exited with " + rc);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            java.lang.Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** {@code list(range(n))}. */
    static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    /** {@code list(map(sqr, range(n)))}. */
    static List<Integer> squares(int n) {
        return IntStream.range(0, n).map(Mp2Support::sqr).boxed().toList();
    }

    /** CPython's {@code SayWhenError}, a ValueError. */
    static final class SayWhenError extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        SayWhenError(String message) {
            super(message);
        }
    }

    /**
     * {@code exception_throwing_generator(total, when)}: yields 0 to {@code total - 1} and throws
     * {@link SayWhenError} in place of item {@code when} ({@code -1}: at once).
     */
    static Iterable<Integer> exceptionThrowingGenerator(int total, int when) {
        return () -> new Iterator<>() {
            private int i;

            @Override
            public boolean hasNext() {
                if (when == -1 || i == when) {
                    throw new SayWhenError("Somebody said when");
                }
                return i < total;
            }

            @Override
            public Integer next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return i++;
            }
        };
    }

}
