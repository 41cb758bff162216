package dev.pyconc.multiprocessing;

import java.io.Serializable;
import java.util.function.Function;

/**
 * A {@link Function} that is also {@link Serializable}: the function of {@link Pool#map},
 * {@link Pool#imap} and {@link ProcessPoolExecutor#map}, which travels to the worker processes by
 * Java serialization, once per task chunk at most, as Python pickles the function of
 * {@code Pool.map}.
 *
 * <pre> {@code
 * SerializableFunction<Integer, Integer> square = x -> x * x;
 * List<Integer> squares = pool.map(square, List.of(1, 2, 3));     // [1, 4, 9]
 * List<Integer> same = pool.map(x -> x * x, List.of(1, 2, 3));   // a lambda argument is typed so
 * }</pre>
 *
 * <p>The values it captures travel with it and must be serializable; the items and results travel
 * through the pool's {@link Codec} (see {@link Pool}). The declaring class must be loadable in
 * the worker, which runs with the parent's class path and module path.
 *
 * <p>Memory consistency effects: none; each worker applies a copy.
 *
 * @param <T> the type of the argument
 * @param <R> the type of the result
 */
@FunctionalInterface
public interface SerializableFunction<T, R> extends Function<T, R>, Serializable {}
