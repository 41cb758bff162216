package dev.pyconc.multiprocessing;

/**
 * Thrown when a timed wait for a pool's result elapses ({@link AsyncResult#get(java.time.Duration)},
 * {@link IMapIterator#next(java.time.Duration)}): Python's {@code multiprocessing.TimeoutError}.
 *
 * <p>Python's is a {@code multiprocessing.ProcessError}, distinct from the built-in
 * {@code TimeoutError} that {@code concurrent.futures} raises. Here it extends core's
 * {@link dev.pyconc.futures.TimeoutError} (unchecked), so that one {@code catch} of the latter
 * covers the timeouts of pools, executors and futures alike, while
 * {@code catch (dev.pyconc.multiprocessing.TimeoutError e)} still tells a pool's timeout apart.
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
public class TimeoutError extends dev.pyconc.futures.TimeoutError {
    private static final long serialVersionUID = 1L;

    /** An error with {@code message}. */
    public TimeoutError(String message) {
        super(message);
    }
}
