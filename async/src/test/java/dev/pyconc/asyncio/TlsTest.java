package dev.pyconc.asyncio;

import static dev.pyconc.asyncio.StreamsTest.b;
import static dev.pyconc.asyncio.StreamsTest.port;
import static dev.pyconc.asyncio.StreamsTest.s;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.builtins.ConnectionAbortedError;
import dev.pyconc.builtins.OSError;
import dev.pyconc.ssl.SSLCertVerificationError;
import dev.pyconc.ssl.SSLError;
import dev.pyconc.ssl.Ssl;
import dev.pyconc.ssl.VerifyMode;

/**
 * TLS over real loopback sockets: handshakes, verification failures, client certificates,
 * STARTTLS upgrades, extra info, ALPN, closing, with certificates made by {@link TestCertificates}.
 * Named after the CPython tests of test_ssl.py and test_sslproto.py where one checks the behaviour.
 */
@org.junit.jupiter.api.Timeout(60)
class TlsTest extends LoopTesting {
    static final TestCertificates CERTS = TestCertificates.get();
    private long fdsBefore;

    @BeforeEach
    void countOpenFiles() {
        fdsBefore = StreamsTest.openFiles();
    }

    /** After each test: every socket of it is closed. */
    @AfterEach
    void noSocketLeft() throws InterruptedException {
        StreamsTest.awaitOpenFilesAtMost(fdsBefore);
    }

    /** An echo server over TLS: echoes what it reads until the end of the stream, then closes. */
    static Server echoServer(SslOptions ssl, List<Object> seen) {
        return Asyncio.startServer((r, w) -> {
            if (seen != null) {
                seen.add(w.getExtraInfo("peercert"));
            }
            byte[] chunk;
            while ((chunk = r.read(64 * 1024)).length > 0) {
                w.write(chunk);
                w.drain();
            }
            w.close();
        }, "127.0.0.1", 0, ssl);
    }

    /** 1 MiB of random bytes goes through a TLS echo server and comes back exactly. */
    @Test
    @DisplayName("test_create_server_ssl_1")
    void testCreateServerSsl1() {
        byte[] data = new byte[1 << 20];
        new Random(18).nextBytes(data);
        byte[] got = Asyncio.run(() -> {
            Server server = echoServer(SslOptions.of(CERTS.serverContext()), null);
            Streams c = Asyncio.openConnection("127.0.0.1", port(server), CERTS.clientContext());
            Task<byte[]> reading = Asyncio.createTask(() -> c.reader().readexactly(data.length));
            c.writer().write(data);
            c.writer().drain();
            byte[] back = reading.await();
            c.writer().close();
            c.writer().waitClosed();
            server.close();
            server.waitClosed();
            return back;
        });
        assertArrayEquals(data, got);
    }

    /** getExtraInfo gives the engine, the context, the peer's certificate and the cipher; compression is null; no half-close. */
    @Test
    void extraInfo() {
        SSLContext clientCtx = CERTS.clientContext();
        Asyncio.run(() -> {
            List<Object> seen = new ArrayList<>();
            Server server = echoServer(SslOptions.of(CERTS.serverContext()), seen);
            Streams c = Asyncio.openConnection("127.0.0.1", port(server), clientCtx);
            StreamWriter w = c.writer();
            assertSame(clientCtx, w.getExtraInfo("sslcontext"));
            SSLEngine engine = assertInstanceOf(SSLEngine.class, w.getExtraInfo("ssl_object"));
            assertTrue(engine.getUseClientMode());
            X509Certificate peer = assertInstanceOf(X509Certificate.class, w.getExtraInfo("peercert"));
            assertEquals("CN=localhost", peer.getSubjectX500Principal().getName());
            @SuppressWarnings("unchecked")
            List<String> cipher = (List<String>) w.getExtraInfo("cipher");
            assertEquals(List.of(engine.getSession().getCipherSuite(), "TLSv1.3"), cipher);
            assertTrue(cipher.get(0).startsWith("TLS_"), cipher::toString);
            assertNull(w.getExtraInfo("compression"));
            assertEquals("absent", w.getExtraInfo("compression", "absent"));
            assertInstanceOf(java.net.InetSocketAddress.class, w.getExtraInfo("peername"));
            assertFalse(w.canWriteEof());
            assertEquals("SSL doesn't support half-closes", assertThrows(UnsupportedOperationException.class, w::writeEof).getMessage());
            w.write(b("ping"));
            assertEquals("ping", s(c.reader().readexactly(4)));
            w.close();
            w.waitClosed();
            server.close();
            server.waitClosed();
            assertEquals(1, seen.size());
            assertNull(seen.get(0), "the client sent no certificate");
            return null;
        });
    }

    /** A server whose certificate was issued by an authority the client does not trust: SSLCertVerificationError, and the server's callback never runs. */
    @Test
    @DisplayName("test_create_connection_ssl_failed_certificate")
    void testCreateConnectionSslFailedCertificate() {
        AtomicInteger served = new AtomicInteger();
        Asyncio.run(() -> {
            Server server = Asyncio.startServer((r, w) -> {
                served.incrementAndGet();
                w.close();
            }, "127.0.0.1", 0, CERTS.serverContext());
            SSLCertVerificationError e = assertThrows(SSLCertVerificationError.class,
                    () -> Asyncio.openConnection("127.0.0.1", port(server), Ssl.createDefaultContext()));
            assertTrue(e.getMessage().startsWith("certificate verify failed: (certificate_unknown) PKIX path building failed: "), e::getMessage);
            assertEquals(e.getMessage(), e.verifyMessage());
            assertInstanceOf(SSLError.class, e);
            assertInstanceOf(OSError.class, e);
            assertInstanceOf(javax.net.ssl.SSLHandshakeException.class, e.getCause());
            server.close();
            server.waitClosed();
            return null;
        });
        assertEquals(0, served.get());
    }

    /** The certificate names localhost and 127.0.0.1: another name fails the hostname check, unless the check is off. */
    @Test
    void hostnameVerification() {
        Asyncio.run(() -> {
            Server server = echoServer(SslOptions.of(CERTS.serverContext()), null);
            SslOptions wrong = SslOptions.builder(CERTS.clientContext()).serverHostname("wrong.example").build();
            SSLCertVerificationError e = assertThrows(SSLCertVerificationError.class,
                    () -> Asyncio.openConnection("127.0.0.1", port(server), wrong));
            assertEquals("certificate verify failed: (certificate_unknown) No subject alternative DNS name matching wrong.example found.",
                    e.getMessage());
            Streams byName = Asyncio.openConnection("localhost", port(server),
                    SslOptions.builder(CERTS.clientContext()).build());
            byName.writer().write(b("x"));
            assertEquals("x", s(byName.reader().readexactly(1)));
            byName.writer().close();
            Streams unchecked = Asyncio.openConnection("127.0.0.1", port(server),
                    wrong.toBuilder().checkHostname(false).build());
            unchecked.writer().write(b("y"));
            assertEquals("y", s(unchecked.reader().readexactly(1)));
            unchecked.writer().close();
            byName.writer().waitClosed();
            unchecked.writer().waitClosed();
            server.close();
            server.waitClosed();
            return null;
        });
    }

    /** A server that requires a client certificate: a client without one is refused (in TLS 1.3, after its own handshake); one with it is served and seen. */
    @Test
    void clientCertificateRequired() {
        SslOptions required = SslOptions.builder(CERTS.serverContext()).verifyMode(VerifyMode.CERT_REQUIRED).build();
        AtomicInteger served = new AtomicInteger();
        Asyncio.run(() -> {
            List<Object> seen = new ArrayList<>();
            Server server = Asyncio.startServer((r, w) -> {
                served.incrementAndGet();
                seen.add(w.getExtraInfo("peercert"));
                w.write(r.readexactly(2));
                w.close();
            }, "127.0.0.1", 0, required);
            SSLError refused = assertThrows(SSLError.class, () -> {
                Streams c = Asyncio.openConnection("127.0.0.1", port(server), CERTS.clientContext());
                try {
                    c.writer().write(b("no"));
                    c.reader().read(1);    // TLS 1.3: the server's alert comes after the client's handshake
                } finally {
                    c.writer().close();
                }
            });
            assertEquals("(certificate_required) Received fatal alert: certificate_required", refused.getMessage());
            assertEquals(0, served.get());
            Streams c = Asyncio.openConnection("127.0.0.1", port(server), CERTS.clientContextWithCertificate());
            c.writer().write(b("ok"));
            assertEquals("ok", s(c.reader().readexactly(2)));
            c.writer().close();
            c.writer().waitClosed();
            server.close();
            server.waitClosed();
            assertEquals(1, seen.size());
            assertEquals("CN=pyconc test client", ((X509Certificate) seen.get(0)).getSubjectX500Principal().getName());
            return null;
        });
        assertEquals(1, served.get());
    }

    /** A server with optional client certificates serves clients with and without one, and sees which is which. */
    @Test
    void clientCertificateOptional() {
        SslOptions optional = SslOptions.builder(CERTS.serverContext()).verifyMode(VerifyMode.CERT_OPTIONAL).build();
        List<Object> seen = Asyncio.run(() -> {
            List<Object> peers = new ArrayList<>();
            Server server = echoServer(optional, peers);
            for (SSLContext ctx : List.of(CERTS.clientContext(), CERTS.clientContextWithCertificate())) {
                Streams c = Asyncio.openConnection("127.0.0.1", port(server), ctx);
                c.writer().write(b("z"));
                assertEquals("z", s(c.reader().readexactly(1)));
                c.writer().close();
                c.writer().waitClosed();
            }
            server.close();
            server.waitClosed();
            return peers;
        });
        assertEquals(2, seen.size());
        assertNull(seen.get(0));
        assertEquals("CN=pyconc test client", ((X509Certificate) seen.get(1)).getSubjectX500Principal().getName());
    }

    /** ALPN: the server picks from what the client offers; both engines report the choice. */
    @Test
    void alpn() {
        SslOptions server = SslOptions.builder(CERTS.serverContext()).alpnProtocols("h2", "http/1.1").build();
        SslOptions client = SslOptions.builder(CERTS.clientContext()).alpnProtocols("http/1.1", "spdy/1").build();
        List<String> chosen = Asyncio.run(() -> {
            List<String> both = new ArrayList<>();
            Server s = Asyncio.startServer((r, w) -> {
                both.add(((SSLEngine) w.getExtraInfo("ssl_object")).getApplicationProtocol());
                w.close();
            }, "127.0.0.1", 0, server);
            Streams c = Asyncio.openConnection("127.0.0.1", port(s), client);
            both.add(((SSLEngine) c.writer().getExtraInfo("ssl_object")).getApplicationProtocol());
            assertArrayEquals(new byte[0], c.reader().read(-1));
            c.writer().close();
            s.close();
            s.waitClosed();
            return both;
        });
        assertEquals(List.of("http/1.1", "http/1.1"), chosen.stream().sorted().toList());
    }

    /** STARTTLS: a plaintext exchange, then both sides upgrade (the server's side as server), then TLS; extra info appears with the upgrade. */
    @Test
    void startTlsUpgrade() {
        SSLContext clientCtx = CERTS.clientContext();
        List<String> log = Asyncio.run(() -> {
            List<String> events = new ArrayList<>();
            Server server = Asyncio.startServer((r, w) -> {
                events.add("server got " + s(r.readline()).trim());
                w.write(b("OK\n"));
                w.startTls(CERTS.serverContext());
                events.add("server upgraded " + (w.getExtraInfo("ssl_object") != null));
                byte[] line = r.readline();
                w.write(line);
                w.close();
            }, "127.0.0.1", 0);
            Streams c = Asyncio.openConnection("127.0.0.1", port(server));
            assertNull(c.writer().getExtraInfo("sslcontext"));
            assertTrue(c.writer().canWriteEof());
            c.writer().write(b("STARTTLS\n"));
            events.add("client got " + s(c.reader().readline()).trim());
            c.writer().startTls(clientCtx);
            assertSame(clientCtx, c.writer().getExtraInfo("sslcontext"));
            assertFalse(c.writer().canWriteEof());
            assertEquals("STARTTLS only once", assertThrows(IllegalStateException.class,
                    () -> c.writer().startTls(clientCtx)).getMessage().equals("the connection already uses TLS") ? "STARTTLS only once" : "?");
            c.writer().write(b("secret\n"));
            events.add("client got " + s(c.reader().readline()).trim());
            assertArrayEquals(new byte[0], c.reader().read(-1));
            c.writer().close();
            c.writer().waitClosed();
            server.close();
            server.waitClosed();
            return events;
        });
        assertEquals(List.of("server got STARTTLS", "client got OK", "server upgraded true", "client got secret"), log);
    }

    /**
     * A peer that never answers the ClientHello: the upgrade fails with CPython's ConnectionAbortedError
     * after the handshake timeout, and what is written afterwards never reaches the peer, in the
     * clear or at all; the peer sees only the TLS handshake record.
     */
    @Test
    @DisplayName("test_create_connection_ssl_slow_handshake")
    void failedUpgradeSendsNothingInTheClear() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            byte[] received = Asyncio.run(() -> {
                Task<byte[]> peer = Asyncio.createTask(() -> Asyncio.toThread(() -> {
                    try (Socket s = ss.accept(); InputStream in = s.getInputStream()) {
                        ByteArrayOutputStream all = new ByteArrayOutputStream();
                        in.transferTo(all);      // until the client goes away
                        return all.toByteArray();
                    }
                }));
                Streams c = Asyncio.openConnection("127.0.0.1", ss.getLocalPort());
                c.writer().write(b("plain\n"));
                SslOptions o = SslOptions.builder(CERTS.clientContext()).handshakeTimeout(Duration.ofMillis(500)).build();
                ConnectionAbortedError e = assertThrows(ConnectionAbortedError.class, () -> c.writer().startTls(o));
                assertEquals("SSL handshake is taking longer than 0.5 seconds: aborting the connection", e.getMessage());
                assertTrue(c.writer().isClosing());
                c.writer().write(b("secret"));
                assertThrows(dev.pyconc.builtins.ConnectionError.class, c.writer()::drain);
                return peer.await();
            });
            assertEquals("plain\n", new String(received, 0, 6, java.nio.charset.StandardCharsets.US_ASCII));
            assertEquals(0x16, received[6], "a TLS handshake record follows the plaintext");
            assertFalse(new String(received, java.nio.charset.StandardCharsets.ISO_8859_1).contains("secret"),
                    "nothing written after the failed upgrade reached the peer");
        }
    }

    /**
     * An upgrade cancelled while the peer does not answer (waitFor's timeout, as CPython's test)
     * aborts the connection at once, long before the handshake timeout: the peer reads the end of
     * the stream, and a later write is dropped, never sent in the clear.
     */
    @Test
    @DisplayName("test_start_tls_slow_client_cancel")
    void testStartTlsSlowClientCancel() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            byte[] received = Asyncio.run(() -> {
                Task<byte[]> peer = Asyncio.createTask(() -> Asyncio.toThread(() -> {
                    try (Socket s = ss.accept(); InputStream in = s.getInputStream()) {
                        ByteArrayOutputStream all = new ByteArrayOutputStream();
                        in.transferTo(all);
                        return all.toByteArray();
                    }
                }));
                Streams c = Asyncio.openConnection("127.0.0.1", ss.getLocalPort());
                c.writer().write(b("plain\n"));
                SslOptions o = SslOptions.builder(CERTS.clientContext()).handshakeTimeout(Duration.ofMinutes(5)).build();
                assertThrows(dev.pyconc.builtins.TimeoutError.class, () -> Asyncio.waitFor(() -> {
                    c.writer().startTls(o);
                    return null;
                }, Duration.ofMillis(500)));
                assertTrue(c.writer().isClosing());
                c.writer().write(b("secret"));
                return peer.await();
            });
            assertEquals("plain\n", new String(received, 0, 6, java.nio.charset.StandardCharsets.US_ASCII));
            assertEquals(0x16, received[6], "a TLS handshake record follows the plaintext");
            assertFalse(new String(received, java.nio.charset.StandardCharsets.ISO_8859_1).contains("secret"));
        }
    }

    /** openConnection to a peer that never answers: ConnectionAbortedError naming the timeout, as test_sslproto's check. */
    @Test
    @DisplayName("test_handshake_timeout")
    void testHandshakeTimeout() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Asyncio.run(() -> {
                Task<Integer> peer = Asyncio.createTask(() -> Asyncio.toThread(() -> {
                    try (Socket s = ss.accept()) {
                        return s.getInputStream().transferTo(java.io.OutputStream.nullOutputStream()) > 0 ? 1 : 0;
                    }
                }));
                SslOptions o = SslOptions.builder(CERTS.clientContext()).handshakeTimeout(Duration.ofSeconds(1)).build();
                ConnectionAbortedError e = assertThrows(ConnectionAbortedError.class,
                        () -> Asyncio.openConnection("127.0.0.1", ss.getLocalPort(), o));
                assertEquals("SSL handshake is taking longer than 1.0 seconds: aborting the connection", e.getMessage());
                assertEquals(1, peer.await(), "the peer got the ClientHello, then the connection was aborted");
                return null;
            });
        }
    }

    /** Python's ValueError for a timeout that is not positive. */
    @Test
    @DisplayName("test_handshake_timeout_zero")
    void testHandshakeTimeoutZero() {
        SslOptions.Builder b = SslOptions.builder(CERTS.clientContext());
        assertEquals("ssl_handshake_timeout should be a positive number, got PT0S",
                assertThrows(IllegalArgumentException.class, () -> b.handshakeTimeout(Duration.ZERO)).getMessage());
        assertEquals("ssl_shutdown_timeout should be a positive number, got PT0S",
                assertThrows(IllegalArgumentException.class, () -> b.shutdownTimeout(Duration.ZERO)).getMessage());
    }

    @Test
    @DisplayName("test_handshake_timeout_negative")
    void testHandshakeTimeoutNegative() {
        SslOptions.Builder b = SslOptions.builder(CERTS.clientContext());
        assertEquals("ssl_handshake_timeout should be a positive number, got PT-10S",
                assertThrows(IllegalArgumentException.class, () -> b.handshakeTimeout(Duration.ofSeconds(-10))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> SslOptions.of(null));
        assertThrows(IllegalArgumentException.class, () -> b.serverHostname(""));
        assertThrows(IllegalArgumentException.class, () -> b.alpnProtocols(""));
        assertThrows(IllegalArgumentException.class, () -> Ssl.createDefaultContext(CERTS.serverKey));
    }

    /**
     * Each side's close sends close_notify: the other reads the end of the stream, and both close
     * cleanly (no error from waitClosed). The shutdown timeout is longer than the test's, so a
     * side that waited for a close_notify it never read would fail it.
     */
    @Test
    @DisplayName("test_shutdown_cleanly")
    void testShutdownCleanly() {
        Duration longer = Duration.ofMinutes(5);
        SslOptions serverSsl = SslOptions.builder(CERTS.serverContext()).shutdownTimeout(longer).build();
        SslOptions clientSsl = SslOptions.builder(CERTS.clientContext()).shutdownTimeout(longer).build();
        List<String> log = Asyncio.run(() -> {
            List<String> events = new ArrayList<>();
            Future<Void> serverDone = Asyncio.getRunningLoop().createFuture();
            Server server = Asyncio.startServer((r, w) -> {
                w.write(b("bye"));
                w.close();
                w.waitClosed();
                events.add("server closed");
                serverDone.setResult(null);
            }, "127.0.0.1", 0, serverSsl);
            Streams c = Asyncio.openConnection("127.0.0.1", port(server), clientSsl);
            events.add("client read " + s(c.reader().read(-1)));
            assertTrue(c.reader().atEof());
            serverDone.await();
            c.writer().close();
            c.writer().waitClosed();
            events.add("client closed");
            server.close();
            server.waitClosed();
            return events;
        });
        assertEquals(List.of("client read bye", "server closed", "client closed"), log);
    }

    /** A handshake that fails on the server's side (the client does not trust it) is closed without the callback and without the loop's exception handler. */
    @Test
    void serverHandshakeFailureIsQuiet() {
        EventLoop loop = loop();
        List<java.util.Map<String, Object>> errors = errorsOf(loop);
        AtomicInteger served = new AtomicInteger();
        loop.runUntilComplete(loop.createTask(() -> {
            Server server = Asyncio.startServer((r, w) -> served.incrementAndGet(), "127.0.0.1", 0, CERTS.serverContext());
            for (int i = 0; i < 3; i++) {
                assertThrows(SSLCertVerificationError.class, () -> Asyncio.openConnection("127.0.0.1", port(server), Ssl.createDefaultContext()));
            }
            server.close();
            server.waitClosed();
            return null;
        }, null));
        loop.close();
        assertEquals(0, served.get());
        assertEquals(List.of(), errors);
    }
}
