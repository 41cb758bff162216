package dev.pyconc.asyncio;

import static dev.pyconc.asyncio.ProtocolTesting.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.pyconc.asyncio.ProtocolTesting.Recorder;
import dev.pyconc.builtins.ConnectionRefusedError;

/** test_unix_events.py's {@code SelectorEventLoopUnixSocketTests}, and streams over Unix sockets. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)   // a lost callback fails, not hangs, the build
class UnixSocketTest {
    @TempDir
    Path dir;

    /** A socket file left by a listener that is gone is removed before binding, as Python does. */
    @Test
    @DisplayName("test_create_unix_server_existing_path_sock")
    void existingPathSock() throws Exception {
        Path path = dir.resolve("stale.sock");
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(path));
        }
        assertTrue(Files.exists(path));
        Asyncio.run(() -> {
            Server srv = Asyncio.getRunningLoop().createUnixServer(Recorder::new, path.toString());
            assertEquals(List.of(UnixDomainSocketAddress.of(path)), srv.socketAddresses());
            srv.close();
            srv.waitClosed();
            return null;
        });
        assertFalse(Files.exists(path), "the server's socket file is removed when it closes");
    }

    /** A path that is a regular file is not removed: "Address ... is already in use". */
    @Test
    @DisplayName("test_create_unix_server_existing_path_nonsock")
    void existingPathNonsock() throws Exception {
        Path path = dir.resolve("file");
        Files.write(path, b("keep me"));
        Asyncio.run(() -> {
            var e = assertThrows(UncheckedIOException.class,
                    () -> Asyncio.getRunningLoop().createUnixServer(Recorder::new, path.toString()));
            assertTrue(e.getMessage().matches("Address '.*' is already in use"), e.getMessage());
            return null;
        });
        assertEquals("keep me", Files.readString(path));
    }

    @Test
    @DisplayName("test_create_unix_server_nopath_nosock / test_create_unix_connection_nopath_nosock")
    void noPath() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            assertThrows(IllegalArgumentException.class, () -> loop.createUnixServer(Recorder::new, null));
            assertThrows(IllegalArgumentException.class, () -> loop.createUnixConnection(Recorder::new, null));
            var e = assertThrows(IllegalArgumentException.class, () -> loop.createUnixConnection(Recorder::new, ""));
            assertEquals("path must not be empty", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Asyncio.openUnixConnection("\0abstract"));
            return null;
        });
    }

    /** Python raises FileNotFoundError (an OSError): nothing at the path. */
    @Test
    @DisplayName("test_create_unix_connection_pathlike")
    void connectionToNoFile() {
        String path = dir.resolve("absent.sock").toString();
        Asyncio.run(() -> {
            var e = assertThrows(UncheckedIOException.class, () -> Asyncio.getRunningLoop().createUnixConnection(Recorder::new, path));
            assertTrue(String.valueOf(e.getMessage()).contains("No such file or directory"), e + " / " + e.getCause());
            return null;
        });
    }

    /** A socket file with nothing listening: ConnectionRefusedError. */
    @Test
    void connectionRefused() throws Exception {
        Path path = dir.resolve("dead.sock");
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(path));
        }
        Asyncio.run(() -> {
            assertThrows(ConnectionRefusedError.class, () -> Asyncio.openUnixConnection(path.toString()));
            return null;
        });
    }

    /**
     * A protocol server and client over a Unix socket: exact bytes both ways, Python's
     * "peername"/"sockname" strings, EOF. On NIO the peer's EOF closes the connection instead of
     * half-closing it: Netty's NIO Unix channel does not support half-closure (its config is not a
     * SocketChannelConfig, which AbstractNioByteChannel requires for it).
     */
    @Test
    void protocolsOverUnixSocket() {
        String path = dir.resolve("p.sock").toString();
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Recorder[] srvSide = new Recorder[1];
            Server srv = loop.createUnixServer(() -> srvSide[0] = new Recorder() {
                @Override
                public void dataReceived(byte[] d) {
                    super.dataReceived(d);
                    transport.write(d);
                }

                @Override
                public boolean eofReceived() {
                    super.eofReceived();
                    transport.write(b("bye"));
                    return false;                      // closes after the reply
                }
            }, path);
            Recorder cli = new Recorder();
            Transport t = loop.createUnixConnection(() -> cli, path).transport();
            assertEquals(path, t.getExtraInfo("peername"));
            assertEquals("", t.getExtraInfo("sockname"));            // an unbound client socket, as Python's ''
            assertTrue(t.canWriteEof());
            t.write(b("hello unix"));
            StreamsTest.until("the echo", () -> cli.data.size() == 10);
            t.writeEof();
            assertNull(cli.lost.await());
            if (NettyLoops.transport(loop) == dev.pyconc.async.internal.NettyTransport.NIO) {
                // Netty's NIO Unix channel cannot half-close: the peer's EOF closes the connection
                assertEquals("hello unix", cli.text());
                assertEquals(List.of("made", "data", "lost"), srvSide[0].events);
            } else {
                assertEquals("hello unixbye", cli.text());
                assertEquals(List.of("made", "data", "eof", "lost"), cli.events);
                assertEquals(List.of("made", "data", "eof", "lost"), srvSide[0].events);
            }
            assertEquals(path, srvSide[0].transport.getExtraInfo("sockname"));
            assertNull(srvSide[0].lost.await());
            srv.close();
            srv.waitClosed();
            return null;
        });
        assertFalse(Files.exists(Path.of(path)));
    }

    /** open_unix_connection and start_unix_server: lines echoed over a Unix socket. */
    @Test
    void streamsOverUnixSocket() {
        String path = dir.resolve("s.sock").toString();
        String echoed = Asyncio.run(() -> {
            Server srv = Asyncio.startUnixServer((r, w) -> {
                byte[] line;
                while ((line = r.readline()).length > 0) {
                    w.write(line);
                    w.drain();
                }
                w.close();
            }, path);
            Streams c = Asyncio.openUnixConnection(path);
            assertEquals(path, c.writer().getExtraInfo("peername"));
            c.writer().write(b("one\ntwo\n"));
            String all = new String(c.reader().readexactly(8), java.nio.charset.StandardCharsets.ISO_8859_1);
            c.writer().close();
            c.writer().waitClosed();
            srv.close();
            srv.waitClosed();
            return all;
        });
        assertEquals("one\ntwo\n", echoed);
    }

    /** A server whose socket file was replaced by another's leaves the new one in place when it closes (Python 3.13). */
    @Test
    void closeLeavesAReplacedSocketFile() throws Exception {
        Path path = dir.resolve("r.sock");
        Asyncio.run(() -> {
            Server srv = Asyncio.getRunningLoop().createUnixServer(Recorder::new, path.toString());
            Files.delete(path);
            try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                other.bind(UnixDomainSocketAddress.of(path));
                srv.close();
                srv.waitClosed();
                assertTrue(Files.exists(path), "another socket's file is not removed");
            }
            return null;
        });
    }
}
