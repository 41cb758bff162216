package dev.pyconc.asyncio;

import static dev.pyconc.asyncio.ProtocolTesting.b;
import static dev.pyconc.asyncio.StreamsTest.port;
import static dev.pyconc.asyncio.StreamsTest.until;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pyconc.asyncio.ProtocolTesting.Recorder;
import dev.pyconc.ssl.SSLCertVerificationError;
import dev.pyconc.ssl.Ssl;

/**
 * TLS on the protocol transports: {@code loop.createConnection}/{@code createServer} with
 * {@code ssl}, {@code loop.startTls} on both sides of a plain connection, and TLS over Unix
 * sockets, for streams and protocols.
 */
@org.junit.jupiter.api.Timeout(60)
class TlsTransportTest extends LoopTesting {
    static final TestCertificates CERTS = TestCertificates.get();
    private long fdsBefore;

    @TempDir
    Path tmp;

    @BeforeEach
    void countOpenFiles() {
        fdsBefore = StreamsTest.openFiles();
    }

    @AfterEach
    void noSocketLeft() throws InterruptedException {
        StreamsTest.awaitOpenFilesAtMost(fdsBefore);
    }

    /** Echoes what it receives; closes at the end of the stream (eofReceived false). */
    static class Echo extends Recorder {
        @Override
        public void dataReceived(byte[] d) {
            super.dataReceived(d);
            transport.write(d);
        }
    }

    /** A recorder that notes the transport's cipher when connectionMade runs: the handshake is done by then. */
    static class CipherAtMade extends Recorder {
        Object cipher;

        @Override
        public void connectionMade(Transport t) {
            super.connectionMade(t);
            cipher = t.getExtraInfo("cipher");
        }
    }

    @Test
    @DisplayName("test_create_ssl_connection")
    void testCreateSslConnection() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            List<CipherAtMade> served = new ArrayList<>();
            Server server = loop.createServer(() -> {
                CipherAtMade e = new CipherAtMade() {
                    @Override
                    public void dataReceived(byte[] d) {
                        super.dataReceived(d);
                        transport.write(d);
                    }
                };
                served.add(e);
                return e;
            }, "127.0.0.1", 0, SslOptions.of(CERTS.serverContext()));
            CipherAtMade c = new CipherAtMade();
            var tp = loop.createConnection(() -> c, "127.0.0.1", port(server), CERTS.clientContext());
            assertSame(c, tp.protocol());
            assertEquals(List.of("made"), c.events);
            assertEquals("TLSv1.3", ((List<?>) c.cipher).get(1));
            Transport t = tp.transport();
            assertFalse(t.canWriteEof());
            assertThrows(UnsupportedOperationException.class, t::writeEof);
            assertInstanceOf(javax.net.ssl.SSLEngine.class, t.getExtraInfo("ssl_object"));
            t.write(b("hello over tls\n"));
            until("the echo", () -> c.text().equals("hello over tls\n"));
            t.close();
            assertNull(c.lost.await());
            CipherAtMade s = served.getFirst();
            assertNull(s.lost.await());
            assertEquals(List.of("made", "data", "lost"), c.events);
            assertEquals(List.of("made", "data", "eof", "lost"), s.events, "the client's close_notify is the server's end of stream");
            assertEquals("TLSv1.3", ((List<?>) s.cipher).get(1));
            server.close();
            server.waitClosed();
            return null;
        });
    }

    /** A server certificate the client does not trust: SSLCertVerificationError, and no protocol call on either side. */
    @Test
    @DisplayName("test_create_server_ssl_verify_failed")
    void testCreateServerSslVerifyFailed() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            List<Recorder> served = new ArrayList<>();
            Server server = loop.createServer(() -> {
                Recorder r = new Recorder();
                served.add(r);
                return r;
            }, "127.0.0.1", 0, SslOptions.of(CERTS.serverContext()));
            Recorder c = new Recorder();
            var e = assertThrows(SSLCertVerificationError.class,
                    () -> loop.createConnection(() -> c, "127.0.0.1", port(server), Ssl.createDefaultContext()));
            assertTrue(e.getMessage().startsWith("certificate verify failed: "), e.getMessage());
            assertEquals(List.of(), c.events);
            until("the server made the connection's protocol", () -> served.size() == 1);
            assertEquals(List.of(), served.getFirst().events);
            server.close();
            server.waitClosed();
            return null;
        });
    }

    /**
     * loop.start_tls on both sides of a plain connection: what was written before goes in the
     * clear, the protocols given take over, and the same transport serves, encrypted.
     */
    @Test
    @DisplayName("test_start_tls_client_and_server")
    void testStartTlsClientAndServer() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            List<Echo> afterUpgrade = new ArrayList<>();
            List<Transport> serverSide = new ArrayList<>();
            Server server = loop.createServer(() -> new Recorder() {
                @Override
                public void dataReceived(byte[] d) {
                    super.dataReceived(d);
                    if (text().equals("plain\n")) {
                        transport.pauseReading();            // nothing more is read in the clear; start_tls resumes
                        transport.write(b("go\n"));
                        Transport t = transport;
                        Echo echo = new Echo();
                        echo.transport = t;                  // (start_tls calls no connectionMade; the transport stays the same)
                        afterUpgrade.add(echo);
                        Asyncio.createTask(() -> {
                            Transport tls = loop.startTls(t, echo, SslOptions.of(CERTS.serverContext()), true);
                            assertSame(t, tls);
                            serverSide.add(tls);
                            return null;
                        });
                    }
                }
            }, "127.0.0.1", 0);
            Recorder plain = new Recorder();
            var tp = loop.createConnection(() -> plain, "127.0.0.1", port(server));
            Transport t = tp.transport();
            assertTrue(t.canWriteEof());
            t.write(b("plain\n"));
            until("the go-ahead", () -> plain.text().equals("go\n"));
            Recorder secure = new Recorder();
            Transport tls = loop.startTls(t, secure, SslOptions.of(CERTS.clientContext()), false);
            assertSame(t, tls);
            assertSame(secure, tls.getProtocol());
            assertEquals(List.of(), secure.events, "start_tls calls no connectionMade");
            assertFalse(tls.canWriteEof());
            assertEquals("TLSv1.3", ((List<?>) tls.getExtraInfo("cipher")).get(1));
            tls.write(b("secret\n"));
            until("the encrypted echo", () -> secure.text().equals("secret\n"));
            assertEquals(List.of("made", "data"), plain.events);
            until("the server's upgrade", () -> serverSide.size() == 1);
            assertEquals("TLSv1.3", ((List<?>) serverSide.getFirst().getExtraInfo("cipher")).get(1));
            assertEquals("secret\n", afterUpgrade.getFirst().text());
            tls.close();
            assertNull(secure.lost.await());
            assertEquals(List.of("data", "lost"), secure.events);
            assertNull(afterUpgrade.getFirst().lost.await());
            assertThrows(IllegalArgumentException.class, () -> loop.startTls(t, null, SslOptions.of(CERTS.clientContext()), false));
            server.close();
            server.waitClosed();
            return null;
        });
    }

    /** A failed upgrade: the peer is not speaking TLS; the transport is aborted and the error raised. */
    @Test
    @DisplayName("test_start_tls_wrong_peer")
    void testStartTlsPeerClosesAborts() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Server server = loop.createServer(() -> new Recorder() {
                @Override
                public void dataReceived(byte[] d) {
                    super.dataReceived(d);
                    transport.write(b("this is not TLS, this is plain text that the client must refuse\n"));
                }
            }, "127.0.0.1", 0);
            Recorder plain = new Recorder();
            var tp = loop.createConnection(() -> plain, "127.0.0.1", port(server));
            Recorder secure = new Recorder();
            assertThrows(dev.pyconc.ssl.SSLError.class,
                    () -> loop.startTls(tp.transport(), secure, SslOptions.of(CERTS.clientContext()), false));
            assertTrue(tp.transport().isClosing());
            var lostWith = assertInstanceOf(dev.pyconc.ssl.SSLError.class, secure.lost.await());
            assertTrue(lostWith.getMessage().startsWith("not an SSL/TLS record"), lostWith.getMessage());
            assertEquals(List.of("lost"), secure.events, "the new protocol has the loss, with the handshake's error");
            assertEquals(List.of("made"), plain.events);
            server.close();
            server.waitClosed();
            return null;
        });
    }

    /** TLS streams over a Unix socket: open_unix_connection / start_unix_server with ssl. */
    @Test
    @DisplayName("test_open_unix_connection_no_loop_ssl")
    void testOpenUnixConnectionSsl() {
        String path = tmp.resolve("tls.sock").toString();
        String got = Asyncio.run(() -> {
            Server server = Asyncio.startUnixServer((r, w) -> {
                byte[] line = r.readline();
                w.write(b("unix tls: "));
                w.write(line);
                w.write(b(String.valueOf(((List<?>) w.getExtraInfo("cipher")).get(1))));
                w.close();
            }, path, SslOptions.of(CERTS.serverContext()));
            SslOptions noName = SslOptions.of(CERTS.clientContext());
            var e = assertThrows(IllegalArgumentException.class, () -> Asyncio.openUnixConnection(path, noName));
            assertEquals("you have to pass server_hostname when using ssl", e.getMessage());
            Streams c = Asyncio.openUnixConnection(path, SslOptions.builder(CERTS.clientContext()).serverHostname("localhost").build());
            assertEquals(path, c.writer().getExtraInfo("peername"));
            c.writer().write(b("hello\n"));
            String back = new String(c.reader().read(-1), java.nio.charset.StandardCharsets.ISO_8859_1);
            c.writer().close();
            c.writer().waitClosed();
            server.close();
            server.waitClosed();
            return back;
        });
        assertEquals("unix tls: hello\nTLSv1.3", got);
    }
}
