package dev.pyconc.asyncio;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.*;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pyconc.builtins.ConnectionRefusedError;
import dev.pyconc.builtins.OSError;
import dev.pyconc.builtins.TimeoutError;

/**
 * The loop's sock* methods on non-blocking JDK channels, after CPython's test_sock_lowlevel.py
 * (BaseSockTestsMixin), and getaddrinfo/getnameinfo.
 */
@org.junit.jupiter.api.Timeout(60)
class SockLowLevelTest extends LoopTesting {
    static final InetSocketAddress LOCAL0 = new InetSocketAddress("127.0.0.1", 0);

    /** CPython's run_test_server: answers one request per connection with a short HTTP response. */
    static final class HttpServer implements AutoCloseable {
        final ServerSocket ss;
        final Thread thread;

        HttpServer() throws Exception {
            ss = new ServerSocket();
            ss.bind(LOCAL0);
            thread = Thread.ofPlatform().daemon(true).start(() -> {
                try {
                    while (true) {
                        try (Socket s = ss.accept()) {
                            InputStream in = s.getInputStream();
                            byte[] req = new byte[4];
                            int seen = 0;
                            for (int b; (b = in.read()) >= 0; ) {    // until the blank line
                                req[seen++ % 4] = (byte) b;
                                if (seen >= 4 && endsBlankLine(req, seen)) {
                                    break;
                                }
                            }
                            OutputStream out = s.getOutputStream();
                            out.write("HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello".getBytes(US_ASCII));
                            out.flush();
                        }
                    }
                } catch (Exception closed) {
                    // the test ended
                }
            });
        }

        static boolean endsBlankLine(byte[] ring, int seen) {
            byte[] last = new byte[4];
            for (int i = 0; i < 4; i++) {
                last[i] = ring[(seen + i) % 4];
            }
            return Arrays.equals(last, "\r\n\r\n".getBytes(US_ASCII));
        }

        InetSocketAddress address() {
            return (InetSocketAddress) ss.getLocalSocketAddress();
        }

        @Override
        public void close() throws Exception {
            ss.close();
        }
    }

    /** The selector thread of loop.sock*() ends with its loop (Asyncio.run closes it). */
    @org.junit.jupiter.api.AfterEach
    void noSelectorThreadLeft() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<String> alive;
        do {
            alive = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("asyncio-sock-") && t.isAlive()).map(Thread::getName).toList();
            if (alive.isEmpty()) {
                return;
            }
            Thread.sleep(5);
        } while (System.nanoTime() < deadline);
        assertEquals(List.of(), alive, "selector threads of loop.sock*() left alive after the test");
    }

    static SocketChannel nonBlocking(SocketChannel ch) throws Exception {
        ch.configureBlocking(false);
        return ch;
    }

    static InetSocketAddress unusedPort() throws Exception {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(LOCAL0);
            return (InetSocketAddress) s.getLocalSocketAddress();
        }
    }

    /** Reads until the peer closes: what sock_recv gives, then b'' at the end. */
    static byte[] readAll(EventLoop loop, SocketChannel ch) {
        var out = new java.io.ByteArrayOutputStream();
        for (byte[] b; (b = loop.sockRecv(ch, 1024)).length > 0; ) {
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    @Test
    @DisplayName("test_sock_client_ops")
    void testSockClientOps() throws Exception {
        try (HttpServer httpd = new HttpServer(); SocketChannel blocking = SocketChannel.open();
                SocketChannel sock = nonBlocking(SocketChannel.open())) {
            Asyncio.run(() -> {
                EventLoop loop = Asyncio.getRunningLoop();
                // in blocking mode, every operation is refused, as Python's debug mode refuses it
                for (var op : List.<Runnable>of(
                        () -> loop.sockConnect(blocking, httpd.address()),
                        () -> loop.sockSendall(blocking, new byte[1]),
                        () -> loop.sockRecv(blocking, 1024),
                        () -> loop.sockRecvInto(blocking, ByteBuffer.allocate(1)))) {
                    var e = assertThrows(IllegalArgumentException.class, op::run);
                    assertEquals("the socket must be non-blocking", e.getMessage());
                }
                loop.sockConnect(sock, httpd.address());
                loop.sockSendall(sock, "GET / HTTP/1.0\r\n\r\n".getBytes(US_ASCII));
                assertEquals("HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello", new String(readAll(loop, sock), US_ASCII));
                return null;
            });
        }
    }

    @Test
    @DisplayName("test_sock_client_ops")
    void sockRecvInto() throws Exception {
        try (HttpServer httpd = new HttpServer(); SocketChannel sock = nonBlocking(SocketChannel.open())) {
            String got = Asyncio.run(() -> {
                EventLoop loop = Asyncio.getRunningLoop();
                loop.sockConnect(sock, httpd.address());
                loop.sockSendall(sock, "GET / HTTP/1.0\r\n\r\n".getBytes(US_ASCII));
                ByteBuffer buf = ByteBuffer.allocate(1024);
                int total = 0;
                for (int n; (n = loop.sockRecvInto(sock, buf)) > 0; ) {
                    total += n;
                }
                assertEquals(total, buf.position());
                return new String(buf.array(), 0, total, US_ASCII);
            });
            assertEquals("HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello", got);
        }
    }

    @Test
    @DisplayName("test_sock_client_fail")
    void testSockClientFail() throws Exception {
        InetSocketAddress address = unusedPort();
        try (SocketChannel sock = nonBlocking(SocketChannel.open())) {
            Asyncio.run(() -> {
                var e = assertThrows(ConnectionRefusedError.class, () -> Asyncio.getRunningLoop().sockConnect(sock, address));
                assertEquals("[Errno 111] Connection refused", e.getMessage());
                return null;
            });
        }
    }

    @Test
    @DisplayName("test_sock_accept")
    void testSockAccept() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open(); Socket client = new Socket()) {
            listener.configureBlocking(false);
            listener.bind(LOCAL0, 1);
            client.connect(listener.getLocalAddress());
            EventLoop.Accepted a = Asyncio.run(() -> Asyncio.getRunningLoop().sockAccept(listener));
            try (SocketChannel conn = a.conn()) {
                assertFalse(conn.isBlocking());
                assertEquals(client.getLocalSocketAddress(), a.address());
                assertEquals(listener.getLocalAddress(), client.getRemoteSocketAddress());
            }
        }
    }

    /** The accept waits in a task; cancelling it (wait_for's timeout) stops the wait, and the listener's later use is clean. */
    @Test
    @DisplayName("test_cancel_sock_accept")
    void testCancelSockAccept() throws Exception {
        InetSocketAddress sockaddr;
        try (ServerSocketChannel listener = ServerSocketChannel.open(); SocketChannel client = nonBlocking(SocketChannel.open())) {
            listener.configureBlocking(false);
            listener.bind(LOCAL0, 1);
            sockaddr = (InetSocketAddress) listener.getLocalAddress();
            Asyncio.run(() -> {
                EventLoop loop = Asyncio.getRunningLoop();
                assertThrows(TimeoutError.class, () -> Asyncio.waitFor(() -> loop.sockAccept(listener), Duration.ofMillis(100)));
                listener.close();
                var e = assertThrows(ConnectionRefusedError.class, () -> loop.sockConnect(client, sockaddr));
                assertEquals("[Errno 111] Connection refused", e.getMessage());
                return null;
            });
        }
    }

    /** A task waiting for data is cancelled; a second task then receives on the same socket (the first wait is gone). */
    @Test
    @DisplayName("test_sock_recv_racing")
    void testSockRecvRacing() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open(); SocketChannel sock = nonBlocking(SocketChannel.open())) {
            listener.bind(LOCAL0, 1);
            String got = Asyncio.run(() -> {
                EventLoop loop = Asyncio.getRunningLoop();
                loop.sockConnect(sock, listener.getLocalAddress());
                try (SocketChannel server = listener.accept()) {
                    Task<byte[]> first = loop.createTask(() -> loop.sockRecv(sock, 1024));
                    Asyncio.sleep(Duration.ZERO);
                    first.cancel();
                    assertThrows(CancelledError.class, first::await);
                    Task<byte[]> second = loop.createTask(() -> loop.sockRecv(sock, 1024));
                    Asyncio.sleep(Duration.ZERO);
                    server.write(ByteBuffer.wrap("data".getBytes(US_ASCII)));
                    return new String(second.await(), US_ASCII);
                }
            });
            assertEquals("data", got);
        }
    }

    /** 8 MiB each way through the socket buffers: sendall and recv suspend and resume until every byte passed. */
    @Test
    @DisplayName("test_huge_content")
    void testHugeContent() throws Exception {
        byte[] data = new byte[8 << 20];
        new Random(18).nextBytes(data);
        try (ServerSocketChannel listener = ServerSocketChannel.open(); SocketChannel sock = nonBlocking(SocketChannel.open())) {
            listener.configureBlocking(false);
            listener.bind(LOCAL0, 1);
            byte[] got = Asyncio.run(() -> {
                EventLoop loop = Asyncio.getRunningLoop();
                Task<EventLoop.Accepted> accept = loop.createTask(() -> loop.sockAccept(listener));
                loop.sockConnect(sock, listener.getLocalAddress());
                try (SocketChannel conn = accept.await().conn()) {
                    Task<byte[]> reader = loop.createTask(() -> readAll(loop, conn));
                    loop.sockSendall(sock, data);
                    sock.shutdownOutput();
                    return reader.await();
                }
            });
            assertEquals(data.length, got.length);
            assertArrayEquals(StreamsTest.sha256(data), StreamsTest.sha256(got));
        }
    }

    /** CPython's run_udp_echo_server: a JDK thread that sends each datagram back. */
    static final class UdpEcho implements AutoCloseable {
        final DatagramChannel ch;

        UdpEcho() throws Exception {
            ch = DatagramChannel.open(StandardProtocolFamily.INET);
            ch.bind(LOCAL0);
            Thread.ofPlatform().daemon(true).start(() -> {
                ByteBuffer b = ByteBuffer.allocate(65536);
                try {
                    while (true) {
                        b.clear();
                        var from = ch.receive(b);
                        b.flip();
                        ch.send(b, from);
                    }
                } catch (Exception closed) {
                    // the test ended
                }
            });
        }

        InetSocketAddress address() throws Exception {
            return (InetSocketAddress) ch.getLocalAddress();
        }

        @Override
        public void close() throws Exception {
            ch.close();
        }
    }

    @Test
    @DisplayName("test_recvfrom")
    void testRecvfrom() throws Exception {
        try (UdpEcho server = new UdpEcho(); DatagramChannel sock = DatagramChannel.open(StandardProtocolFamily.INET)) {
            sock.configureBlocking(false);
            byte[] data = new byte[4096];
            Arrays.fill(data, (byte) 1);
            Asyncio.run(() -> {
                EventLoop loop = Asyncio.getRunningLoop();
                assertEquals(4096, loop.sockSendto(sock, data, server.address()));
                EventLoop.RecvfromResult r = loop.sockRecvfrom(sock, 4096);
                assertArrayEquals(data, r.data());
                assertEquals(server.address(), r.address());
                return null;
            });
        }
    }

    @Test
    @DisplayName("test_recvfrom_into")
    void testRecvfromInto() throws Exception {
        try (UdpEcho server = new UdpEcho(); DatagramChannel sock = DatagramChannel.open(StandardProtocolFamily.INET)) {
            sock.configureBlocking(false);
            byte[] data = new byte[4096];
            Arrays.fill(data, (byte) 1);
            Asyncio.run(() -> {
                EventLoop loop = Asyncio.getRunningLoop();
                ByteBuffer buf = ByteBuffer.allocate(4096);
                loop.sockSendto(sock, data, server.address());
                EventLoop.RecvfromIntoResult r = loop.sockRecvfromInto(sock, buf);
                assertEquals(4096, r.nbytes());
                assertArrayEquals(data, buf.array());
                assertEquals(server.address(), r.address());

                ByteBuffer big = ByteBuffer.allocate(8192);
                loop.sockSendto(sock, data, server.address());
                r = loop.sockRecvfromInto(sock, big.limit(4096));      // Python's nbytes=4096
                assertEquals(4096, r.nbytes());
                assertArrayEquals(data, Arrays.copyOf(big.array(), 4096));
                return null;
            });
        }
    }

    @Test
    @DisplayName("test_sock_sendfile")
    void sockSendfile(@TempDir Path dir) throws Exception {
        byte[] data = new byte[3 << 20];
        new Random(7).nextBytes(data);
        Path f = Files.write(dir.resolve("data.bin"), data);
        try (ServerSocketChannel listener = ServerSocketChannel.open(); SocketChannel sock = nonBlocking(SocketChannel.open());
                FileChannel file = FileChannel.open(f, StandardOpenOption.READ)) {
            listener.configureBlocking(false);
            listener.bind(LOCAL0, 1);
            byte[][] got = Asyncio.run(() -> {
                EventLoop loop = Asyncio.getRunningLoop();
                Task<EventLoop.Accepted> accept = loop.createTask(() -> loop.sockAccept(listener));
                loop.sockConnect(sock, listener.getLocalAddress());
                try (SocketChannel conn = accept.await().conn()) {
                    Task<byte[]> reader = loop.createTask(() -> readAll(loop, conn));
                    assertEquals(data.length, loop.sockSendfile(sock, file));
                    assertEquals(data.length, file.position());
                    assertEquals(1000, loop.sockSendfile(sock, file, 10, 1000));
                    assertEquals(1010, file.position());
                    var e = assertThrows(IllegalArgumentException.class, () -> loop.sockSendfile(sock, file, 0, 0));
                    assertEquals("count must be a positive integer (got 0)", e.getMessage());
                    e = assertThrows(IllegalArgumentException.class, () -> loop.sockSendfile(sock, file, -1, -1));
                    assertEquals("offset must be a non-negative integer (got -1)", e.getMessage());
                    sock.shutdownOutput();
                    return new byte[][] {reader.await()};
                }
            });
            byte[] expected = new byte[data.length + 1000];
            System.arraycopy(data, 0, expected, 0, data.length);
            System.arraycopy(data, 10, expected, data.length, 1000);
            assertArrayEquals(StreamsTest.sha256(expected), StreamsTest.sha256(got[0]));
        }
    }

    @Test
    @DisplayName("test_getaddrinfo")
    void getaddrinfo() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            InetSocketAddress a = new InetSocketAddress("127.0.0.1", 80);
            assertEquals(List.of(
                    new AddrInfo(StandardProtocolFamily.INET, AddrInfo.SOCK_STREAM, AddrInfo.IPPROTO_TCP, "", a),
                    new AddrInfo(StandardProtocolFamily.INET, AddrInfo.SOCK_DGRAM, AddrInfo.IPPROTO_UDP, "", a),
                    new AddrInfo(StandardProtocolFamily.INET, AddrInfo.SOCK_RAW, 0, "", a)),
                    loop.getaddrinfo("127.0.0.1", 80));
            assertEquals(List.of(new AddrInfo(StandardProtocolFamily.INET, AddrInfo.SOCK_DGRAM, AddrInfo.IPPROTO_UDP, "", a)),
                    loop.getaddrinfo("127.0.0.1", 80, StandardProtocolFamily.INET, AddrInfo.SOCK_DGRAM, 0, 0));
            List<AddrInfo> local = loop.getaddrinfo("localhost", 0, StandardProtocolFamily.INET, AddrInfo.SOCK_STREAM, 0, 0);
            assertEquals("127.0.0.1", local.get(0).address().getAddress().getHostAddress());
            var e = assertThrows(OSError.class, () -> loop.getaddrinfo("localhost", 0, null, 0, 0, AddrInfo.AI_NUMERICHOST));
            assertEquals("[Errno -2] Name or service not known", e.getMessage());
            var passive = loop.getaddrinfo(null, 8080, StandardProtocolFamily.INET, AddrInfo.SOCK_STREAM, 0, AddrInfo.AI_PASSIVE);
            assertEquals(List.of(new AddrInfo(StandardProtocolFamily.INET, AddrInfo.SOCK_STREAM, AddrInfo.IPPROTO_TCP, "",
                    new InetSocketAddress("0.0.0.0", 8080))), passive);
            return null;
        });
    }

    @Test
    @DisplayName("test_getnameinfo")
    void getnameinfo() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            assertEquals(new AddrInfo.NameInfo("127.0.0.1", "80"), loop.getnameinfo(new InetSocketAddress("127.0.0.1", 80),
                    AddrInfo.NI_NUMERICHOST | AddrInfo.NI_NUMERICSERV));
            assertEquals("localhost", loop.getnameinfo(new InetSocketAddress("127.0.0.1", 80), AddrInfo.NI_NUMERICSERV).host());
            var e = assertThrows(IllegalArgumentException.class, () -> loop.getnameinfo(java.net.UnixDomainSocketAddress.of("/x")));
            assertEquals("getnameinfo() argument 1 must be an InetSocketAddress (Python's (host, port) tuple), not "
                    + "java.net.UnixDomainSocketAddress", e.getMessage());
            return null;
        });
    }
}
