package dev.pyconc.conformance.asyncio.teststreams;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import java.security.cert.X509Certificate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import dev.pyconc.asyncio.SslOptions;
import dev.pyconc.asyncio.TestCertificates;
import dev.pyconc.ssl.Ssl;

/**
 * The parts of test_asyncio/utils.py the stream tests use: {@code run_test_server()}, a blocking
 * HTTP/1.0 server on the loopback interface in a thread of its own (not on an event loop, so that
 * the loop under test is the only one), which answers every request with a {@code 200 OK} and
 * the body {@code Test message}, then closes the connection; with {@code use_ssl=True} it speaks
 * TLS with a certificate made by the async module's test certificates, and the clients use
 * {@link #dummySslContext()} or {@link #simpleClientSslContext()}, which check nothing, as CPython's.
 */
final class TestUtils {
    private TestUtils() {
    }

    /** {@code test_utils.run_test_server()}: close it to stop it. */
    static TestServer runTestServer() {
        return new TestServer(null);
    }

    /** {@code test_utils.run_test_server(use_ssl=True)}. */
    static TestServer runTestServer(boolean useSsl) {
        return new TestServer(useSsl ? simpleServerSslContext() : null);
    }

    /** {@code test_utils.simple_server_sslcontext()}: the server's certificate chain and key. */
    static SSLContext simpleServerSslContext() {
        TestCertificates c = TestCertificates.get();
        return Ssl.createServerContext(c.serverChain, c.serverKey);
    }

    /**
     * {@code test_utils.dummy_ssl_context()}: a client context that trusts every certificate and
     * checks no host name ({@code check_hostname = False}, {@code verify_mode = CERT_NONE}).
     */
    static SslOptions dummySslContext() {
        try {
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return SslOptions.builder(c).checkHostname(false).build();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code test_utils.simple_client_sslcontext()} (verification disabled, its default): as {@link #dummySslContext()}. */
    static SslOptions simpleClientSslContext() {
        return dummySslContext();
    }

    static final class TestServer implements AutoCloseable {
        private final ServerSocket listener;
        private final Thread acceptor;
        private final List<Thread> handlers = new ArrayList<>();
        private final SSLContext ssl;          // null: plain HTTP

        TestServer(SSLContext ssl) {
            this.ssl = ssl;
            try {
                listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            acceptor = Thread.ofPlatform().name("test-http-server").daemon().start(this::serve);
        }

        /** {@code httpd.address}: the host and the port. */
        String host() {
            return listener.getInetAddress().getHostAddress();
        }

        int port() {
            return listener.getLocalPort();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) listener.getLocalSocketAddress();
        }

        private void serve() {
            while (!listener.isClosed()) {
                Socket s;
                try {
                    s = listener.accept();
                } catch (IOException closed) {
                    return;
                }
                Socket conn = s;
                Thread h = Thread.ofPlatform().name("test-http-handler").daemon().start(() -> handle(wrap(conn)));
                synchronized (handlers) {
                    handlers.add(h);
                }
            }
        }

        /** The accepted socket, or a TLS socket over it, on the server's side, for a server with TLS. */
        private Socket wrap(Socket s) {
            if (ssl == null) {
                return s;
            }
            try {
                SSLSocket t = (SSLSocket) ssl.getSocketFactory().createSocket(s, null, s.getPort(), true);
                t.setUseClientMode(false);
                return t;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static void handle(Socket s) {
            try (s) {
                answer(s.getInputStream(), s.getOutputStream());
            } catch (IOException peerGone) {
                // the client went away; nothing to answer
            }
        }

        /** Reads one request and its headers, and answers it. */
        static void answer(java.io.InputStream rawIn, OutputStream out) throws IOException {
            {
                var in = new BufferedReader(new InputStreamReader(rawIn, StandardCharsets.ISO_8859_1));
                String request = in.readLine();
                if (request == null) {
                    return;                        // the client closed without a request
                }
                for (String h = in.readLine(); h != null && !h.isEmpty(); h = in.readLine()) {
                    // the headers
                }
                String body = "Test message";
                String reply = "HTTP/1.0 200 OK\r\n"
                        + "Server: pyconc-conformance\r\n"
                        + "Content-type: text/plain\r\n"
                        + "Content-Length: " + body.length() + "\r\n"
                        + "\r\n" + body;
                out.write(reply.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        }

        @Override
        public void close() {
            try {
                listener.close();
                acceptor.join();
                List<Thread> hs;
                synchronized (handlers) {
                    hs = new ArrayList<>(handlers);
                }
                for (Thread h : hs) {
                    h.join();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while stopping the test server", e);
            }
        }
    }

    /**
     * {@code test_utils.run_test_unix_server()}: the same server on a Unix domain socket at a fresh
     * path (CPython's {@code unix_socket_path()}), removed when it is closed.
     */
    static UnixTestServer runTestUnixServer() {
        return new UnixTestServer(null);
    }

    /** {@code test_utils.run_test_unix_server(use_ssl=True)}: TLS on the JDK's {@code SSLEngine}, server side. */
    static UnixTestServer runTestUnixServer(boolean useSsl) {
        return new UnixTestServer(useSsl ? simpleServerSslContext() : null);
    }

    static final class UnixTestServer implements AutoCloseable {
        private final java.nio.file.Path dir;
        private final java.nio.file.Path path;
        private final java.nio.channels.ServerSocketChannel listener;
        private final Thread acceptor;
        private final List<Thread> handlers = new ArrayList<>();
        private final SSLContext ssl;          // null: plain HTTP

        UnixTestServer(SSLContext ssl) {
            this.ssl = ssl;
            try {
                dir = java.nio.file.Files.createTempDirectory("pyconc-unix");
                path = dir.resolve("test.sock");
                listener = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX);
                listener.bind(java.net.UnixDomainSocketAddress.of(path));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            acceptor = Thread.ofPlatform().name("test-unix-http-server").daemon().start(this::serve);
        }

        /** {@code httpd.address}: the socket's path. */
        String address() {
            return path.toString();
        }

        private void serve() {
            while (listener.isOpen()) {
                java.nio.channels.SocketChannel s;
                try {
                    s = listener.accept();
                } catch (IOException closed) {
                    return;
                }
                Thread h = Thread.ofPlatform().name("test-unix-http-handler").daemon().start(() -> {
                    try (s) {
                        if (ssl == null) {
                            TestServer.answer(java.nio.channels.Channels.newInputStream(s), java.nio.channels.Channels.newOutputStream(s));
                        } else {
                            EngineStreams tls = new EngineStreams(ssl, s);
                            TestServer.answer(tls.in, tls.out);
                            tls.closeOutbound();
                        }
                    } catch (IOException peerGone) {
                        // the client went away; nothing to answer
                    }
                });
                synchronized (handlers) {
                    handlers.add(h);
                }
            }
        }

        @Override
        public void close() {
            try {
                listener.close();
                acceptor.join();
                List<Thread> hs;
                synchronized (handlers) {
                    hs = new ArrayList<>(handlers);
                }
                for (Thread h : hs) {
                    h.join();
                }
                java.nio.file.Files.deleteIfExists(path);
                java.nio.file.Files.deleteIfExists(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while stopping the test server", e);
            }
        }
    }

    /**
     * The server's side of TLS over a blocking channel (the JDK's Unix sockets have no
     * {@code Socket} for an {@code SSLSocket} to wrap): an {@link javax.net.ssl.SSLEngine} pumped
     * by {@link #in} and {@link #out}; the handshake runs within the first read.
     */
    static final class EngineStreams {
        private final javax.net.ssl.SSLEngine engine;
        private final java.nio.channels.SocketChannel ch;
        private java.nio.ByteBuffer netIn;
        private java.nio.ByteBuffer appIn;
        private boolean inboundDone;
        final java.io.InputStream in = new java.io.InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return readApp(b, off, len);
            }
        };
        final OutputStream out = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                java.nio.ByteBuffer src = java.nio.ByteBuffer.wrap(b, off, len);
                while (src.hasRemaining()) {
                    wrapAndSend(src);
                }
            }
        };

        EngineStreams(SSLContext ctx, java.nio.channels.SocketChannel ch) throws IOException {
            this.ch = ch;
            engine = ctx.createSSLEngine();
            engine.setUseClientMode(false);
            var session = engine.getSession();
            netIn = java.nio.ByteBuffer.allocate(session.getPacketBufferSize()).flip();
            appIn = java.nio.ByteBuffer.allocate(session.getApplicationBufferSize()).flip();
            engine.beginHandshake();
        }

        private int readApp(byte[] b, int off, int len) throws IOException {
            while (true) {
                if (appIn.hasRemaining()) {
                    int n = Math.min(len, appIn.remaining());
                    appIn.get(b, off, n);
                    return n;
                }
                if (inboundDone) {
                    return -1;
                }
                var hs = engine.getHandshakeStatus();
                if (hs == javax.net.ssl.SSLEngineResult.HandshakeStatus.NEED_TASK) {
                    for (Runnable t = engine.getDelegatedTask(); t != null; t = engine.getDelegatedTask()) {
                        t.run();
                    }
                    continue;
                }
                if (hs == javax.net.ssl.SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                    wrapAndSend(java.nio.ByteBuffer.allocate(0));
                    continue;
                }
                appIn.compact();
                var r = engine.unwrap(netIn, appIn);
                appIn.flip();
                switch (r.getStatus()) {
                    case BUFFER_UNDERFLOW -> {
                        if (netIn.limit() == netIn.capacity() && netIn.position() == 0) {
                            netIn = java.nio.ByteBuffer.allocate(netIn.capacity() * 2).put(netIn).flip();
                        }
                        netIn.compact();
                        int n = ch.read(netIn);
                        netIn.flip();
                        if (n < 0) {
                            inboundDone = true;
                        }
                    }
                    case BUFFER_OVERFLOW -> appIn = java.nio.ByteBuffer.allocate(appIn.capacity() * 2).put(appIn).flip();
                    case CLOSED -> inboundDone = true;
                    case OK -> { }
                }
            }
        }

        private void wrapAndSend(java.nio.ByteBuffer src) throws IOException {
            java.nio.ByteBuffer net = java.nio.ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            engine.wrap(src, net);
            net.flip();
            while (net.hasRemaining()) {
                ch.write(net);
            }
        }

        /** Sends close_notify. */
        void closeOutbound() throws IOException {
            engine.closeOutbound();
            while (!engine.isOutboundDone()) {
                wrapAndSend(java.nio.ByteBuffer.allocate(0));
            }
        }
    }
}
