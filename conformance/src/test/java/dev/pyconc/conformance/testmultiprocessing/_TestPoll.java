package dev.pyconc.conformance.testmultiprocessing;

import static dev.pyconc.conformance.testmultiprocessing._TestConnection.latin;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.multiprocessing.Connection;
import dev.pyconc.multiprocessing.Event;
import dev.pyconc.multiprocessing.Multiprocessing;
import dev.pyconc.multiprocessing.Process;

/**
 * _test_multiprocessing.py's {@code _TestPoll}, in the form CPython runs as
 * {@code WithProcessesTestPoll}: the other end is in a child JVM.
 */
class _TestPoll {
    @BeforeAll
    static void setUpModule() {
        Mp2Support.setUpModule();
    }

    @Test
    @DisplayName("test_empty_string")
    void testEmptyString() {
        Connection.Pair pair = Multiprocessing.pipe();
        Connection a = pair.conn1();
        Connection b = pair.conn2();
        assertFalse(a.poll());
        b.sendBytes(latin(""));
        assertTrue(a.poll());
        assertTrue(a.poll());
        a.close();
        b.close();
    }

    /** CPython's {@code _child_strings}. */
    static void childStrings(Connection conn, List<byte[]> strings) {
        for (byte[] s : strings) {
            Mp2Support.sleep(Duration.ofMillis(100));
            conn.sendBytes(s);
        }
        conn.close();
    }

    @Test
    @DisplayName("test_strings")
    void testStrings() {
        List<byte[]> strings = List.of(latin("hello"), latin(""), latin("a"), latin("b"), latin(""), latin("bye"),
                latin(""), latin("lop"));
        Connection.Pair pair = Multiprocessing.pipe();
        Connection a = pair.conn1();
        Connection b = pair.conn2();
        Process p = new Process(() -> childStrings(b, strings));
        p.start();

        for (byte[] s : strings) {
            for (int i = 0; i < 200; i++) {
                if (a.poll(Duration.ofMillis(10))) {
                    break;
                }
            }
            byte[] x = a.recvBytes();
            assertArrayEquals(s, x);
        }

        p.join();
        assertEquals(0, p.exitCode());
        a.close();
        b.close();
    }

    /**
     * CPython's {@code _child_boundaries}: polling in another process must not pull in part of a
     * message. The child says it is about to poll, where CPython's parent sleeps two seconds.
     */
    static void childBoundaries(Connection r, Event polling) {
        polling.set();
        r.poll(Duration.ofSeconds(5));
    }

    @Test
    @DisplayName("test_boundaries")
    void testBoundaries() {
        Connection.Pair pair = Multiprocessing.pipe(false);
        Connection r = pair.conn1();
        Connection w = pair.conn2();
        Event polling = new Event();
        Process p = new Process(() -> childBoundaries(r, polling));
        p.start();
        assertTrue(polling.await(Duration.ofSeconds(60)));
        List<String> l = List.of("first", "second");
        for (String obj : l) {
            w.sendBytes(latin(obj));
        }
        w.close();
        p.join();
        assertEquals(0, p.exitCode());
        assertTrue(l.contains(new String(r.recvBytes(), java.nio.charset.StandardCharsets.ISO_8859_1)));
        r.close();
    }

    /** CPython's {@code _child_dont_merge}. */
    static void childDontMerge(Connection b) {
        b.sendBytes(latin("a"));
        b.sendBytes(latin("b"));
        b.sendBytes(latin("cd"));
    }

    /** Three messages sent at once stay three messages: poll() sees each, and recv_bytes() takes one. */
    @Test
    @DisplayName("test_dont_merge")
    void testDontMerge() {
        Connection.Pair pair = Multiprocessing.pipe();
        Connection a = pair.conn1();
        Connection b = pair.conn2();
        assertFalse(a.poll(Duration.ZERO));
        assertFalse(a.poll(Duration.ofMillis(100)));

        Process p = new Process(() -> childDontMerge(b));
        p.start();

        assertArrayEquals(latin("a"), a.recvBytes());
        assertTrue(a.poll(Duration.ofSeconds(1)));
        assertTrue(a.poll(Duration.ofSeconds(1)));
        assertArrayEquals(latin("b"), a.recvBytes());
        assertTrue(a.poll(Duration.ofSeconds(1)));
        assertTrue(a.poll(Duration.ofSeconds(1)));
        assertTrue(a.poll(Duration.ZERO));
        assertArrayEquals(latin("cd"), a.recvBytes());

        p.join();
        a.close();
        b.close();
    }
}
