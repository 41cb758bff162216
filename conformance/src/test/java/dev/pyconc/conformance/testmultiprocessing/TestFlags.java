package dev.pyconc.conformance.testmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.multiprocessing.Connection;
import dev.pyconc.multiprocessing.Multiprocessing;
import dev.pyconc.multiprocessing.Process;

/**
 * _test_multiprocessing.py's {@code TestFlags}: a child started with unusual interpreter flags
 * passes them to its own child. CPython starts the child with {@code -E -S -O} and compares
 * {@code sys.flags}; here the child JVM gets {@code -ea}, {@code -Xss2m} and
 * {@code -XX:TieredStopAtLevel=1}, and the two compare whether assertions are enabled and which
 * of those options their JVM was started with.
 */
class TestFlags {
    private static final List<String> UNUSUAL = List.of("-ea", "-Xss2m", "-XX:TieredStopAtLevel=1");

    @BeforeAll
    static void segments() {
        Mp1Support.init();
    }

    /** CPython's {@code tuple(sys.flags)}: the flags of this JVM that the test set. */
    private static List<Object> flags() {
        boolean assertions = false;
        assert assertions = true;
        List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        return List.of(assertions, UNUSUAL.stream().filter(args::contains).toList());
    }

    private static void runInChild(Connection result) {
        Connection.Pair pipe = Multiprocessing.pipe(false);
        Connection r = pipe.conn1(), w = pipe.conn2();
        Process p = new Process(() -> w.send(flags()));
        p.start();
        Object grandchildFlags = r.recv();
        p.join();
        r.close();
        w.close();
        result.send(List.of(flags(), grandchildFlags));
    }

    /** The grandchild runs with the flags of the child, which are not the parent's. */
    @Test
    @DisplayName("test_flags")
    void testFlags() {
        Connection.Pair pipe = Multiprocessing.pipe(false);
        Connection r = pipe.conn1(), w = pipe.conn2();
        Process child = Process.builder().target(() -> runInChild(w)).jvmArgs(UNUSUAL).build();
        child.start();
        List<?> data = (List<?>) r.recv();
        child.join();
        r.close();
        w.close();
        List<?> childFlags = (List<?>) data.get(0), grandchildFlags = (List<?>) data.get(1);
        assertEquals(List.of(true, UNUSUAL), childFlags);
        assertEquals(childFlags, grandchildFlags);
        assertTrue(!flags().equals(childFlags), "the parent's flags " + flags() + " are not the child's");
    }
}
