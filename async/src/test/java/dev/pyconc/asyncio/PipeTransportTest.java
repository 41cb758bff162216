package dev.pyconc.asyncio;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.builtins.BrokenPipeError;

/**
 * {@code loop.connectReadPipe} and {@code loop.connectWritePipe} over real pipes, named after
 * test_unix_events.py's UnixReadPipeTransportTests and UnixWritePipeTransportTests.
 */
@org.junit.jupiter.api.Timeout(60)
class PipeTransportTest extends LoopTesting {

    /** Records a Protocol's calls. */
    static final class Recorder implements Protocol {
        final List<String> events = new ArrayList<>();
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        final Future<Void> lost = Asyncio.getRunningLoop().createFuture();
        Transport transport;
        Runnable onData = () -> {};

        @Override
        public void connectionMade(Transport t) {
            transport = t;
            events.add("connectionMade");
        }

        @Override
        public void dataReceived(byte[] d) {
            data.writeBytes(d);
            onData.run();
        }

        @Override
        public boolean eofReceived() {
            events.add("eofReceived");
            return false;
        }

        @Override
        public void pauseWriting() {
            events.add("pauseWriting");
        }

        @Override
        public void resumeWriting() {
            events.add("resumeWriting");
        }

        @Override
        public void connectionLost(Exception exc) {
            events.add("connectionLost " + (exc == null ? null : exc.getClass().getSimpleName()));
            lost.setResult(null);
        }
    }

    private static void writeFully(Pipe.SinkChannel sink, byte[] b) {
        try {
            ByteBuffer buf = ByteBuffer.wrap(b);
            while (buf.hasRemaining()) {
                sink.write(buf);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Data written at the other end reaches dataReceived; the end of the pipe gives eofReceived, then connectionLost(null). */
    @Test
    @DisplayName("test__read_ready_eof")
    void testReadReadyEof() throws Exception {
        Pipe pipe = Pipe.open();
        Recorder r = Asyncio.run(() -> {
            var tp = Asyncio.getRunningLoop().connectReadPipe(Recorder::new, pipe.source());
            Recorder p = tp.protocol();
            assertEquals(List.of("connectionMade"), p.events);
            assertSame(pipe.source(), tp.transport().getExtraInfo("pipe"));
            assertTrue(tp.transport().isReading());
            Asyncio.createTask(() -> Asyncio.toThread(() -> {
                writeFully(pipe.sink(), "data".getBytes());
                pipe.sink().close();
                return null;
            }));
            p.lost.await();
            assertTrue(tp.transport().isClosing());
            return p;
        });
        assertEquals("data", r.data.toString());
        assertEquals(List.of("connectionMade", "eofReceived", "connectionLost null"), r.events);
        assertFalse(pipe.source().isOpen());
    }

    /** pauseReading stops dataReceived (the writer fills the pipe and blocks); resumeReading lets all 1 MiB through, in order. */
    @Test
    @DisplayName("test_pause_reading")
    void testPauseReading() {
        byte[] payload = new byte[1 << 20];
        new java.util.Random(3).nextBytes(payload);
        Asyncio.run(() -> {
            Pipe pipe = Pipe.open();
            var tp = Asyncio.getRunningLoop().connectReadPipe(Recorder::new, pipe.source());
            Recorder p = tp.protocol();
            ReadTransport t = tp.transport();
            p.onData = t::pauseReading;                   // pause at the first chunk
            Task<Object> written = Asyncio.createTask(() -> Asyncio.toThread(() -> {
                writeFully(pipe.sink(), payload);
                pipe.sink().close();
                return null;
            }));
            StreamsTest.until("the first chunk", () -> p.data.size() > 0);
            assertFalse(t.isReading());
            int seen = p.data.size();
            Asyncio.sleep(java.time.Duration.ofMillis(50));
            assertEquals(seen, p.data.size(), "no data while paused");
            assertFalse(written.done(), "1 MiB cannot fit in the pipe: the writer must be blocked");
            p.onData = () -> {};
            t.resumeReading();
            assertTrue(t.isReading());
            p.lost.await();
            written.await();
            assertArrayEquals(payload, p.data.toByteArray());
            return null;
        });
    }

    /** close() calls connectionLost(null) and closes the pipe; a second close does nothing. */
    @Test
    @DisplayName("test_close")
    void testClose() {
        Asyncio.run(() -> {
            Pipe pipe = Pipe.open();
            var tp = Asyncio.getRunningLoop().connectReadPipe(Recorder::new, pipe.source());
            tp.transport().close();
            tp.transport().close();
            assertTrue(tp.transport().isClosing());
            assertFalse(tp.transport().isReading());
            tp.protocol().lost.await();
            assertEquals(List.of("connectionMade", "connectionLost null"), tp.protocol().events);
            assertFalse(pipe.source().isOpen());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> ((WriteTransport) tp.transport()).write(new byte[1], 0, 1));
            assertEquals("write() is not available on the read end of a pipe (pipe)", e.getMessage());
            return null;
        });
    }

    /** An exception from dataReceived goes to the exception handler and loses the pipe with it. */
    @Test
    @DisplayName("test__read_ready_error")
    void testDataReceivedError() {
        EventLoop loop = loop();
        var errors = errorsOf(loop);
        Recorder r = loop.runUntilComplete(() -> {
            Pipe pipe = Pipe.open();
            var tp = loop.connectReadPipe(Recorder::new, pipe.source());
            tp.protocol().onData = () -> {
                throw new IllegalStateException("bad data");
            };
            writeFully(pipe.sink(), "x".getBytes());
            tp.protocol().lost.await();
            return tp.protocol();
        });
        assertEquals(List.of("connectionMade", "connectionLost IllegalStateException"), r.events);
        assertEquals(1, errors.size());
        assertEquals("Fatal error: protocol.dataReceived() call failed.", errors.get(0).get("message"));
    }

    /** An InputStream works too: a child's stdout handed to the loop as a pipe. */
    @Test
    void readPipeOverInputStream() {
        String got = Asyncio.run(() -> {
            java.lang.Process child = new ProcessBuilder("printf", "from a child").start();
            InputStream in = child.getInputStream();
            var tp = Asyncio.getRunningLoop().connectReadPipe(Recorder::new, in);
            tp.protocol().lost.await();
            child.waitFor();
            return tp.protocol().data.toString();
        });
        assertEquals("from a child", got);
    }

    /** Writes reach the other end in order; writeEof sends them all, closes the pipe and calls connectionLost(null). */
    @Test
    @DisplayName("test_write_close")
    void testWriteClose() throws Exception {
        Pipe pipe = Pipe.open();
        Recorder r = Asyncio.run(() -> {
            var tp = Asyncio.getRunningLoop().connectWritePipe(Recorder::new, pipe.sink());
            WriteTransport t = tp.transport();
            assertTrue(t.canWriteEof());
            assertFalse(((Transport) t).isReading());
            t.write("one ".getBytes());
            t.writelines(List.of("two ".getBytes(), "three".getBytes()));
            t.writeEof();
            assertTrue(t.isClosing());
            t.write("dropped".getBytes());               // Python drops writes to a closing pipe
            tp.protocol().lost.await();
            return tp.protocol();
        });
        ByteBuffer buf = ByteBuffer.allocate(64);
        while (pipe.source().read(buf) >= 0) {
            // to the end: the pipe was closed
        }
        assertEquals("one two three", new String(buf.array(), 0, buf.position()));
        assertEquals(List.of("connectionMade", "connectionLost null"), r.events);
    }

    /** Above the high-water mark pauseWriting is called; once the reader drains the pipe, resumeWriting. */
    @Test
    @DisplayName("test__write_ready")
    void testWriteFlowControl() {
        Asyncio.run(() -> {
            Pipe pipe = Pipe.open();
            var tp = Asyncio.getRunningLoop().connectWritePipe(Recorder::new, pipe.sink());
            WriteTransport t = tp.transport();
            assertEquals(new WriteTransport.Limits(16 << 10, 64 << 10), t.getWriteBufferLimits());
            byte[] chunk = new byte[32 << 10];
            Arrays.fill(chunk, (byte) 'z');
            for (int i = 0; i < 32; i++) {
                t.write(chunk);                          // 1 MiB: far more than the pipe holds
            }
            assertEquals(List.of("connectionMade", "pauseWriting"), tp.protocol().events.subList(0, 2));
            assertTrue(t.getWriteBufferSize() > 64 << 10);
            long drained = Asyncio.toThread(() -> {
                long n = 0;
                ByteBuffer buf = ByteBuffer.allocate(64 << 10);
                while (n < (1 << 20)) {
                    buf.clear();
                    n += pipe.source().read(buf);
                }
                return n;
            });
            assertEquals(1L << 20, drained);
            StreamsTest.until("resumeWriting", () -> tp.protocol().events.contains("resumeWriting"));
            assertEquals(0, t.getWriteBufferSize());
            t.close();
            tp.protocol().lost.await();
            assertEquals(List.of("connectionMade", "pauseWriting", "resumeWriting", "connectionLost null"), tp.protocol().events);
            return null;
        });
    }

    /** A write to a pipe whose reader is gone loses the pipe with BrokenPipeError. */
    @Test
    @DisplayName("test__write_ready_err")
    void testWriteReadyErr() throws Exception {
        java.lang.Process child = new ProcessBuilder("true").start();
        child.waitFor();
        Recorder r = Asyncio.run(() -> {
            var tp = Asyncio.getRunningLoop().connectWritePipe(Recorder::new, child.getOutputStream());
            tp.transport().write(new byte[1 << 16]);
            tp.protocol().lost.await();
            assertTrue(tp.transport().isClosing());
            return tp.protocol();
        });
        assertEquals("connectionLost " + BrokenPipeError.class.getSimpleName(), r.events.get(r.events.size() - 1));
    }
}
