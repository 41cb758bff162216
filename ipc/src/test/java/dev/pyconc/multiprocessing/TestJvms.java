package dev.pyconc.multiprocessing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.pyconc.multiprocessing.internal.JvmCommand;

/**
 * The one helper of the process tests: launches a second JVM set up as the test JVM (for
 * scenarios that need a parent other than the test JVM), waits for processes to vanish, and
 * checks that a test left no child process behind.
 */
final class TestJvms {
    private TestJvms() {}

    /** Launches {@code main} with {@code args} in a JVM set up as this one; stdout and stderr are pipes. */
    static java.lang.Process launch(Class<?> main, String... args) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(JvmCommand.command(main, List.of(), List.of(args)));
        builder.environment().clear();
        builder.environment().putAll(JvmCommand.environment(Map.of()));
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return builder.start();
    }

    /** A reader of {@code process}'s standard output. */
    static BufferedReader stdout(java.lang.Process process) {
        return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Reads lines until one starts with {@code prefix}; returns the rest of that line. */
    static String expectLine(BufferedReader reader, String prefix) throws IOException {
        List<String> seen = new ArrayList<>();
        for (String line; (line = reader.readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length());
            }
            seen.add(line);
        }
        throw new AssertionError("no line starting with '" + prefix + "'; output was " + seen);
    }

    /** Whether the process {@code pid} is gone within {@code timeout}. */
    static boolean awaitGone(long pid, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isRunning(pid)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** Whether {@code pid} runs: exists and is not a zombie waiting to be reaped. */
    static boolean isRunning(long pid) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return !java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc"));   // gone, unless there is no /proc
        }
    }

    /**
     * Fails, after killing them, if processes started by this JVM are still running 10 s from now
     * (children that were told to end may need a moment).
     */
    static void assertNoChildProcesses() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<ProcessHandle> left;
        while (!(left = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(h -> !isTracker(h)).toList()).isEmpty()) {
            if (System.nanoTime() - deadline > 0) {
                left.forEach(ProcessHandle::destroyForcibly);
                fail("child processes left behind: " + left.stream().map(h -> h.pid() + " " + h.info().commandLine().orElse("?")).toList());
            }
            Thread.sleep(20);
        }
    }

    /**
     * This JVM's child processes but the segment tracker, which outlives the tests on purpose
     * (it removes the segments of the tree once the tree has ended).
     */
    static java.util.stream.Stream<ProcessHandle> children() {
        return ProcessHandle.current().children().filter(h -> !isTracker(h));
    }

    /** Whether {@code process} is a segment tracker JVM. */
    static boolean isTracker(ProcessHandle process) {
        return dev.pyconc.multiprocessing.internal.ResourceTracker.trackerProcess().map(t -> t.pid() == process.pid()).orElse(false)
                || process.info().commandLine().orElse("").contains("TrackerProcess");
    }
}
