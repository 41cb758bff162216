package dev.pyconc.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.DisplayName;
import org.junit.platform.commons.annotation.Testable;

/**
 * The conformance table: joins CPython's test methods ({@code conformance/cpython/methods-3.13.tsv}),
 * the decisions ({@code not-applicable.tsv}, {@code not-yet.tsv}) and the Java tests of this
 * module into {@code docs/conformance.md}, and reports every inconsistency between them.
 *
 * <p>A Java test ports the CPython method {@code file Class method} when it is a JUnit test of a
 * top-level class named {@code Class} (or a subclass of such a class) in the package named after
 * {@code file} ({@link #javaPackage}), with {@code @DisplayName("method")}. A ported method passes
 * when at least one concrete class runs it and none of those runs is {@code @Disabled}: the build
 * runs every test that is not disabled, so a failing one fails the build.
 */
public final class ConformanceTable {
    /** The root package of the ported suites. */
    static final String ROOT_PACKAGE = "dev.pyconc.conformance";

    static final String METHODS = "conformance/cpython/methods-3.13.tsv";
    static final String NOT_APPLICABLE = "conformance/cpython/not-applicable.tsv";
    static final String NOT_YET = "conformance/cpython/not-yet.tsv";
    static final String PAGE = "docs/conformance.md";
    static final String README = "README.md";

    /** The command that rewrites the page and README.md's line. */
    static final String REFRESH = "mvn -B -pl conformance -am test -Dtest=ConformanceTableTest"
            + " -Dsurefire.failIfNoSpecifiedTests=false -Dpyconc.conformance.write=true";

    /** README.md's line, which states the totals. */
    static final Pattern README_LINE = Pattern.compile(
            "CPython conformance: (\\d+) of (\\d+) applicable test methods of CPython 3\\.13's suites pass");

    /** A test method of CPython's: its file (relative to Lib/test), class and name. */
    record Key(String file, String cls, String method) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            return Comparator.comparing(Key::file).thenComparing(Key::cls).thenComparing(Key::method).compare(this, o);
        }

        @Override
        public String toString() {
            return file + " " + cls + "." + method;
        }
    }

    /** A Java method that ports {@code key}, declared in {@code declaring}. */
    record Port(Key key, Class<?> declaring, Method method) {
        String name() {
            return shortName(declaring) + "#" + method.getName();
        }
    }

    /** A run of a ported test: {@code runner} is the concrete class JUnit runs it in. */
    record Run(Key key, Class<?> runner, Method method, String disabled) {}

    /** What the table says of one CPython method. */
    record Row(Key key, String state, String detail, String runBy) {}

    private final List<Key> methods = new ArrayList<>();
    private final Set<Key> methodSet = new LinkedHashSet<>();
    private final Map<String, String> packageToFile = new HashMap<>();
    private final Map<Key, String> notApplicable = new LinkedHashMap<>();
    private final Map<Key, String> notYet = new LinkedHashMap<>();
    private final Map<Key, List<Port>> ports = new TreeMap<>();
    private final Map<Key, List<Run>> runs = new TreeMap<>();
    private final List<String> problems = new ArrayList<>();
    private final List<Row> rows = new ArrayList<>();

    private ConformanceTable() {}

    /** Reads the data files under {@code root} and scans the Java tests under {@code classes}. */
    static ConformanceTable load(Path root, Path classes) {
        ConformanceTable t = new ConformanceTable();
        t.readMethods(root.resolve(METHODS));
        t.readDecisions(root.resolve(NOT_APPLICABLE), t.notApplicable);
        t.readDecisions(root.resolve(NOT_YET), t.notYet);
        t.scan(classes);
        t.decide();
        return t;
    }

    /** Where this class was loaded from: the module's test classes. */
    static Path testClasses() {
        try {
            return Path.of(ConformanceTable.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The Java package of a CPython test file: each directory without its {@code test_} prefix,
     * then the file without {@code .py}, underscores dropped: {@code lock_tests.py} is
     * {@code locktests}, {@code test_asyncio/test_locks.py} is {@code asyncio.testlocks}.
     */
    static String javaPackage(String file) {
        String[] parts = file.substring(0, file.length() - ".py".length()).split("/");
        StringBuilder b = new StringBuilder(ROOT_PACKAGE);
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (i < parts.length - 1 && p.startsWith("test_")) {
                p = p.substring("test_".length());
            }
            b.append('.').append(p.replace("_", "").toLowerCase(Locale.ROOT));
        }
        return b.toString();
    }

    /** The Java method name of a CPython test method: {@code test_acquire_release} is {@code testAcquireRelease}. */
    static String camelCase(String method) {
        StringBuilder b = new StringBuilder();
        for (String part : method.split("_")) {
            if (part.isEmpty()) {
                continue;
            }
            b.append(b.isEmpty() ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
        }
        return b.toString();
    }

    // ---- reading

    private static List<String[]> rows(Path file, int columns) {
        List<String[]> rows = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] cells = line.split("\t", -1);
            if (cells.length != columns || Arrays.stream(cells).anyMatch(String::isBlank)) {
                throw new IllegalStateException(file.getFileName() + ":" + (i + 1) + ": " + columns
                        + " non-empty tab-separated columns expected: " + line);
            }
            rows.add(cells);
        }
        return rows;
    }

    private void readMethods(Path file) {
        for (String[] r : rows(file, 3)) {
            Key k = new Key(r[0], r[1], r[2]);
            if (methodSet.add(k)) {
                methods.add(k);
            }
            packageToFile.put(javaPackage(r[0]), r[0]);
        }
    }

    private void readDecisions(Path file, Map<Key, String> into) {
        String name = file.getFileName().toString();
        for (String[] r : rows(file, 4)) {
            List<Key> keys;
            if (r[2].equals("*")) {
                keys = methods.stream().filter(k -> k.file().equals(r[0]) && k.cls().equals(r[1])).toList();
                if (keys.isEmpty()) {
                    problems.add(name + ": " + r[0] + " " + r[1] + ".* names no class of " + METHODS);
                }
            } else {
                Key k = new Key(r[0], r[1], r[2]);
                keys = List.of(k);
                if (!methodSet.contains(k)) {
                    problems.add(name + ": " + k + " is not a method of " + METHODS);
                    continue;
                }
            }
            for (Key k : keys) {
                if (into.putIfAbsent(k, r[3]) != null) {
                    problems.add(name + ": " + k + " is listed twice");
                }
            }
        }
    }

    // ---- scanning the Java tests

    private void scan(Path classes) {
        Path base = classes.resolve(ROOT_PACKAGE.replace('.', '/'));
        List<Class<?>> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(base)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                String rel = classes.relativize(p).toString();
                String name = rel.substring(0, rel.length() - ".class".length()).replace('/', '.');
                found.add(Class.forName(name, false, ConformanceTable.class.getClassLoader()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        found.removeIf(c -> c.getPackageName().equals(ROOT_PACKAGE));     // the table's own machinery
        for (Class<?> c : found) {
            for (Method m : c.getDeclaredMethods()) {
                declared(c, m);
            }
        }
        for (Class<?> c : found) {
            if (c.getEnclosingClass() == null && !Modifier.isAbstract(c.getModifiers()) && !c.isInterface()) {
                visibleTests(c);
            }
        }
        for (Map.Entry<Key, List<Port>> e : ports.entrySet()) {
            if (!runs.containsKey(e.getKey())) {
                problems.add(e.getValue().getFirst().name() + " (" + e.getKey() + ") never runs: no concrete"
                        + " class of the conformance packages inherits it");
            }
        }
    }

    private static boolean isTest(Method m) {
        for (Annotation a : m.getAnnotations()) {
            if (a.annotationType().isAnnotationPresent(Testable.class)) {
                return true;
            }
        }
        return false;
    }

    private String fileOf(Class<?> c) {
        return packageToFile.get(c.getPackageName());
    }

    /** Checks a method declared in {@code c} and, if it ports a CPython method, records it. */
    private void declared(Class<?> c, Method m) {
        DisplayName dn = m.getAnnotation(DisplayName.class);
        boolean test = isTest(m);
        if (!test && dn == null) {
            return;
        }
        String where = shortName(c) + "#" + m.getName();
        if (!test) {
            problems.add(where + " has a @DisplayName but is no test");
            return;
        }
        if (c.getEnclosingClass() != null) {
            problems.add(where + " is a test of a nested class: each CPython class is a top-level Java class");
            return;
        }
        if (fileOf(c) == null) {
            problems.add(where + " is a test in " + c.getPackageName() + ", which is the package of no file of "
                    + METHODS);
            return;
        }
        if (dn == null) {
            problems.add(where + " has no @DisplayName: name it after the CPython method it ports");
            return;
        }
        String expected = camelCase(dn.value());
        if (!m.getName().startsWith(expected)) {
            problems.add(where + " ports " + dn.value() + ": its Java name must be " + expected + " (or start with it)");
        }
        Key key = resolve(c, dn.value());
        if (key == null) {
            problems.add(where + " @DisplayName(\"" + dn.value() + "\") names no method of " + fileOf(c) + " "
                    + c.getSimpleName() + " or of the classes it extends in " + METHODS);
            return;
        }
        ports.computeIfAbsent(key, k -> new ArrayList<>()).add(new Port(key, c, m));
    }

    /**
     * The CPython method a test named {@code method} of class {@code c} ports: {@code c}'s own, or
     * else that of the nearest superclass whose CPython class defines it (an override that runs
     * or disables an inherited test for one type).
     */
    private Key resolve(Class<?> c, String method) {
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            String file = fileOf(k);
            if (file != null) {
                Key key = new Key(file, k.getSimpleName(), method);
                if (methodSet.contains(key)) {
                    return key;
                }
            }
        }
        return null;
    }

    /** Records the tests JUnit runs in the concrete class {@code runner}, inherited ones included. */
    private void visibleTests(Class<?> runner) {
        Map<String, Method> bySignature = new LinkedHashMap<>();
        for (Class<?> k = runner; k != null && k != Object.class; k = k.getSuperclass()) {
            for (Method m : k.getDeclaredMethods()) {
                int mod = m.getModifiers();
                if (Modifier.isPrivate(mod) || Modifier.isStatic(mod) || m.isSynthetic()) {
                    continue;       // never a test
                }
                String sig = m.getName() + Arrays.toString(m.getParameterTypes());
                Method sub = bySignature.get(sig);
                if (sub == null) {
                    bySignature.put(sig, m);
                } else if (isPackagePrivate(m) && !sub.getDeclaringClass().getPackageName().equals(k.getPackageName())) {
                    bySignature.put(k.getName() + "." + sig, m);    // not overridden from another package
                }
                // else: overridden by a subclass, whose declaration decides
            }
        }
        String classDisabled = disabled(runner);
        for (Method m : bySignature.values()) {
            DisplayName dn = m.getAnnotation(DisplayName.class);
            if (!isTest(m) || dn == null || m.getDeclaringClass().getEnclosingClass() != null) {
                continue;
            }
            Key key = resolve(m.getDeclaringClass(), dn.value());
            if (key == null) {
                continue;       // reported where it is declared
            }
            Disabled d = m.getAnnotation(Disabled.class);
            String why = d != null ? d.value() : classDisabled;
            runs.computeIfAbsent(key, k -> new ArrayList<>()).add(new Run(key, runner, m, why));
        }
    }

    private static boolean isPackagePrivate(Method m) {
        int mod = m.getModifiers();
        return !Modifier.isPublic(mod) && !Modifier.isProtected(mod) && !Modifier.isPrivate(mod);
    }

    /** The reason a class or one of its superclasses is {@code @Disabled}, or null. */
    private static String disabled(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            Disabled d = k.getAnnotation(Disabled.class);
            if (d != null) {
                return d.value();
            }
        }
        return null;
    }

    /** The class name from below the root package: {@code locktests.BaseLockTests}. */
    static String shortName(Class<?> c) {
        return c.getName().substring(ROOT_PACKAGE.length() + 1);
    }

    // ---- the table

    private void decide() {
        for (Key k : methods) {
            List<Port> p = ports.get(k);
            String na = notApplicable.get(k);
            String ny = notYet.get(k);
            if (na != null && ny != null) {
                problems.add(k + " is both in " + NOT_APPLICABLE + " and in " + NOT_YET);
            }
            if (p != null && (na != null || ny != null)) {
                problems.add(k + " is ported (" + p.getFirst().name() + ") and also in "
                        + (na != null ? NOT_APPLICABLE : NOT_YET) + ": remove the decision");
            }
            if (p != null) {
                List<Run> r = runs.getOrDefault(k, List.of());
                String tests = String.join(", ", p.stream().map(x -> "`" + x.name() + "`").toList());
                List<String> runners = r.stream().map(x -> x.runner()).distinct()
                        .filter(c -> p.stream().noneMatch(x -> x.declaring() == c))
                        .map(c -> "`" + shortName(c) + "`").toList();
                List<String> off = r.stream().filter(x -> x.disabled() != null)
                        .map(x -> shortName(x.runner()) + ": " + (x.disabled().isEmpty() ? "no reason given" : x.disabled()))
                        .distinct().toList();
                String state = !r.isEmpty() && off.isEmpty() ? "passing" : "ported, not passing";
                String detail = off.isEmpty() ? tests : tests + "; disabled in " + String.join("; ", off);
                rows.add(new Row(k, state, detail, String.join(", ", runners)));
            } else if (na != null) {
                rows.add(new Row(k, "not applicable", na, ""));
            } else if (ny != null) {
                rows.add(new Row(k, "not yet", ny, ""));
            } else {
                rows.add(new Row(k, "not ported", "", ""));
            }
        }
    }

    /** What is inconsistent: Java tests that port no listed method, decisions that clash, tests that never run. */
    List<String> problems() {
        return List.copyOf(problems);
    }

    /** The counts of one file, or of all. */
    record Counts(int methods, int applicable, int ported, int passing, int notApplicable, int notYet) {
        Counts plus(Row r) {
            boolean na = r.state().equals("not applicable");
            boolean isPorted = r.state().equals("passing") || r.state().equals("ported, not passing");
            return new Counts(methods + 1, applicable + (na ? 0 : 1), ported + (isPorted ? 1 : 0),
                    passing + (r.state().equals("passing") ? 1 : 0), notApplicable + (na ? 1 : 0),
                    notYet + (r.state().equals("not yet") ? 1 : 0));
        }
    }

    private static final Counts ZERO = new Counts(0, 0, 0, 0, 0, 0);

    /** The counts over every file. */
    Counts total() {
        Counts c = ZERO;
        for (Row r : rows) {
            c = c.plus(r);
        }
        return c;
    }

    /** GitHub's anchor of a heading (as docs-check's LinksTest computes it). */
    private static String anchor(String heading) {
        return heading.replace("`", "").toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }

    private static String cell(String s) {
        return s.replace("|", "\\|");
    }

    /** The page: docs/conformance.md. */
    String render() {
        Map<String, List<Row>> byFile = new LinkedHashMap<>();
        for (Row r : rows) {
            byFile.computeIfAbsent(r.key().file(), f -> new ArrayList<>()).add(r);
        }
        Counts total = total();
        StringBuilder b = new StringBuilder();
        b.append("# CPython conformance\n\n");
        b.append("Which of CPython 3.13's own tests of `threading`, `queue`, `concurrent.futures`, `multiprocessing`,\n")
                .append("`asyncio` and `contextvars` pyconc passes, method by method. The methods are those of CPython 3.13.5's test\n")
                .append("files, listed once by [`extract.py`](../conformance/cpython/extract.py) in\n")
                .append("[`methods-3.13.tsv`](../conformance/cpython/methods-3.13.tsv). A method is *ported* when a JUnit\n")
                .append("test of the `conformance` module carries its name: the Java class has the CPython class's name, in\n")
                .append("the package named after the file (`lock_tests.py` is `dev.pyconc.conformance.locktests`,\n")
                .append("`test_asyncio/test_locks.py` is `dev.pyconc.conformance.asyncio.testlocks`), and the method is\n")
                .append("the CPython name in camelCase with the exact name as its display name: `testAcquireRelease()`\n")
                .append("with `@DisplayName(\"test_acquire_release\")`. A ported method *passes* when the classes that run it\n")
                .append("(the concrete subclasses, for a CPython base class) run it without `@Disabled`, since the build\n")
                .append("fails on any failing test. Methods that cannot apply to Java are listed with the reason in\n")
                .append("[`not-applicable.tsv`](../conformance/cpython/not-applicable.tsv), those waiting for an API in\n")
                .append("[`not-yet.tsv`](../conformance/cpython/not-yet.tsv). This page is generated, and the build fails\n")
                .append("when it is out of date; refresh it, with README.md's line, by\n")
                .append("`").append(REFRESH).append("`.\n\n");
        b.append("| file | methods | applicable | ported | passing | not applicable | not yet |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, List<Row>> e : byFile.entrySet()) {
            Counts c = ZERO;
            for (Row r : e.getValue()) {
                c = c.plus(r);
            }
            b.append("| [`").append(e.getKey()).append("`](#").append(anchor(e.getKey())).append(") | ");
            counts(b, c);
        }
        b.append("| **total** | ");
        counts(b, total);
        for (Map.Entry<String, List<Row>> e : byFile.entrySet()) {
            b.append("\n## ").append(e.getKey()).append("\n\n");
            b.append("Java package `").append(javaPackage(e.getKey())).append("`.\n\n");
            b.append("| class | method | state | Java test or reason | run by |\n");
            b.append("|---|---|---|---|---|\n");
            for (Row r : e.getValue()) {
                b.append("| `").append(r.key().cls()).append("` | `").append(r.key().method()).append("` | ")
                        .append(r.state()).append(" | ").append(cell(r.detail())).append(" | ")
                        .append(r.runBy()).append(" |\n");
            }
        }
        return b.toString();
    }

    private static void counts(StringBuilder b, Counts c) {
        b.append(c.methods()).append(" | ").append(c.applicable()).append(" | ").append(c.ported()).append(" | ")
                .append(c.passing()).append(" | ").append(c.notApplicable()).append(" | ").append(c.notYet()).append(" |\n");
    }

    /** README.md with its conformance line stating the current totals; unchanged if it has no such line. */
    String readmeWithTotals(String readme) {
        Counts t = total();
        Matcher m = README_LINE.matcher(readme);
        return m.replaceFirst("CPython conformance: " + t.passing() + " of " + t.applicable()
                + " applicable test methods of CPython 3.13's suites pass");
    }
}
