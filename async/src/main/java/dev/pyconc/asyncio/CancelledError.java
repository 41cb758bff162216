package dev.pyconc.asyncio;

import java.util.concurrent.CancellationException;

/**
 * Raised in a task body at the await where the task's cancellation is delivered, and by
 * {@link Future#result()} of a cancelled future: Python's {@code asyncio.CancelledError}. It extends
 * the JDK's {@link CancellationException}.
 *
 * <pre> {@code
 * try {
 *     Asyncio.sleep(Duration.ofHours(1));
 * } catch (CancelledError e) {
 *     cleanUp();
 *     throw e;          // let the cancellation finish the task, as in Python
 * }
 * }</pre>
 *
 * <p>A body should re-throw it: a task whose body ends by throwing it becomes cancelled. A body
 * that swallows it keeps running, as in Python. Only cancellations are {@code CancelledError}s:
 * a timeout's {@link dev.pyconc.builtins.TimeoutError} and a task group's
 * {@link dev.pyconc.builtins.ExceptionGroup} are not, so {@code catch (CancelledError e)} catches
 * exactly what Python's {@code except CancelledError} catches.
 *
 * <p>Memory consistency effects: none; an exception carries only its message.
 */
public class CancelledError extends CancellationException {
    private static final long serialVersionUID = 1L;

    /** An error without message. */
    public CancelledError() {
        super();
    }

    /** An error with the message given to {@code cancel(msg)}, which may be null. */
    public CancelledError(String message) {
        super(message);
    }
}
