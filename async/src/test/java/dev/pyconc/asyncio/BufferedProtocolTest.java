package dev.pyconc.asyncio;

import static dev.pyconc.asyncio.ProtocolTesting.b;
import static dev.pyconc.asyncio.StreamsTest.port;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** test_buffered_proto.py, and the buffer contract of BufferedProtocol. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)   // a lost callback fails, not hangs, the build
class BufferedProtocolTest {

    /** CPython's ReceiveStuffProto: a fresh 100-byte buffer per getBuffer, its filled part handed to a callback. */
    static final class ReceiveStuffProto implements BufferedProtocol {
        final java.util.function.Consumer<byte[]> cb;
        final Future<Void> conLost;
        final List<Integer> hints = new ArrayList<>();
        ByteBuffer buffer;
        Transport transport;

        ReceiveStuffProto(java.util.function.Consumer<byte[]> cb, Future<Void> conLost) {
            this.cb = cb;
            this.conLost = conLost;
        }

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public ByteBuffer getBuffer(int sizeHint) {
            hints.add(sizeHint);
            buffer = ByteBuffer.allocate(100);
            return buffer;
        }

        @Override
        public void bufferUpdated(int nbytes) {
            byte[] got = new byte[nbytes];
            buffer.flip().get(got);
            cb.accept(got);
        }

        @Override
        public void connectionLost(Exception exc) {
            if (exc == null) {
                conLost.setResult(null);
            } else {
                conLost.setException(exc);
            }
        }
    }

    @Test
    @DisplayName("test_buffered_proto_create_connection")
    void bufferedProtoCreateConnection() {
        byte[] noise = b("12345678+".repeat(1024));
        Asyncio.run(() -> {
            Server srv = Asyncio.startServer((reader, writer) -> {
                writer.write(noise);
                reader.readexactly(1);
                writer.close();
                writer.waitClosed();
            }, "127.0.0.1", 0);
            EventLoop loop = Asyncio.getRunningLoop();
            Asyncio.waitFor(Asyncio.createTask(() -> {
                ByteArrayOutputStream data = new ByteArrayOutputStream();
                Future<Void> conLost = loop.createFuture();
                ReceiveStuffProto[] pr = new ReceiveStuffProto[1];
                var tp = loop.createConnection(() -> pr[0] = new ReceiveStuffProto(buf -> {
                    data.writeBytes(buf);
                    if (data.size() == noise.length) {
                        pr[0].transport.write(b("1"));
                    }
                }, conLost), "127.0.0.1", port(srv));
                conLost.await();
                assertArrayEquals(noise, data.toByteArray());
                assertSame(pr[0], tp.protocol());
                // each read of more than 100 bytes was split over several buffers; the hint is what is left
                assertTrue(pr[0].hints.size() >= noise.length / 100, "getBuffer calls: " + pr[0].hints.size());
                assertTrue(pr[0].hints.stream().allMatch(h -> h > 0), "hints " + pr[0].hints);
                return null;
            }), Duration.ofSeconds(5));
            srv.close();
            srv.waitClosed();
            return null;
        });
    }

    /** A buffer with no room is an error (Python: "get_buffer() returned an empty buffer"): fatal, as a raising callback. */
    @Test
    void emptyBufferIsFatal() {
        Asyncio.run(() -> {
            var messages = ProtocolTesting.collectExceptionContexts();
            Server srv = Asyncio.startServer((r, w) -> {
                w.write(b("x"));
                r.read();
                w.close();
            }, "127.0.0.1", 0);
            Future<Exception> lost = Asyncio.getRunningLoop().createFuture();
            Asyncio.getRunningLoop().createConnection(() -> new BufferedProtocol() {
                @Override
                public ByteBuffer getBuffer(int sizeHint) {
                    return ByteBuffer.allocate(0);
                }

                @Override
                public void bufferUpdated(int nbytes) {
                }

                @Override
                public void connectionLost(Exception exc) {
                    lost.setResult(exc);
                }
            }, "127.0.0.1", port(srv));
            Exception e = lost.await();
            assertEquals("getBuffer() returned an empty buffer", e.getMessage());
            assertEquals(1, messages.size());
            assertEquals("Fatal error: protocol.buffer_updated() call failed.", messages.get(0).get("message"));
            srv.close();
            return null;
        });
    }

    /** The bytes go in at the buffer's position, no further than its limit. */
    @Test
    void writesFromThePositionUpToTheLimit() {
        Asyncio.run(() -> {
            Server srv = Asyncio.startServer((r, w) -> {
                w.write(b("abcdefgh"));
                w.close();
            }, "127.0.0.1", 0);
            ByteBuffer big = ByteBuffer.allocate(64);
            List<Integer> updates = new ArrayList<>();
            Future<Exception> lost = Asyncio.getRunningLoop().createFuture();
            Asyncio.getRunningLoop().createConnection(() -> new BufferedProtocol() {
                @Override
                public ByteBuffer getBuffer(int sizeHint) {
                    int at = big.position();
                    return big.limit(Math.min(64, at + 3));           // at most 3 bytes a time
                }

                @Override
                public void bufferUpdated(int nbytes) {
                    updates.add(nbytes);
                }

                @Override
                public void connectionLost(Exception exc) {
                    lost.setResult(exc);
                }
            }, "127.0.0.1", port(srv));
            assertNull(lost.await());
            assertEquals(8, updates.stream().mapToInt(Integer::intValue).sum());
            assertTrue(updates.stream().allMatch(n -> n <= 3), "updates " + updates);
            assertEquals("abcdefgh", new String(big.array(), 0, big.position(), java.nio.charset.StandardCharsets.ISO_8859_1));
            srv.close();
            return null;
        });
    }
}
