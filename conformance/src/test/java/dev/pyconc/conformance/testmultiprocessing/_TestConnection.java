package dev.pyconc.conformance.testmultiprocessing;

import static dev.pyconc.conformance.testmultiprocessing.Mp2Support.TIMEOUT1;
import static dev.pyconc.testing.Threads.until;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.builtins.EOFError;
import dev.pyconc.builtins.OSError;
import dev.pyconc.multiprocessing.BufferTooShort;
import dev.pyconc.multiprocessing.Connection;
import dev.pyconc.multiprocessing.Multiprocessing;
import dev.pyconc.multiprocessing.Process;
import dev.pyconc.testing.Timing;

/**
 * _test_multiprocessing.py's {@code _TestConnection}, in the form CPython runs as
 * {@code WithProcessesTestConnection}: the other end is used by a child JVM. (CPython also runs it
 * with threads and {@code multiprocessing.dummy}'s connections, which pyconc does not have; its
 * {@code Pipe} serves threads as well.) Python's {@code array('i')} buffers are byte arrays holding
 * the ints in native order.
 */
class _TestConnection {
    /** CPython's {@code SENTINEL}, the empty message. */
    static final byte[] SENTINEL = new byte[0];

    @BeforeAll
    static void setUpModule() {
        Mp2Support.setUpModule();
    }

    /** CPython's {@code _echo}: sends back every message until the empty one. */
    static void echo(Connection conn) {
        for (byte[] msg = conn.recvBytes(); msg.length != 0; msg = conn.recvBytes()) {
            conn.sendBytes(msg);
        }
        conn.close();
    }

    static byte[] latin(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** {@code array('i', values)}'s bytes. */
    private static byte[] ints(int... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * Integer.BYTES).order(ByteOrder.nativeOrder());
        b.asIntBuffer().put(values);
        return b.array();
    }

    @Test
    @DisplayName("test_connection")
    void testConnection() {
        Connection.Pair pair = Multiprocessing.pipe();
        Connection conn = pair.conn1();
        Connection childConn = pair.conn2();

        Process p = new Process(() -> echo(childConn));
        p.setDaemon(true);
        p.start();

        List<Object> seq = Arrays.asList(1, 2.25, null);
        byte[] msg = latin("hello world");
        byte[] longmsg = latin("hello world".repeat(10));
        byte[] arr = ints(0, 1, 2, 3);

        conn.send(seq);
        assertEquals(seq, conn.recv());

        conn.sendBytes(msg);
        assertArrayEquals(msg, conn.recvBytes());

        byte[] buffer = ints(new int[10]);
        byte[] expected = ints(0, 1, 2, 3, 0, 0, 0, 0, 0, 0);
        conn.sendBytes(arr);
        assertEquals(arr.length, conn.recvBytesInto(buffer));
        assertArrayEquals(expected, buffer);

        buffer = ints(new int[10]);
        expected = ints(0, 0, 0, 0, 1, 2, 3, 0, 0, 0);
        conn.sendBytes(arr);
        assertEquals(arr.length, conn.recvBytesInto(buffer, 3 * Integer.BYTES));
        assertArrayEquals(expected, buffer);

        byte[] small = latin(" ".repeat(40));
        conn.sendBytes(longmsg);
        BufferTooShort e = assertThrows(BufferTooShort.class, () -> conn.recvBytesInto(small));
        assertArrayEquals(longmsg, e.message());

        assertFalse(conn.poll());
        // poll(-1): Python's negative timeout does not wait; a negative Duration is refused in Java
        assertThrows(IllegalArgumentException.class, () -> conn.poll(Duration.ofMillis(-1)));
        Timing.assertFalseNoEarlierThan(TIMEOUT1, () -> conn.poll(TIMEOUT1));

        conn.send(null);
        until("the echo came back", conn::poll);       // CPython sleeps 0.1 s
        assertTrue(conn.poll(TIMEOUT1));
        assertNull(conn.recv());

        byte[] reallyBigMsg = new byte[1024 * 1024 * 16];     // 16Mb
        Arrays.fill(reallyBigMsg, (byte) 'X');
        conn.sendBytes(reallyBigMsg);
        assertArrayEquals(reallyBigMsg, conn.recvBytes());

        conn.sendBytes(SENTINEL);                              // tell child to quit
        childConn.close();

        assertTrue(conn.readable());
        assertTrue(conn.writable());
        assertThrows(EOFError.class, conn::recv);
        assertThrows(EOFError.class, conn::recvBytes);

        p.join();
        conn.close();
    }

    @Test
    @DisplayName("test_duplex_false")
    void testDuplexFalse() {
        Connection.Pair pair = Multiprocessing.pipe(false);
        Connection reader = pair.conn1();
        Connection writer = pair.conn2();
        writer.send(1);
        assertEquals(1, reader.recv());
        assertTrue(reader.readable());
        assertFalse(reader.writable());
        assertFalse(writer.readable());
        assertTrue(writer.writable());
        assertThrows(OSError.class, () -> reader.send(2));
        assertThrows(OSError.class, writer::recv);
        assertThrows(OSError.class, writer::poll);
        reader.close();
        writer.close();
    }

    /** A pipe end can be closed by the parent as soon as the child that uses it has started. */
    @Test
    @DisplayName("test_spawn_close")
    void testSpawnClose() {
        Connection.Pair pair = Multiprocessing.pipe();
        Connection conn = pair.conn1();
        Connection childConn = pair.conn2();

        Process p = new Process(() -> echo(childConn));
        p.setDaemon(true);
        p.start();
        childConn.close();    // this might complete before child initializes

        byte[] msg = latin("hello");
        conn.sendBytes(msg);
        assertArrayEquals(msg, conn.recvBytes());

        conn.sendBytes(SENTINEL);
        conn.close();
        p.join();
        assertEquals(0, p.exitCode());
    }

    /**
     * send_bytes(buf, offset, size): Python's size=None (the rest) is {@code buf.length - offset};
     * a range outside the buffer is a ValueError.
     */
    @Test
    @DisplayName("test_sendbytes")
    void testSendbytes() {
        byte[] msg = latin("abcdefghijklmnopqrstuvwxyz");
        Connection.Pair pair = Multiprocessing.pipe();
        Connection a = pair.conn1();
        Connection b = pair.conn2();

        a.sendBytes(msg);
        assertArrayEquals(msg, b.recvBytes());

        a.sendBytes(msg, 5, msg.length - 5);
        assertArrayEquals(Arrays.copyOfRange(msg, 5, 26), b.recvBytes());

        a.sendBytes(msg, 7, 8);
        assertArrayEquals(Arrays.copyOfRange(msg, 7, 7 + 8), b.recvBytes());

        a.sendBytes(msg, 26, msg.length - 26);
        assertArrayEquals(latin(""), b.recvBytes());

        a.sendBytes(msg, 26, 0);
        assertArrayEquals(latin(""), b.recvBytes());

        assertThrows(IllegalArgumentException.class, () -> a.sendBytes(msg, 27, 0));
        assertThrows(IllegalArgumentException.class, () -> a.sendBytes(msg, 22, 5));
        assertThrows(IllegalArgumentException.class, () -> a.sendBytes(msg, 26, 1));
        assertThrows(IllegalArgumentException.class, () -> a.sendBytes(msg, -1, msg.length + 1));
        assertThrows(IllegalArgumentException.class, () -> a.sendBytes(msg, 4, -1));
        a.close();
        b.close();
    }

    /** Both ends in a try-with-resources block: open inside, closed after, and recv() then an OSError. */
    @Test
    @DisplayName("test_context")
    void testContext() {
        Connection.Pair pair = Multiprocessing.pipe();
        Connection a = pair.conn1();
        Connection b = pair.conn2();

        try (a; b) {
            a.send(1729);
            assertEquals(1729, b.recv());
            assertFalse(a.closed());
            assertFalse(b.closed());
        }

        assertTrue(a.closed());
        assertTrue(b.closed());
        assertThrows(OSError.class, a::recv);
        assertThrows(OSError.class, b::recv);
    }
}
