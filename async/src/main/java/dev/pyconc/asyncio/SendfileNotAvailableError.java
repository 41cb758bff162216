package dev.pyconc.asyncio;

/**
 * Raised by {@link EventLoop#sendfile(Transport, java.nio.channels.FileChannel, long, long, boolean)}
 * with {@code fallback} false when the transport cannot hand a file to the kernel (a TLS
 * connection, a transport that is not a socket): Python's {@code asyncio.SendfileNotAvailableError},
 * a {@code RuntimeError} there, hence an {@link IllegalStateException} here.
 *
 * <pre> {@code
 * try {
 *     loop.sendfile(transport, file, 0, 0, false);
 * } catch (SendfileNotAvailableError e) {
 *     // write it yourself, or call sendfile with fallback
 * }
 * }</pre>
 *
 * <p>Memory consistency effects: none; an exception carries only its message.
 */
public class SendfileNotAvailableError extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** An error with {@code message}. */
    public SendfileNotAvailableError(String message) {
        super(message);
    }
}
