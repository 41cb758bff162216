package dev.pyconc.asyncio;

import java.util.OptionalInt;

import dev.pyconc.builtins.EOFError;

/**
 * The stream ended before a read got what it asked for: Python's
 * {@code asyncio.IncompleteReadError}, raised by {@link StreamReader#readexactly} and
 * {@link StreamReader#readuntil}. {@link #partial()} holds the bytes read before the end (they
 * are consumed from the stream), {@link #expected()} how many were asked for (empty for
 * {@code readuntil}, Python's {@code None}).
 *
 * <pre> {@code
 * try {
 *     byte[] header = reader.readexactly(16);
 * } catch (IncompleteReadError e) {
 *     log.warn("peer closed after {} of {} bytes", e.partial().length, e.expected().getAsInt());
 * }
 * }</pre>
 *
 * <p>It extends the built-in {@link EOFError}, as Python's does (so it is also an
 * {@link java.io.UncheckedIOException} with an {@link java.io.EOFException} as its cause).
 *
 * <p>Memory consistency effects: none; the exception carries a copy of the bytes.
 */
public class IncompleteReadError extends EOFError {
    private static final long serialVersionUID = 1L;

    private final byte[] partial;
    private final int expected;      // -1: None

    /** An error for {@code partial} bytes read of {@code expected} ({@code null}: not known). */
    public IncompleteReadError(byte[] partial, Integer expected) {
        super(message(partial, expected));
        this.partial = partial == null ? new byte[0] : partial;
        this.expected = expected == null ? -1 : expected;
    }

    private static String message(byte[] partial, Integer expected) {
        int n = partial == null ? 0 : partial.length;
        return n + " bytes read on a total of " + (expected == null ? "undefined" : expected) + " expected bytes";
    }

    /** The bytes read before the stream ended (Python's {@code partial}). */
    public byte[] partial() {
        return partial;
    }

    /** The number of bytes asked for, or empty when the read had no length (Python's {@code expected}). */
    public OptionalInt expected() {
        return expected < 0 ? OptionalInt.empty() : OptionalInt.of(expected);
    }
}
