/**
 * Python's built-in exceptions that several of pyconc's modules raise, each defined once, as in
 * Python 3.11+: {@link OSError} and its subclasses {@link TimeoutError}, {@link InterruptedError},
 * {@link ProcessLookupError} and the {@link ConnectionError}s, and {@link EOFError} and
 * {@link ExceptionGroup}. A {@code catch} of one of them catches it whichever module raised it:
 * {@code asyncio.TimeoutError} and {@code concurrent.futures.TimeoutError} are this
 * {@code TimeoutError}, as they are in Python 3.11+.
 *
 * <p>They are unchecked and extend the closest JDK type: {@code OSError} and {@code EOFError} are
 * {@link java.io.UncheckedIOException}s (each carries an {@link java.io.IOException} of the
 * matching JDK kind as its cause), {@code ExceptionGroup} is a {@link RuntimeException}. The
 * exceptions that belong to one module ({@code queue.Empty}, {@code asyncio.CancelledError},
 * {@code multiprocessing.ProcessError}, ...) live in that module's package.
 *
 * <p>Memory consistency effects: none; an exception carries only its message, cause and, for a
 * group, its exceptions.
 */
package dev.pyconc.builtins;
