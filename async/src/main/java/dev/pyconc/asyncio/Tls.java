package dev.pyconc.asyncio;

import java.nio.channels.ClosedChannelException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import io.netty.channel.Channel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.NetUtil;

import dev.pyconc.builtins.ConnectionAbortedError;
import dev.pyconc.builtins.ConnectionResetError;
import dev.pyconc.ssl.SSLCertVerificationError;
import dev.pyconc.ssl.SSLError;

/**
 * TLS on a connection's channel: the one place where a Netty {@link SslHandler} (on an engine of
 * the JDK's provider) is made, put in front of a transport's handler, and where its handshake
 * becomes a loop future and its failures Python's exceptions. Connections made by
 * {@code openConnection}/{@code startServer} with {@link SslOptions} and
 * {@link StreamWriter#startTls} go through here, and only here.
 *
 * <pre> {@code
 * SslHandler h = Tls.handler(channel, options, false, "example.org", 443);
 * Tls.install(channel, transport, h, options);          // on the loop thread
 * Future<Void> done = Tls.handshake(loop, h);          // awaited by the task
 * }</pre>
 *
 * <p>Memory consistency effects: as the loop's futures: the handshake's completion
 * <i>happens-before</i> the return of an {@code await} of its future.
 */
final class Tls {
    private Tls() {}

    /** What {@link #extraInfo} returns for a name that is not one of TLS's. */
    static final Object NOT_TLS = new Object();

    /* Overview.
     *
     * The SslHandler is the first handler of the pipeline, so the transport's handler reads and
     * writes plaintext; the transport knows it has TLS (SocketTransport.tls) only to refuse
     * writeEof, to close at the peer's close_notify, and to answer getExtraInfo. Hostname
     * verification is the JDK's "HTTPS" endpoint identification on the engine, made with the host
     * name to check as its peer host; SNI carries the same name unless it is an IP literal. The
     * handshake timeout is Netty's (it closes the channel), reported as CPython does: a
     * ConnectionAbortedError "SSL handshake is taking longer than ...". Closing goes through
     * SslHandler.close: it sends close_notify and waits up to the shutdown timeout for the
     * peer's before closing the socket.
     */

    /**
     * A handler for a new engine of {@code o}'s context: a client ({@code serverSide} false) checks
     * and names {@code o.serverHostname()} or else {@code host}; a server asks for client
     * certificates as {@code o.verifyMode()} says.
     */
    static SslHandler handler(SslOptions o, boolean serverSide, String host, int port) {
        String name = o.serverHostname() != null ? o.serverHostname() : host;
        SSLEngine engine = !serverSide && name != null && !name.isEmpty()
                ? o.context().createSSLEngine(name, port) : o.context().createSSLEngine();
        engine.setUseClientMode(!serverSide);
        SSLParameters p = engine.getSSLParameters();
        if (serverSide) {
            switch (o.verifyMode()) {
                case CERT_REQUIRED -> p.setNeedClientAuth(true);
                case CERT_OPTIONAL -> p.setWantClientAuth(true);
                case CERT_NONE -> p.setWantClientAuth(false);
            }
        } else {
            if (o.checkHostname()) {
                if (name == null || name.isEmpty()) {
                    throw new IllegalArgumentException("check_hostname requires server_hostname");
                }
                p.setEndpointIdentificationAlgorithm("HTTPS");
            }
            if (name != null && !name.isEmpty() && !NetUtil.isValidIpV4Address(name) && !NetUtil.isValidIpV6Address(name)) {
                p.setServerNames(List.of(new SNIHostName(name)));
            }
        }
        if (!o.alpnProtocols().isEmpty()) {
            p.setApplicationProtocols(o.alpnProtocols().toArray(new String[0]));
        }
        engine.setSSLParameters(p);
        SslHandler h = new SslHandler(engine);
        h.setHandshakeTimeout(o.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        h.setCloseNotifyFlushTimeout(o.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
        h.setCloseNotifyReadTimeout(o.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
        return h;
    }

    /** Puts {@code h} in front of {@code t}'s handler; on the loop thread (or in the channel's initializer). */
    static void install(Channel ch, SocketTransport t, SslHandler h, SslOptions o) {
        t.useTls(h, o);
        ch.pipeline().addFirst(Connections.TLS_HANDLER, h);
    }

    /** A loop future done when {@code h}'s handshake is (failed with Python's exception for the failure). */
    static Future<Void> handshake(EventLoop loop, SslHandler h, SslOptions o) {
        Future<Void> f = loop.createFuture();
        h.handshakeFuture().addListener(n -> {
            Runnable copy = () -> {
                if (f.done()) {
                    return;
                }
                if (n.isSuccess()) {
                    f.setResult(null);
                } else {
                    f.setException(translate(n.cause(), o));
                }
            };
            try {
                loop.callSoonThreadsafe(copy);
            } catch (IllegalStateException closed) {
                // the loop is closed: nobody can await f any more
            }
        });
        return f;
    }

    /**
     * Python's exception for what a TLS channel failed with: {@link SSLCertVerificationError} for a
     * certificate that could not be verified, {@link SSLError} for another TLS failure,
     * {@link ConnectionAbortedError} for the handshake timeout, {@link ConnectionResetError} for
     * a connection closed during the handshake; the transport's own translation otherwise.
     */
    static RuntimeException translate(Throwable cause, SslOptions o) {
        Throwable c = cause;
        while ((c instanceof DecoderException || c instanceof java.util.concurrent.CompletionException) && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof SSLError e) {
            return e;
        }
        if (c instanceof SslHandshakeTimeoutException) {
            double secs = o.handshakeTimeout().toNanos() / 1e9;
            return new ConnectionAbortedError("SSL handshake is taking longer than " + pythonFloat(secs)
                    + " seconds: aborting the connection");
        }
        if (c instanceof SSLException e) {
            if (isVerification(e)) {
                return new SSLCertVerificationError("certificate verify failed: " + e.getMessage(), e);
            }
            return new SSLError(String.valueOf(e.getMessage()), e);
        }
        if (c instanceof ClosedChannelException closed) {
            return new ConnectionResetError("Connection lost", closed);
        }
        return StreamTransport.translate(c, false);
    }

    /** Whether {@code e} is this side's refusal of the peer's certificate (not the peer's alert). */
    private static boolean isVerification(SSLException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof CertificateException || t instanceof CertPathValidatorException || t instanceof CertPathBuilderException) {
                return true;
            }
        }
        return false;
    }

    private static String pythonFloat(double d) {
        return d == Math.rint(d) ? String.format(Locale.ROOT, "%.1f", d) : Double.toString(d);
    }

    /**
     * The TLS names of {@code getExtraInfo}: {@code "ssl_object"} (the {@link SSLEngine}),
     * {@code "sslcontext"}, {@code "peercert"} (the peer's leaf certificate, null if it sent none),
     * {@code "cipher"} (a list: the cipher suite's name and the protocol, null before the
     * handshake) and {@code "compression"} (always null). {@link #NOT_TLS} for other names.
     */
    static Object extraInfo(SslHandler h, SslOptions o, String name) {
        return switch (name) {
            case "ssl_object" -> h.engine();
            case "sslcontext" -> o.context();
            case "compression" -> null;
            case "peercert" -> {
                try {
                    Certificate[] chain = h.engine().getSession().getPeerCertificates();
                    yield chain.length == 0 ? null : chain[0];
                } catch (SSLPeerUnverifiedException none) {
                    yield null;
                }
            }
            case "cipher" -> {
                SSLSession s = h.engine().getSession();
                yield !h.handshakeFuture().isSuccess() ? null : List.of(s.getCipherSuite(), s.getProtocol());
            }
            default -> NOT_TLS;
        };
    }

    /**
     * Python's {@code start_tls} for task bodies: puts TLS in front of {@code t}'s handler on the
     * loop thread, right after handing the channel what was written before (which goes out in the
     * clear, as in Python), and waits for the handshake. The stream form drains first. If it fails
     * or is cancelled the transport is aborted first, so nothing written afterwards goes out, in
     * the clear or at all.
     */
    static void startTls(SocketTransport t, SslOptions o, boolean serverSide, String host, BaseProtocol newProtocol) {
        if (newProtocol != null && !(newProtocol instanceof Protocol) && !(newProtocol instanceof BufferedProtocol)) {
            throw new IllegalArgumentException("a stream transport's protocol must be a Protocol or a BufferedProtocol, not "
                    + newProtocol.getClass().getName());
        }
        if (o == null) {
            throw new IllegalArgumentException("the SslOptions must not be null");
        }
        if (t.tls != null) {
            throw new IllegalStateException("the connection already uses TLS");
        }
        if (t.isClosing()) {
            throw new ConnectionResetError("Connection lost");
        }
        int port = t.channel.remoteAddress() instanceof java.net.InetSocketAddress a ? a.getPort() : -1;
        String name = host;
        if (name == null && !serverSide && t.channel.remoteAddress() instanceof java.net.InetSocketAddress a) {
            name = a.getHostString();
        }
        SslHandler h = handler(o, serverSide, name, port);
        EventLoop loop = t.loop;
        Future<Void> done = handshake(loop, h, o);
        loop.loopThread.runAtHome(() -> {
            if (t.isClosing() || !t.channel.isActive()) {
                if (!done.done()) {
                    done.setException(new ConnectionResetError("Connection lost"));
                }
                return;
            }
            t.flushNow();
            if (newProtocol != null) {
                t.setProtocol(newProtocol);     // what comes after the handshake is the new protocol's
            }
            install(t.channel, t, h, o);
            if (newProtocol != null) {
                t.resumeReading();              // Python's start_tls resumes reading once TLS is in place
            }
        });
        try {
            done.await();
        } catch (RuntimeException e) {
            t.abort();
            throw e;
        }
    }
}
