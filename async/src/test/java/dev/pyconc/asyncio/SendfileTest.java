package dev.pyconc.asyncio;

import static dev.pyconc.asyncio.ProtocolTesting.b;
import static dev.pyconc.asyncio.StreamsTest.port;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;

import dev.pyconc.asyncio.ProtocolTesting.Recorder;
import dev.pyconc.builtins.ConnectionError;

/** loop.sendfile: test_sendfile.py's {@code SendfileMixin}, on a TCP connection and on a Unix socket. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)   // a lost callback fails, not hangs, the build
class SendfileTest {
    /** CPython's DATA: b"SendfileBaseData" * (1024 * 8), 128 KiB. */
    static final byte[] DATA = b("SendfileBaseData".repeat(1024 * 8));

    @TempDir
    Path dir;
    Path file;

    @BeforeEach
    void writeFile() throws Exception {
        file = dir.resolve("data");
        Files.write(file, DATA);
    }

    /** CPython's MySendfileProto on the server side: counts what it receives, may close after some bytes. */
    static final class Sink implements Protocol {
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        long nbytes;
        final long closeAfter;
        final Future<Void> done = Asyncio.getRunningLoop().createFuture();
        Transport transport;
        boolean reading = true;

        Sink(long closeAfter) {
            this.closeAfter = closeAfter;
        }

        @Override
        public void connectionMade(Transport t) {
            transport = t;
            if (!reading) {
                t.pauseReading();
            }
        }

        @Override
        public void dataReceived(byte[] d) {
            nbytes += d.length;
            data.writeBytes(d);
            if (closeAfter > 0 && nbytes >= closeAfter) {
                transport.close();
            }
        }

        @Override
        public void connectionLost(Exception exc) {
            done.setResult(null);
        }
    }

    /** CPython's prepare_sendfile: a server whose one connection is {@code srv}, and a client connected to it. */
    record Pair(Server server, Sink srv, Recorder cli) {
        void cleanup() {
            srv.transport.close();
            cli.transport.close();
            srv.done.await();
            cli.lost.await();
            server.close();
            server.waitClosed();
        }
    }

    static Pair prepare(Sink srv) {
        EventLoop loop = Asyncio.getRunningLoop();
        Server server = loop.createServer(() -> srv, "127.0.0.1", 0);
        Recorder cli = new Recorder();
        loop.createConnection(() -> cli, "127.0.0.1", port(server));
        return new Pair(server, srv, cli);
    }

    FileChannel open() throws Exception {
        return FileChannel.open(file, StandardOpenOption.READ);
    }

    /** What a test does with the file open and a connected pair. */
    interface PairBody {
        void run(FileChannel f, Pair p) throws Exception;
    }

    /**
     * Runs {@code body} in a task with the file open and a connected pair whose server side is a
     * {@link Sink} that closes after {@code closeAfter} bytes (0: never), then cleans the pair up.
     */
    void withPair(long closeAfter, PairBody body) throws Exception {
        try (FileChannel f = open()) {
            Asyncio.run(() -> {
                Pair p = prepare(new Sink(closeAfter));
                body.run(f, p);
                p.cleanup();
                return null;
            });
        }
    }

    /** Makes the client's transport one that cannot hand a file to the kernel, as a TLS one: Python's forced fallback. */
    static void noNativeSendfile(Transport t) {
        ((Channel) t.getExtraInfo("socket")).pipeline().addFirst(Connections.TLS_HANDLER, new ChannelDuplexHandler());
    }

    @Test
    @DisplayName("test_sendfile")
    void sendfile() throws Exception {
        try (FileChannel f = open()) {
            Asyncio.run(() -> {
                Pair p = prepare(new Sink(0));
                long ret = Asyncio.getRunningLoop().sendfile(p.cli.transport, f);
                p.cli.transport.close();
                p.srv.done.await();
                assertEquals(DATA.length, ret);
                assertEquals(DATA.length, p.srv.nbytes);
                assertArrayEquals(DATA, p.srv.data.toByteArray());
                assertEquals(DATA.length, f.position());
                p.cleanup();
                return null;
            });
            assertTrue(f.isOpen(), "sendfile must leave the caller's file open");
        }
    }

    @Test
    @DisplayName("test_sendfile_force_fallback")
    void sendfileForceFallback() throws Exception {
        withPair(0, (f, p) -> {
            noNativeSendfile(p.cli.transport);
            long ret = Asyncio.getRunningLoop().sendfile(p.cli.transport, f);
            assertSame(p.cli, p.cli.transport.getProtocol());      // the fallback's stand-in is gone
            assertTrue(p.cli.transport.isReading());
            p.cli.transport.close();
            p.srv.done.await();
            assertEquals(DATA.length, ret);
            assertArrayEquals(DATA, p.srv.data.toByteArray());
            assertEquals(DATA.length, f.position());
        });
    }

    @Test
    @DisplayName("test_sendfile_force_unsupported_native")
    void sendfileForceUnsupportedNative() throws Exception {
        withPair(0, (f, p) -> {
            noNativeSendfile(p.cli.transport);
            var e = assertThrows(SendfileNotAvailableError.class,
                    () -> Asyncio.getRunningLoop().sendfile(p.cli.transport, f, 0, 0, false));
            assertTrue(e.getMessage().contains("not supported"), e.getMessage());
            p.cli.transport.close();
            p.srv.done.await();
            assertEquals(0, p.srv.nbytes);
            assertEquals(0, f.position());
        });
    }

    @Test
    @DisplayName("test_sendfile_for_closing_transp")
    void sendfileForClosingTransport() throws Exception {
        withPair(0, (f, p) -> {
            p.cli.transport.close();
            var e = assertThrows(IllegalStateException.class, () -> Asyncio.getRunningLoop().sendfile(p.cli.transport, f));
            assertEquals("Transport is closing", e.getMessage());
            p.srv.done.await();
            assertEquals(0, p.srv.nbytes);
            assertEquals(0, f.position());
        });
    }

    @Test
    @DisplayName("test_sendfile_pre_and_post_data")
    void sendfilePreAndPostData() throws Exception {
        withPair(0, (f, p) -> {
            byte[] prefix = b("PREFIX__".repeat(1024));
            byte[] suffix = b("--SUFFIX".repeat(1024));
            p.cli.transport.write(prefix);
            long ret = Asyncio.getRunningLoop().sendfile(p.cli.transport, f);
            p.cli.transport.write(suffix);
            p.cli.transport.close();
            p.srv.done.await();
            assertEquals(DATA.length, ret);
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.writeBytes(prefix);
            expected.writeBytes(DATA);
            expected.writeBytes(suffix);
            assertArrayEquals(expected.toByteArray(), p.srv.data.toByteArray());
            assertEquals(DATA.length, f.position());
        });
    }

    @Test
    @DisplayName("test_sendfile_partial")
    void sendfilePartial() throws Exception {
        withPair(0, (f, p) -> {
            long ret = Asyncio.getRunningLoop().sendfile(p.cli.transport, f, 1000, 100);
            p.cli.transport.close();
            p.srv.done.await();
            assertEquals(100, ret);
            assertEquals(100, p.srv.nbytes);
            assertArrayEquals(Arrays.copyOfRange(DATA, 1000, 1100), p.srv.data.toByteArray());
            assertEquals(1100, f.position());
        });
    }

    /** The fallback sends the same range (Python's test_sendfile_ssl_partial runs the fallback). */
    @Test
    @DisplayName("test_sendfile_ssl_partial (the fallback path)")
    void sendfileFallbackPartial() throws Exception {
        withPair(0, (f, p) -> {
            noNativeSendfile(p.cli.transport);
            long ret = Asyncio.getRunningLoop().sendfile(p.cli.transport, f, 1000, 100);
            p.cli.transport.close();
            p.srv.done.await();
            assertEquals(100, ret);
            assertArrayEquals(Arrays.copyOfRange(DATA, 1000, 1100), p.srv.data.toByteArray());
            assertEquals(1100, f.position());
        });
    }

    @Test
    @DisplayName("test_sendfile_close_peer_after_receiving")
    void sendfileClosePeerAfterReceiving() throws Exception {
        withPair(DATA.length, (f, p) -> {
            long ret = Asyncio.getRunningLoop().sendfile(p.cli.transport, f);
            p.cli.transport.close();
            p.srv.done.await();
            assertEquals(DATA.length, ret);
            assertArrayEquals(DATA, p.srv.data.toByteArray());
            assertEquals(DATA.length, f.position());
        });
    }

    /** A peer that closes after 1 KiB of a file larger than the sockets' buffers: a ConnectionError, the position where it stopped. */
    @Test
    @DisplayName("test_sendfile_close_peer_in_the_middle_of_receiving")
    void sendfileClosePeerInTheMiddle() throws Exception {
        bigFile();
        try (FileChannel f = open()) {
            long size = f.size();
            Asyncio.run(() -> {
                Pair p = prepare(new Sink(1024));
                assertThrows(ConnectionError.class, () -> Asyncio.getRunningLoop().sendfile(p.cli.transport, f));
                p.srv.done.await();
                assertTrue(1024 <= p.srv.nbytes && p.srv.nbytes < size, "received " + p.srv.nbytes);
                assertTrue(1024 <= f.position() && f.position() < size, "position " + f.position());
                assertTrue(p.cli.transport.isClosing());
                p.cli.lost.await();
                p.server.close();
                return null;
            });
        }
    }

    @Test
    @DisplayName("test_sendfile_fallback_close_peer_in_the_middle_of_receiving")
    void sendfileFallbackClosePeerInTheMiddle() throws Exception {
        bigFile();
        try (FileChannel f = open()) {
            long size = f.size();
            Asyncio.run(() -> {
                Pair p = prepare(new Sink(1024));
                noNativeSendfile(p.cli.transport);
                assertThrows(ConnectionError.class, () -> Asyncio.getRunningLoop().sendfile(p.cli.transport, f));
                p.srv.done.await();
                assertTrue(1024 <= p.srv.nbytes && p.srv.nbytes < size, "received " + p.srv.nbytes);
                assertTrue(1024 <= f.position() && f.position() < size, "position " + f.position());
                p.cli.lost.await();
                assertSame(p.cli, p.cli.transport.getProtocol());
                assertEquals("lost", p.cli.events.getLast());                // the original protocol learns of the loss
                p.server.close();
                return null;
            });
        }
    }

    /** While the kernel sends the file, a bare write would interleave: it is refused, as in Python. */
    @Test
    @DisplayName("test_sendfile_prevents_bare_write")
    void sendfilePreventsBareWrite() throws Exception {
        bigFile();
        try (FileChannel f = open()) {
            long size = f.size();
            Asyncio.run(() -> {
                Sink sink = new Sink(0);
                sink.reading = false;                         // the file cannot be sent before the server reads
                Pair p = prepare(sink);
                Future<Void> started = Asyncio.getRunningLoop().createFuture();
                Task<Long> t = Asyncio.createTask(() -> {
                    started.setResult(null);
                    return Asyncio.getRunningLoop().sendfile(p.cli.transport, f);
                });
                started.await();
                Asyncio.sleep(java.time.Duration.ZERO);
                var e = assertThrows(IllegalStateException.class, () -> p.cli.transport.write(b("data")));
                assertEquals("unable to write; sendfile is in progress", e.getMessage());
                sink.transport.resumeReading();
                assertEquals(size, t.await());
                p.cli.transport.write(b("after"));        // allowed again
                p.cli.transport.close();
                p.srv.done.await();
                assertEquals(size + 5, p.srv.nbytes);
                p.cleanup();
                return null;
            });
        }
    }

    @Test
    @DisplayName("test_sock_sendfile_zero_size (through a transport)")
    void sendfileZeroSizeAndBadArguments() throws Exception {
        Files.write(file, new byte[0]);
        withPair(0, (f, p) -> {
            EventLoop loop = Asyncio.getRunningLoop();
            assertEquals(0, loop.sendfile(p.cli.transport, f));
            assertEquals(0, f.position());
            var e = assertThrows(IllegalArgumentException.class, () -> loop.sendfile(p.cli.transport, f, -1, 0));
            assertEquals("offset must be a non-negative integer (got -1)", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> loop.sendfile(p.cli.transport, f, 0, -5));
        });
    }

    /** The kernel path on a Unix socket too. */
    @Test
    void sendfileOverUnixSocket() throws Exception {
        try (FileChannel f = open()) {
            String path = dir.resolve("s.sock").toString();
            Asyncio.run(() -> {
                EventLoop loop = Asyncio.getRunningLoop();
                Sink srv = new Sink(0);
                Server server = loop.createUnixServer(() -> srv, path);
                Recorder cli = new Recorder();
                loop.createUnixConnection(() -> cli, path);
                assertEquals(DATA.length, loop.sendfile(cli.transport, f));
                cli.transport.close();
                srv.done.await();
                assertArrayEquals(DATA, srv.data.toByteArray());
                server.close();
                server.waitClosed();
                return null;
            });
        }
    }

    /** 32 MiB: more than loopback's socket buffers take at once. */
    private void bigFile() throws Exception {
        byte[] big = new byte[32 << 20];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
        }
        Files.write(file, big);
    }
}
