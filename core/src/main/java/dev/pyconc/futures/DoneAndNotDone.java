package dev.pyconc.futures;

import java.util.Set;

/**
 * What {@link Futures#wait} returns: Python's {@code DoneAndNotDoneFutures} named tuple.
 *
 * @param done    the futures that completed (finished or were cancelled) before the wait returned
 * @param notDone the others
 */
public record DoneAndNotDone<T>(Set<Future<T>> done, Set<Future<T>> notDone) {
}
