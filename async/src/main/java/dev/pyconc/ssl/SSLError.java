package dev.pyconc.ssl;

import java.io.IOException;

import dev.pyconc.builtins.OSError;

/**
 * A failure of TLS: Python's {@code ssl.SSLError}, an {@link OSError} as in Python. Thrown by a
 * TLS handshake that fails ({@code Asyncio.openConnection(host, port, ssl)},
 * {@code StreamWriter.startTls}) and given to the reader of a TLS stream whose peer breaks the
 * protocol. Its message and {@link #reason()} are the JDK's words for what went wrong (Python's
 * are OpenSSL's: the two never match word for word); its cause is the JDK's
 * {@link javax.net.ssl.SSLException}.
 *
 * <pre> {@code
 * try {
 *     Streams s = Asyncio.openConnection("example.org", 443, SslOptions.of(Ssl.createDefaultContext()));
 * } catch (SSLCertVerificationError e) {
 *     log.warn("untrusted peer: {}", e.reason());
 * } catch (SSLError e) {
 *     log.warn("TLS failed: {}", e.reason());
 * }
 * }</pre>
 *
 * <p>Memory consistency effects: none; an exception carries only its message and cause.
 */
public class SSLError extends OSError {
    private static final long serialVersionUID = 1L;

    /** An error with {@code message} (the reason). */
    public SSLError(String message) {
        this(message, null);
    }

    /** An error with {@code message}, caused by {@code cause} (null: an IOException of the message). */
    public SSLError(String message, IOException cause) {
        super(message, cause);
    }

    /** Why TLS failed, in the JDK's words (Python's {@code reason}). */
    public String reason() {
        return getMessage();
    }
}
