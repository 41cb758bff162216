package dev.pyconc.conformance.asyncio.teststreams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.EventLoop;
import dev.pyconc.asyncio.IncompleteReadError;
import dev.pyconc.asyncio.LimitOverrunError;
import dev.pyconc.asyncio.Server;
import dev.pyconc.asyncio.StreamReader;
import dev.pyconc.asyncio.StreamWriter;
import dev.pyconc.asyncio.Streams;
import dev.pyconc.asyncio.Task;
import dev.pyconc.builtins.BrokenPipeError;
import dev.pyconc.builtins.ConnectionAbortedError;
import dev.pyconc.builtins.ConnectionResetError;
import dev.pyconc.conformance.asyncio.IsolatedAsyncioTestCase;
import dev.pyconc.conformance.asyncio.teststreams.TestUtils.TestServer;

/**
 * test_asyncio/test_streams.py's {@code StreamTests}. CPython runs each coroutine with
 * {@code loop.run_until_complete}; here each test body runs as the main task of a loop of its own,
 * and a read CPython runs to completion is a call in that task. Where CPython looks at the private
 * {@code _buffer}, the Java form reads what is left: the byte count of the reader's
 * {@code toString()} (Python's repr) while the test goes on with the reader, and the bytes
 * themselves ({@code feedEof()} then {@code read()}) when the test is done with it. Python's
 * {@code ValueError} is {@link IllegalArgumentException}, its {@code RuntimeError}
 * {@link IllegalStateException}.
 */
public class StreamTests extends IsolatedAsyncioTestCase {

    static final byte[] DATA = b("line1\nline2\nline3\n");

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String s(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static final Pattern BYTES = Pattern.compile("^StreamReader\\[(\\d+) bytes");

    /** {@code len(stream._buffer)}, from the reader's repr. */
    static int buffered(StreamReader stream) {
        Matcher m = BYTES.matcher(stream.toString());
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /** {@code bytes(stream._buffer)} at the end of a test: the reader is fed its end and read out. */
    static String rest(StreamReader stream) {
        stream.feedEof();
        return s(stream.read());
    }

    static EventLoop loop() {
        return Asyncio.getRunningLoop();
    }

    /** {@code loop.set_exception_handler(lambda loop, ctx: messages.append(ctx))}. */
    static List<Map<String, Object>> collectExceptionContexts() {
        List<Map<String, Object>> messages = new ArrayList<>();
        loop().setExceptionHandler((l, ctx) -> messages.add(ctx));
        return messages;
    }

    /** The request of {@code _basetest_open_connection} and the checks of its answer. */
    private static void basetestOpenConnection(TestServer httpd) {
        List<Map<String, Object>> messages = collectExceptionContexts();
        Streams rw = Asyncio.openConnection(httpd.host(), httpd.port());
        rw.writer().write(b("GET / HTTP/1.0\r\n\r\n"));
        assertEquals("HTTP/1.0 200 OK\r\n", s(rw.reader().readline()));
        assertTrue(s(rw.reader().read()).endsWith("\r\n\r\nTest message"));
        rw.writer().close();
        assertEquals(List.of(), messages);
    }

    @Test
    @DisplayName("test_open_connection")
    void testOpenConnection() {
        try (TestServer httpd = TestUtils.runTestServer()) {
            run(() -> basetestOpenConnection(httpd));
        }
    }

    @Test
    @DisplayName("test_open_connection_no_loop_ssl")
    void testOpenConnectionNoLoopSsl() {
        try (TestServer httpd = TestUtils.runTestServer(true)) {
            run(() -> {
                List<Map<String, Object>> messages = collectExceptionContexts();
                Streams rw = Asyncio.openConnection(httpd.host(), httpd.port(), TestUtils.dummySslContext());
                rw.writer().write(b("GET / HTTP/1.0\r\n\r\n"));
                assertTrue(s(rw.reader().read()).endsWith("\r\n\r\nTest message"));
                rw.writer().close();
                assertEquals(List.of(), messages);
            });
        }
    }

    /**
     * CPython calls the protocol's {@code connection_lost(ZeroDivisionError())}; pyconc has no
     * protocol to call, so the connection is lost with an error the way a peer causes it, by a
     * reset, and the read raises that error.
     */
    @Test
    @DisplayName("test_open_connection_error")
    void testOpenConnectionError() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread resetter = Thread.ofPlatform().start(() -> {
                try (Socket s = listener.accept()) {
                    s.getInputStream().read();          // the client is connected and has written
                    s.setSoLinger(true, 0);             // close() sends a reset
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            run(() -> {
                List<Map<String, Object>> messages = collectExceptionContexts();
                Streams rw = Asyncio.openConnection("127.0.0.1", listener.getLocalPort());
                rw.writer().write(b("GET / HTTP/1.0\r\n\r\n"));
                assertThrows(ConnectionResetError.class, () -> rw.reader().read());
                rw.writer().close();
                sleep0();
                assertEquals(List.of(), messages);
            });
            resetter.join();
        }
    }

    /** {@code _basetest_open_connection} over {@code open_unix_connection}. */
    @Test
    @DisplayName("test_open_unix_connection")
    void testOpenUnixConnection() {
        try (TestUtils.UnixTestServer httpd = TestUtils.runTestUnixServer()) {
            run(() -> {
                List<Map<String, Object>> messages = collectExceptionContexts();
                Streams rw = Asyncio.openUnixConnection(httpd.address());
                rw.writer().write(b("GET / HTTP/1.0\r\n\r\n"));
                assertEquals("HTTP/1.0 200 OK\r\n", s(rw.reader().readline()));
                assertTrue(s(rw.reader().read()).endsWith("\r\n\r\nTest message"));
                rw.writer().close();
                assertEquals(List.of(), messages);
            });
        }
    }

    /**
     * {@code server_hostname=''} (no name, no SNI) is an {@code SslOptions} without a server name;
     * the dummy context checks no host name, so none is needed, as in Python.
     */
    @Test
    @DisplayName("test_open_unix_connection_no_loop_ssl")
    void testOpenUnixConnectionNoLoopSsl() {
        try (TestUtils.UnixTestServer httpd = TestUtils.runTestUnixServer(true)) {
            run(() -> {
                List<Map<String, Object>> messages = collectExceptionContexts();
                Streams rw = Asyncio.openUnixConnection(httpd.address(), TestUtils.dummySslContext());
                rw.writer().write(b("GET / HTTP/1.0\r\n\r\n"));
                assertTrue(s(rw.reader().read()).endsWith("\r\n\r\nTest message"));
                rw.writer().close();
                assertEquals(List.of(), messages);
            });
        }
    }

    /**
     * {@code _basetest_open_connection_error} over {@code open_unix_connection}: CPython calls
     * {@code writer._protocol.connection_lost(ZeroDivisionError())}; the writer's protocol is a
     * {@link dev.pyconc.asyncio.Protocol} here too, reached through the private field as CPython
     * reaches {@code _protocol} (Python's ZeroDivisionError is Java's ArithmeticException).
     */
    @Test
    @DisplayName("test_open_unix_connection_error")
    void testOpenUnixConnectionError() {
        try (TestUtils.UnixTestServer httpd = TestUtils.runTestUnixServer()) {
            run(() -> {
                List<Map<String, Object>> messages = collectExceptionContexts();
                Streams rw = Asyncio.openUnixConnection(httpd.address());
                var field = StreamWriter.class.getDeclaredField("transport");
                field.setAccessible(true);
                ((dev.pyconc.asyncio.Protocol) field.get(rw.writer())).connectionLost(new ArithmeticException());
                assertThrows(ArithmeticException.class, () -> rw.reader().read());
                rw.writer().close();
                sleep0();
                assertEquals(List.of(), messages);
            });
        }
    }

    @Test
    @DisplayName("test_feed_empty_data")
    void testFeedEmptyData() {
        run(() -> {
            StreamReader stream = new StreamReader();
            stream.feedData(b(""));
            assertEquals(0, buffered(stream));
            assertEquals("", rest(stream));
        });
    }

    @Test
    @DisplayName("test_feed_nonempty_data")
    void testFeedNonemptyData() {
        run(() -> {
            StreamReader stream = new StreamReader();
            stream.feedData(DATA);
            assertEquals(s(DATA), rest(stream));
        });
    }

    @Test
    @DisplayName("test_read_zero")
    void testReadZero() {
        run(() -> {
            StreamReader stream = new StreamReader();
            stream.feedData(DATA);
            assertArrayEquals(b(""), stream.read(0));
            assertEquals(s(DATA), rest(stream));
        });
    }

    @Test
    @DisplayName("test_read")
    void testRead() {
        run(() -> {
            StreamReader stream = new StreamReader();
            Task<byte[]> readTask = Asyncio.createTask(() -> stream.read(30));
            loop().callSoon(() -> stream.feedData(DATA));
            assertArrayEquals(DATA, readTask.await());
            assertEquals("", rest(stream));
        });
    }

    @Test
    @DisplayName("test_read_line_breaks")
    void testReadLineBreaks() {
        run(() -> {
            StreamReader stream = new StreamReader();
            stream.feedData(b("line1"));
            stream.feedData(b("line2"));
            assertEquals("line1", s(stream.read(5)));
            assertEquals("line2", rest(stream));
        });
    }

    @Test
    @DisplayName("test_read_eof")
    void testReadEof() {
        run(() -> {
            StreamReader stream = new StreamReader();
            Task<byte[]> readTask = Asyncio.createTask(() -> stream.read(1024));
            loop().callSoon(stream::feedEof);
            assertArrayEquals(b(""), readTask.await());
            assertEquals("", rest(stream));
        });
    }

    @Test
    @DisplayName("test_read_until_eof")
    void testReadUntilEof() {
        run(() -> {
            StreamReader stream = new StreamReader();
            Task<byte[]> readTask = Asyncio.createTask(() -> stream.read(-1));
            loop().callSoon(() -> {
                stream.feedData(b("chunk1\n"));
                stream.feedData(b("chunk2"));
                stream.feedEof();
            });
            assertEquals("chunk1\nchunk2", s(readTask.await()));
            assertEquals("", rest(stream));
        });
    }

    @Test
    @DisplayName("test_read_exception")
    void testReadException() {
        run(() -> {
            StreamReader stream = new StreamReader();
            stream.feedData(b("line\n"));
            assertEquals("li", s(stream.read(2)));
            stream.setException(new IllegalArgumentException());
            assertThrows(IllegalArgumentException.class, () -> stream.read(2));
        });
    }

    @Test
    @DisplayName("test_invalid_limit")
    void testInvalidLimit() {
        run(() -> {
            var e = assertThrows(IllegalArgumentException.class, () -> new StreamReader(0));
            assertTrue(e.getMessage().contains("imit"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> new StreamReader(-1));
            assertTrue(e.getMessage().contains("imit"), e.getMessage());
        });
    }

    @Test
    @DisplayName("test_read_limit")
    void testReadLimit() {
        run(() -> {
            StreamReader stream = new StreamReader(3);
            stream.feedData(b("chunk"));
            assertEquals("chunk", s(stream.read(5)));
            assertEquals("", rest(stream));
        });
    }

    @Test
    @DisplayName("test_readline")
    void testReadline() {
        run(() -> {
            StreamReader stream = new StreamReader();
            stream.feedData(b("chunk1 "));
            Task<byte[]> readTask = Asyncio.createTask(stream::readline);
            loop().callSoon(() -> {
                stream.feedData(b("chunk2 "));
                stream.feedData(b("chunk3 "));
                stream.feedData(b("\n chunk4"));
            });
            assertEquals("chunk1 chunk2 chunk3 \n", s(readTask.await()));
            assertEquals(" chunk4", rest(stream));
        });
    }

    @Test
    @DisplayName("test_readline_limit_with_existing_data")
    void testReadlineLimitWithExistingData() {
        run(() -> {
            StreamReader stream = new StreamReader(3);
            stream.feedData(b("li"));
            stream.feedData(b("ne1\nline2\n"));
            assertThrows(IllegalArgumentException.class, stream::readline);
            // the rest after the line that was too long stays
            assertEquals("line2\n", rest(stream));

            StreamReader stream2 = new StreamReader(3);
            stream2.feedData(b("li"));
            stream2.feedData(b("ne1"));
            stream2.feedData(b("li"));
            assertThrows(IllegalArgumentException.class, stream2::readline);
            // no newline within the limit: the whole buffer is dropped
            assertEquals("", rest(stream2));
        });
    }

    @Test
    @DisplayName("test_at_eof")
    void testAtEof() {
        run(() -> {
            StreamReader stream = new StreamReader();
            assertFalse(stream.atEof());
            stream.feedData(b("some data\n"));
            assertFalse(stream.atEof());
            stream.readline();
            assertFalse(stream.atEof());
            stream.feedData(b("some data\n"));
            stream.feedEof();
            stream.readline();
            assertTrue(stream.atEof());
        });
    }

    @Test
    @DisplayName("test_readline_limit")
    void testReadlineLimit() {
        run(() -> {
            StreamReader stream = new StreamReader(7);
            loop().callSoon(() -> {
                stream.feedData(b("chunk1"));
                stream.feedData(b("chunk2"));
                stream.feedData(b("chunk3\n"));
                stream.feedEof();
            });
            assertThrows(IllegalArgumentException.class, stream::readline);
            // the buffer held one line, and it is dropped
            assertEquals("", rest(stream));

            StreamReader stream2 = new StreamReader(7);
            loop().callSoon(() -> {
                stream2.feedData(b("chunk1"));
                stream2.feedData(b("chunk2\n"));
                stream2.feedData(b("chunk3\n"));
                stream2.feedEof();
            });
            assertThrows(IllegalArgumentException.class, stream2::readline);
            assertEquals("chunk3\n", rest(stream2));

            // the limit is strict
            StreamReader stream3 = new StreamReader(7);
            stream3.feedData(b("1234567\n"));
            assertEquals("1234567\n", s(stream3.readline()));
            assertEquals(0, buffered(stream3));

            stream3.feedData(b("12345678\n"));
            assertThrows(IllegalArgumentException.class, stream3::readline);
            assertEquals(0, buffered(stream3));

            stream3.feedData(b("12345678"));
            assertThrows(IllegalArgumentException.class, stream3::readline);
            assertEquals("", rest(stream3));
        });
    }

    @Test
    @DisplayName("test_readline_nolimit_nowait")
    void testReadlineNolimitNowait() {
        run(() -> {
            StreamReader stream = new StreamReader();
            stream.feedData(Arrays.copyOfRange(DATA, 0, 6));
            stream.feedData(Arrays.copyOfRange(DATA, 6, DATA.length));
            assertEquals("line1\n", s(stream.readline()));
            assertEquals("line2\nline3\n", rest(stream));
        });
    }

    @Test
    @DisplayName("test_readline_eof")
    void testReadlineEof() {
        run(() -> {
            StreamReader stream = new StreamReader();
            stream.feedData(b("some data"));
            stream.feedEof();
            assertEquals("some data", s(stream.readline()));
        });
    }

    @Test
    @DisplayName("test_readline_empty_eof")
    void testReadlineEmptyEof() {
        run(() -> {
            StreamReader stream = new StreamReader();
            stream.feedEof();
            assertEquals("", s(stream.readline()));
        });
    }

    @Test
    @DisplayName("test_readline_read_byte_count")
    void testReadlineReadByteCount() {
        run(() -> {
            StreamReader stream = new StreamReader();
            stream.feedData(DATA);
            stream.readline();
            assertEquals("line2\nl", s(stream.read(7)));
            assertEquals("ine3\n", rest(stream));
        });
    }

    @Test
    @DisplayName("test_readline_exception")
    void testReadlineException() {
        run(() -> {
            StreamReader stream = new StreamReader();
            stream.feedData(b("line\n"));
            assertEquals("line\n", s(stream.readline()));
            stream.setException(new IllegalArgumentException());
            assertThrows(IllegalArgumentException.class, stream::readline);
            assertEquals(0, buffered(stream));
        });
    }

    @Test
    @DisplayName("test_readuntil_separator")
    void testReaduntilSeparator() {
        run(() -> {
            StreamReader stream = new StreamReader();
            var e = assertThrows(IllegalArgumentException.class, () -> stream.readuntil(b("")));
            assertTrue(e.getMessage().startsWith("Separator should be"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> stream.readuntil(new byte[][] {b("")}));
            assertTrue(e.getMessage().startsWith("Separator should be"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> stream.readuntil(new byte[][] {}));
            assertTrue(e.getMessage().startsWith("Separator should contain"), e.getMessage());
        });
    }

    @Test
    @DisplayName("test_readuntil_multi_chunks")
    void testReaduntilMultiChunks() {
        run(() -> {
            StreamReader stream = new StreamReader();
            stream.feedData(b("lineAAA"));
            assertEquals("lineAAA", s(stream.readuntil(b("AAA"))));
            assertEquals(0, buffered(stream));

            stream.feedData(b("lineAAA"));
            assertEquals("lineAAA", s(stream.readuntil(b("AAA"))));
            assertEquals(0, buffered(stream));

            stream.feedData(b("lineAAAxxx"));
            assertEquals("lineAAA", s(stream.readuntil(b("AAA"))));
            assertEquals("xxx", rest(stream));
        });
    }

    @Test
    @DisplayName("test_readuntil_multi_chunks_1")
    void testReaduntilMultiChunks1() {
        run(() -> {
            StreamReader stream = new StreamReader();
            stream.feedData(b("QWEaa"));
            stream.feedData(b("XYaa"));
            stream.feedData(b("a"));
            assertEquals("QWEaaXYaaa", s(stream.readuntil(b("aaa"))));
            assertEquals(0, buffered(stream));

            stream.feedData(b("QWEaa"));
            stream.feedData(b("XYa"));
            stream.feedData(b("aa"));
            assertEquals("QWEaaXYaaa", s(stream.readuntil(b("aaa"))));
            assertEquals(0, buffered(stream));

            stream.feedData(b("aaa"));
            assertEquals("aaa", s(stream.readuntil(b("aaa"))));
            assertEquals(0, buffered(stream));

            stream.feedData(b("Xaaa"));
            assertEquals("Xaaa", s(stream.readuntil(b("aaa"))));
            assertEquals(0, buffered(stream));

            stream.feedData(b("XXX"));
            stream.feedData(b("a"));
            stream.feedData(b("a"));
            stream.feedData(b("a"));
            assertEquals("XXXaaa", s(stream.readuntil(b("aaa"))));
            assertEquals("", rest(stream));
        });
    }

    @Test
    @DisplayName("test_readuntil_eof")
    void testReaduntilEof() {
        run(() -> {
            StreamReader stream = new StreamReader();
            byte[] data = b("some dataAA");
            stream.feedData(data);
            stream.feedEof();
            var e = assertThrows(IncompleteReadError.class, () -> stream.readuntil(b("AAA")));
            assertTrue(e.getMessage().contains("undefined expected bytes"), e.getMessage());
            assertArrayEquals(data, e.partial());
            assertEquals(OptionalInt.empty(), e.expected());
            assertEquals("", rest(stream));
        });
    }

    @Test
    @DisplayName("test_readuntil_limit_found_sep")
    void testReaduntilLimitFoundSep() {
        run(() -> {
            StreamReader stream = new StreamReader(3);
            stream.feedData(b("some dataAA"));
            var e = assertThrows(LimitOverrunError.class, () -> stream.readuntil(b("AAA")));
            assertTrue(e.getMessage().contains("not found"), e.getMessage());
            assertEquals(11, buffered(stream));

            stream.feedData(b("A"));
            e = assertThrows(LimitOverrunError.class, () -> stream.readuntil(b("AAA")));
            assertTrue(e.getMessage().contains("is found"), e.getMessage());
            assertEquals("some dataAAA", rest(stream));
        });
    }

    @Test
    @DisplayName("test_readuntil_multi_separator")
    void testReaduntilMultiSeparator() {
        run(() -> {
            StreamReader stream = new StreamReader();
            // the simple case
            stream.feedData(b("line 1\nline 2\r"));
            assertEquals("line 1\n", s(stream.readuntil(b("\r"), b("\n"))));
            assertEquals("line 2\r", s(stream.readuntil(b("\r"), b("\n"))));
            assertEquals(0, buffered(stream));

            // the match that ends first wins, even when it is the longer one
            stream.feedData(b("ABCDEFG"));
            assertEquals("ABCDE", s(stream.readuntil(b("DEF"), b("BCDE"))));
            assertEquals("FG", rest(stream));
        });
    }

    @Test
    @DisplayName("test_readuntil_multi_separator_limit")
    void testReaduntilMultiSeparatorLimit() {
        run(() -> {
            StreamReader stream = new StreamReader(3);
            stream.feedData(b("some dataA"));
            var e = assertThrows(LimitOverrunError.class, () -> stream.readuntil(b("A"), b("ome dataA")));
            assertTrue(e.getMessage().contains("is found"), e.getMessage());
            assertEquals("some dataA", rest(stream));
        });
    }

    /** The buffer holds enough for the shortest separator but not the longest: the offset stays >= 0. */
    @Test
    @DisplayName("test_readuntil_multi_separator_negative_offset")
    void testReaduntilMultiSeparatorNegativeOffset() {
        run(() -> {
            StreamReader stream = new StreamReader();
            stream.feedData(b("data"));
            Task<byte[]> readuntilTask = Asyncio.createTask(() -> stream.readuntil(b("A"), b("long sep")));
            loop().callSoon(() -> stream.feedData(b("Z")));
            loop().callSoon(() -> stream.feedData(b("Aaaa")));
            assertEquals("dataZA", s(readuntilTask.await()));
            assertEquals("aaa", rest(stream));
        });
    }

    /** Python's bytearray is its mutable bytes; Java's byte[] is the one mutable form. */
    @Test
    @DisplayName("test_readuntil_bytearray")
    void testReaduntilBytearray() {
        run(() -> {
            StreamReader stream = new StreamReader();
            stream.feedData(b("some data\r\n"));
            byte[] separator = new byte[] {'\r', '\n'};
            assertEquals("some data\r\n", s(stream.readuntil(separator)));
            assertEquals("", rest(stream));
        });
    }

    @Test
    @DisplayName("test_readexactly_zero_or_less")
    void testReadexactlyZeroOrLess() {
        run(() -> {
            StreamReader stream = new StreamReader();
            stream.feedData(DATA);
            assertArrayEquals(b(""), stream.readexactly(0));
            assertEquals(DATA.length, buffered(stream));
            var e = assertThrows(IllegalArgumentException.class, () -> stream.readexactly(-1));
            assertTrue(e.getMessage().contains("less than zero"), e.getMessage());
            assertEquals(s(DATA), rest(stream));
        });
    }

    @Test
    @DisplayName("test_readexactly")
    void testReadexactly() {
        run(() -> {
            StreamReader stream = new StreamReader();
            int n = 2 * DATA.length;
            Task<byte[]> readTask = Asyncio.createTask(() -> stream.readexactly(n));
            loop().callSoon(() -> {
                stream.feedData(DATA);
                stream.feedData(DATA);
                stream.feedData(DATA);
            });
            assertEquals(s(DATA) + s(DATA), s(readTask.await()));
            assertEquals(s(DATA), rest(stream));
        });
    }

    @Test
    @DisplayName("test_readexactly_limit")
    void testReadexactlyLimit() {
        run(() -> {
            StreamReader stream = new StreamReader(3);
            stream.feedData(b("chunk"));
            assertEquals("chunk", s(stream.readexactly(5)));
            assertEquals("", rest(stream));
        });
    }

    @Test
    @DisplayName("test_readexactly_eof")
    void testReadexactlyEof() {
        run(() -> {
            StreamReader stream = new StreamReader();
            int n = 2 * DATA.length;
            Task<byte[]> readTask = Asyncio.createTask(() -> stream.readexactly(n));
            loop().callSoon(() -> {
                stream.feedData(DATA);
                stream.feedEof();
            });
            var e = assertThrows(IncompleteReadError.class, readTask::await);
            assertArrayEquals(DATA, e.partial());
            assertEquals(OptionalInt.of(n), e.expected());
            assertEquals("18 bytes read on a total of 36 expected bytes", e.getMessage());
            assertEquals(0, buffered(stream));
        });
    }

    @Test
    @DisplayName("test_readexactly_exception")
    void testReadexactlyException() {
        run(() -> {
            StreamReader stream = new StreamReader();
            stream.feedData(b("line\n"));
            assertEquals("li", s(stream.readexactly(2)));
            stream.setException(new IllegalArgumentException());
            assertThrows(IllegalArgumentException.class, () -> stream.readexactly(2));
        });
    }

    @Test
    @DisplayName("test_exception")
    void testException() {
        run(() -> {
            StreamReader stream = new StreamReader();
            assertNull(stream.exception());
            var exc = new IllegalArgumentException();
            stream.setException(exc);
            assertSame(exc, stream.exception());
        });
    }

    @Test
    @DisplayName("test_exception_waiter")
    void testExceptionWaiter() {
        run(() -> {
            StreamReader stream = new StreamReader();
            Task<byte[]> t1 = Asyncio.createTask(stream::readline);
            Task<Void> t2 = Asyncio.createTask(() -> stream.setException(new IllegalArgumentException()));
            Asyncio.gather(true, List.of(t1, t2)).await();
            assertThrows(IllegalArgumentException.class, t1::result);
        });
    }

    @Test
    @DisplayName("test_exception_cancel")
    void testExceptionCancel() {
        run(() -> {
            StreamReader stream = new StreamReader();
            Task<byte[]> t = Asyncio.createTask(stream::readline);
            sleep0();
            t.cancel();
            sleep0();
            // the next line fails if setException is not careful with the cancelled waiter
            stream.setException(new IllegalStateException("message"));
            sleep0();
            assertFalse(stream.toString().contains("waiter"), stream.toString());
            assertTrue(t.cancelled());
        });
    }

    /** {@code MyServer.handle_client}: echoes one line. */
    private static void handleClient(StreamReader clientReader, StreamWriter clientWriter) {
        byte[] data = clientReader.readline();
        clientWriter.write(data);
        clientWriter.drain();
        clientWriter.close();
        clientWriter.waitClosed();
    }

    /** The {@code client} coroutine of test_start_server. */
    private static byte[] client(InetSocketAddress addr) {
        Streams rw = Asyncio.openConnection(addr.getHostString(), addr.getPort());
        rw.writer().write(b("hello world!\n"));
        byte[] msgback = rw.reader().readline();
        rw.writer().close();
        rw.writer().waitClosed();
        return msgback;
    }

    /**
     * pyconc's servers take a host and a port, not a socket: both variants listen on a free port
     * of 127.0.0.1. The second handler is a plain callback that starts the echo as a task of its
     * own, as CPython's {@code handle_client_callback} does.
     */
    @Test
    @DisplayName("test_start_server")
    void testStartServer() {
        run(() -> {
            List<Map<String, Object>> messages = collectExceptionContexts();

            // the server variant with a coroutine as client handler
            Server server = Asyncio.startServer(StreamTests::handleClient, "127.0.0.1", 0);
            InetSocketAddress addr = server.sockets().get(0);
            byte[] msg = Asyncio.createTask(() -> client(addr)).await();
            server.close();
            server.waitClosed();
            assertEquals("hello world!\n", s(msg));

            // the server variant with a callback as client handler
            Server server2 = Asyncio.startServer(
                    (r, w) -> loop().createTask(() -> handleClient(r, w)), "127.0.0.1", 0);
            InetSocketAddress addr2 = server2.sockets().get(0);
            msg = Asyncio.createTask(() -> client(addr2)).await();
            server2.close();
            server2.waitClosed();
            assertEquals("hello world!\n", s(msg));

            assertEquals(List.of(), messages);
        });
    }

    /**
     * test_start_unix_server: both variants (a coroutine and a callback as client handler) on a
     * Unix socket at a fresh path each (CPython's {@code unix_socket_path()}).
     */
    @Test
    @DisplayName("test_start_unix_server")
    void testStartUnixServer() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("pyconc-unix");
        try {
            run(() -> {
                List<Map<String, Object>> messages = collectExceptionContexts();

                // the server variant with a coroutine as client handler
                String path = dir.resolve("1.sock").toString();
                Server server = Asyncio.startUnixServer(StreamTests::handleClient, path);
                byte[] msg = Asyncio.createTask(() -> unixClient(path)).await();
                server.close();
                server.waitClosed();
                assertEquals("hello world!\n", s(msg));

                // the server variant with a callback as client handler
                String path2 = dir.resolve("2.sock").toString();
                Server server2 = Asyncio.startUnixServer((r, w) -> loop().createTask(() -> handleClient(r, w)), path2);
                msg = Asyncio.createTask(() -> unixClient(path2)).await();
                server2.close();
                server2.waitClosed();
                assertEquals("hello world!\n", s(msg));

                assertEquals(List.of(), messages);
            });
        } finally {
            try (var files = java.nio.file.Files.list(dir)) {
                for (var f : files.toList()) {
                    java.nio.file.Files.delete(f);
                }
            }
            java.nio.file.Files.delete(dir);
        }
    }

    /** The {@code client} coroutine of test_start_unix_server. */
    private static byte[] unixClient(String path) {
        Streams rw = Asyncio.openUnixConnection(path);
        rw.writer().write(b("hello world!\n"));
        byte[] msgback = rw.reader().readline();
        rw.writer().close();
        rw.writer().waitClosed();
        return msgback;
    }

    @Test
    @DisplayName("test_streamreader_constructor_without_loop")
    void testStreamreaderConstructorWithoutLoop() {
        Asyncio.setEventLoop(null);                 // as CPython's test case does in setUp (test_utils)
        var e = assertThrows(IllegalStateException.class, StreamReader::new);
        assertTrue(e.getMessage().contains("no current event loop"), e.getMessage());
    }

    /** asyncio issue #184: a reader made with no loop running takes the thread's current loop. */
    @Test
    @DisplayName("test_streamreader_constructor_use_global_loop")
    void testStreamreaderConstructorUseGlobalLoop() throws Exception {
        try (EventLoop loop = Asyncio.newEventLoop()) {
            Asyncio.setEventLoop(loop);
            try {
                StreamReader reader = new StreamReader();
                var field = StreamReader.class.getDeclaredField("loop");
                field.setAccessible(true);
                assertSame(loop, field.get(reader));
            } finally {
                Asyncio.setEventLoop(null);
            }
        }
    }

    /**
     * asyncio issue #184: a reader made without a loop takes the running one. CPython reads the
     * private {@code _loop}; so does this test (the conformance tests run on the class path).
     */
    @Test
    @DisplayName("test_streamreader_constructor_use_running_loop")
    void testStreamreaderConstructorUseRunningLoop() {
        run(() -> {
            StreamReader reader = new StreamReader();
            var field = StreamReader.class.getDeclaredField("loop");
            field.setAccessible(true);
            assertSame(loop(), field.get(reader));
        });
    }

    /**
     * gh-74116: every task waiting in drain() wakes when the buffer drains, not only the first.
     * CPython pauses writing by hand on a bare FlowControlMixin; here a peer that does not read
     * keeps the writer's buffer above its high-water mark until it starts reading.
     */
    @Test
    @DisplayName("test_multiple_drain")
    void testMultipleDrain() throws Exception {
        CountDownLatch startReading = new CountDownLatch(1);
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            long[] received = new long[1];
            Thread peer = Thread.ofPlatform().start(() -> {
                try (Socket s = listener.accept(); InputStream in = s.getInputStream()) {
                    startReading.await();
                    byte[] buf = new byte[1 << 16];
                    for (int n; (n = in.read(buf)) > 0;) {
                        received[0] += n;
                    }
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            int size = 32 << 20;              // more than the kernel's socket buffers hold
            run(() -> {
                Streams rw = Asyncio.openConnection("127.0.0.1", listener.getLocalPort());
                StreamWriter stream = rw.writer();
                stream.write(new byte[size]);
                int[] drained = {0};
                List<Task<Void>> drainers = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    drainers.add(Asyncio.createTask(() -> {
                        stream.drain();
                        drained[0]++;
                    }));
                }
                for (int i = 0; i < 5; i++) {
                    sleep0();
                }
                assertEquals(0, drained[0], "drain() returned while the buffer was above the high-water mark");
                startReading.countDown();
                Asyncio.gather(drainers).await();
                assertEquals(10, drained[0]);
                stream.close();
                stream.waitClosed();
            });
            peer.join();
            assertEquals(size, received[0]);
        }
    }

    /**
     * bpo-25441: drain() gives up when the peer closed the connection, instead of spinning. The
     * server runs in a thread, not on the loop.
     */
    @Test
    @DisplayName("test_drain_raises")
    void testDrainRaises() throws Exception {
        BlockingQueue<InetSocketAddress> q = new ArrayBlockingQueue<>(1);
        Thread server = Thread.ofPlatform().daemon().start(() -> {
            try (ServerSocket sock = new ServerSocket(0, 50, InetAddress.getByName("localhost"))) {
                q.put((InetSocketAddress) sock.getLocalSocketAddress());
                sock.accept().close();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        InetSocketAddress addr = q.take();
        run(() -> {
            List<Map<String, Object>> messages = collectExceptionContexts();
            Streams rw = Asyncio.openConnection("localhost", addr.getPort());
            RuntimeException e = assertThrows(RuntimeException.class, () -> {
                while (true) {
                    rw.writer().write(b("foo\n"));
                    rw.writer().drain();
                }
            });
            assertTrue(e instanceof ConnectionResetError || e instanceof ConnectionAbortedError
                    || e instanceof BrokenPipeError, e.toString());
            rw.writer().close();
            assertEquals(List.of(), messages);
        });
        server.join();
    }

    @Test
    @DisplayName("test___repr__")
    void testRepr() {
        run(() -> assertEquals("StreamReader[]", new StreamReader().toString()));
    }

    @Test
    @DisplayName("test___repr__nondefault_limit")
    void testReprNondefaultLimit() {
        run(() -> assertEquals("StreamReader[limit=123]", new StreamReader(123).toString()));
    }

    @Test
    @DisplayName("test___repr__eof")
    void testReprEof() {
        run(() -> {
            StreamReader stream = new StreamReader();
            stream.feedEof();
            assertEquals("StreamReader[eof]", stream.toString());
        });
    }

    @Test
    @DisplayName("test___repr__data")
    void testReprData() {
        run(() -> {
            StreamReader stream = new StreamReader();
            stream.feedData(b("data"));
            assertEquals("StreamReader[4 bytes]", stream.toString());
        });
    }

    @Test
    @DisplayName("test___repr__exception")
    void testReprException() {
        run(() -> {
            StreamReader stream = new StreamReader();
            var exc = new IllegalStateException();
            stream.setException(exc);
            assertEquals("StreamReader[exception=java.lang.IllegalStateException]", stream.toString());
        });
    }

    /** CPython sets the private {@code _waiter}; here a task waits in readline(). */
    @Test
    @DisplayName("test___repr__waiter")
    void testReprWaiter() {
        run(() -> {
            StreamReader stream = new StreamReader();
            Task<byte[]> t = Asyncio.createTask(stream::readline);
            sleep0();
            assertTrue(stream.toString().matches("StreamReader\\[waiter=Future\\S*\\[pending[^\\]]*\\]\\]"),
                    stream.toString());
            stream.feedData(b("x\n"));
            assertEquals("x\n", s(t.await()));
            assertEquals("StreamReader[]", stream.toString());
        });
    }

    /** CPython sets a mock transport; here the reader of a connection shows its transport. */
    @Test
    @DisplayName("test___repr__transport")
    void testReprTransport() {
        try (TestServer httpd = TestUtils.runTestServer()) {
            run(() -> {
                Streams rw = Asyncio.openConnection(httpd.host(), httpd.port());
                String repr = rw.reader().toString();
                assertTrue(repr.startsWith("StreamReader[transport=SocketTransport["), repr);
                rw.writer().close();
                rw.writer().waitClosed();
            });
        }
    }

    /** Python pickles an exception to another process; pyconc sends it with Java serialization. */
    @Test
    @DisplayName("test_IncompleteReadError_pickleable")
    void testIncompleteReadErrorPickleable() throws Exception {
        var e = new IncompleteReadError(b("abc"), 10);
        var e2 = roundTrip(e);
        assertEquals(e.getMessage(), e2.getMessage());
        assertArrayEquals(e.partial(), e2.partial());
        assertEquals(e.expected(), e2.expected());
    }

    @Test
    @DisplayName("test_LimitOverrunError_pickleable")
    void testLimitOverrunErrorPickleable() throws Exception {
        var e = new LimitOverrunError("message", 10);
        var e2 = roundTrip(e);
        assertEquals(e.getMessage(), e2.getMessage());
        assertEquals(e.consumed(), e2.consumed());
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T o) throws IOException, ClassNotFoundException {
        var bytes = new ByteArrayOutputStream();
        try (var out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        try (var in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }

    @Test
    @DisplayName("test_wait_closed_on_close")
    void testWaitClosedOnClose() {
        try (TestServer httpd = TestUtils.runTestServer()) {
            run(() -> {
                Streams rw = Asyncio.openConnection(httpd.host(), httpd.port());
                rw.writer().write(b("GET / HTTP/1.0\r\n\r\n"));
                assertEquals("HTTP/1.0 200 OK\r\n", s(rw.reader().readline()));
                assertTrue(s(rw.reader().read()).endsWith("\r\n\r\nTest message"));
                assertFalse(rw.writer().isClosing());
                rw.writer().close();
                assertTrue(rw.writer().isClosing());
                rw.writer().waitClosed();
            });
        }
    }

    @Test
    @DisplayName("test_wait_closed_on_close_with_unread_data")
    void testWaitClosedOnCloseWithUnreadData() {
        try (TestServer httpd = TestUtils.runTestServer()) {
            run(() -> {
                Streams rw = Asyncio.openConnection(httpd.host(), httpd.port());
                rw.writer().write(b("GET / HTTP/1.0\r\n\r\n"));
                assertEquals("HTTP/1.0 200 OK\r\n", s(rw.reader().readline()));
                rw.writer().close();
                rw.writer().waitClosed();
            });
        }
    }

    @Test
    @DisplayName("test_async_writer_api")
    void testAsyncWriterApi() {
        try (TestServer httpd = TestUtils.runTestServer()) {
            run(() -> {
                List<Map<String, Object>> messages = collectExceptionContexts();
                Streams rw = Asyncio.openConnection(httpd.host(), httpd.port());
                rw.writer().write(b("GET / HTTP/1.0\r\n\r\n"));
                assertEquals("HTTP/1.0 200 OK\r\n", s(rw.reader().readline()));
                assertTrue(s(rw.reader().read()).endsWith("\r\n\r\nTest message"));
                rw.writer().close();
                rw.writer().waitClosed();
                assertEquals(List.of(), messages);
            });
        }
    }

    @Test
    @DisplayName("test_async_writer_api_exception_after_close")
    void testAsyncWriterApiExceptionAfterClose() {
        try (TestServer httpd = TestUtils.runTestServer()) {
            run(() -> {
                List<Map<String, Object>> messages = collectExceptionContexts();
                Streams rw = Asyncio.openConnection(httpd.host(), httpd.port());
                rw.writer().write(b("GET / HTTP/1.0\r\n\r\n"));
                assertEquals("HTTP/1.0 200 OK\r\n", s(rw.reader().readline()));
                assertTrue(s(rw.reader().read()).endsWith("\r\n\r\nTest message"));
                rw.writer().close();
                assertThrows(ConnectionResetError.class, () -> {
                    rw.writer().write(b("data"));
                    rw.writer().drain();
                });
                assertEquals(List.of(), messages);
            });
        }
    }

    /** bpo-35065: closing the writer feeds the reader its end. */
    @Test
    @DisplayName("test_eof_feed_when_closing_writer")
    void testEofFeedWhenClosingWriter() {
        try (TestServer httpd = TestUtils.runTestServer()) {
            run(() -> {
                List<Map<String, Object>> messages = collectExceptionContexts();
                Streams rw = Asyncio.openConnection(httpd.host(), httpd.port());
                rw.writer().close();
                rw.writer().waitClosed();
                assertTrue(rw.reader().atEof());
                assertArrayEquals(b(""), rw.reader().read());
                assertEquals(List.of(), messages);
            });
        }
    }

    /** {@code _basetest_unhandled_exceptions}: a client talks to a server running {@code handleEcho}. */
    private static List<Map<String, Object>> basetestUnhandledExceptions(dev.pyconc.asyncio.ClientConnectedCallback handleEcho) {
        List<Map<String, Object>> messages = new ArrayList<>();
        run(() -> {
            loop().setExceptionHandler((l, ctx) -> messages.add(ctx));
            Server server = Asyncio.startServer(handleEcho, "127.0.0.1", 0);
            server.startServing();
            int port = server.sockets().get(0).getPort();
            Streams rw = Asyncio.openConnection("127.0.0.1", port);
            rw.writer().write(b("test msg"));
            rw.writer().drain();
            rw.writer().close();
            rw.writer().waitClosed();
            server.close();
            server.waitClosed();
        });
        return messages;
    }

    @Test
    @DisplayName("test_unhandled_exception")
    void testUnhandledException() {
        var messages = basetestUnhandledExceptions((reader, writer) -> {
            throw new Exception("test");
        });
        assertEquals("Unhandled exception in client_connected_cb", messages.get(0).get("message"));
        assertEquals("test", ((Throwable) messages.get(0).get("exception")).getMessage());
    }

    @Test
    @DisplayName("test_unhandled_cancel")
    void testUnhandledCancel() {
        var messages = basetestUnhandledExceptions((reader, writer) -> {
            writer.close();
            Asyncio.currentTask().cancel();
        });
        assertEquals(List.of(), messages);
    }

    /**
     * A plaintext line each way, then both sides upgrade with {@code StreamWriter.startTls} (the
     * server's callback as the server, as CPython decides from the callback), then a line each way
     * over TLS; {@code get_extra_info('sslcontext')} is null before and set after.
     */
    @Test
    @DisplayName("test_start_tls")
    void testStartTls() {
        run(() -> {
            List<Map<String, Object>> messages = collectExceptionContexts();
            List<String> asserts = new ArrayList<>();
            Server server = Asyncio.startServer((clientReader, clientWriter) -> {
                byte[] data1 = clientReader.readline();
                clientWriter.write(data1);
                clientWriter.drain();
                asserts.add("server before: " + clientWriter.getExtraInfo("sslcontext"));
                clientWriter.startTls(TestUtils.simpleServerSslContext());
                asserts.add("server after: " + (clientWriter.getExtraInfo("sslcontext") != null));
                byte[] data2 = clientReader.readline();
                clientWriter.write(data2);
                clientWriter.drain();
                clientWriter.close();
                clientWriter.waitClosed();
            }, "127.0.0.1", 0);
            int port = server.sockets().get(0).getPort();
            Streams rw = Asyncio.openConnection("127.0.0.1", port);
            rw.writer().write(b("hello world 1!\n"));
            rw.writer().drain();
            byte[] msgback1 = rw.reader().readline();
            assertNull(rw.writer().getExtraInfo("sslcontext"));
            rw.writer().startTls(TestUtils.simpleClientSslContext());
            assertTrue(rw.writer().getExtraInfo("sslcontext") != null);
            rw.writer().write(b("hello world 2!\n"));
            rw.writer().drain();
            byte[] msgback2 = rw.reader().readline();
            rw.writer().close();
            rw.writer().waitClosed();
            server.close();
            server.waitClosed();

            assertEquals(List.of(), messages);
            assertEquals("hello world 1!\n", s(msgback1));
            assertEquals("hello world 2!\n", s(msgback2));
            assertEquals(List.of("server before: null", "server after: true"), asserts);
        });
    }
}
