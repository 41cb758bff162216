package dev.pyconc.futures;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import java.util.function.Function;

import dev.pyconc.core.internal.Timeouts;
import dev.pyconc.builtins.TimeoutError;

/**
 * Something that runs calls asynchronously: Python's {@code concurrent.futures.Executor}. Use it
 * in a try-with-resources block, whose end shuts it down and waits, as Python's {@code with}
 * does.
 *
 * <pre> {@code
 * try (Executor pool = new ThreadPoolExecutor(8)) {
 *     Future<byte[]> page = pool.submit(() -> fetch(url));
 *     for (int length : pool.map(String::length, List.of("a", "bb", "ccc"))) { ... }  // in input order
 * }
 * }</pre>
 *
 * <p>Memory consistency effects: actions in a thread prior to submitting a call
 * <i>happen-before</i> the call runs, which happens-before its result is retrieved through its
 * {@link Future}. See <a href="package-summary.html#MemoryVisibility">Memory Visibility</a>.
 */
public interface Executor extends AutoCloseable {
    /**
     * Schedules {@code fn} and returns the future of its result.
     *
     * @throws IllegalStateException if the executor was shut down
     * @throws BrokenExecutor if the executor is broken
     */
    <T> Future<T> submit(Callable<T> fn);

    /** Schedules {@code fn}, which returns nothing; its future's result is {@code null}. */
    default Future<Void> submit(Runnable fn) {
        if (fn == null) {
            throw new IllegalArgumentException("fn must not be null");
        }
        return submit(() -> {
            fn.run();
            return null;
        });
    }

    /**
     * Calls {@code fn} on every item, concurrently, and returns the results in the order of the
     * items. Every call is submitted at once; iterating waits for each result in turn and throws
     * what a call threw, cancelling the calls not started yet.
     */
    default <T, R> Iterable<R> map(Function<? super T, ? extends R> fn, Iterable<? extends T> items) {
        return mapFutures(this, fn, items, -1);
    }

    /**
     * As {@link #map(Function, Iterable)}, but iterating throws {@link TimeoutError} when a result
     * is not available {@code timeout} after this call.
     */
    default <T, R> Iterable<R> map(Function<? super T, ? extends R> fn, Iterable<? extends T> items, Duration timeout) {
        return mapFutures(this, fn, items, Timeouts.toNanos(timeout));
    }

    /**
     * Stops accepting calls and frees the executor's resources once the pending calls are done.
     *
     * @param wait          whether to return only when every pending call has finished
     * @param cancelFutures whether to cancel the calls that have not started yet
     */
    void shutdown(boolean wait, boolean cancelFutures);

    /** {@code shutdown(true, false)}. */
    default void shutdown() {
        shutdown(true, false);
    }

    /** {@code shutdown(wait, false)}. */
    default void shutdown(boolean wait) {
        shutdown(wait, false);
    }

    /** {@code shutdown(true, false)}: the end of Python's {@code with} block. */
    @Override
    default void close() {
        shutdown(true, false);
    }

    /** Python's {@code Executor.map}: submits everything now, yields results in order. */
    private static <T, R> Iterable<R> mapFutures(Executor executor, Function<? super T, ? extends R> fn,
                                                 Iterable<? extends T> items, long timeoutNanos) {
        if (fn == null || items == null) {
            throw new IllegalArgumentException("fn and items must not be null");
        }
        long deadline = timeoutNanos < 0 ? 0 : Timeouts.deadline(timeoutNanos);
        List<Future<R>> futures = new ArrayList<>();
        for (T item : items) {
            futures.add(executor.submit(() -> fn.apply(item)));
        }
        return () -> new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < futures.size();
            }

            @Override
            public R next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Future<R> f = futures.get(next);
                try {
                    R value = timeoutNanos < 0 ? f.result() : f.result(Duration.ofNanos(Timeouts.remaining(deadline)));
                    next++;
                    return value;
                } catch (RuntimeException | Error e) {
                    for (int i = next; i < futures.size(); i++) {
                        futures.get(i).cancel();
                    }
                    next = futures.size();
                    throw e;
                }
            }
        };
    }
}
