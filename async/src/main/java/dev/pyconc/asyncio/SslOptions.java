package dev.pyconc.asyncio;

import java.time.Duration;
import java.util.List;

import javax.net.ssl.SSLContext;

import dev.pyconc.ssl.Ssl;
import dev.pyconc.ssl.VerifyMode;

/**
 * The {@code ssl=...} of asyncio's connection functions with the keyword arguments that go with
 * it: Python's {@code ssl} (here a JDK {@link SSLContext}), {@code server_hostname},
 * {@code ssl_handshake_timeout} and {@code ssl_shutdown_timeout}, plus what a Python context
 * carries and a Java one does not: {@code check_hostname}, {@code verify_mode} (the client-certificate
 * mode of a server) and the ALPN protocols ({@code set_alpn_protocols}).
 *
 * <pre> {@code
 * // a client, as Python's open_connection(host, port, ssl=ssl.create_default_context())
 * Streams s = Asyncio.openConnection("example.org", 443, SslOptions.of(Ssl.createDefaultContext()));
 * // a server that requires client certificates and speaks h2 or http/1.1
 * SslOptions o = SslOptions.builder(Ssl.createServerContext(chain, key, clientCa))
 *         .verifyMode(VerifyMode.CERT_REQUIRED).alpnProtocols("h2", "http/1.1").build();
 * Server server = Asyncio.startServer(handler, "127.0.0.1", 8443, o);
 * }</pre>
 *
 * <p>A client checks its server's host name by default (the JDK's {@code "HTTPS"} endpoint
 * identification on the engine), against {@code serverHostname} if set and the host connected to
 * otherwise, and sends that name as SNI (never an IP literal, as the TLS specification says);
 * this is Python's {@code create_default_context()}. The timeouts are Python's defaults: 60 s for
 * the handshake and 30 s for the shutdown.
 *
 * <p>Memory consistency effects: immutable; safe to share between threads and loops.
 */
public final class SslOptions {
    /** Python's {@code SSL_HANDSHAKE_TIMEOUT}. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(60);
    /** Python's {@code SSL_SHUTDOWN_TIMEOUT}. */
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    private final SSLContext context;
    private final String serverHostname;
    private final boolean checkHostname;
    private final VerifyMode verifyMode;
    private final List<String> alpnProtocols;
    private final Duration handshakeTimeout;
    private final Duration shutdownTimeout;

    private SslOptions(Builder b) {
        this.context = b.context;
        this.serverHostname = b.serverHostname;
        this.checkHostname = b.checkHostname;
        this.verifyMode = b.verifyMode;
        this.alpnProtocols = b.alpnProtocols;
        this.handshakeTimeout = b.handshakeTimeout;
        this.shutdownTimeout = b.shutdownTimeout;
    }

    /** Options with {@code context} and every default. */
    public static SslOptions of(SSLContext context) {
        return builder(context).build();
    }

    /** Options with the JDK's trusted authorities and every default: Python's {@code ssl=True}. */
    public static SslOptions createDefault() {
        return of(Ssl.createDefaultContext());
    }

    /** A builder for options with {@code context}. */
    public static Builder builder(SSLContext context) {
        if (context == null) {
            throw new IllegalArgumentException("the SSLContext must not be null");
        }
        return new Builder(context);
    }

    /** A builder that starts from these options. */
    public Builder toBuilder() {
        Builder b = new Builder(context);
        b.serverHostname = serverHostname;
        b.checkHostname = checkHostname;
        b.verifyMode = verifyMode;
        b.alpnProtocols = alpnProtocols;
        b.handshakeTimeout = handshakeTimeout;
        b.shutdownTimeout = shutdownTimeout;
        return b;
    }

    /** The JDK context engines are made from (Python's {@code SSLContext}). */
    public SSLContext context() {
        return context;
    }

    /** The name a client checks and sends as SNI, or null for the host it connects to. */
    public String serverHostname() {
        return serverHostname;
    }

    /** Whether a client checks that the server's certificate names the host (Python's {@code check_hostname}). */
    public boolean checkHostname() {
        return checkHostname;
    }

    /** Whether a server asks for client certificates (Python's {@code verify_mode} of a server context). */
    public VerifyMode verifyMode() {
        return verifyMode;
    }

    /** The ALPN protocols offered (client) or accepted in order of preference (server); empty for none. */
    public List<String> alpnProtocols() {
        return alpnProtocols;
    }

    /** How long the handshake may take before the connection is aborted. */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /** How long closing waits for the peer's close_notify before closing the socket anyway. */
    public Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    @Override
    public String toString() {
        return "SslOptions[" + context.getProtocol() + (serverHostname != null ? ", serverHostname=" + serverHostname : "")
                + (checkHostname ? "" : ", checkHostname=false") + ", " + verifyMode
                + (alpnProtocols.isEmpty() ? "" : ", alpn=" + alpnProtocols) + "]";
    }

    /**
     * Builds {@link SslOptions}: Python's keyword arguments, each with its default.
     *
     * <p>Memory consistency effects: none; a builder is used by one thread.
     */
    public static final class Builder {
        private final SSLContext context;
        private String serverHostname;
        private boolean checkHostname = true;
        private VerifyMode verifyMode = VerifyMode.CERT_NONE;
        private List<String> alpnProtocols = List.of();
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;

        private Builder(SSLContext context) {
            this.context = context;
        }

        /** The host name a client checks the certificate against and sends as SNI (Python's {@code server_hostname}). */
        public Builder serverHostname(String name) {
            if (name != null && name.isEmpty()) {
                throw new IllegalArgumentException("serverHostname must not be empty (use checkHostname(false) to skip the check)");
            }
            this.serverHostname = name;
            return this;
        }

        /** Whether a client checks the server's host name (Python's {@code check_hostname}; default true). */
        public Builder checkHostname(boolean check) {
            this.checkHostname = check;
            return this;
        }

        /** A server's client-certificate mode (Python's {@code verify_mode}; default {@code CERT_NONE}). */
        public Builder verifyMode(VerifyMode mode) {
            if (mode == null) {
                throw new IllegalArgumentException("verifyMode must not be null");
            }
            this.verifyMode = mode;
            return this;
        }

        /** The ALPN protocols (Python's {@code set_alpn_protocols}). */
        public Builder alpnProtocols(String... protocols) {
            if (protocols == null) {
                throw new IllegalArgumentException("protocols must not be null");
            }
            for (String p : protocols) {
                if (p == null || p.isEmpty() || p.length() > 255) {
                    throw new IllegalArgumentException("an ALPN protocol must have 1 to 255 characters, not " + p);
                }
            }
            this.alpnProtocols = List.of(protocols);
            return this;
        }

        /** Python's {@code ssl_handshake_timeout}: positive. */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = positive(timeout, "ssl_handshake_timeout");
            return this;
        }

        /** Python's {@code ssl_shutdown_timeout}: positive. */
        public Builder shutdownTimeout(Duration timeout) {
            this.shutdownTimeout = positive(timeout, "ssl_shutdown_timeout");
            return this;
        }

        private static Duration positive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " should be a positive number, got " + d);
            }
            return d;
        }

        /** The options. */
        public SslOptions build() {
            return new SslOptions(this);
        }
    }
}
