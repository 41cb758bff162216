package dev.pyconc.asyncio;

import static dev.pyconc.asyncio.ProtocolTesting.b;
import static dev.pyconc.asyncio.StreamsTest.port;
import static dev.pyconc.asyncio.StreamsTest.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pyconc.asyncio.ProtocolTesting.Recorder;
import dev.pyconc.builtins.ConnectionRefusedError;

/**
 * The socket transport with protocols: test_selector_events.py's {@code SelectorSocketTransportTests}
 * (CPython mocks the socket and the selector; here a real connection to a stream server is on the
 * other end) and the transport methods of asyncio's transports documentation.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)   // a lost callback fails, not hangs, the build
class SocketTransportTest {

    /** A stream server that sends {@code reply}, then EOF, and records what it reads until the client's EOF. */
    static Server replyServer(String reply, StringBuilder got) {
        return Asyncio.startServer((r, w) -> {
            w.write(b(reply));
            w.writeEof();
            got.append(new String(r.read(), java.nio.charset.StandardCharsets.ISO_8859_1));
            w.close();
        }, "127.0.0.1", 0);
    }

    /** connectionMade, dataReceived, eofReceived, connectionLost(null): Python's order, and the bytes both ways. */
    @Test
    @DisplayName("test_ctor / test_read_ready / test_read_ready_eof")
    void callbacksInPythonOrder() {
        Asyncio.run(() -> {
            StringBuilder got = new StringBuilder();
            Server server = replyServer("hello", got);
            Recorder p = new Recorder() {
                @Override
                public void connectionMade(Transport t) {
                    super.connectionMade(t);
                    t.write(b("ping"));
                    t.writeEof();
                }
            };
            var tp = Asyncio.getRunningLoop().createConnection(() -> p, "127.0.0.1", port(server));
            assertSame(p, tp.protocol());
            assertSame(tp.transport(), p.transport);
            assertNull(p.lost.await());
            assertEquals(List.of("made", "data", "eof", "lost"), p.events);
            assertEquals("hello", p.text());
            assertTrue(tp.transport().isClosing());
            server.close();
            server.waitClosed();
            assertEquals("ping", got.toString());
            return null;
        });
    }

    /** eofReceived() returning true keeps the transport open for writing (half-closed). */
    @Test
    @DisplayName("test_read_ready_eof_keep_open")
    void eofReceivedTrueKeepsWriting() {
        Asyncio.run(() -> {
            StringBuilder got = new StringBuilder();
            Server server = replyServer("hello", got);
            Recorder p = new Recorder() {
                @Override
                public boolean eofReceived() {
                    super.eofReceived();
                    transport.write(b("after eof"));
                    transport.close();
                    return true;
                }
            };
            p.keepOpenAtEof = true;
            Asyncio.getRunningLoop().createConnection(() -> p, "127.0.0.1", port(server));
            assertNull(p.lost.await());
            server.close();
            server.waitClosed();
            assertEquals("after eof", got.toString());
            assertEquals(List.of("made", "data", "eof", "lost"), p.events);
            return null;
        });
    }

    /** An exception from dataReceived goes to the exception handler; the transport closes and connectionLost gets it. */
    @Test
    @DisplayName("test_data_received_error")
    void dataReceivedError() {
        Asyncio.run(() -> {
            var messages = ProtocolTesting.collectExceptionContexts();
            Server server = replyServer("hello", new StringBuilder());
            RuntimeException boom = new IllegalStateException("boom");
            Recorder p = new Recorder() {
                @Override
                public void dataReceived(byte[] d) {
                    throw boom;
                }
            };
            var tp = Asyncio.getRunningLoop().createConnection(() -> p, "127.0.0.1", port(server));
            assertSame(boom, p.lost.await());
            assertEquals(1, messages.size());
            Map<String, Object> ctx = messages.get(0);
            assertEquals("Fatal error: protocol.data_received() call failed.", ctx.get("message"));
            assertSame(boom, ctx.get("exception"));
            assertSame(tp.transport(), ctx.get("transport"));
            assertSame(p, ctx.get("protocol"));
            assertTrue(tp.transport().isClosing());
            server.close();
            return null;
        });
    }

    /** An exception from eofReceived goes to the exception handler; the transport closes and connectionLost gets it. */
    @Test
    @DisplayName("test_read_eof_received_error")
    void eofReceivedError() {
        Asyncio.run(() -> {
            var messages = ProtocolTesting.collectExceptionContexts();
            Server server = replyServer("hello", new StringBuilder());
            RuntimeException boom = new IllegalArgumentException("eof boom");
            Recorder p = new Recorder() {
                @Override
                public boolean eofReceived() {
                    throw boom;
                }
            };
            Asyncio.getRunningLoop().createConnection(() -> p, "127.0.0.1", port(server));
            assertSame(boom, p.lost.await());
            assertEquals(List.of("made", "data", "lost"), p.events);
            assertEquals(1, messages.size());
            assertEquals("Fatal error: protocol.eof_received() call failed.", messages.get(0).get("message"));
            server.close();
            return null;
        });
    }

    /** While reading is paused no callback comes; resumeReading delivers what arrived, then the end, in order. */
    @Test
    @DisplayName("test_pause_resume_reading")
    void pauseResumeReading() {
        Asyncio.run(() -> {
            Event serverDone = new Event();
            Server server = Asyncio.startServer((r, w) -> {
                w.write(b("abc"));
                w.write(b("def"));
                w.close();
                w.waitClosed();
                serverDone.set();
            }, "127.0.0.1", 0);
            Recorder p = new Recorder() {
                @Override
                public void connectionMade(Transport t) {
                    super.connectionMade(t);
                    assertTrue(t.isReading());
                    t.pauseReading();
                    assertFalse(t.isReading());
                    t.pauseReading();            // idempotent
                }
            };
            var tp = Asyncio.getRunningLoop().createConnection(() -> p, "127.0.0.1", port(server));
            serverDone.await();
            Asyncio.sleep(Duration.ofMillis(50));     // time for the bytes to arrive, if they were read
            assertEquals(List.of("made"), p.events);
            tp.transport().resumeReading();
            assertTrue(tp.transport().isReading());
            assertNull(p.lost.await());
            assertEquals(List.of("made", "data", "eof", "lost"), p.events);
            assertEquals("abcdef", p.text());
            assertFalse(tp.transport().isReading());
            server.close();
            return null;
        });
    }

    /**
     * A write that takes the buffer above the high-water mark calls pauseWriting at once;
     * resumeWriting follows once the peer has read enough for the buffer to drain to the low mark.
     */
    @Test
    @DisplayName("test_write_buffer_limits (pause_writing / resume_writing)")
    void flowControl() {
        Asyncio.run(() -> {
            Event go = new Event();
            long[] read = new long[1];
            int total = 4 << 20;
            Server server = Asyncio.startServer((r, w) -> {
                go.await();
                read[0] = r.readexactly(total).length;
                w.close();
            }, "127.0.0.1", 0);
            Recorder p = new Recorder();
            var tp = Asyncio.getRunningLoop().createConnection(() -> p, "127.0.0.1", port(server));
            Transport t = tp.transport();
            assertEquals(new WriteTransport.Limits(16384, 65536), t.getWriteBufferLimits());
            t.write(new byte[total]);
            assertEquals(List.of("made", "pause"), p.events);
            assertTrue(t.getWriteBufferSize() > 65536, "buffered " + t.getWriteBufferSize());
            go.set();
            until("resumeWriting", () -> p.events.contains("resume"));
            assertEquals(List.of("made", "pause", "resume"), p.events);
            assertTrue(t.getWriteBufferSize() <= 16384, "buffered " + t.getWriteBufferSize());
            until("the server read it all", () -> read[0] == total);
            t.close();
            assertNull(p.lost.await());
            server.close();
            return null;
        });
    }

    /** get/setWriteBufferLimits keep Python's values and checks. */
    @Test
    @DisplayName("test_set_write_buffer_limits")
    void writeBufferLimits() {
        Asyncio.run(() -> {
            // A server that sends nothing until the client is gone: its end of file cannot come first.
            Server server = Asyncio.startServer((r, w) -> {
                r.read();
                w.close();
            }, "127.0.0.1", 0);
            Recorder p = new Recorder();
            Transport t = Asyncio.getRunningLoop().createConnection(() -> p, "127.0.0.1", port(server)).transport();
            t.setWriteBufferLimits(1000);
            assertEquals(new WriteTransport.Limits(250, 1000), t.getWriteBufferLimits());
            t.setWriteBufferLimits(100, 10);
            assertEquals(new WriteTransport.Limits(10, 100), t.getWriteBufferLimits());
            var e = assertThrows(IllegalArgumentException.class, () -> t.setWriteBufferLimits(1, 2));
            assertEquals("high (1) must be >= low (2) >= 0", e.getMessage());
            t.setWriteBufferLimits();
            assertEquals(new WriteTransport.Limits(16384, 65536), t.getWriteBufferLimits());
            assertEquals(0, t.getWriteBufferSize());
            t.write(new byte[200_000]);
            assertEquals(List.of("made", "pause"), p.events);   // above the mark at once, as Python's write
            t.abort();
            assertNull(p.lost.await());
            server.close();
            return null;
        });
    }

    /** write after writeEof is an error; writes after close are dropped; abort drops what was buffered. */
    @Test
    @DisplayName("test_write_eof / test_write_closing / test_abort")
    void writeEofCloseAbort() {
        Asyncio.run(() -> {
            StringBuilder got = new StringBuilder();
            Server server = replyServer("", got);
            Recorder p = new Recorder();
            Transport t = Asyncio.getRunningLoop().createConnection(() -> p, "127.0.0.1", port(server)).transport();
            assertTrue(t.canWriteEof());
            t.write(b("one"));
            t.writeEof();
            var e = assertThrows(IllegalStateException.class, () -> t.write(b("two")));
            assertEquals("Cannot call write() after writeEof()", e.getMessage());
            t.close();
            assertTrue(t.isClosing());
            t.write(b("three"));                      // dropped, as in Python
            t.close();                                // idempotent
            assertNull(p.lost.await());
            server.close();
            server.waitClosed();
            assertEquals("one", got.toString());
            return null;
        });
    }

    /** getExtraInfo: Python's names and values; a default for an unknown name. */
    @Test
    @DisplayName("test_ctor_extra_info")
    void extraInfo() {
        Asyncio.run(() -> {
            Server server = replyServer("", new StringBuilder());
            Recorder p = new Recorder();
            Transport t = Asyncio.getRunningLoop().createConnection(() -> p, "127.0.0.1", port(server)).transport();
            assertEquals(server.sockets().get(0), t.getExtraInfo("peername"));
            InetSocketAddress local = (InetSocketAddress) t.getExtraInfo("sockname");
            assertEquals("127.0.0.1", local.getAddress().getHostAddress());
            assertInstanceOf(io.netty.channel.Channel.class, t.getExtraInfo("socket"));
            assertNull(t.getExtraInfo("no such name"));
            assertEquals(7, t.getExtraInfo("no such name", 7));
            assertThrows(IllegalArgumentException.class, () -> t.getExtraInfo(null));
            t.close();
            p.lost.await();
            server.close();
            return null;
        });
    }

    /** setProtocol switches the protocol the next reads go to; anything but a stream protocol is refused. */
    @Test
    @DisplayName("test_set_protocol / test_get_protocol")
    void setProtocol() {
        Asyncio.run(() -> {
            Event second = new Event();
            Server server = Asyncio.startServer((r, w) -> {
                w.write(b("first"));
                w.drain();
                second.await();
                w.write(b("second"));
                w.close();
            }, "127.0.0.1", 0);
            Recorder other = new Recorder();
            Recorder p = new Recorder() {
                @Override
                public void dataReceived(byte[] d) {
                    super.dataReceived(d);
                    transport.setProtocol(other);
                    second.set();
                }
            };
            Transport t = Asyncio.getRunningLoop().createConnection(() -> p, "127.0.0.1", port(server)).transport();
            assertNull(other.lost.await());
            assertEquals("first", p.text());
            assertEquals("second", other.text());
            assertEquals(List.of("data", "eof", "lost"), other.events);
            assertSame(other, t.getProtocol());
            var e = assertThrows(IllegalArgumentException.class, () -> t.setProtocol(new DatagramProtocol() {}));
            assertTrue(e.getMessage().startsWith("a stream transport's protocol must be a Protocol or a BufferedProtocol, not "),
                    e.getMessage());
            server.close();
            return null;
        });
    }

    /** A factory that makes anything but a Protocol or BufferedProtocol is refused; so is a null factory. */
    @Test
    @DisplayName("test_create_connection_bad_protocol")
    void badFactory() {
        Asyncio.run(() -> {
            Server server = replyServer("", new StringBuilder());
            EventLoop loop = Asyncio.getRunningLoop();
            var e = assertThrows(IllegalArgumentException.class,
                    () -> loop.createConnection(() -> new DatagramProtocol() {}, "127.0.0.1", port(server)));
            assertTrue(e.getMessage().startsWith("protocolFactory must make a Protocol or a BufferedProtocol, not "), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> loop.createConnection(null, "127.0.0.1", port(server)));
            assertThrows(IllegalArgumentException.class, () -> loop.createServer(null, "127.0.0.1", 0));

            // a server's factory is called per connection: the connection is closed and the handler told
            var messages = ProtocolTesting.collectExceptionContexts();
            Server bad = loop.createServer(() -> new DatagramProtocol() {}, "127.0.0.1", 0);
            Streams c = Asyncio.openConnection("127.0.0.1", port(bad));
            assertEquals(0, c.reader().read().length);
            assertEquals(1, messages.size());
            assertEquals("Error on transport creation for incoming connection", messages.get(0).get("message"));
            assertInstanceOf(IllegalArgumentException.class, messages.get(0).get("exception"));
            c.writer().close();
            bad.close();
            server.close();
            return null;
        });
    }

    /** Nothing listening: ConnectionRefusedError; the protocol gets no callback, and the loop keeps nothing of it. */
    @Test
    @DisplayName("test_create_connection_refused")
    void refused() throws Exception {
        int free;
        try (ServerSocket s = new ServerSocket(0)) {
            free = s.getLocalPort();
        }
        Asyncio.run(() -> {
            Recorder[] made = new Recorder[1];
            int owned = Asyncio.getRunningLoop().loopThread.resourceCount();
            assertThrows(ConnectionRefusedError.class,
                    () -> Asyncio.getRunningLoop().createConnection(() -> made[0] = new Recorder(), "127.0.0.1", free));
            Asyncio.sleep(Duration.ZERO);
            assertEquals(List.of(), made[0].events);
            assertEquals(owned, Asyncio.getRunningLoop().loopThread.resourceCount(), "the failed connection is not kept");
            return null;
        });
    }

    /** local_addr: the socket is bound there before it connects. */
    @Test
    @DisplayName("test_create_connection_local_addr")
    void localAddress() throws Exception {
        int free;
        try (ServerSocket s = new ServerSocket(0)) {
            free = s.getLocalPort();
        }
        Asyncio.run(() -> {
            Server server = replyServer("", new StringBuilder());
            Recorder p = new Recorder();
            InetSocketAddress local = new InetSocketAddress("127.0.0.1", free);
            Transport t = Asyncio.getRunningLoop().createConnection(() -> p, "127.0.0.1", port(server), local).transport();
            assertEquals(local, t.getExtraInfo("sockname"));
            t.close();
            p.lost.await();
            server.close();
            return null;
        });
    }

    /** The coroutine methods of a loop must be called from one of its tasks. */
    @Test
    void createConnectionOutsideItsLoop() {
        try (EventLoop other = Asyncio.newEventLoop()) {
            Asyncio.run(() -> {
                var e = assertThrows(IllegalStateException.class,
                        () -> other.createConnection(Recorder::new, "127.0.0.1", 1));
                assertTrue(e.getMessage().startsWith("loop.createConnection() must be called from a task body of "), e.getMessage());
                return null;
            });
        }
    }

    /** An exception from connectionLost goes to the exception handler. */
    @Test
    @DisplayName("test_call_connection_lost_error")
    void connectionLostError() {
        Asyncio.run(() -> {
            var messages = ProtocolTesting.collectExceptionContexts();
            Server server = replyServer("", new StringBuilder());
            Future<Void> called = Asyncio.getRunningLoop().createFuture();
            RuntimeException boom = new IllegalStateException("lost boom");
            Protocol p = new Protocol() {
                @Override
                public void connectionLost(Exception exc) {
                    called.setResult(null);
                    throw boom;
                }
            };
            Asyncio.getRunningLoop().createConnection(() -> p, "127.0.0.1", port(server)).transport().close();
            called.await();
            Asyncio.sleep(Duration.ZERO);
            assertEquals(1, messages.size());
            assertSame(boom, messages.get(0).get("exception"));
            server.close();
            return null;
        });
    }
}
