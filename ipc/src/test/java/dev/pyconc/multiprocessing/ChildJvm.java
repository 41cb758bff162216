package dev.pyconc.multiprocessing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Stream;

import dev.pyconc.ipc.internal.journal.JournalFlags;
import dev.pyconc.ipc.internal.launch.JvmCommand;
import dev.pyconc.ipc.internal.shm.ResourceTracker;

/**
 * The test suite's one way to run code in another JVM, and its checks on child processes.
 *
 * <p>Two kinds of child:
 * <ul>
 *   <li>a <em>scenario</em> ({@link #start(Class, String, Object...)}): a public static method
 *       {@code scenario(Object[] args)} of a test class, run by this class's {@link #main}; the
 *       arguments travel by Java serialization, so pyconc objects arrive as handles and attach in
 *       the child, which talks to the test through lines ({@link #say} / {@link #hear} there,
 *       {@link #readLine()} / {@link #send} here);</li>
 *   <li>a <em>main class</em> ({@link #startMain} or {@link Builder#main}), with string arguments.</li>
 * </ul>
 * By default a child runs {@code java} with this JVM's class and module path (all on the class
 * path, test classes first), {@code --enable-native-access=ALL-UNNAMED} and every {@code pyconc.*}
 * system property of this JVM, as pyconc's process launcher does; {@link Builder#asProcessLauncher()}
 * uses the launcher's own command line instead. The child's stdout is read on a daemon thread into a
 * queue of lines, so that {@link #kill9()} (a real SIGKILL that leaves our end of the pipes open)
 * loses nothing the child printed before it died; stderr is copied to this JVM's stderr, or kept
 * for {@link #stderr()}. {@link #close()} kills the child if it still runs.
 */
public final class ChildJvm implements AutoCloseable {
    private static final Duration LIVENESS = Duration.ofSeconds(60);
    private static final String END = "\u0000end-of-stream";

    private final java.lang.Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final PrintWriter in;
    private final Thread errReader;
    private final ByteArrayOutputStream err;

    private ChildJvm(java.lang.Process process, boolean captureStderr) {
        this.process = process;
        this.in = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
        Thread.ofPlatform().daemon().name("child-stdout-" + process.pid()).start(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the child is gone: the end marker follows
            } finally {
                lines.add(END);
            }
        });
        this.err = captureStderr ? new ByteArrayOutputStream() : null;
        this.errReader = Thread.ofPlatform().daemon().name("child-stderr-" + process.pid()).start(() -> {
            try (InputStream e = process.getErrorStream()) {
                if (err != null) {
                    byte[] buffer = new byte[8192];
                    for (int n; (n = e.read(buffer)) > 0; ) {
                        synchronized (err) {
                            err.write(buffer, 0, n);
                        }
                    }
                } else {
                    e.transferTo(System.err);
                }
            } catch (IOException ignored) {
                // the child is gone
            }
        });
    }

    // ---------------------------------------------------------------- launching

    /** Starts a child running the scenario {@code type.method(args)}. */
    public static ChildJvm start(Class<?> type, String method, Object... args) {
        return builder().scenario(type, method, args);
    }

    /**
     * Starts a scenario with extra JVM options and, if {@code umask} is not null, under that umask.
     * An option {@code -U<property>} keeps that {@code pyconc.*} property of this JVM from being
     * passed on.
     */
    public static ChildJvm start(List<String> jvmOptions, String umask, Class<?> type, String method, Object... args) {
        return builder().options(jvmOptions).umask(umask).scenario(type, method, args);
    }

    /** Starts {@code main} with {@code args}, with the flags JournalQueue's Chronicle needs. */
    public static ChildJvm startMain(Class<?> main, String... args) {
        return builder().chronicleFlags(true).main(main, args);
    }

    /** A builder for children with other options. */
    public static Builder builder() {
        return new Builder();
    }

    /** How a child is started; {@link #scenario} or {@link #main} starts it. */
    public static final class Builder {
        private final List<String> options = new ArrayList<>();
        private final List<String> unset = new ArrayList<>();
        private String umask;
        private boolean chronicle;
        private boolean launcher;
        private boolean captureStderr;
        private boolean unreaped;
        private Predicate<String> keep = entry -> true;

        private Builder() {}

        /** Extra JVM options, after the defaults (so they win); {@code -U<property>} drops a pyconc property. */
        public Builder options(List<String> jvmOptions) {
            for (String o : jvmOptions) {
                (o.startsWith("-U") ? unset : options).add(o.startsWith("-U") ? o.substring(2) : o);
            }
            return this;
        }

        /** Runs the child under this umask (through {@code sh -c 'umask ...; exec java ...'}); null: inherited. */
        public Builder umask(String umask) {
            this.umask = umask;
            return this;
        }

        /** Whether to pass the module flags and properties that JournalQueue's Chronicle needs. */
        public Builder chronicleFlags(boolean chronicle) {
            this.chronicle = chronicle;
            return this;
        }

        /** Keeps only the class path entries that {@code keep} accepts. */
        public Builder classPath(Predicate<String> keep) {
            this.keep = keep;
            return this;
        }

        /**
         * Uses the command line and environment of pyconc's process launcher (a JVM set up as this
         * one, stdin from /dev/null) instead of the test defaults: for scenarios whose parent must
         * itself be a pyconc process other than the test JVM.
         */
        public Builder asProcessLauncher() {
            this.launcher = true;
            return this;
        }

        /**
         * Runs the JVM as the child of a shell that never waits for it ({@code sh -c 'java ... &
         * exec sleep 600'}), so that once killed it stays a zombie until {@link ChildJvm#close()}
         * ends the shell (or 10 minutes pass). {@link ChildJvm#pid()} is then the shell's: the
         * scenario prints its own PID for the test to kill. Its stdin is {@code /dev/null}.
         */
        public Builder unreaped() {
            this.unreaped = true;
            return this;
        }

        /** Keeps the child's stderr for {@link ChildJvm#stderr()} instead of copying it to ours. */
        public Builder captureStderr() {
            this.captureStderr = true;
            return this;
        }

        /** Starts the scenario {@code type.method(args)}. */
        public ChildJvm scenario(Class<?> type, String method, Object... args) {
            List<String> arguments = new ArrayList<>(List.of(type.getName(), method));
            for (Object arg : args) {
                arguments.add(encode(arg));
            }
            return launch(ChildJvm.class, arguments);
        }

        /** Starts {@code main} with {@code args}. */
        public ChildJvm main(Class<?> main, String... args) {
            return launch(main, List.of(args));
        }

        private ChildJvm launch(Class<?> main, List<String> args) {
            ProcessBuilder builder;
            if (launcher) {
                builder = new ProcessBuilder(JvmCommand.command(main, options, args));
                builder.environment().clear();
                builder.environment().putAll(JvmCommand.environment(Map.of()));
                builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            } else {
                builder = new ProcessBuilder(command(main, args));
            }
            try {
                return new ChildJvm(builder.start(), captureStderr);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private List<String> command(Class<?> main, List<String> args) {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC", "-Xmx96m", "-XX:-UsePerfData"));
            System.getProperties().stringPropertyNames().stream().filter(p -> p.startsWith("pyconc."))
                    .filter(p -> options.stream().noneMatch(o -> o.startsWith("-D" + p + "=")) && !unset.contains(p))
                    .forEach(p -> command.add("-D" + p + "=" + System.getProperty(p)));
            if (chronicle) {
                command.add("--sun-misc-unsafe-memory-access=allow");
                command.addAll(JournalFlags.moduleFlags("ALL-UNNAMED"));
                command.add("-D" + JournalFlags.ANALYTICS_DISABLE + "=true");
                command.add("-D" + JournalFlags.ANNOUNCER_DISABLE + "=true");
                command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
            }
            command.addAll(options);
            command.add("-cp");
            command.add(ChildJvm.classPathOf(keep));
            command.add(main.getName());
            command.addAll(args);
            if (umask == null && !unreaped) {
                return command;
            }
            StringBuilder sh = new StringBuilder(umask == null ? "" : "umask " + umask + "; ").append(unreaped ? "" : "exec");
            for (String c : command) {
                sh.append(" '").append(c.replace("'", "'\\''")).append('\'');
            }
            if (unreaped) {
                sh.append(" & exec sleep 600");
            }
            return List.of("/bin/sh", "-c", sh.toString());
        }
    }

    private static String classPathOf(Predicate<String> keep) {
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
        return String.join(File.pathSeparator, entries.stream().filter(keep).toList());
    }

    // ---------------------------------------------------------------- talking to the child

    /** The child's PID. */
    public long pid() {
        return process.pid();
    }

    /** The next line the child printed, or null once its stdout ended; fails if none comes within 60 s. */
    public String readLine() {
        return readLine(LIVENESS);
    }

    /** The next line the child printed, or null once its stdout ended; fails if none comes within {@code limit}. */
    public String readLine(Duration limit) {
        String line;
        try {
            line = lines.poll(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        if (line == null) {
            throw new AssertionError("child " + pid() + " printed no line within " + limit);
        }
        if (line.equals(END)) {
            lines.add(END);
            return null;
        }
        return line;
    }

    /** Every remaining line until the child's stdout ends; fails if a line takes longer than {@code limit}. */
    public List<String> readAll(Duration limit) {
        List<String> all = new ArrayList<>();
        for (String line; (line = readLine(limit)) != null; ) {
            all.add(line);
        }
        return all;
    }

    /** Every remaining line until the child's stdout ends (60 s per line at most). */
    public List<String> readAll() {
        return readAll(LIVENESS);
    }

    /** Reads lines until one equals {@code expected}; fails if the child ends first. */
    public void expect(String expected) {
        expectPrefix(expected, true);
    }

    /** Reads lines until one starts with {@code prefix}; returns the rest of it; fails if the child ends first. */
    public String expectPrefix(String prefix) {
        return expectPrefix(prefix, false);
    }

    private String expectPrefix(String prefix, boolean whole) {
        List<String> seen = new ArrayList<>();
        for (;;) {
            String line = readLine();
            if (line == null) {
                throw new AssertionError("child " + pid() + " ended (exit " + exitCodeNow() + ") before printing '"
                        + prefix + (whole ? "'" : "...'") + "; it printed " + seen);
            }
            if (whole ? line.equals(prefix) : line.startsWith(prefix)) {
                return line.substring(prefix.length());
            }
            seen.add(line);
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

    /** What the child wrote to stderr, once it ended (with {@link Builder#captureStderr()} only). */
    public String stderr() {
        if (err == null) {
            throw new IllegalStateException("stderr was not captured: start the child with captureStderr()");
        }
        try {
            if (!errReader.join(LIVENESS)) {
                throw new AssertionError("child " + pid() + " kept stderr open for " + LIVENESS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        synchronized (err) {
            return err.toString(StandardCharsets.UTF_8);
        }
    }

    /** Waits (at most 60 s, else kills it and fails) for the child to exit; returns its exit code. */
    public int waitFor() {
        return waitFor(LIVENESS);
    }

    /** Waits (at most {@code limit}, else kills it and fails) for the child to exit; returns its exit code. */
    public int waitFor(Duration limit) {
        try {
            if (!process.waitFor(limit.toNanos(), TimeUnit.NANOSECONDS)) {
                process.toHandle().destroyForcibly();
                throw new AssertionError("child " + pid() + " did not exit within " + limit);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * kill -9, and waits until the child is gone (reaped). Sent through the process handle, which
     * (unlike {@code Process.destroyForcibly}) leaves our ends of its pipes open, so the lines it
     * printed before it died can still be read.
     */
    public void kill9() {
        process.toHandle().destroyForcibly();
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
        in.close();
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

    // ---------------------------------------------------------------- checks on processes

    /** Polls {@code condition} every 20 ms until it holds; fails the test if it does not within 30 s. */
    public static void eventually(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within 30 s: " + what);
            }
            sleep20();
        }
    }

    /** Whether the process {@code pid} is gone within {@code timeout}. */
    public static boolean awaitGone(long pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isRunning(pid)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            sleep20();
        }
        return true;
    }

    /** Whether {@code pid} runs: exists and is not a zombie waiting to be reaped. */
    public static boolean isRunning(long pid) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return !Files.isDirectory(Path.of("/proc"));   // gone, unless there is no /proc
        }
    }

    /**
     * Whether {@code pid} is a zombie whose threads have all exited: it has ended (everything the
     * kernel does at a process's exit is done) but its parent has not reaped it.
     */
    public static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
                return stat.charAt(stat.lastIndexOf(')') + 2) == 'Z' && tasks.count() == 1;
            }
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Fails, after killing them, if processes started by this JVM are still running 10 s from now
     * (children that were told to end may need a moment).
     */
    public static void assertNoChildProcesses() {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<ProcessHandle> left;
        while (!(left = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(h -> !isTracker(h)).toList()).isEmpty()) {
            if (System.nanoTime() - deadline > 0) {
                left.forEach(ProcessHandle::destroyForcibly);
                fail("child processes left behind: "
                        + left.stream().map(h -> h.pid() + " " + h.info().commandLine().orElse("?")).toList());
            }
            sleep20();
        }
    }

    /**
     * This JVM's child processes but the segment tracker, which outlives the tests on purpose
     * (it removes the segments of the tree once the tree has ended).
     */
    public static Stream<ProcessHandle> children() {
        return ProcessHandle.current().children().filter(h -> !isTracker(h));
    }

    /** Whether {@code process} is a segment tracker JVM. */
    public static boolean isTracker(ProcessHandle process) {
        return ResourceTracker.trackerProcess().map(t -> t.pid() == process.pid()).orElse(false)
                || process.info().commandLine().orElse("").contains("TrackerProcess");
    }

    private static void sleep20() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
