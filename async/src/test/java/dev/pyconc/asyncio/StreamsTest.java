package dev.pyconc.asyncio;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.*;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;

import dev.pyconc.async.internal.NettyTransport;
import dev.pyconc.builtins.ConnectionError;
import dev.pyconc.builtins.ConnectionRefusedError;
import dev.pyconc.builtins.ConnectionResetError;

/**
 * StreamReader, StreamWriter and Server over real loopback sockets. The class runs twice: on the
 * transport the loop picks (epoll here) and, in a second surefire execution, with
 * {@code -Dpyconc.asyncio.transport=nio}.
 */
@org.junit.jupiter.api.Timeout(60)
class StreamsTest extends LoopTesting {
    private long fdsBefore;

    /**
     * The number of this JVM's open descriptors of the kinds streams, loops and pipes make: TCP
     * sockets, pipes, and the eventfd and timerfd that each epoll loop (Netty's, and its idle
     * waiter) has. Epoll descriptors themselves are not counted: the JDK opens its own pollers
     * once, lazily, when a virtual thread first blocks on a socket, as it does jars, /dev/urandom
     * and a netlink socket.
     */
    static long openFiles() {
        java.util.Set<String> tcp = new java.util.HashSet<>();
        for (String t : new String[] {"/proc/self/net/tcp", "/proc/self/net/tcp6"}) {
            try {
                for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(t))) {
                    String[] cols = line.trim().split("\\s+");
                    if (cols.length > 9) {
                        tcp.add("socket:[" + cols[9] + "]");
                    }
                }
            } catch (java.io.IOException e) {
                // no IPv6: nothing to count there
            }
        }
        try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return fds.filter(f -> {
                try {
                    String target = java.nio.file.Files.readSymbolicLink(f).toString();
                    return tcp.contains(target) || target.startsWith("pipe:") || target.equals("anon_inode:[eventfd]")
                            || target.equals("anon_inode:[timerfd]");
                } catch (java.io.IOException closedMeanwhile) {
                    return false;
                }
            }).count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Waits (at most 10 s) until no more than {@code n} files are open, and fails if more stay open. */
    static void awaitOpenFilesAtMost(long n) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (openFiles() > n && System.nanoTime() < deadline) {
            java.lang.Thread.sleep(5);
        }
        assertTrue(openFiles() <= n, () -> "open files: " + openFiles() + " after the test, " + n + " before it: " + describeOpenFiles());
    }

    static String describeOpenFiles() {
        StringBuilder sb = new StringBuilder();
        try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            fds.forEach(f -> {
                try {
                    String target = java.nio.file.Files.readSymbolicLink(f).toString();
                    sb.append(f.getFileName()).append("->").append(target).append(' ');
                    if (target.startsWith("socket:[")) {
                        String inode = target.substring(8, target.length() - 1);
                        for (String t : new String[] {"/proc/self/net/tcp", "/proc/self/net/tcp6"}) {
                            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(t))) {
                                String[] cols = line.trim().split("\\s+");
                                if (cols.length > 9 && cols[9].equals(inode)) {
                                    sb.append('(').append(t).append(' ').append(cols[1]).append(' ').append(cols[2])
                                            .append(" st ").append(cols[3]).append(") ");
                                }
                            }
                        }
                    }
                } catch (java.io.IOException e) {
                    sb.append(f.getFileName()).append("->? ");
                }
            });
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return sb.toString();
    }

    @org.junit.jupiter.api.BeforeEach
    void countOpenFiles() {
        fdsBefore = openFiles();
    }

    /** After each test: every socket, epoll and event descriptor of its loops is closed. */
    @org.junit.jupiter.api.AfterEach
    void noSocketLeft() throws InterruptedException {
        awaitOpenFilesAtMost(fdsBefore);
    }

    static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    static String s(byte[] b) {
        return new String(b, UTF_8);
    }

    /** An echo server that echoes line by line until the client closes. */
    static Server echoServer() {
        return Asyncio.startServer((r, w) -> {
            for (byte[] line : r) {
                w.write(line);
                w.drain();
            }
            w.close();
        }, "127.0.0.1", 0);
    }

    static int port(Server s) {
        return s.sockets().get(0).getPort();
    }

    /** Polls (in a task) until {@code cond} holds; fails after 20 s. Only conditions, never elapsed time, are asserted. */
    static void until(String what, BooleanSupplier cond) {
        for (int i = 0; !cond.getAsBoolean(); i++) {
            if (i > 20_000) {
                fail("timed out waiting until " + what);
            }
            Asyncio.sleep(Duration.ofMillis(1));
        }
    }

    static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    /** Lines go to an echo server and come back in order; the loop runs on the transport the property chose. */
    @Test
    void echoLines() {
        List<String> got = Asyncio.run(() -> {
            String expected = System.getProperty(NettyTransport.PROPERTY, "auto").equals("nio") ? "NIO" : "EPOLL";
            assertEquals(expected, NettyLoops.transport(Asyncio.getRunningLoop()).name());
            boolean platform = "platform".equals(System.getProperty(EventLoop.LOOP_THREAD_PROPERTY));
            assertEquals(!platform, Asyncio.getRunningLoop().hasVirtualThread(), "the loop thread is virtual on both transports, unless asked otherwise");
            Server server = echoServer();
            Streams c = Asyncio.openConnection("127.0.0.1", port(server));
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                c.writer().write(b("line " + i + "\n"));
                c.writer().drain();
                lines.add(s(c.reader().readline()));
            }
            c.writer().close();
            c.writer().waitClosed();
            assertTrue(c.writer().isClosing());
            server.close();
            server.waitClosed();
            return lines;
        });
        assertEquals(100, got.size());
        for (int i = 0; i < 100; i++) {
            assertEquals("line " + i + "\n", got.get(i));
        }
    }

    /** In debug mode (which checks every non-thread-safe call for the calling thread), servers, clients and pipes work as well. */
    @Test
    void debugMode() {
        String out = Asyncio.run(() -> {
            List<java.util.Map<String, Object>> errors = errorsOf(Asyncio.getRunningLoop());
            Server server = echoServer();
            Streams c = Asyncio.openConnection("127.0.0.1", port(server));
            c.writer().write(b("dbg\n"));
            String line = s(c.reader().readline());
            c.writer().close();
            c.writer().waitClosed();
            server.close();
            server.waitClosed();
            Process p = Subprocess.exec("echo", "pipe").stdout(Subprocess.PIPE).start();
            line += s(p.communicate().stdout());
            assertEquals(List.of(), errors);
            return line;
        }, true);
        assertEquals("dbg\npipe\n", out);
    }

    /** read(n), readline, readexactly, read(-1) and atEof over a socket, with IncompleteReadError holding the partial bytes at EOF. */
    @Test
    void readVariantsOverSocket() {
        Asyncio.run(() -> {
            Server server = Asyncio.startServer((r, w) -> {
                w.write(b("abc\ndef\n"));
                w.write(b("0123456789"));
                w.drain();
                w.close();
            }, "127.0.0.1", 0);
            Streams c = Asyncio.openConnection("127.0.0.1", port(server));
            StreamReader r = c.reader();
            assertEquals("abc\n", s(r.readline()));
            byte[] two = r.read(2);
            assertTrue(two.length >= 1 && two.length <= 2 && "de".startsWith(s(two)), s(two));
            r.readexactly(2 - two.length);
            assertEquals("f\n", s(r.readexactly(2)));
            assertEquals(0, r.read(0).length);
            IncompleteReadError e = assertThrows(IncompleteReadError.class, () -> r.readexactly(20));
            assertEquals("0123456789", s(e.partial()));
            assertEquals(20, e.expected().getAsInt());
            assertTrue(r.atEof());
            assertEquals(0, r.read(-1).length);
            assertEquals(0, r.read(5).length);
            assertEquals(0, r.readline().length);
            c.writer().close();
            server.close();
            server.waitClosed();
            return null;
        });
    }

    /** A reader fed by hand: readuntil finds a separator split across chunks, read(-1) collects to EOF, readline returns a partial last line. */
    @Test
    void readuntilAcrossChunks() {
        Asyncio.run(() -> {
            StreamReader r = new StreamReader();
            Task<byte[]> until = Asyncio.createTask(() -> r.readuntil(b("||")));
            Asyncio.sleep(Duration.ZERO);
            r.feedData(b("ab"));
            r.feedData(b("c|"));
            Asyncio.sleep(Duration.ZERO);
            assertFalse(until.done());
            r.feedData(b("|de"));
            assertEquals("abc||", s(until.await()));
            Task<byte[]> rest = Asyncio.createTask(() -> r.read(-1));
            Asyncio.sleep(Duration.ZERO);
            r.feedData(b("f\ng"));
            Asyncio.sleep(Duration.ZERO);
            assertFalse(rest.done());
            r.feedEof();
            assertEquals("def\ng", s(rest.await()));
            assertTrue(r.atEof());
            StreamReader r2 = new StreamReader();
            r2.feedData(b("one\ntwo"));
            r2.feedEof();
            List<String> lines = new ArrayList<>();
            for (byte[] l : r2) {
                lines.add(s(l));
            }
            assertEquals(List.of("one\n", "two"), lines);
            IncompleteReadError e = assertThrows(IncompleteReadError.class, () -> new StreamReader() {{ feedData(b("xy")); feedEof(); }}.readuntil(b("z")));
            assertEquals("xy", s(e.partial()));
            assertTrue(e.expected().isEmpty());
            assertThrows(IllegalStateException.class, () -> r2.feedData(b("late")));
            return null;
        });
    }

    /** LimitOverrunError leaves the buffer intact (both of Python's cases); readline drops the oversized line and raises IllegalArgumentException. */
    @Test
    void limitOverrun() {
        Asyncio.run(() -> {
            StreamReader r = new StreamReader(8);
            assertEquals(8, r.limit());
            r.feedData(b("0123456789abcdefghij"));
            LimitOverrunError e = assertThrows(LimitOverrunError.class, () -> r.readuntil(b("\n")));
            assertEquals(20, e.consumed());
            assertEquals("01234567", s(r.readexactly(8)));
            StreamReader r2 = new StreamReader(8);
            r2.feedData(b("0123456789\nok\n"));
            LimitOverrunError e2 = assertThrows(LimitOverrunError.class, () -> r2.readuntil(b("\n")));
            assertEquals(10, e2.consumed());
            assertEquals("0123456789\n", s(r2.readexactly(11)));
            assertEquals("ok\n", s(r2.readline()));
            StreamReader r3 = new StreamReader(8);
            r3.feedData(b("0123456789\nok\n"));
            assertThrows(IllegalArgumentException.class, r3::readline);
            assertEquals("ok\n", s(r3.readline()));
            return null;
        });
    }

    /** 8 MiB of random bytes go to an echo server and back while both sides write and read at once; the SHA-256 sums match. */
    @Test
    void largeTransferChecksummedBothWays() throws Exception {
        byte[] data = new byte[8 << 20];
        new Random(42).nextBytes(data);
        byte[] back = Asyncio.run(() -> {
            Server server = Asyncio.startServer((r, w) -> {
                for (;;) {
                    byte[] chunk = r.read(100_000);
                    if (chunk.length == 0) {
                        break;
                    }
                    w.write(chunk);
                    w.drain();
                }
                w.close();
            }, "127.0.0.1", 0);
            Streams c = Asyncio.openConnection("127.0.0.1", port(server));
            Task<Void> sender = Asyncio.createTask(() -> {
                for (int off = 0; off < data.length; off += 50_000) {
                    c.writer().write(data, off, Math.min(50_000, data.length - off));
                    c.writer().drain();
                }
                c.writer().writeEof();
            });
            byte[] all = c.reader().read(-1);
            sender.await();
            c.writer().close();
            server.close();
            server.waitClosed();
            return all;
        });
        assertEquals(data.length, back.length);
        assertArrayEquals(sha256(data), sha256(back));
    }

    /**
     * A writer to a peer that does not read blocks in drain(); the peer's reader pauses its socket
     * once it holds more than twice its limit; when the peer reads, drain returns and every byte arrives.
     */
    @Test
    void backPressure() {
        int total = 32 << 20, chunk = 64 << 10;
        long[] received = new long[1];
        Asyncio.run(() -> {
            Event go = new Event();
            StreamReader[] serverReader = new StreamReader[1];
            Server server = Asyncio.startServer((r, w) -> {
                serverReader[0] = r;
                go.await();
                for (;;) {
                    byte[] b = r.read(1 << 20);
                    if (b.length == 0) {
                        break;
                    }
                    received[0] += b.length;
                }
                w.close();
            }, "127.0.0.1", 0);
            Streams c = Asyncio.openConnection("127.0.0.1", port(server));
            boolean[] inDrain = new boolean[1];
            Task<Void> writer = Asyncio.createTask(() -> {
                byte[] buf = new byte[chunk];
                for (int sent = 0; sent < total; sent += chunk) {
                    c.writer().write(buf);
                    inDrain[0] = true;
                    c.writer().drain();
                    inDrain[0] = false;
                }
                c.writer().writeEof();
            });
            until("the writer blocks in drain and the server's reader has paused its socket",
                    () -> inDrain[0] && serverReader[0] != null && serverReader[0].paused()
                            && c.writer().getWriteBufferSize() > 16 << 10);
            assertFalse(writer.done(), "32 MiB cannot fit in the socket buffers: the writer must wait for the reader");
            int limit = StreamReader.DEFAULT_LIMIT;
            assertTrue(serverReader[0].buffered() > 2 * limit, "paused only above twice the limit");
            assertTrue(serverReader[0].buffered() <= 2 * limit + (2 << 20), "stops reading soon after: " + serverReader[0].buffered());
            go.set();
            writer.await();
            c.reader().read(-1);
            c.writer().close();
            server.close();
            server.waitClosed();
            return null;
        });
        assertEquals(total, received[0]);
    }

    /** Connecting to a port where nothing listens raises ConnectionRefusedError. */
    @Test
    void connectionRefused() throws Exception {
        int port;
        try (ServerSocket ss = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = ss.getLocalPort();
        }
        Asyncio.run(() -> {
            ConnectionRefusedError e = assertThrows(ConnectionRefusedError.class, () -> Asyncio.openConnection("127.0.0.1", port));
            assertInstanceOf(ConnectionError.class, e);
            return null;
        });
    }

    /** A peer that closes in the middle of readexactly gives IncompleteReadError with the bytes that came; one that resets gives ConnectionResetError. */
    @Test
    void peerCloseAndResetDuringRead() {
        Asyncio.run(() -> {
            List<Object> outcomes = new ArrayList<>();
            Queue<Object> done = new Queue<>();
            Server server = Asyncio.startServer((r, w) -> {
                try {
                    r.readexactly(100);
                    done.put("read everything?");
                } catch (IncompleteReadError e) {
                    done.put("incomplete:" + s(e.partial()));
                } catch (ConnectionResetError e) {
                    done.put("reset");
                }
                w.close();
            }, "127.0.0.1", 0);
            int port = port(server);
            Asyncio.toThread(() -> {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.getOutputStream().write(b("hello"));
                }
                return null;
            });
            outcomes.add(done.get());
            Asyncio.toThread(() -> {
                Socket s = new Socket("127.0.0.1", port);
                s.getOutputStream().write(b("xy"));
                s.setSoLinger(true, 0);
                s.close();              // RST
                return null;
            });
            outcomes.add(done.get());
            server.close();
            server.waitClosed();
            assertEquals("incomplete:hello", outcomes.get(0));
            assertEquals("reset", outcomes.get(1));
            return null;
        });
    }

    /** A writer blocked in drain() to a peer that then resets the connection gets a ConnectionError; so does waitClosed(). */
    @Test
    void peerResetDuringDrain() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Asyncio.run(() -> {
                Streams c = Asyncio.openConnection("127.0.0.1", ss.getLocalPort());
                Socket peer = Asyncio.toThread(ss::accept);
                boolean[] inDrain = new boolean[1];
                Task<String> writer = Asyncio.createTask(() -> {
                    byte[] buf = new byte[64 << 10];
                    try {
                        for (int i = 0; i < 4096; i++) {
                            c.writer().write(buf);
                            inDrain[0] = true;
                            c.writer().drain();
                        }
                        return "all written?";
                    } catch (ConnectionError e) {
                        return "lost";
                    }
                });
                until("the writer blocks in drain", () -> inDrain[0] && c.writer().getWriteBufferSize() > 16 << 10);
                assertFalse(writer.done());
                Asyncio.toThread(() -> {
                    peer.setSoLinger(true, 0);
                    peer.close();
                    return null;
                });
                assertEquals("lost", writer.await());
                assertThrows(ConnectionError.class, c.writer()::waitClosed);
                assertTrue(c.writer().isClosing());
                assertThrows(ConnectionError.class, c.writer()::drain);
                c.writer().write(b("dropped"));         // a write after the loss is dropped, as in Python
                return null;
            });
        }
    }

    /** Cancelling a task suspended in read leaves the buffer unconsumed; one suspended in drain leaves its data queued, and it still arrives. */
    @Test
    void cancellationInReadAndDrain() {
        Asyncio.run(() -> {
            StreamReader r = new StreamReader();
            Task<byte[]> reading = Asyncio.createTask(() -> r.readexactly(4));
            Asyncio.sleep(Duration.ZERO);
            r.feedData(b("ab"));
            Asyncio.sleep(Duration.ZERO);
            reading.cancel();
            assertThrows(CancelledError.class, reading::await);
            r.feedData(b("cd"));
            assertEquals("abcd", s(r.readexactly(4)));

            Event go = new Event();
            long[] got = new long[1];
            Server server = Asyncio.startServer((sr, sw) -> {
                go.await();
                got[0] = sr.read(-1).length;
                sw.close();
            }, "127.0.0.1", 0);
            Streams c = Asyncio.openConnection("127.0.0.1", port(server));
            int total = 32 << 20;
            Task<Void> writer = Asyncio.createTask(() -> {
                c.writer().write(new byte[total]);
                c.writer().drain();
            });
            until("the writer blocks in drain", () -> c.writer().getWriteBufferSize() > 64 << 10);
            Asyncio.sleep(Duration.ZERO);
            assertFalse(writer.done());
            writer.cancel();
            assertThrows(CancelledError.class, writer::await);
            c.writer().writeEof();
            go.set();
            c.reader().read(-1);
            c.writer().close();
            server.close();
            server.waitClosed();
            assertEquals(total, got[0]);
            return null;
        });
    }

    /** Two tasks may not wait on one reader at once: the second gets IllegalStateException (Python's RuntimeError). */
    @Test
    void oneWaiterAtATime() {
        Asyncio.run(() -> {
            StreamReader r = new StreamReader();
            Task<byte[]> first = Asyncio.createTask(() -> r.readline());
            Asyncio.sleep(Duration.ZERO);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.read(1));
            assertTrue(e.getMessage().contains("already waiting"), e.getMessage());
            r.feedData(b("x\n"));
            assertEquals("x\n", s(first.await()));
            r.setException(new ConnectionResetError("boom"));
            assertEquals("boom", assertThrows(ConnectionResetError.class, () -> r.read(1)).getMessage());
            return null;
        });
    }

    /** 50 clients at once, 100 lines each, against one startServer: every line comes back to its sender, and every connection is counted. */
    @Test
    void manyConcurrentClients() {
        int clients = 50, lines = 100;
        long total = Asyncio.run(() -> {
            int[] connections = new int[1];
            Server server = Asyncio.startServer((r, w) -> {
                connections[0]++;
                for (byte[] line : r) {
                    w.write(line);
                    w.drain();
                }
                w.close();
            }, "127.0.0.1", 0);
            List<Task<Long>> ts = new ArrayList<>();
            for (int k = 0; k < clients; k++) {
                int id = k;
                ts.add(Asyncio.createTask(() -> {
                    Streams c = Asyncio.openConnection("127.0.0.1", port(server));
                    long n = 0;
                    for (int i = 0; i < lines; i++) {
                        String m = id + ":" + i + "\n";
                        c.writer().write(b(m));
                        c.writer().drain();
                        assertEquals(m, s(c.reader().readline()));
                        n++;
                    }
                    c.writer().close();
                    c.writer().waitClosed();
                    return n;
                }));
            }
            long sum = 0;
            for (long n : Asyncio.gather(ts).await()) {
                sum += n;
            }
            server.close();
            server.waitClosed();
            assertEquals(clients, connections[0]);
            return sum;
        });
        assertEquals((long) clients * lines, total);
    }

    /** Server: sockets, isServing, startServing=false, close (no new connections), waitClosed waiting for an open connection, closeClients, AutoCloseable. */
    @Test
    void serverLifecycle() {
        Asyncio.run(() -> {
            Server s = Asyncio.startServer((r, w) -> {
                r.read(-1);
                w.close();
            }, "127.0.0.1", 0, 1024, 10, false);
            assertFalse(s.isServing());
            assertEquals(1, s.sockets().size());
            int port = port(s);
            assertTrue(port > 0);
            assertEquals(Asyncio.getRunningLoop(), s.getLoop());
            s.startServing();
            assertTrue(s.isServing());
            Streams c = Asyncio.openConnection("127.0.0.1", port);
            c.writer().write(b("x"));
            c.writer().drain();
            s.close();
            assertFalse(s.isServing());
            assertEquals(List.of(), s.sockets());
            Task<Void> waiting = Asyncio.createTask(s::waitClosed);
            for (int i = 0; i < 10; i++) {
                Asyncio.sleep(Duration.ZERO);
            }
            assertFalse(waiting.done(), "waitClosed waits for the open connection (Python 3.12)");
            assertThrows(ConnectionRefusedError.class, () -> Asyncio.openConnection("127.0.0.1", port));
            c.writer().close();
            waiting.await();
            s.waitClosed();
            assertThrows(IllegalStateException.class, s::serveForever);

            Server s2 = Asyncio.startServer((r, w) -> r.read(-1), "127.0.0.1", 0);
            Streams c2 = Asyncio.openConnection("127.0.0.1", port(s2));
            until("the server accepted", () -> s2.toString().contains("1 connections"));
            s2.close();
            s2.closeClients();
            s2.waitClosed();
            assertEquals(0, c2.reader().read(-1).length);
            Server s3;
            try (Server auto = Asyncio.startServer((r, w) -> w.close(), "127.0.0.1", 0)) {
                s3 = auto;
                assertTrue(auto.isServing());
            }
            assertFalse(s3.isServing());
            s3.waitClosed();
            return null;
        });
    }

    /** A task cancelled in serveForever raises CancelledError after the server was closed and its connections ended; close() from elsewhere ends serveForever too. */
    @Test
    void serveForeverCancelled() {
        Asyncio.run(() -> {
            Server s = echoServer();
            Task<Void> serving = Asyncio.createTask(s::serveForever);
            Asyncio.sleep(Duration.ZERO);
            assertThrows(IllegalStateException.class, s::serveForever);
            Streams c = Asyncio.openConnection("127.0.0.1", port(s));
            c.writer().write(b("ping\n"));
            assertEquals("ping\n", s(c.reader().readline()));
            serving.cancel();
            Asyncio.sleep(Duration.ZERO);
            assertFalse(s.isServing());
            assertFalse(serving.done(), "still waiting for the connection to close");
            c.writer().close();
            assertThrows(CancelledError.class, serving::await);
            assertTrue(serving.cancelled());

            Server s2 = echoServer();
            Task<Void> serving2 = Asyncio.createTask(s2::serveForever);
            Asyncio.sleep(Duration.ZERO);
            s2.close();
            assertThrows(CancelledError.class, serving2::await);
            return null;
        });
    }

    /** A handler that fails closes its connection and reports to the loop's exception handler, as Python 3.12's client_connected_cb. */
    @Test
    void failingHandlerClosesItsConnection() {
        Asyncio.run(() -> {
            List<java.util.Map<String, Object>> errors = errorsOf(Asyncio.getRunningLoop());
            Server server = Asyncio.startServer((r, w) -> {
                r.readline();
                throw new IllegalStateException("handler failed");
            }, "127.0.0.1", 0);
            Streams c = Asyncio.openConnection("127.0.0.1", port(server));
            c.writer().write(b("hi\n"));
            assertEquals(0, c.reader().read(-1).length, "the server closed the connection");
            until("the failure is reported", () -> !errors.isEmpty());
            assertEquals("Unhandled exception in client_connected_cb", errors.get(0).get("message"));
            assertEquals("handler failed", ((Throwable) errors.get(0).get("exception")).getMessage());
            server.close();
            server.waitClosed();
            return null;
        });
    }

    /** getExtraInfo gives peername, sockname and the channel; writeEof half-closes: the peer reads EOF and can still answer. */
    @Test
    void extraInfoAndWriteEof() {
        Asyncio.run(() -> {
            Server server = Asyncio.startServer((r, w) -> {
                byte[] all = r.read(-1);
                w.write(b("got " + s(all)));
                w.close();
            }, "127.0.0.1", 0);
            Streams c = Asyncio.openConnection("127.0.0.1", port(server));
            InetSocketAddress peer = (InetSocketAddress) c.writer().getExtraInfo("peername");
            InetSocketAddress local = (InetSocketAddress) c.writer().getExtraInfo("sockname");
            assertEquals(port(server), peer.getPort());
            assertEquals("127.0.0.1", local.getAddress().getHostAddress());
            assertInstanceOf(io.netty.channel.Channel.class, c.writer().getExtraInfo("socket"));
            assertNull(c.writer().getExtraInfo("nope"));
            assertEquals("d", c.writer().getExtraInfo("nope", "d"));
            assertTrue(c.writer().canWriteEof());
            c.writer().writelines(List.of(b("a"), b("b"), b("c")));
            c.writer().writeEof();
            assertThrows(IllegalStateException.class, () -> c.writer().write(b("late")));
            assertEquals("got abc", s(c.reader().read(-1)));
            c.writer().close();
            c.writer().waitClosed();
            server.close();
            server.waitClosed();
            return null;
        });
    }

    /** A host name is resolved and each address tried in turn; a port in use fails startServer with a clear UncheckedIOException. */
    @Test
    void hostNamesAndPortInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Asyncio.run(() -> {
                Server server = echoServer();
                Streams c = Asyncio.openConnection("localhost", port(server));
                c.writer().write(b("via name\n"));
                assertEquals("via name\n", s(c.reader().readline()));
                c.writer().close();
                java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class,
                        () -> Asyncio.startServer((r, w) -> { }, "127.0.0.1", taken.getLocalPort()));
                assertTrue(e.getMessage().contains("bind"), e.getMessage());
                server.close();
                server.waitClosed();
                return null;
            });
        }
    }

    /** Bad arguments get IllegalArgumentException; streams outside a task get IllegalStateException. */
    @Test
    void badInput() {
        assertThrows(IllegalStateException.class, () -> Asyncio.openConnection("127.0.0.1", 1));
        Asyncio.run(() -> {
            assertThrows(IllegalArgumentException.class, () -> Asyncio.openConnection(null, 80));
            assertThrows(IllegalArgumentException.class, () -> Asyncio.openConnection("127.0.0.1", -1));
            assertThrows(IllegalArgumentException.class, () -> Asyncio.openConnection("127.0.0.1", 65536));
            assertThrows(IllegalArgumentException.class, () -> Asyncio.openConnection("127.0.0.1", 80, 0));
            assertThrows(IllegalArgumentException.class, () -> Asyncio.startServer(null, "127.0.0.1", 0));
            assertThrows(IllegalArgumentException.class, () -> Asyncio.startServer((r, w) -> { }, null, 0));
            assertThrows(IllegalArgumentException.class, () -> new StreamReader(0));
            StreamReader r = new StreamReader();
            assertThrows(IllegalArgumentException.class, () -> r.readexactly(-1));
            assertThrows(IllegalArgumentException.class, () -> r.read(-2));
            assertThrows(IllegalArgumentException.class, () -> r.readuntil(new byte[0]));
            assertThrows(IllegalArgumentException.class, () -> r.readuntil((byte[]) null));
            assertThrows(IllegalArgumentException.class, () -> r.feedData(null));
            assertThrows(IllegalArgumentException.class, () -> r.setException(null));
            Server server = echoServer();
            Streams c = Asyncio.openConnection("127.0.0.1", port(server));
            assertThrows(IllegalArgumentException.class, () -> c.writer().write(null));
            assertThrows(IllegalArgumentException.class, () -> c.writer().write(new byte[4], 2, 3));
            assertThrows(IllegalArgumentException.class, () -> c.writer().setWriteBufferLimits(1, 2));
            assertThrows(IllegalArgumentException.class, () -> c.writer().getExtraInfo(null));
            c.writer().setWriteBufferLimits(1 << 20);
            c.writer().close();
            server.close();
            server.waitClosed();
            return null;
        });
    }

    /** Closing a loop closes its servers and connections: a plain client sees EOF, and no loop thread is left. */
    @Test
    void loopCloseClosesTransports() throws Exception {
        EventLoop loop = loop();
        Event[] accepted = new Event[1];
        int port = loop.runUntilComplete(() -> {
            accepted[0] = new Event();
            return port(Asyncio.startServer((r, w) -> {
                r.readexactly(1);
                accepted[0].set();
                r.read(-1);
            }, "127.0.0.1", 0));
        });
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write(b("x"));
            loop.runUntilComplete(() -> accepted[0].await());
            loop.close();
            s.setSoTimeout(20_000);
            InputStream in = s.getInputStream();
            assertEquals(-1, in.read());
        }
        try (Socket probe = new Socket()) {
            assertThrows(java.net.ConnectException.class, () -> probe.connect(new InetSocketAddress("127.0.0.1", port), 5_000));
        }
    }
}
