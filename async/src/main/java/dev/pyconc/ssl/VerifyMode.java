package dev.pyconc.ssl;

/**
 * Whether a TLS endpoint asks for and checks its peer's certificate: Python's
 * {@code ssl.VerifyMode}. A client always verifies its server unless its context trusts
 * everything; on a server this is the client-certificate mode.
 *
 * <pre> {@code
 * SslOptions server = SslOptions.builder(serverContext).verifyMode(VerifyMode.CERT_REQUIRED).build();
 * }</pre>
 *
 * <p>Memory consistency effects: none (an enum).
 */
public enum VerifyMode {
    /** A server does not ask for a client certificate (Python's default for servers). */
    CERT_NONE,
    /** A server asks for a client certificate, checks one that is sent and accepts a client without one. */
    CERT_OPTIONAL,
    /** A server requires a client certificate its trust managers accept; the handshake fails otherwise. */
    CERT_REQUIRED
}
