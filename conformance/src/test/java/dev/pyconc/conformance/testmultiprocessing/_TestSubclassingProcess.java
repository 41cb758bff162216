package dev.pyconc.conformance.testmultiprocessing;

import static dev.pyconc.conformance.testmultiprocessing.Mp1Support.joinProcess;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serial;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.multiprocessing.Connection;
import dev.pyconc.multiprocessing.Multiprocessing;
import dev.pyconc.multiprocessing.Process;

/**
 * _test_multiprocessing.py's {@code _TestSubclassingProcess} (processes only, as in CPython): a
 * {@link Process} subclass whose fields travel to the child JVM, and what a child leaves on its
 * standard error when it fails or exits.
 */
class _TestSubclassingProcess {
    private Path testfn;

    @BeforeAll
    static void segments() {
        Mp1Support.init();
    }

    @BeforeEach
    void setUp() throws IOException {
        Path dir = Files.createTempDirectory("pyconc-mp1-");
        testfn = dir.resolve("testfn");
    }

    @AfterEach
    void tearDown() throws IOException {
        Files.deleteIfExists(testfn);
        Files.deleteIfExists(testfn.getParent());
    }

    /** CPython's {@code _UpperCaser}: a process that answers each string with its upper case. */
    static final class UpperCaser extends Process {
        @Serial
        private static final long serialVersionUID = 1L;

        private final Connection childConn;
        private final Connection parentConn;

        UpperCaser() {
            Connection.Pair pipe = Multiprocessing.pipe();
            childConn = pipe.conn1();
            parentConn = pipe.conn2();
        }

        @Override
        public void run() {
            parentConn.close();
            for (Object s = childConn.recv(); s != null; s = childConn.recv()) {
                childConn.send(((String) s).toUpperCase());
            }
            childConn.close();
        }

        String submit(String s) {
            parentConn.send(s);
            return (String) parentConn.recv();
        }

        void stop() {
            parentConn.send(null);
            parentConn.close();
            childConn.close();
        }
    }

    /** A subclass's run() and fields (both ends of a pipe) work in the child. */
    @Test
    @DisplayName("test_subclassing")
    void testSubclassing() {
        UpperCaser uppercaser = new UpperCaser();
        uppercaser.setDaemon(true);
        uppercaser.start();
        assertEquals("HELLO", uppercaser.submit("hello"));
        assertEquals("WORLD", uppercaser.submit("world"));
        uppercaser.stop();
        uppercaser.join();
    }

    /** Opens {@code testfn} (it must not exist) as a buffered System.err of the child. */
    private static void redirectStderr(String testfn) {
        try {
            Files.createFile(Path.of(testfn));
            System.setErr(new PrintStream(new BufferedOutputStream(new FileOutputStream(testfn)), false,
                    StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings({"divzero", "unused"})
    private static void stderrFlush(String testfn) {
        redirectStderr(testfn);
        int zero = 0;
        int x = 1 / zero; // MARKER
    }

    /**
     * System.err is flushed when a child ends: the whole stack trace of what its run() threw is
     * in the file System.err wrote to (CPython's traceback shows the source line; a Java stack
     * trace names the method).
     */
    @Test
    @DisplayName("test_stderr_flush")
    void testStderrFlush() throws IOException {
        String fn = testfn.toString();
        Process proc = new Process(() -> stderrFlush(fn));
        proc.start();
        proc.join();
        String err = Files.readString(testfn, StandardCharsets.UTF_8);
        assertTrue(err.contains("java.lang.ArithmeticException: / by zero"), err);
        assertTrue(err.contains("_TestSubclassingProcess.stderrFlush(_TestSubclassingProcess.java:"), err);
        assertEquals(1, proc.exitCode());
    }

    private static void sysExit(Object reason, String testfn) {
        redirectStderr(testfn);
        throw new IllegalStateException(String.valueOf(reason));
    }

    /**
     * A child that ends by an exception exits 1 with the reason on its System.err (CPython's
     * {@code sys.exit(reason)} with a reason that is no number); {@code System.exit(n)} exits n,
     * and a run() that returns exits 0 (CPython's {@code sys.exit(True)}, {@code (False)},
     * {@code (8)}, {@code (None)} and {@code ()}).
     */
    @Test
    @DisplayName("test_sys_exit")
    void testSysExit() throws IOException {
        String fn = testfn.toString();
        for (Object reason : List.<Object>of(List.of(1, 2, 3), "ignore this")) {
            Process p = Process.builder().daemon(true).target(() -> sysExit(reason, fn)).build();
            p.start();
            joinProcess(p);
            assertEquals(1, p.exitCode());
            String content = Files.readString(testfn, StandardCharsets.UTF_8);
            assertTrue(content.contains("java.lang.IllegalStateException: " + reason), content);
            Files.delete(testfn);
        }

        record Case(Process.Builder target, int expected) {}
        List<Case> cases = List.of(
                new Case(Process.builder().target(() -> System.exit(1)), 1),
                new Case(Process.builder().target(() -> System.exit(0)), 0),
                new Case(Process.builder().target(() -> System.exit(8)), 8),
                new Case(Process.builder().target(() -> { }), 0));
        for (Case c : cases) {
            Process p = c.target().daemon(true).build();
            p.start();
            joinProcess(p);
            assertEquals(c.expected(), p.exitCode());
        }
    }
}
