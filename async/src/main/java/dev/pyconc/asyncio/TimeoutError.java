package dev.pyconc.asyncio;

/**
 * Raised when an {@link Asyncio#timeout} block or {@link Asyncio#waitFor} runs out of time: Python's
 * {@code TimeoutError} as {@code asyncio} raises it.
 *
 * <pre> {@code
 * try (var t = Asyncio.timeout(Duration.ofSeconds(1))) {
 *     slowOperation();
 * } catch (TimeoutError e) {
 *     log.warn("gave up after {}", e.getMessage());
 * }
 * }</pre>
 *
 * <p>It extends {@link CancelledError}, which is where pyconc departs from Python: a Java
 * try-with-resources block cannot swap the exception that leaves it, so the exception raised at
 * the await where a timeout's own cancellation arrives already is the {@code TimeoutError}. Inside
 * the block it is still a {@code CancelledError}, so cancellation clean-up written as
 * {@code catch (CancelledError e)} runs, as in Python; outside, {@code catch (TimeoutError e)}
 * catches it (put it before a {@code catch (CancelledError e)}: javac insists). A cancellation that
 * did not come from the timeout, such as an outer {@code task.cancel()}, stays a plain
 * {@code CancelledError}. A task whose body ends by throwing a {@code TimeoutError} finishes with
 * that exception; it is not cancelled.
 *
 * <p>Memory consistency effects: none; an exception carries only its message.
 */
public class TimeoutError extends CancelledError {
    private static final long serialVersionUID = 1L;

    /** An error with {@code message}. */
    public TimeoutError(String message) {
        super(message);
    }
}
