package dev.pyconc.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the conformance table true: every conformance test ports a listed CPython method, no
 * method is both ported and decided, docs/conformance.md is what {@link ConformanceTable} writes
 * now, and README.md's line states its totals. With {@code -Dpyconc.conformance.write=true}
 * ({@link ConformanceTable#REFRESH}) it writes both files instead of comparing them.
 */
class ConformanceTableTest {
    private static Path root;
    private static ConformanceTable table;
    private static boolean write;

    @BeforeAll
    static void load() {
        String p = System.getProperty("pyconc.repository");
        root = (p != null ? Path.of(p) : Path.of("..")).toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(root.resolve(ConformanceTable.METHODS)),
                "no " + ConformanceTable.METHODS + " under " + root + ": run from the repository's build");
        table = ConformanceTable.load(root, ConformanceTable.testClasses());
        write = Boolean.getBoolean("pyconc.conformance.write");
    }

    /**
     * Every Java conformance test names (class and @DisplayName) a method of the list, follows the
     * naming rule and runs in some concrete class; no method is both ported and in a decisions
     * file, or in both; every decision names a listed method or class.
     */
    @Test
    void testsAndDecisionsAgreeWithTheMethodList() {
        assertEquals(List.of(), table.problems());
    }

    /** docs/conformance.md is what the generator writes now: ported, passing and decided as the code says. */
    @Test
    void pageIsUpToDate() throws IOException {
        Path page = root.resolve(ConformanceTable.PAGE);
        String now = table.render();
        if (write) {
            Files.writeString(page, now, StandardCharsets.UTF_8);
        }
        String committed = Files.isRegularFile(page) ? Files.readString(page, StandardCharsets.UTF_8) : "";
        assertEquals(now, committed, ConformanceTable.PAGE + " is out of date; refresh it with: " + ConformanceTable.REFRESH);
    }

    /** README.md's line "CPython conformance: N of M applicable test methods ..." states the table's totals. */
    @Test
    void readmeStatesTheTotals() throws IOException {
        Path readme = root.resolve(ConformanceTable.README);
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        if (write) {
            text = table.readmeWithTotals(text);
            Files.writeString(readme, text, StandardCharsets.UTF_8);
        }
        Matcher m = ConformanceTable.README_LINE.matcher(text);
        assertTrue(m.find(), "README.md has no line matching " + ConformanceTable.README_LINE.pattern());
        ConformanceTable.Counts total = table.total();
        assertEquals(total.passing() + " of " + total.applicable(), m.group(1) + " of " + m.group(2),
                "README.md's conformance line is out of date; refresh it with: " + ConformanceTable.REFRESH);
    }

    /** The naming rules: Java packages of CPython files, and camelCase method names. */
    @Test
    void namingRules() {
        assertEquals("dev.pyconc.conformance.locktests", ConformanceTable.javaPackage("lock_tests.py"));
        assertEquals("dev.pyconc.conformance.testqueue", ConformanceTable.javaPackage("test_queue.py"));
        assertEquals("dev.pyconc.conformance.testmultiprocessing", ConformanceTable.javaPackage("_test_multiprocessing.py"));
        assertEquals("dev.pyconc.conformance.asyncio.testlocks", ConformanceTable.javaPackage("test_asyncio/test_locks.py"));
        assertEquals("dev.pyconc.conformance.concurrentfutures.testthreadpool",
                ConformanceTable.javaPackage("test_concurrent_futures/test_thread_pool.py"));
        assertEquals("testAcquireRelease", ConformanceTable.camelCase("test_acquire_release"));
        assertEquals("testIsOwned", ConformanceTable.camelCase("test__is_owned"));
        assertEquals("test1JoinOnShutdown", ConformanceTable.camelCase("test_1_join_on_shutdown"));
        assertEquals("testBoundedSemaphoreLimit", ConformanceTable.camelCase("test_BoundedSemaphore_limit"));
    }
}
