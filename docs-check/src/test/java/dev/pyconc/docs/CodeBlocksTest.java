package dev.pyconc.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Java block of the Markdown files compiles against the current modules, and the programs of
 * README.md print what the README says they print.
 *
 * <p>A block fenced as {@code ```java} is compiled; one fenced as {@code ```java fragment} is a
 * deliberate fragment and skipped. A block that declares a type is compiled as a file of its own
 * (with its imports); any other block is a run of statements, compiled as the body of a method that
 * may throw anything, after its leading {@code import} lines. The pages of docs/python-to-java/
 * import their module's packages for their blocks; every block may use {@code Duration} and the
 * common collections without importing them. A README program (a block with a {@code main} method)
 * is run, and what it prints on its standard output must equal the {@code ```text} block that
 * follows it.
 */
class CodeBlocksTest {
    private static final Pattern TYPE = Pattern.compile("(?m)^(?:public\\s+|final\\s+|abstract\\s+|sealed\\s+)*(?:class|record|interface|enum)\\s+(\\w+)");
    private static final List<String> COMMON_IMPORTS = List.of("java.time.Duration", "java.util.List", "java.util.Map",
            "java.util.Set", "java.util.ArrayList", "java.util.HashMap", "java.util.concurrent.Callable");
    private static final Map<String, List<String>> PAGE_PACKAGES = Map.of(
            "threading.md", List.of("dev.pyconc.threading", "dev.pyconc.builtins"),
            "queue.md", List.of("dev.pyconc.queue"),
            "concurrent-futures.md", List.of("dev.pyconc.futures", "dev.pyconc.builtins"),
            "multiprocessing.md", List.of("dev.pyconc.multiprocessing", "dev.pyconc.multiprocessing.sharedmemory",
                    "dev.pyconc.queue", "dev.pyconc.builtins"),
            "asyncio.md", List.of("dev.pyconc.asyncio", "dev.pyconc.builtins"),
            "gil.md", List.of("dev.pyconc.gil"));

    /** One block turned into a compilation unit. */
    record Unit(Markdown.Block block, String className, String source) {}

    static Unit unit(Markdown.Block b, int n) {
        String pkg = "snippet" + n;
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        boolean head = true;
        for (String line : b.text().split("\n", -1)) {
            if (head && (line.startsWith("import ") || line.isBlank())) {
                imports.append(line).append('\n');
            } else {
                head = false;
                body.append(line).append('\n');
            }
        }
        StringBuilder src = new StringBuilder("package " + pkg + ";\n");
        for (String i : COMMON_IMPORTS) {
            src.append("import ").append(i).append(";\n");
        }
        String page = b.file().getFileName().toString();
        if (b.file().getParent().getFileName().toString().equals("python-to-java")) {
            for (String p : PAGE_PACKAGES.getOrDefault(page, List.of())) {
                src.append("import ").append(p).append(".*;\n");
            }
        }
        src.append(imports);
        Matcher type = TYPE.matcher(body);
        String className;
        if (type.find()) {
            className = type.group(1);
            src.append(body);
        } else {
            className = "Snippet";
            src.append("class Snippet {\n    @SuppressWarnings(\"unused\")\n    void run() throws Throwable {\n")
                    .append(body).append("    }\n}\n");
        }
        return new Unit(b, pkg + "." + className, src.toString());
    }

    static List<Markdown.Block> javaBlocks() {
        List<Markdown.Block> blocks = new ArrayList<>();
        for (Path f : Markdown.files()) {
            for (Markdown.Block b : Markdown.blocks(f)) {
                if (b.language().equals("java") && !b.marked("fragment")) {
                    blocks.add(b);
                }
            }
        }
        return blocks;
    }

    /** Compiles {@code units} into {@code out}; returns the errors, each with the block's place. */
    static List<String> compile(List<Unit> units, Path out) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Map<Path, Unit> byFile = new LinkedHashMap<>();
        Path src = out.resolve("src");
        for (Unit u : units) {
            Path f = src.resolve(u.className().replace('.', '/') + ".java");
            Files.createDirectories(f.getParent());
            Files.writeString(f, u.source(), StandardCharsets.UTF_8);
            byFile.put(f.toAbsolutePath(), u);
        }
        List<String> errors = new ArrayList<>();
        if (units.isEmpty()) {
            return errors;
        }
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            var files = fm.getJavaFileObjectsFromPaths(byFile.keySet());
            List<String> options = List.of("-d", out.resolve("classes").toString(), "-classpath",
                    System.getProperty("java.class.path"), "-proc:none", "-Xlint:none", "-nowarn");
            StringWriter log = new StringWriter();
            javac.getTask(log, fm, diagnostics, options, null, files).call();
        }
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() != Diagnostic.Kind.ERROR) {
                continue;
            }
            Unit u = d.getSource() == null ? null : byFile.get(Path.of(d.getSource().toUri()).toAbsolutePath());
            String where = u == null ? "?" : u.block().where();
            errors.add(where + ": " + d.getMessage(Locale.ROOT) + (u == null ? "" : " [generated line " + d.getLineNumber() + "]"));
        }
        return errors;
    }

    /** Every {@code ```java} block of README.md, CONTRIBUTING.md, CHANGELOG.md and docs/ compiles. */
    @Test
    void everyJavaBlockCompiles(@TempDir Path out) throws IOException {
        List<Markdown.Block> blocks = javaBlocks();
        List<Unit> units = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            units.add(unit(blocks.get(i), i));
        }
        assertEquals(List.of(), compile(units, out));
    }

    /** The README's programs run and print exactly the output the README shows after each. */
    @Test
    void readmeProgramsPrintWhatTheReadmeSays(@TempDir Path out) throws Exception {
        List<Markdown.Block> blocks = Markdown.blocks(Repository.path("README.md"));
        List<Unit> programs = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            Markdown.Block b = blocks.get(i);
            if (b.language().equals("java") && !b.marked("fragment") && b.text().contains("static void main(")) {
                assertTrue(i + 1 < blocks.size() && blocks.get(i + 1).language().equals("text"),
                        b.where() + ": a README program must be followed by a ```text block with its output");
                programs.add(unit(b, 1000 + i));
                expected.add(blocks.get(i + 1).text());
            }
        }
        assertFalse(programs.isEmpty(), "README.md shows no program");
        assertEquals(List.of(), compile(programs, out));
        for (int i = 0; i < programs.size(); i++) {
            Unit u = programs.get(i);
            String cp = out.resolve("classes") + File.pathSeparator + System.getProperty("java.class.path");
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-cp", cp, u.className());
            Path log = out.resolve("program-" + i + ".out");
            Path err = out.resolve("program-" + i + ".err");
            pb.redirectOutput(log.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor();
                throw new AssertionError(u.block().where() + " did not end within 120 s:\n" + Files.readString(log)
                        + Files.readString(err));
            }
            String printed = Files.readString(log, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), u.block().where() + " failed:\n" + printed + Files.readString(err));
            assertEquals(expected.get(i).strip(), printed.strip(), u.block().where() + " printed something else");
        }
    }
}
