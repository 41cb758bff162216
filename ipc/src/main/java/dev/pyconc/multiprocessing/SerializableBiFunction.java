package dev.pyconc.multiprocessing;

import java.io.Serializable;
import java.util.function.BiFunction;

/**
 * A {@link BiFunction} that is also {@link Serializable}: the function of {@link Pool#starmap},
 * which Python calls with each argument tuple unpacked ({@code func(*args)}); here each argument
 * pair is a {@link java.util.Map.Entry} whose key and value are the two arguments.
 *
 * <pre> {@code
 * List<Integer> powers = pool.starmap((Integer b, Integer e) -> (int) Math.pow(b, e),
 *         List.of(Map.entry(2, 5), Map.entry(3, 2)));                       // [32, 9]
 * }</pre>
 *
 * <p>Memory consistency effects: none; each worker applies a copy.
 *
 * @param <T> the type of the first argument
 * @param <U> the type of the second argument
 * @param <R> the type of the result
 */
@FunctionalInterface
public interface SerializableBiFunction<T, U, R> extends BiFunction<T, U, R>, Serializable {}
