package dev.pyconc.builtins;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A failure of the operating system or of I/O: Python's built-in {@code OSError}, the parent of
 * {@link TimeoutError}, {@link InterruptedError}, {@link ProcessLookupError} and the
 * {@link ConnectionError}s. It is Java's {@link UncheckedIOException}, so a {@code catch} of
 * either catches every one of them, as Python's {@code except OSError} does; its cause is the
 * {@link IOException} behind it (one made from the message when there was none).
 *
 * <pre> {@code
 * try {
 *     writer.drain();
 * } catch (OSError e) {
 *     log.warn("I/O failed: {}", e.getMessage());
 * }
 * }</pre>
 *
 * <p>Where Python raises a plain {@code OSError} for a file, pyconc throws an
 * {@code UncheckedIOException} whose cause is the JDK's exception of that case
 * ({@link java.nio.file.FileAlreadyExistsException} for {@code FileExistsError},
 * {@link java.nio.file.NoSuchFileException} for {@code FileNotFoundError}, ...); docs/exceptions.md
 * lists them.
 *
 * <p>Memory consistency effects: none; an exception carries only its message and cause.
 */
public class OSError extends UncheckedIOException {
    private static final long serialVersionUID = 1L;

    /** An error with {@code message}. */
    public OSError(String message) {
        this(message, null);
    }

    /** An error with {@code message}, caused by {@code cause} (null: an IOException of the message). */
    public OSError(String message, IOException cause) {
        super(message, cause == null ? new IOException(message) : cause);
    }
}
