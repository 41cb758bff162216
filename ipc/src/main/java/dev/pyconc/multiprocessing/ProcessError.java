package dev.pyconc.multiprocessing;

/**
 * The parent of multiprocessing's own errors: Python's {@code multiprocessing.ProcessError}, whose
 * subclasses are {@link BufferTooShort} and {@link TimeoutError} (a pool's timed wait). The
 * built-in errors that multiprocessing also raises ({@code EOFError}, {@code BrokenPipeError},
 * {@code OSError}) are in {@link dev.pyconc.builtins}, as in Python.
 *
 * <pre> {@code
 * try {
 *     result = async.get(Duration.ofSeconds(1));
 * } catch (ProcessError e) {
 *     // a multiprocessing timeout (or another of its own errors)
 * }
 * }</pre>
 *
 * <p>Memory consistency effects: none; an exception carries only its message.
 */
public class ProcessError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An error with {@code message}. */
    public ProcessError(String message) {
        super(message);
    }

    /** An error with {@code message}, caused by {@code cause}. */
    public ProcessError(String message, Throwable cause) {
        super(message, cause);
    }
}
