package dev.pyconc.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * docs/operations.md against the code: its table of system properties and environment variables
 * names every {@code pyconc.*} property and every environment variable that the published
 * modules read, and nothing they do not read.
 */
class OperationsPropertiesTest {
    /** A string literal that is a whole pyconc property name: {@code "pyconc.asyncio.transport"}. */
    private static final Pattern PROPERTY = Pattern.compile("\"(pyconc\\.[A-Za-z.]*[A-Za-z])\"");
    /** An environment variable read by name: {@code getenv("PYCONC_GIL")}. */
    private static final Pattern VARIABLE = Pattern.compile("getenv\\(\"([A-Z_][A-Z0-9_]*)\"\\)");
    /** A row of the table: | `name` (environment)? | default | module | what |. */
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([A-Za-z_][\\w.]*)`( \\(environment\\))?\\s*\\|.*\\|.*\\|.*\\|\\s*$");

    /** The pyconc properties and the environment variables named in the code of the published modules. */
    static Set<String> namesInCode() throws IOException {
        Set<String> found = new TreeSet<>();
        for (String module : List.of("core", "ipc", "async")) {
            try (Stream<Path> files = Files.walk(Repository.path(module + "/src/main/java"))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String source = Files.readString(f);
                    for (Pattern p : List.of(PROPERTY, VARIABLE)) {
                        Matcher m = p.matcher(source);
                        while (m.find()) {
                            found.add(m.group(1));
                        }
                    }
                }
            }
        }
        return found;
    }

    /** The pyconc properties and the environment variables of the table in docs/operations.md. */
    static Set<String> namesInTable() throws IOException {
        List<String> lines = Files.readAllLines(Repository.path("docs/operations.md"));
        int start = lines.indexOf("## Every system property and environment variable");
        Set<String> found = new TreeSet<>();
        for (String line : lines.subList(Math.max(start, 0), lines.size())) {
            Matcher m = ROW.matcher(line);
            if (start >= 0 && m.matches() && (m.group(1).startsWith("pyconc.") || m.group(2) != null)) {
                found.add(m.group(1));
            }
        }
        return found;
    }

    /** The table lists exactly the pyconc properties and environment variables the code reads. */
    @Test
    void tableListsWhatTheCodeReads() throws IOException {
        Set<String> code = namesInCode();
        assertFalse(code.isEmpty(), "no property found in the code: the pattern no longer matches it");
        Set<String> table = namesInTable();
        Set<String> missing = new TreeSet<>(code);
        missing.removeAll(table);
        Set<String> extra = new TreeSet<>(table);
        extra.removeAll(code);
        assertEquals("", (missing.isEmpty() ? "" : "read by the code, missing from the table: " + missing + "; ")
                + (extra.isEmpty() ? "" : "in the table, read by no code: " + extra),
                "docs/operations.md, section 'Every system property and environment variable'");
    }
}
