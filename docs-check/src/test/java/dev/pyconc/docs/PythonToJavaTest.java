package dev.pyconc.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docs/python-to-java/ against CPython's names and against the code: every public name of a Python
 * module, as listed in {@code names/<page>.txt}, has exactly one row in its page's mapping tables,
 * each row says what the name is in Java (or why it has none), and every Java class, method,
 * constructor or field a row names exists and is public, with the parameters the row gives.
 *
 * <p>A mapping table is a Markdown table whose header is {@code | Python | Java |}. Its Python cell
 * names the Python name in backticks ({@code `threading.Lock.acquire`}, optionally with arguments:
 * {@code `threading.Lock.acquire(blocking=False)`}). Its Java cell starts with {@code differs:},
 * {@code not applicable:} or {@code not yet:} and a reason, or else is an implemented name; Java
 * names are written in backticks as {@code `dev.pyconc.pkg.Class`}, {@code `dev.pyconc.pkg.Class.member`},
 * {@code `dev.pyconc.pkg.Class.method(Type, Type)`} or {@code `new dev.pyconc.pkg.Class(Type)`}.
 *
 * <p>Code in these pages follows the docs' convention: a block fenced {@code ```java} is a whole
 * compilation unit that compiles against the current modules as it is; a block that is
 * deliberately a fragment is fenced {@code ```java fragment}.
 */
class PythonToJavaTest {
    static final String DIR = "docs/python-to-java/";
    static final List<String> PAGES = List.of("threading", "queue", "concurrent-futures", "multiprocessing", "asyncio", "contextvars");

    /** A Java name in backticks: an optional {@code new}, a qualified name, optional parameter types. */
    private static final Pattern JAVA_NAME = Pattern.compile("(new )?(dev\\.pyconc(?:\\.\\w+)+)(?:\\(([^()]*)\\))?");
    private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");

    enum Status { IMPLEMENTED, DIFFERS, NOT_APPLICABLE, NOT_YET }

    record Row(int line, String python, String java, Status status) {}

    /** The rows of the page's mapping tables, in order. */
    static List<Row> rows(String page) throws IOException {
        List<String> lines = Files.readAllLines(Repository.path(DIR + page + ".md"));
        List<Row> rows = new ArrayList<>();
        boolean inTable = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (!line.startsWith("|")) {
                inTable = false;
                continue;
            }
            List<String> cells = cells(line);
            if (cells.size() >= 2 && cells.get(0).equals("Python") && cells.get(1).equals("Java")) {
                inTable = true;
                continue;
            }
            if (!inTable || line.matches("\\|[-| :]+\\|")) {
                continue;
            }
            assertEquals(2, cells.size(), page + ".md:" + (i + 1) + " is not a row of two cells: " + line);
            rows.add(new Row(i + 1, cells.get(0), cells.get(1), status(cells.get(1))));
        }
        return rows;
    }

    /** The cells of a table line; a {@code |} inside backticks or escaped as {@code \|} is text. */
    private static List<String> cells(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean code = false;
        for (int i = 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length() && line.charAt(i + 1) == '|') {
                cell.append('|');
                i++;
            } else if (c == '`') {
                code = !code;
                cell.append(c);
            } else if (c == '|' && !code) {
                cells.add(cell.toString().strip());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        return cells;
    }

    private static Status status(String java) {
        if (java.startsWith("differs:")) {
            return Status.DIFFERS;
        } else if (java.startsWith("not applicable:")) {
            return Status.NOT_APPLICABLE;
        } else if (java.startsWith("not yet:")) {
            return Status.NOT_YET;
        }
        return Status.IMPLEMENTED;
    }

    /** The qualified Python names of names/<page>.txt. */
    static List<String> names(String page) throws IOException {
        List<String> lines = Files.readAllLines(Repository.path(DIR + "names/" + page + ".txt"));
        assertTrue(!lines.isEmpty() && lines.get(0).startsWith("# "), "names/" + page + ".txt starts with a comment saying where it comes from");
        return lines.stream().skip(1).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** The Python names a Python cell gives: its backticked names, without arguments. */
    private static List<String> pythonNames(String cell) {
        List<String> names = new ArrayList<>();
        Matcher m = BACKTICKED.matcher(cell);
        while (m.find()) {
            String name = m.group(1);
            int paren = name.indexOf('(');
            names.add(paren < 0 ? name : name.substring(0, paren));
        }
        return names;
    }

    /** Every name CPython lists for the module has exactly one row. */
    @ParameterizedTest
    @ValueSource(strings = {"threading", "queue", "concurrent-futures", "multiprocessing", "asyncio", "contextvars"})
    void everyPythonNameHasOneRow(String page) throws IOException {
        Map<String, Integer> rowOf = new LinkedHashMap<>();
        for (Row r : rows(page)) {
            for (String name : pythonNames(r.python())) {
                Integer before = rowOf.put(name, r.line());
                if (before != null) {
                    fail(page + ".md names " + name + " in two rows, lines " + before + " and " + r.line());
                }
            }
        }
        List<String> missing = names(page).stream().filter(n -> !rowOf.containsKey(n)).toList();
        if (!missing.isEmpty()) {
            fail(page + ".md has no row for " + missing.size() + " Python names: " + missing);
        }
    }

    /** Every row says what its name is in Java: an existing name, or the reason there is none. */
    @ParameterizedTest
    @ValueSource(strings = {"threading", "queue", "concurrent-futures", "multiprocessing", "asyncio", "contextvars"})
    void everyRowIsComplete(String page) throws IOException {
        List<Row> rows = rows(page);
        assertFalse(rows.isEmpty(), page + ".md has no mapping table (a table headed | Python | Java |)");
        for (Row r : rows) {
            String where = page + ".md:" + r.line();
            assertFalse(pythonNames(r.python()).isEmpty(), where + ": the Python cell names nothing in backticks");
            switch (r.status()) {
                case IMPLEMENTED -> assertFalse(javaNames(r.java()).isEmpty(), where + ": the Java cell names no dev.pyconc class or member");
                default -> {
                    String reason = r.java().substring(r.java().indexOf(':') + 1).strip();
                    assertFalse(reason.isEmpty(), where + ": the Java cell gives no reason after its status");
                }
            }
        }
    }

    /** Every Java class, method, constructor and field a row names exists and is public. */
    @ParameterizedTest
    @ValueSource(strings = {"threading", "queue", "concurrent-futures", "multiprocessing", "asyncio", "contextvars"})
    void everyJavaNameExists(String page) throws IOException {
        List<String> problems = new ArrayList<>();
        for (Row r : rows(page)) {
            for (String name : javaNames(r.java())) {
                String problem = check(name);
                if (problem != null) {
                    problems.add(page + ".md:" + r.line() + ": `" + name + "`: " + problem);
                }
            }
        }
        if (!problems.isEmpty()) {
            fail(String.join("\n", problems));
        }
    }

    /** The name check accepts what exists and refuses a wrong class, member, overload or visibility. */
    @Test
    void checkRefusesWhatDoesNotExist() {
        for (String good : List.of("dev.pyconc.threading.Lock", "new dev.pyconc.threading.Lock()",
                "dev.pyconc.threading.Lock.acquire(Duration)", "dev.pyconc.threading.Threading.TIMEOUT_MAX",
                "dev.pyconc.queue.Queue.put(E, Duration)", "dev.pyconc.futures.ReturnWhen.FIRST_COMPLETED",
                "dev.pyconc.multiprocessing.Connection.Pair.conn1()", "dev.pyconc.asyncio.Asyncio.gather(Future...)",
                "dev.pyconc.asyncio.EventLoop.setExceptionHandler(BiConsumer<EventLoop, Map<String, Object>>)",
                "dev.pyconc.multiprocessing.sharedmemory.SharedMemory.create(long, java.lang.foreign.Arena)")) {
            assertEquals(null, check(good), good);
        }
        for (String bad : List.of("dev.pyconc.threading.Lok", "dev.pyconc.threading.Lock.acquireLock()",
                "dev.pyconc.threading.Lock.acquire(int)", "new dev.pyconc.threading.Lock(int)",
                "new dev.pyconc.threading.Lock", "dev.pyconc.threading.Lock(int)", "dev.pyconc.threading.Lock.Held",
                "dev.pyconc.queue.Store", "dev.pyconc.threading.Lock.acquire().locked()",
                "dev.pyconc.queue.Queue.put(Object)", "dev.pyconc.threading")) {
            assertTrue(check(bad) != null, bad + " is refused");
        }
    }

    /** The README of docs/python-to-java links to each page, and each page exists. */
    @Test
    void readmeLinksEveryPage() throws IOException {
        String readme = Files.readString(Repository.path(DIR + "README.md"));
        for (String page : PAGES) {
            assertTrue(readme.contains("(" + page + ".md)"), "README.md links to " + page + ".md");
            assertTrue(Files.isRegularFile(Repository.path(DIR + page + ".md")), page + ".md exists");
        }
        try (Stream<Path> files = Files.list(Repository.path(DIR))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".md")).toList()) {
                String page = f.getFileName().toString();
                assertTrue(page.equals("README.md") || readme.contains("(" + page + ")"), "README.md links to " + page);
            }
        }
    }

    /** The count of rows per status of each page, printed for whoever reads the test's output. */
    @Test
    void printCounts() throws IOException {
        for (String page : PAGES) {
            Map<Status, Integer> counts = new TreeMap<>();
            for (Row r : rows(page)) {
                counts.merge(r.status(), 1, Integer::sum);
            }
            System.out.println(page + ".md: " + counts);
        }
    }

    /** The Java names of a Java cell: its backticked texts that contain {@code dev.pyconc.}. */
    static List<String> javaNames(String cell) {
        List<String> names = new ArrayList<>();
        Matcher m = BACKTICKED.matcher(cell);
        while (m.find()) {
            if (m.group(1).contains("dev.pyconc.")) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** Null if {@code text} names an existing public class, member or constructor, else what is wrong. */
    static String check(String text) {
        Matcher m = JAVA_NAME.matcher(text);
        if (!m.matches()) {
            return "not a Java name: write dev.pyconc.pkg.Class, Class.member, Class.method(Type, ...) or new Class(Type, ...)";
        }
        boolean constructor = m.group(1) != null;
        List<String> parts = List.of(m.group(2).split("\\."));
        String params = m.group(3);
        int i = 0;
        StringBuilder name = new StringBuilder();
        while (i < parts.size() && Character.isLowerCase(parts.get(i).charAt(0))) {
            name.append(i == 0 ? "" : ".").append(parts.get(i++));
        }
        if (i == parts.size()) {
            return "names no class";
        }
        Class<?> c = load(name + "." + parts.get(i));
        if (c == null) {
            return "no class " + name + "." + parts.get(i);
        }
        for (i++; i < parts.size(); i++) {
            Class<?> nested = load(c.getName() + "$" + parts.get(i));
            if (nested == null) {
                break;
            }
            c = nested;
        }
        if (!Modifier.isPublic(c.getModifiers())) {
            return c.getName() + " is not public";
        }
        List<String> rest = parts.subList(i, parts.size());
        if (constructor) {
            if (!rest.isEmpty()) {
                return "no nested class " + String.join(".", rest) + " in " + c.getName();
            }
            return params == null ? "a constructor needs its parameter types" : find(c, c.getConstructors(), params, "constructor");
        }
        if (rest.isEmpty()) {
            return params == null ? null : "parameters after a class name: write new " + m.group(2) + "(...)";
        }
        if (rest.size() > 1) {
            return "no member " + String.join(".", rest) + " in " + c.getName();
        }
        String member = rest.get(0);
        if (params == null) {
            for (Field f : c.getFields()) {
                if (f.getName().equals(member)) {
                    return null;
                }
            }
            return Arrays.stream(c.getMethods()).anyMatch(x -> x.getName().equals(member)) ? null
                    : "no public field or method " + member + " in " + c.getName();
        }
        Method[] methods = Arrays.stream(c.getMethods()).filter(x -> x.getName().equals(member)).toArray(Method[]::new);
        if (methods.length == 0) {
            return "no public method " + member + " in " + c.getName();
        }
        return find(c, methods, params, "method " + member);
    }

    /** Null if one of {@code candidates} takes exactly the parameter types {@code params}. */
    private static String find(Class<?> c, Executable[] candidates, String params, String what) {
        List<String> wanted = params.isBlank() ? List.of() : split(params);
        Set<String> found = new TreeSet<>();
        for (Executable e : candidates) {
            Type[] generic = e.getGenericParameterTypes();
            Class<?>[] raw = e.getParameterTypes();
            if (generic.length != raw.length) {
                generic = raw; // inner-class constructors: the generic view leaves out the outer instance
            }
            List<String> have = new ArrayList<>();
            boolean same = raw.length == wanted.size();
            for (int k = 0; k < raw.length; k++) {
                String simple = raw[k].getSimpleName();
                String variable = generic[k] instanceof TypeVariable<?> v ? v.getName() : null;
                have.add(variable != null ? variable : simple);
                if (same) {
                    same = wanted.get(k).equals(variable != null ? variable : simple);   // a type variable by its name
                }
            }
            if (same) {
                return null;
            }
            found.add("(" + String.join(", ", have) + ")");
        }
        return "no public " + what + "(" + String.join(", ", wanted) + ") in " + c.getName() + "; it has " + found;
    }

    /** Parameter types as written, split at top-level commas, without type arguments or outer classes. */
    private static List<String> split(String params) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        StringBuilder cur = new StringBuilder();
        for (char ch : (params + ",").toCharArray()) {
            if (ch == '<') {
                depth++;
            } else if (ch == '>') {
                depth--;
            } else if (ch == ',' && depth == 0) {
                String t = cur.toString().strip().replace("...", "[]");
                out.add(t.substring(t.lastIndexOf('.') + 1));
                cur.setLength(0);
            } else if (depth == 0) {
                cur.append(ch);
            }
        }
        return out;
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, PythonToJavaTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return null;
        }
    }
}
