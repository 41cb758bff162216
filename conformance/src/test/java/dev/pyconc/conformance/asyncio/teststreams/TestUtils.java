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

/**
 * The parts of test_asyncio/utils.py the stream tests use: {@code run_test_server()}, a blocking
 * HTTP/1.0 server on the loopback interface in a thread of its own (not on an event loop, so that
 * the loop under test is the only one), which answers every request with a {@code 200 OK} and
 * the body {@code Test message}, then closes the connection.
 */
final class TestUtils {
    private TestUtils() {
    }

    /** {@code test_utils.run_test_server()}: close it to stop it. */
    static TestServer runTestServer() {
        return new TestServer();
    }

    static final class TestServer implements AutoCloseable {
        private final ServerSocket listener;
        private final Thread acceptor;
        private final List<Thread> handlers = new ArrayList<>();

        TestServer() {
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
                Thread h = Thread.ofPlatform().name("test-http-handler").daemon().start(() -> handle(s));
                synchronized (handlers) {
                    handlers.add(h);
                }
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
        return new UnixTestServer();
    }

    static final class UnixTestServer implements AutoCloseable {
        private final java.nio.file.Path dir;
        private final java.nio.file.Path path;
        private final java.nio.channels.ServerSocketChannel listener;
        private final Thread acceptor;
        private final List<Thread> handlers = new ArrayList<>();

        UnixTestServer() {
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
                        TestServer.answer(java.nio.channels.Channels.newInputStream(s), java.nio.channels.Channels.newOutputStream(s));
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
}
