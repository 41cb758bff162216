package dev.pyconc.multiprocessing;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.pyconc.multiprocessing.internal.JournalFlags;

/**
 * A child JVM for tests: the java of this JVM, this JVM's class path and module path joined into
 * one class path, pyconc's flags and the Chronicle flags of {@link JournalFlags}, running a main
 * class. Its stdout is read line by line on a daemon thread; stderr goes to this JVM's stderr.
 * Tests use it until {@code Process} can start children. Always {@link #close()} it: that kills
 * the child if it still runs.
 */
final class MainClassJvm implements AutoCloseable {
    private static final String END = "\u0000end-of-stream";

    private final java.lang.Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private MainClassJvm(java.lang.Process process) {
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the child died: the end marker follows
            } finally {
                lines.add(END);
            }
        }, "child-stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code main} with {@code args} in a new JVM. */
    static MainClassJvm start(Class<?> main, String... args) {
        return start(List.of(), true, entry -> true, main, args);
    }

    /**
     * Starts {@code main} with {@code args} in a new JVM with extra {@code jvmArgs}, with or without
     * the Chronicle flags, keeping only the class path entries that {@code keep} accepts.
     */
    static MainClassJvm start(List<String> jvmArgs, boolean chronicleFlags, java.util.function.Predicate<String> keep,
            Class<?> main, String... args) {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> path = new ArrayList<>();
        for (String p : new String[] {System.getProperty("jdk.module.path"), System.getProperty("java.class.path")}) {
            if (p != null && !p.isBlank()) {
                for (String entry : p.split(File.pathSeparator)) {
                    if (keep.test(entry)) {
                        path.add(entry);
                    }
                }
            }
        }
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-Xshare:auto", "-XX:TieredStopAtLevel=1"));
        if (chronicleFlags) {
            command.addAll(JournalFlags.moduleFlags("ALL-UNNAMED"));
        }
        command.add("-D" + JournalFlags.ANALYTICS_DISABLE + "=true");
        command.add("-D" + JournalFlags.ANNOUNCER_DISABLE + "=true");
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        command.addAll(jvmArgs);
        command.addAll(List.of("-cp", String.join(File.pathSeparator, path), main.getName()));
        command.addAll(List.of(args));
        try {
            return new MainClassJvm(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next line of the child's stdout, or null at its end; fails after {@code seconds}. */
    String readLine(long seconds) throws InterruptedException {
        String line = lines.poll(seconds, TimeUnit.SECONDS);
        if (line == null) {
            throw new AssertionError("child " + process.pid() + " printed nothing for " + seconds + " s");
        }
        if (line == END) {
            lines.add(END);
            return null;
        }
        return line;
    }

    /** Every remaining line until the child's stdout ends (the child exited or was killed). */
    List<String> readAll(long seconds) throws InterruptedException {
        List<String> all = new ArrayList<>();
        for (String line; (line = readLine(seconds)) != null; ) {
            all.add(line);
        }
        return all;
    }

    /**
     * Kills the child with {@code kill -9} and waits for it to be gone. (Not destroyForcibly: it
     * also closes our end of the child's stdout, losing what the child printed before it died.)
     */
    void kill9() throws InterruptedException {
        try {
            java.lang.Process kill = new ProcessBuilder("kill", "-9", Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(30, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                process.destroyForcibly();
            }
        } catch (IOException e) {
            process.destroyForcibly();
        }
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("child " + process.pid() + " survived SIGKILL for 30 s");
        }
    }

    /** Waits for the child's exit and returns its code; fails after {@code seconds}. */
    int waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("child " + process.pid() + " did not exit within " + seconds + " s");
        }
        return process.exitValue();
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill9();
        }
    }
}
