package dev.pyconc.builtins;

import java.io.IOException;

/**
 * A timed operation ran out of time: Python's built-in {@code TimeoutError}, which
 * {@code asyncio.TimeoutError} and {@code concurrent.futures.TimeoutError} are since Python 3.11.
 * Thrown by {@code concurrent.futures} ({@code Future.result(timeout)}, {@code asCompleted},
 * {@code Executor.map}) and by {@code asyncio} ({@code timeout}, {@code timeoutAt},
 * {@code waitFor}). Unchecked, unlike the JDK's {@link java.util.concurrent.TimeoutException}.
 *
 * <pre> {@code
 * try {
 *     int answer = future.result(Duration.ofSeconds(1));
 * } catch (TimeoutError e) {
 *     // not done yet: the call keeps running
 * }
 * }</pre>
 *
 * <p>It is an {@link OSError}, as in Python, and never a cancellation: a
 * {@code catch (CancelledError e)} does not catch it. {@code multiprocessing.TimeoutError}, which
 * a pool's {@code AsyncResult.get(timeout)} throws, is a different class, as in Python.
 *
 * <p>Memory consistency effects: none; an exception carries only its message.
 */
public class TimeoutError extends OSError {
    private static final long serialVersionUID = 1L;

    /** An error with {@code message}. */
    public TimeoutError(String message) {
        super(message, new IOException(message));
    }
}
