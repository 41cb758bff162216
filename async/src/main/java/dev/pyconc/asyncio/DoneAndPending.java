package dev.pyconc.asyncio;

import java.util.Set;

/**
 * What {@link Asyncio#wait} returns: Python's {@code (done, pending)} pair of sets.
 *
 * <pre> {@code
 * var r = Asyncio.wait(tasks, Duration.ofSeconds(1), ReturnWhen.FIRST_COMPLETED);
 * for (var t : r.pending()) t.cancel();
 * }</pre>
 *
 * <p>Memory consistency effects: none beyond the wait's; the sets are snapshots taken on the loop.
 *
 * @param done    the futures that were done when the wait returned
 * @param pending the others
 */
public record DoneAndPending<T>(Set<Future<T>> done, Set<Future<T>> pending) {
}
