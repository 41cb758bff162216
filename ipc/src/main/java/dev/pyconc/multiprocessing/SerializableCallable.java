package dev.pyconc.multiprocessing;

import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * A {@link Callable} that is also {@link Serializable}: a task of a {@link Pool} or a
 * {@link ProcessPoolExecutor}, which travels to a worker process by Java serialization, as Python
 * pickles the function and arguments of {@code apply_async} and {@code submit}.
 *
 * <p>A lambda or method reference whose target type is this interface is serializable, and so are
 * the values it captures, provided each of them is; this is how Python's {@code args} travel:
 *
 * <pre> {@code
 * int n = 30;
 * long r = pool.apply(() -> fib(n));        // the lambda, with n, runs in a worker
 * }</pre>
 *
 * <p>The class that declares the lambda (and every class it captures) must be loadable in the
 * worker, which runs with the parent's class path and module path. The call may throw checked
 * exceptions; {@code get()} or {@code result()} then throws them wrapped in a
 * {@link java.util.concurrent.CompletionException}.
 *
 * <p>Memory consistency effects: none; the worker runs a copy made when the task is submitted.
 *
 * @param <V> the type of the result
 */
@FunctionalInterface
public interface SerializableCallable<V> extends Callable<V>, Serializable {}
