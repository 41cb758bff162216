package dev.pyconc.asyncio;

import static dev.pyconc.asyncio.ProtocolTesting.b;
import static dev.pyconc.asyncio.StreamsTest.port;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.pyconc.asyncio.ProtocolTesting.Recorder;

/** test_server.py's {@code BaseStartServer}, and a server of protocols (the same Server serves both kinds). */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)   // a lost callback fails, not hangs, the build
class ServerTest {
    static final byte[] HELLO_MSG = b("1".repeat(1024 * 5) + "\n");

    @TempDir
    Path dir;

    /** CPython's client: connect, send HELLO_MSG, read one byte, close; a blocking socket on a thread of its own. */
    static Thread client(java.net.SocketAddress addr, byte[] got) {
        return Thread.ofPlatform().start(() -> {
            try (SocketChannel s = SocketChannel.open(addr)) {
                s.write(ByteBuffer.wrap(HELLO_MSG));
                ByteBuffer one = ByteBuffer.allocate(1);
                while (one.hasRemaining() && s.read(one) >= 0) {
                    // until the byte or the end
                }
                got[0] = one.position() == 1 ? one.get(0) : -1;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private static void checkClosed(Server srv) {
        assertEquals(List.of(), srv.sockets());
        assertEquals(List.of(), srv.socketAddresses());
        assertFalse(srv.isServing());
        var e = assertThrows(IllegalStateException.class, srv::serveForever);
        assertTrue(e.getMessage().endsWith("is closed"), e.getMessage());
    }

    @Test
    @DisplayName("test_start_server_1")
    void startServer1() throws Exception {
        byte[] got = new byte[1];
        Asyncio.run(() -> {
            Task<?>[] mainTask = new Task<?>[1];
            Server srv = Asyncio.startServer((reader, writer) -> {
                reader.readline();
                mainTask[0].cancel();
                writer.write(b("1"));
                writer.close();
                writer.waitClosed();
            }, "127.0.0.1", 0, StreamReader.DEFAULT_LIMIT, 100, false);
            assertFalse(srv.isServing());
            mainTask[0] = Asyncio.createTask(() -> {
                try (srv) {
                    srv.serveForever();
                }
            });
            InetSocketAddress addr = srv.sockets().get(0);
            Thread c = client(addr, got);
            assertThrows(CancelledError.class, mainTask[0]::await);
            Asyncio.toThread(() -> {
                c.join();
                return null;
            });
            checkClosed(srv);
            return null;
        });
        assertEquals('1', got[0]);
    }

    @Test
    @DisplayName("test_start_unix_server_1")
    void startUnixServer1() throws Exception {
        byte[] got = new byte[1];
        String path = dir.resolve("srv.sock").toString();
        Asyncio.run(() -> {
            Task<?>[] mainTask = new Task<?>[1];
            Server srv = Asyncio.startUnixServer((reader, writer) -> {
                reader.readline();
                mainTask[0].cancel();
                writer.write(b("1"));
                writer.close();
                writer.waitClosed();
            }, path);
            assertTrue(srv.isServing());
            assertEquals(List.of(UnixDomainSocketAddress.of(path)), srv.socketAddresses());
            assertEquals(List.of(), srv.sockets());                    // no TCP socket
            mainTask[0] = Asyncio.createTask(() -> {
                try (srv) {
                    srv.serveForever();
                }
            });
            Thread c = client(UnixDomainSocketAddress.of(path), got);
            assertThrows(CancelledError.class, mainTask[0]::await);
            Asyncio.toThread(() -> {
                c.join();
                return null;
            });
            checkClosed(srv);
            return null;
        });
        assertEquals('1', got[0]);
        assertFalse(java.nio.file.Files.exists(Path.of(path)), "closing the server removes its socket file");
    }

    /**
     * A server of protocols: each connection gets its own protocol; waitClosed waits for the
     * connections after close(); closeClients closes them (connectionLost(null) on the server side).
     */
    @Test
    void protocolServerWaitClosedAndCloseClients() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            List<Recorder> accepted = new ArrayList<>();
            Server srv = loop.createServer(() -> {
                Recorder r = new Recorder();
                accepted.add(r);
                return r;
            }, "127.0.0.1", 0);
            Streams a = Asyncio.openConnection("127.0.0.1", port(srv));
            Streams c = Asyncio.openConnection("127.0.0.1", port(srv));
            a.writer().write(b("from a"));
            c.writer().write(b("from c"));
            StreamsTest.until("both connections are made and have data",
                    () -> accepted.size() == 2 && accepted.stream().allMatch(r -> r.data.size() == 6));
            srv.close();
            Task<Void> waiting = Asyncio.createTask(srv::waitClosed);
            Asyncio.sleep(java.time.Duration.ZERO);
            assertFalse(waiting.done(), "waitClosed waits for the connections");
            srv.closeClients();
            waiting.await();
            for (Recorder r : accepted) {
                assertNull(r.lost.await());
                assertEquals(List.of("made", "data", "lost"), r.events);
            }
            assertEquals(0, a.reader().read().length);
            assertEquals(0, c.reader().read().length);
            a.writer().close();
            c.writer().close();
            return null;
        });
    }

    /** abortClients closes at once; each server protocol gets connectionLost(null). */
    @Test
    void protocolServerAbortClients() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            List<Recorder> accepted = new ArrayList<>();
            Server srv = loop.createServer(() -> {
                Recorder r = new Recorder();
                accepted.add(r);
                return r;
            }, "127.0.0.1", 0, 100, true);
            Streams a = Asyncio.openConnection("127.0.0.1", port(srv));
            StreamsTest.until("the connection is made", () -> accepted.size() == 1 && !accepted.get(0).events.isEmpty());
            srv.abortClients();
            assertNull(accepted.get(0).lost.await());
            assertEquals(0, a.reader().read().length);
            srv.close();
            srv.waitClosed();
            a.writer().close();
            return null;
        });
    }
}
