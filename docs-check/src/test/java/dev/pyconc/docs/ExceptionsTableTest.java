package dev.pyconc.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * docs/exceptions.md against the code: every exception class of the published modules has a row
 * naming its Python counterpart, its Java parent (as the class declares it) and the calls that
 * throw it, and every row names a class that exists.
 */
class ExceptionsTableTest {
    /** A row of the class tables: | `class` | Python | `parent` | thrown by |. */
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`(dev\\.pyconc\\.[\\w.$]+)`\\s*\\|([^|]*)\\|\\s*`([\\w.$]+)`\\s*\\|([^|]*)\\|\\s*$");

    record Row(String javaClass, String python, String parent, String thrownBy) {}

    static List<Row> rows() throws IOException {
        List<Row> rows = new ArrayList<>();
        for (String line : Files.readAllLines(Repository.path("docs/exceptions.md"))) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                rows.add(new Row(m.group(1), m.group(2).strip(), m.group(3), m.group(4).strip()));
            }
        }
        return rows;
    }

    /** The public exception classes of the published modules, found from their sources. */
    static Set<String> exceptionClasses() throws IOException {
        Set<String> found = new TreeSet<>();
        for (String module : List.of("core", "ipc", "async")) {
            Path root = Repository.path(module + "/src/main/java");
            try (Stream<Path> files = Files.walk(root)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String rel = root.relativize(f).toString();
                    String name = rel.substring(0, rel.length() - ".java".length()).replace('/', '.');
                    if (name.endsWith("package-info") || name.equals("module-info")) {
                        continue;
                    }
                    Class<?> c = load(name);
                    if (Throwable.class.isAssignableFrom(c) && Modifier.isPublic(c.getModifiers())) {
                        found.add(name);
                    }
                }
            }
        }
        return found;
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, ExceptionsTableTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new AssertionError("a source file names a class that is not built: " + name, e);
        }
    }

    /** Each row names an exception class that exists, with the parent it declares, its Python name and its throwers. */
    @Test
    void everyRowMatchesItsClass() throws IOException {
        List<Row> rows = rows();
        assertFalse(rows.isEmpty(), "docs/exceptions.md has no class rows");
        Set<String> seen = new TreeSet<>();
        for (Row r : rows) {
            assertTrue(seen.add(r.javaClass()), r.javaClass() + " has two rows");
            Class<?> c = load(r.javaClass());
            assertTrue(Throwable.class.isAssignableFrom(c), r.javaClass() + " is not an exception");
            Class<?> parent = c.getSuperclass();
            String expected = parent.getName().startsWith("dev.pyconc.") ? parent.getName() : parent.getSimpleName();
            assertEquals(expected, r.parent(), "the Java parent of " + r.javaClass());
            assertFalse(r.python().isEmpty(), "the Python counterpart of " + r.javaClass());
            assertFalse(r.thrownBy().isEmpty(), "what throws " + r.javaClass());
        }
    }

    /** Every public exception class of core, ipc and async has a row. */
    @Test
    void everyExceptionClassHasARow() throws IOException {
        Set<String> documented = new TreeSet<>();
        for (Row r : rows()) {
            documented.add(r.javaClass());
        }
        Set<String> missing = new TreeSet<>(exceptionClasses());
        missing.removeAll(documented);
        if (!missing.isEmpty()) {
            fail("docs/exceptions.md lacks a row for " + missing);
        }
    }
}
