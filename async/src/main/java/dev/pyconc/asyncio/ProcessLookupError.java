package dev.pyconc.asyncio;

/**
 * A signal was to be sent to a child process that has already exited: Python's
 * {@code ProcessLookupError}, raised by {@link Process#sendSignal}, {@link Process#terminate()}
 * and {@link Process#kill()} once {@link Process#returncode()} is known.
 *
 * <pre> {@code
 * try {
 *     proc.terminate();
 * } catch (ProcessLookupError e) {
 *     // it had exited already
 * }
 * }</pre>
 *
 * <p>Memory consistency effects: none; an exception carries only its message.
 */
public class ProcessLookupError extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** An error with {@code message}. */
    public ProcessLookupError(String message) {
        super(message);
    }
}
