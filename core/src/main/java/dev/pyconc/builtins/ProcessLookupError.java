package dev.pyconc.builtins;

/**
 * A signal was to be sent to a process that has already ended: Python's built-in
 * {@code ProcessLookupError} (an {@link OSError}), raised by asyncio's
 * {@code Process.sendSignal}, {@code terminate()} and {@code kill()} once the process's return
 * code is known.
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
public class ProcessLookupError extends OSError {
    private static final long serialVersionUID = 1L;

    /** An error with {@code message}. */
    public ProcessLookupError(String message) {
        super(message);
    }
}
