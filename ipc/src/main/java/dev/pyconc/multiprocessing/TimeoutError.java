package dev.pyconc.multiprocessing;

/**
 * Thrown when a timed wait for a pool's result elapses ({@link AsyncResult#get(java.time.Duration)},
 * {@link IMapIterator#next(java.time.Duration)}): Python's {@code multiprocessing.TimeoutError}.
 *
 * <p>It is a {@link ProcessError}, as in Python, and a different class from the built-in
 * {@link dev.pyconc.builtins.TimeoutError} that {@code concurrent.futures} and {@code asyncio}
 * raise (a {@link ProcessPoolExecutor}'s futures raise the built-in one, as Python's do).
 *
 * <pre> {@code
 * try {
 *     r.get(Duration.ofSeconds(1));
 * } catch (dev.pyconc.multiprocessing.TimeoutError e) {
 *     // not ready yet; the task keeps running
 * }
 * }</pre>
 *
 * <p>Memory consistency effects: none of its own.
 */
public class TimeoutError extends ProcessError {
    private static final long serialVersionUID = 1L;

    /** An error with {@code message}. */
    public TimeoutError(String message) {
        super(message);
    }
}
