package dev.pyconc.conformance.testmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.multiprocessing.Process;
import dev.pyconc.multiprocessing.Queue;

/**
 * _test_multiprocessing.py's {@code _TestSpawnedSysPath} (spawn and forkserver, processes only):
 * a child finds the classes the parent finds. CPython's {@code sys.path} is the class path, which
 * a JVM cannot extend once started: the child's class path is the parent's, and the child loads a
 * class of the parent's test directory (CPython's {@code unique_test_mod}).
 */
class _TestSpawnedSysPath {
    private static final String MOD_NAME = "dev.pyconc.conformance.testmultiprocessing._TestSpawnedSysPath$UniqueTestMod";

    @BeforeAll
    static void segments() {
        Mp1Support.init();
    }

    /** CPython's simple test module. */
    static final class UniqueTestMod {}

    private static void enqSysPathAndImport(Queue<Object> queue, String modName) {
        queue.put(System.getProperty("java.class.path"));
        try {
            Class.forName(modName);
            queue.put(null);
        } catch (ClassNotFoundException exc) {
            queue.put(exc.toString());
        }
    }

    /** The child's class path is the parent's, and the child loads the test's class. */
    @Test
    @DisplayName("test_child_sys_path")
    void testChildSysPath() {
        Queue<Object> q = new Queue<>();
        Process proc = new Process(() -> enqSysPathAndImport(q, MOD_NAME));
        proc.start();
        proc.join();
        Object childSysPath = q.get();
        Object importError = q.get();
        q.close();
        assertEquals(List.of(System.getProperty("java.class.path").split(":")),
                List.of(((String) childSysPath).split(":")));
        assertNull(importError, "child could not load " + MOD_NAME);
    }
}
