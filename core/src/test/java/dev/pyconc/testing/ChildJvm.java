package dev.pyconc.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@code main} class of the test sources in a child JVM on the class path of the test run,
 * and returns its exit code and output. The child is killed if it outlives the liveness bound.
 */
public final class ChildJvm {
    private ChildJvm() {}

    /** What a child JVM did. */
    public record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Runs {@code main} with {@code args}, with extra JVM options {@code jvmOptions}, and waits for it. */
    public static Result run(Class<?> main, List<String> jvmOptions, String... args) {
        return run(main, jvmOptions, java.util.Map.of(), args);
    }

    /** As {@link #run(Class, List, String...)}, with extra environment variables {@code env}. */
    public static Result run(Class<?> main, List<String> jvmOptions, java.util.Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xshare:auto");
        command.add("-XX:TieredStopAtLevel=1");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath(main));
        command.add(main.getName());
        command.addAll(List.of(args));
        Process p = null;
        try {
            Path out = Files.createTempFile("pyconc-child", ".out");
            Path err = Files.createTempFile("pyconc-child", ".err");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
                builder.environment().putAll(env);
                p = builder.start();
                if (!p.waitFor(Threads.LIVENESS.toSeconds(), TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                    fail("child JVM " + main.getSimpleName() + " did not exit within " + Threads.LIVENESS
                            + "\n" + Files.readString(out) + Files.readString(err));
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run child JVM", e);
        } catch (InterruptedException e) {
            java.lang.Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }

    private static String classPath(Class<?> main) {
        Set<String> entries = new LinkedHashSet<>();
        try {
            entries.add(Path.of(main.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        } catch (java.net.URISyntaxException e) {
            throw new AssertionError(e);
        }
        for (String property : new String[] {"jdk.module.path", "java.class.path"}) {
            String value = System.getProperty(property);
            if (value != null) {
                for (String entry : value.split(File.pathSeparator)) {
                    if (!entry.isBlank()) {
                        entries.add(entry);
                    }
                }
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
