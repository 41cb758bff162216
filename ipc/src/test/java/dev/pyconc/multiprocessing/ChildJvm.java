package dev.pyconc.multiprocessing;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * The test suite's one way to run code in another JVM: starts {@code java} with this JVM's class
 * and module path (all on the class path), {@code --enable-native-access=ALL-UNNAMED} and every
 * {@code pyconc.*} system property of this JVM (as pyconc's process launcher does), running a
 * public static method {@code scenario(Object[] args)} of a test class; the arguments travel by
 * Java serialization, so pyconc objects arrive as handles and attach in the child.
 *
 * <p>The child talks to the test through lines: {@link #say} / {@link #hear} in the child,
 * {@link #readLine()} / {@link #send} in the test. Its stderr is copied to this JVM's stderr.
 * {@link #close()} kills it (SIGKILL) if it still runs.
 */
public final class ChildJvm implements AutoCloseable {
    private static final Duration LIVENESS = Duration.ofSeconds(60);

    private final java.lang.Process process;
    private final BufferedReader out;
    private final PrintWriter in;

    private ChildJvm(java.lang.Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
        Thread.ofVirtual().start(() -> {
            try (var err = process.getErrorStream()) {
                err.transferTo(System.err);
            } catch (IOException ignored) {
                // the child is gone
            }
        });
    }

    /** Starts a child running {@code type.method(args)}. */
    public static ChildJvm start(Class<?> type, String method, Object... args) {
        return start(List.of(), null, type, method, args);
    }

    /**
     * Starts a child with extra JVM options and, if {@code umask} is not null, under that umask
     * (through {@code sh -c 'umask ...; exec java ...'}). An option {@code -U<property>} keeps that
     * {@code pyconc.*} property of this JVM from being passed on.
     */
    public static ChildJvm start(List<String> jvmOptions, String umask, Class<?> type, String method, Object... args) {
        List<String> options = jvmOptions.stream().filter(o -> !o.startsWith("-U")).toList();
        List<String> unset = jvmOptions.stream().filter(o -> o.startsWith("-U")).map(o -> o.substring(2)).toList();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-Xmx96m", "-XX:-UsePerfData"));
        System.getProperties().stringPropertyNames().stream().filter(p -> p.startsWith("pyconc."))
                .filter(p -> options.stream().noneMatch(o -> o.startsWith("-D" + p + "=")) && !unset.contains(p))
                .forEach(p -> command.add("-D" + p + "=" + System.getProperty(p)));
        command.addAll(options);
        command.add("-cp");
        command.add(classPath());
        command.add(ChildJvm.class.getName());
        command.add(type.getName());
        command.add(method);
        for (Object arg : args) {
            command.add(encode(arg));
        }
        try {
            return new ChildJvm(new ProcessBuilder(umask == null ? command : List.of("/bin/sh", "-c", sh(umask, command)))
                    .start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sh(String umask, List<String> command) {
        StringBuilder sh = new StringBuilder("umask " + umask + "; exec");
        for (String c : command) {
            sh.append(" '").append(c.replace("'", "'\\''")).append('\'');
        }
        return sh.toString();
    }

    private static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        String base = System.getProperty("basedir", System.getProperty("user.dir"));
        entries.add(Path.of(base, "target", "test-classes").toString());
        entries.add(Path.of(base, "target", "classes").toString());
        for (String property : new String[] {"jdk.module.path", "java.class.path"}) {
            String value = System.getProperty(property);
            if (value != null) {
                for (String e : value.split(File.pathSeparator)) {
                    if (!e.isBlank() && !e.contains("surefire")) {
                        entries.add(e);
                    }
                }
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /** The child's PID. */
    public long pid() {
        return process.pid();
    }

    /** The next line the child printed; fails the test if none comes within 60 s. */
    public String readLine() {
        AtomicReference<String> line = new AtomicReference<>();
        var reader = Thread.ofVirtual().start(() -> {
            try {
                line.set(out.readLine());
            } catch (IOException e) {
                line.set(null);
            }
        });
        try {
            if (!reader.join(LIVENESS)) {
                reader.interrupt();
                throw new AssertionError("child " + pid() + " printed no line within " + LIVENESS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return line.get();
    }

    /** Reads lines until one equals {@code expected}; fails if the child ends first. */
    public void expect(String expected) {
        for (;;) {
            String line = readLine();
            if (line == null) {
                throw new AssertionError("child " + pid() + " ended (exit " + exitCodeNow() + ") before printing '"
                        + expected + "'");
            }
            if (line.equals(expected)) {
                return;
            }
        }
    }

    private String exitCodeNow() {
        try {
            return process.waitFor(5, TimeUnit.SECONDS) ? String.valueOf(process.exitValue()) : "none yet";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    /** Sends a line to the child's stdin. */
    public void send(String line) {
        in.println(line);
    }

    /** Waits (at most 60 s, else fails) for the child to exit; returns its exit code. */
    public int waitFor() {
        try {
            if (!process.waitFor(LIVENESS.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("child " + pid() + " did not exit within " + LIVENESS);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** kill -9, and waits until the child is gone (reaped). */
    public void kill9() {
        process.destroyForcibly();
        waitFor();
    }

    /** Whether the child still runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill9();
        }
    }

    /** Serializes {@code value} into a command-line argument. */
    public static String encode(Object value) {
        var bytes = new ByteArrayOutputStream();
        try (var oos = new ObjectOutputStream(bytes)) {
            oos.writeObject(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    /** Deserializes an argument made by {@link #encode}. */
    public static Object decode(String text) {
        try (var ois = new ObjectInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(text)))) {
            return ois.readObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- child side

    private static final BufferedReader STDIN = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));

    /** In the child: prints a line for the test. */
    public static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** In the child: the next line the test sent (null when the test closed stdin). */
    public static String hear() {
        try {
            return STDIN.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Child entry point: {@code <class> <method> <encoded args...>}; exit 0, or 1 with a stack trace. */
    public static void main(String[] args) throws Exception {
        Class<?> type = Class.forName(args[0]);
        Method method = type.getMethod(args[1], Object[].class);
        method.setAccessible(true);      // test classes are package-private
        Object[] decoded = new Object[args.length - 2];
        for (int i = 2; i < args.length; i++) {
            decoded[i - 2] = decode(args[i]);
        }
        try {
            method.invoke(null, (Object) decoded);
        } catch (InvocationTargetException e) {
            e.getCause().printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    /** Polls {@code condition} every 20 ms until it holds; fails the test if it does not within 30 s. */
    public static void eventually(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within 30 s: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
