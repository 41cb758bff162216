package dev.pyconc.asyncio;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a one-file Java program (a class {@code Main}) in a child JVM that sees pyconc-async as the
 * test run does (on the module path, or else on the class path), with extra JVM options and
 * environment, and returns its exit code and output (stdout and stderr together). For the tests
 * of what a JVM does from its start: system properties read once, the environment, signals.
 */
public final class ChildJava {
    private ChildJava() {}

    /** What the child did. */
    public record Result(int exitCode, String out) {}

    /**
     * Writes {@code source} to {@code dir/Main.java}, runs it and waits (60 s at most, then kills it
     * and fails). In {@code env}, a null value removes the variable from the child's environment.
     */
    public static Result run(Path dir, String source, List<String> jvmOptions, Map<String, String> env) throws Exception {
        Path src = dir.resolve("Main.java");
        Files.writeString(src, source);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xshare:auto");
        cmd.addAll(jvmOptions);
        String modulePath = System.getProperty("jdk.module.path");
        if (modulePath != null && !modulePath.isEmpty()) {
            cmd.addAll(List.of("--module-path", modulePath, "--add-modules", "dev.pyconc.async",
                    "--enable-native-access=io.netty.common,dev.pyconc.async"));
        } else {
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "--enable-native-access=ALL-UNNAMED"));
        }
        cmd.add(src.toString());
        Path out = dir.resolve("Main.out");
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        env.forEach((k, v) -> {
            if (v == null) {
                builder.environment().remove(k);
            } else {
                builder.environment().put(k, v);
            }
        });
        java.lang.Process child = builder.start();
        try {
            if (!child.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("the child JVM did not exit within 60 s:\n" + Files.readString(out, StandardCharsets.UTF_8));
            }
            return new Result(child.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            child.destroyForcibly();
        }
    }
}
