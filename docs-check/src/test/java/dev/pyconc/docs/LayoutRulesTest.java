package dev.pyconc.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packages of the published modules (core, ipc, async) against the rules of CONTRIBUTING.md
 * ("Layout", "The one rule for glue code"), read from the {@code package} and {@code import}
 * lines of their main sources and from the fully qualified names their code writes (comments and
 * string literals left out): internal packages are named after their Maven module; no package
 * depends on itself through others; internal packages use no public class of their own module but
 * the exception and value types listed here; and no code finds classes by name with
 * {@code Class.forName} but where this test lists why.
 */
class LayoutRulesTest {
    private static final List<String> MODULES = List.of("core", "ipc", "async");

    /**
     * The public types that internal packages may use: the exceptions and values they throw or
     * return. Each is a leaf: it uses no internal package (checked), so that the edge to it cannot
     * close a cycle. An entry ending in ".*" admits a whole package.
     */
    private static final Set<String> RETURNED_TYPES = Set.of(
            "dev.pyconc.builtins.*",                        // Python's built-in exceptions, raised by every module
            "dev.pyconc.multiprocessing.PicklingError",
            "dev.pyconc.multiprocessing.UnpicklingError");

    /**
     * The sources that call {@code Class.forName}, how many times, and why no other way serves.
     * Keys are paths from the repository's root.
     */
    private static final Map<String, ForName> FOR_NAME = Map.of(
            "ipc/src/main/java/dev/pyconc/ipc/internal/codec/StandardFormat.java", new ForName(1,
                    "deserialization resolves the class an item names with the thread's context class loader"
                            + " first, as ObjectInputStream.resolveClass does with the caller's"),
            "ipc/src/main/java/dev/pyconc/ipc/internal/launch/ProcessPayload.java", new ForName(2,
                    "a process's lambda is rebuilt through its capturing class, which the serialized lambda"
                            + " names, as Java serialization does"),
            "async/src/main/java/dev/pyconc/asyncio/Task.java", new ForName(1,
                    "Task.getStack tells pyconc's own frames from the program's by the code source of the"
                            + " class a stack frame names, which is all a StackTraceElement gives"));

    private static final Pattern PACKAGE = Pattern.compile("(?m)^\\s*package\\s+([\\w.]+)\\s*;");
    private static final Pattern IMPORT = Pattern.compile("(?m)^\\s*import\\s+(static\\s+)?([\\w.]+)(\\.\\*)?\\s*;");
    private static final Pattern QUALIFIED = Pattern.compile("(?<![\\w.])dev\\.pyconc(?:\\.[a-z_][\\w]*)+\\.[A-Z][\\w]*");
    private static final Pattern FOR_NAME_CALL = Pattern.compile("\\bClass\\s*\\.\\s*forName\\s*\\(");

    record ForName(int count, String why) {}

    /** A main source file: its module, package, the pyconc types it uses, and its Class.forName calls. */
    record Source(String module, String path, String pkg, Set<String> uses, int forNames) {}

    private static List<Source> sources;
    private static Map<String, String> moduleOf;     // package -> module

    @BeforeAll
    static void read() throws IOException {
        List<Source> read = new ArrayList<>();
        Map<String, List<String>> raw = new HashMap<>();
        for (String module : MODULES) {
            Path root = Repository.path(module + "/src/main/java");
            try (Stream<Path> files = Files.walk(root)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                    if (f.getFileName().toString().equals("module-info.java")) {
                        continue;
                    }
                    String code = codeOnly(Files.readString(f));
                    Matcher p = PACKAGE.matcher(code);
                    assertTrue(p.find(), "no package line in " + f);
                    String path = Repository.root().relativize(f).toString();
                    raw.put(path, names(code));
                    read.add(new Source(module, path, p.group(1), Set.of(), FOR_NAME_CALL.matcher(code).results().mapToInt(r -> 1).sum()));
                }
            }
        }
        Map<String, String> modules = new TreeMap<>();
        for (Source s : read) {
            String before = modules.putIfAbsent(s.pkg(), s.module());
            assertTrue(before == null || before.equals(s.module()),
                    "package " + s.pkg() + " lies in two modules: " + before + " and " + s.module());
        }
        moduleOf = modules;
        sources = read.stream().map(s -> new Source(s.module(), s.path(), s.pkg(), resolve(raw.get(s.path())), s.forNames())).toList();
    }

    /** The text of {@code source} with its comments, string, text block and char literals blanked (lines kept). */
    static String codeOnly(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int n = source.length();
        int i = 0;
        while (i < n) {
            char c = source.charAt(i);
            if (c == '/' && i + 1 < n && source.charAt(i + 1) == '/') {
                while (i < n && source.charAt(i) != '\n') {
                    out.append(' ');
                    i++;
                }
            } else if (c == '/' && i + 1 < n && source.charAt(i + 1) == '*') {
                int end = source.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                blank(source, i, end, out);
                i = end;
            } else if (source.startsWith("\"\"\"", i)) {
                int end = source.indexOf("\"\"\"", i + 3);
                while (end > 0 && source.charAt(end - 1) == '\\') {
                    end = source.indexOf("\"\"\"", end + 1);
                }
                end = end < 0 ? n : end + 3;
                blank(source, i, end, out);
                i = end;
            } else if (c == '"' || c == '\'') {
                int end = i + 1;
                while (end < n && source.charAt(end) != c && source.charAt(end) != '\n') {
                    end += source.charAt(end) == '\\' ? 2 : 1;
                }
                end = Math.min(n, end + 1);
                blank(source, i, end, out);
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static void blank(String source, int from, int to, StringBuilder out) {
        for (int k = from; k < to; k++) {
            out.append(source.charAt(k) == '\n' ? '\n' : ' ');
        }
    }

    /** The dotted names a source refers to: its imports (a static one without its member) and its qualified names. */
    private static List<String> names(String code) {
        List<String> found = new ArrayList<>();
        Matcher m = IMPORT.matcher(code);
        StringBuilder rest = new StringBuilder(code);
        while (m.find()) {
            String name = m.group(2);
            if (m.group(1) != null && m.group(3) == null) {
                name = name.substring(0, name.lastIndexOf('.'));     // import static a.b.C.member
            }
            found.add(m.group(3) != null ? name + ".*" : name);
            for (int k = m.start(); k < m.end(); k++) {
                rest.setCharAt(k, ' ');
            }
        }
        Matcher p = PACKAGE.matcher(rest);
        String body = p.find() ? rest.substring(p.end()) : rest.toString();
        Matcher q = QUALIFIED.matcher(body);
        while (q.find()) {
            found.add(q.group());
        }
        return found;
    }

    /**
     * The pyconc types among {@code names}, as "package.TopLevelClass" ("package.*" for a whole
     * package): the package is the longest prefix that is a package of the published modules.
     */
    private static Set<String> resolve(List<String> names) {
        Set<String> types = new TreeSet<>();
        for (String name : names) {
            if (!name.startsWith("dev.pyconc.")) {
                continue;
            }
            boolean wildcard = name.endsWith(".*");
            String dotted = wildcard ? name.substring(0, name.length() - 2) : name;
            String pkg = null;
            for (String candidate = dotted; candidate.contains("."); candidate = candidate.substring(0, candidate.lastIndexOf('.'))) {
                if (moduleOf.containsKey(candidate)) {
                    pkg = candidate;
                    break;
                }
            }
            if (pkg == null) {
                continue;       // a pyconc name outside the published modules (tests, examples)
            }
            if (pkg.equals(dotted)) {
                types.add(pkg + ".*");
            } else {
                String top = dotted.substring(pkg.length() + 1);
                int dot = top.indexOf('.');
                types.add(pkg + "." + (dot < 0 ? top : top.substring(0, dot)));
            }
        }
        return types;
    }

    private static String packageOf(String type) {
        return type.substring(0, type.lastIndexOf('.'));
    }

    private static boolean isInternal(String pkg) {
        return pkg.equals("internal") || pkg.contains(".internal.") || pkg.endsWith(".internal");
    }

    private static boolean listed(Set<String> list, String type) {
        return list.contains(type) || list.contains(packageOf(type) + ".*");
    }

    /** Whether the use of {@code type} in package {@code from} is an allowed use of a returned type. */
    private static boolean returnedType(String from, String type) {
        return isInternal(from) && listed(RETURNED_TYPES, type);
    }

    /** The test finds what it looks for: packages in every module, internal ones among them, imports resolved. */
    @Test
    void readsTheSources() {
        for (String module : MODULES) {
            assertTrue(moduleOf.containsValue(module), "no package found in module " + module);
        }
        assertTrue(moduleOf.keySet().stream().anyMatch(LayoutRulesTest::isInternal), "no internal package found");
        assertTrue(sources.stream().anyMatch(s -> s.uses().stream().anyMatch(t -> isInternal(packageOf(t)))),
                "no use of an internal package found: the import pattern no longer matches");
        assertTrue(sources.stream().mapToInt(Source::forNames).sum() > 0, "no Class.forName found: the pattern no longer matches");
    }

    /** Internal packages are named dev.pyconc.<maven-module>.internal, or a sub-package of it. */
    @Test
    void internalPackagesAreNamedAfterTheirModule() {
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, String> e : moduleOf.entrySet()) {
            String pkg = e.getKey();
            String home = "dev.pyconc." + e.getValue() + ".internal";
            if (isInternal(pkg) && !pkg.equals(home) && !pkg.startsWith(home + ".")) {
                wrong.add(pkg + " (module " + e.getValue() + ": " + home + " or a sub-package of it)");
            }
        }
        assertEquals(List.of(), wrong, "internal packages named after another module");
    }

    /** The exception and value types that internal packages may use are leaves: they use no internal package. */
    @Test
    void returnedTypesAreLeaves() {
        List<String> wrong = new ArrayList<>();
        for (Source s : sources) {
            String type = s.path().endsWith("package-info.java") ? null
                    : s.pkg() + "." + Path.of(s.path()).getFileName().toString().replace(".java", "");
            if (type != null && listed(RETURNED_TYPES, type)) {
                s.uses().stream().filter(t -> isInternal(packageOf(t))).forEach(t -> wrong.add(type + " uses " + t));
            }
        }
        assertEquals(List.of(), wrong, "a type that internal packages may use uses an internal package itself");
    }

    /** Internal packages use no public class of their own module but the exception and value types listed here. */
    @Test
    void internalPackagesUseNoPublicClassOfTheirModule() {
        List<String> wrong = new ArrayList<>();
        for (Source s : sources) {
            if (!isInternal(s.pkg())) {
                continue;
            }
            for (String type : s.uses()) {
                String pkg = packageOf(type);
                if (!isInternal(pkg) && s.module().equals(moduleOf.get(pkg)) && !returnedType(s.pkg(), type)) {
                    wrong.add(s.path() + " uses " + type);
                }
            }
        }
        assertEquals(List.of(), wrong, "internal code that reaches into the public classes of its own module:"
                + " move the code beside the class it needs (CONTRIBUTING.md, 'The one rule for glue code')");
    }

    /** No package depends on itself through other packages; the cycle's packages and the uses that close it are named. */
    @Test
    void noCycleAmongPackages() {
        Map<String, Map<String, List<String>>> edges = new TreeMap<>();     // from -> to -> "file uses type"
        for (String pkg : moduleOf.keySet()) {
            edges.put(pkg, new TreeMap<>());
        }
        for (Source s : sources) {
            for (String type : s.uses()) {
                String to = packageOf(type);
                if (!to.equals(s.pkg()) && !returnedType(s.pkg(), type)) {
                    edges.get(s.pkg()).computeIfAbsent(to, k -> new ArrayList<>())
                            .add(Path.of(s.path()).getFileName() + " uses " + type.substring(to.length() + 1));
                }
            }
        }
        List<String> cycles = new ArrayList<>();
        for (Set<String> component : stronglyConnected(edges)) {
            if (component.size() < 2) {
                continue;
            }
            StringBuilder why = new StringBuilder("cycle among " + component + ":");
            for (String from : component) {
                edges.get(from).forEach((to, uses) -> {
                    if (component.contains(to)) {
                        why.append("\n    ").append(from).append(" -> ").append(to).append(": ").append(uses);
                    }
                });
            }
            cycles.add(why.toString());
        }
        assertEquals("", String.join("\n", cycles), "packages that depend on each other");
    }

    /** Class.forName appears only where this test says why, as often as it says. */
    @Test
    void classForNameOnlyWhereListed() {
        Map<String, Integer> found = new TreeMap<>();
        for (Source s : sources) {
            if (s.forNames() > 0) {
                found.put(s.path(), s.forNames());
            }
        }
        Map<String, Integer> expected = new TreeMap<>();
        FOR_NAME.forEach((path, f) -> expected.put(path, f.count()));
        FOR_NAME.values().forEach(f -> assertFalse(f.why().isBlank()));
        assertEquals(expected, found, "Class.forName calls per file: a reach into a class by name instead of a"
                + " reference (list a new one in FOR_NAME with the reason, or remove a stale entry)");
    }

    /** Tarjan's algorithm: the strongly connected components of the graph, each as a sorted set. */
    private static List<Set<String>> stronglyConnected(Map<String, Map<String, List<String>>> edges) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> components = new ArrayList<>();
        int[] counter = {0};
        for (String v : edges.keySet()) {
            if (!index.containsKey(v)) {
                connect(v, edges, index, low, stack, onStack, components, counter);
            }
        }
        return components;
    }

    private static void connect(String v, Map<String, Map<String, List<String>>> edges, Map<String, Integer> index,
                                Map<String, Integer> low, Deque<String> stack, Set<String> onStack,
                                List<Set<String>> components, int[] counter) {
        index.put(v, counter[0]);
        low.put(v, counter[0]);
        counter[0]++;
        stack.push(v);
        onStack.add(v);
        for (String w : edges.getOrDefault(v, Map.of()).keySet()) {
            if (!edges.containsKey(w)) {
                continue;
            }
            if (!index.containsKey(w)) {
                connect(w, edges, index, low, stack, onStack, components, counter);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            components.add(component);
        }
    }
}
