package dev.pyconc.ssl;

import java.io.IOException;

/**
 * The peer's certificate could not be verified: Python's {@code ssl.SSLCertVerificationError},
 * an {@link SSLError}. Thrown by a client whose server presents a certificate issued by no
 * trusted authority, expired, or issued for another host name (hostname verification is on by
 * default, as with Python's {@code create_default_context()}), and by a server that requires a
 * client certificate the client's chain does not satisfy.
 *
 * <pre> {@code
 * try {
 *     Asyncio.openConnection("127.0.0.1", port, SslOptions.of(Ssl.createDefaultContext()));
 * } catch (SSLCertVerificationError e) {
 *     System.err.println(e.verifyMessage());   // e.g. "No subject alternative names matching IP address 127.0.0.1 found"
 * }
 * }</pre>
 *
 * <p><b>Differs from Python:</b> Python's class is also a {@code ValueError} (through
 * {@code CertificateError}); Java has one superclass, and this one is an {@link SSLError}, so
 * {@code catch (IllegalArgumentException e)} does not catch it. There is no {@code verify_code}:
 * the JDK gives no OpenSSL error number.
 *
 * <p>Memory consistency effects: none; an exception carries only its message and cause.
 */
public class SSLCertVerificationError extends SSLError {
    private static final long serialVersionUID = 1L;

    /** An error with {@code message}. */
    public SSLCertVerificationError(String message) {
        this(message, null);
    }

    /** An error with {@code message}, caused by {@code cause} (null: an IOException of the message). */
    public SSLCertVerificationError(String message, IOException cause) {
        super(message, cause);
    }

    /** Why verification failed, in the JDK's words (Python's {@code verify_message}). */
    public String verifyMessage() {
        return getMessage();
    }
}
