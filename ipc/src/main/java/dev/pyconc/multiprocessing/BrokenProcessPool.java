package dev.pyconc.multiprocessing;

import dev.pyconc.futures.BrokenExecutor;

/**
 * Thrown, and set as the outcome of the work it concerns, when a worker process of a pool ended
 * while it held work, or the pool can no longer run work: Python's
 * {@code concurrent.futures.process.BrokenProcessPool}.
 *
 * <ul>
 *   <li>{@link ProcessPoolExecutor}: as in Python, a worker that ends abruptly (kill -9, a crash,
 *       {@code System.exit} in a task) breaks the executor: every pending future fails with it and
 *       {@code submit} throws it from then on.</li>
 *   <li>{@link Pool}: only the work that the dead worker held fails with it (the
 *       {@link AsyncResult}, the {@code map}, the position of an {@link IMapIterator}); the pool
 *       starts another worker and serves the rest, where CPython's {@code Pool} waits forever.
 *       Work still outstanding when {@link Pool#terminate()} runs fails with it too.</li>
 *   <li>Both: a worker whose initializer threw breaks the pool, with the initializer's exception
 *       as the cause.</li>
 * </ul>
 *
 * <pre> {@code
 * try {
 *     result.get();
 * } catch (BrokenProcessPool e) {
 *     // the worker running it died: resubmit, or give up
 * }
 * }</pre>
 *
 * <p>Memory consistency effects: none of its own.
 */
public class BrokenProcessPool extends BrokenExecutor {
    private static final long serialVersionUID = 1L;

    /** An error with {@code message}. */
    public BrokenProcessPool(String message) {
        super(message);
    }

    /** An error with {@code message} and the failure that broke the pool. */
    public BrokenProcessPool(String message, Throwable cause) {
        super(message, cause);
    }
}
