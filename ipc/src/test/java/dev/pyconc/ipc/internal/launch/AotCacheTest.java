package dev.pyconc.ipc.internal.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AotCacheTest {
    /** The main class of child JVMs: package-private, beside the Process it runs. */
    private static final String CHILD_MAIN = "dev.pyconc.multiprocessing.ChildMain";

    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() {
        System.clearProperty(AotCache.DIR_PROPERTY);
        System.clearProperty(AotCache.PROPERTY);
        AotCache.forgetTraining();
    }

    private Path jar(String name, long modified) throws IOException {
        Path jar = dir.resolve(name);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new ZipEntry("a.txt"));
            out.write(name.getBytes(StandardCharsets.UTF_8));
        }
        Files.setLastModifiedTime(jar, FileTime.fromMillis(modified));
        return jar;
    }

    /** The key is stable for one command line, ignores -Dpyconc.* properties, and changes with a jar's time or a flag. */
    @Test
    void keyFollowsCommandAndJars() throws IOException {
        Path a = jar("a.jar", 1_000_000);
        Path b = jar("b.jar", 2_000_000);
        String cp = a + File.pathSeparator + b;
        List<String> cmd = List.of("java", "-Xmx64m", "-cp", cp, "Main");
        String key = AotCache.key(cmd);
        assertNotNull(key);
        assertEquals(32, key.length());
        assertEquals(key, AotCache.key(List.of("java", "-Xmx64m", "-cp", cp, "Main")));
        assertNotEquals(key, AotCache.key(List.of("java", "-Xmx65m", "-cp", cp, "Main")));
        Files.setLastModifiedTime(b, FileTime.fromMillis(3_000_000));
        assertNotEquals(key, AotCache.key(cmd), "a rebuilt jar gets a cache of its own");
        String withGil = AotCache.key(List.of("java", "-Dpyconc.gil=1", "-Xmx64m", "-cp", cp, "Main"));
        assertEquals(AotCache.key(cmd), withGil);
    }

    /** No key where the JDK cannot use a cache: a directory on the class path or module path, --patch-module, the user's own CDS/AOT options. */
    @Test
    void noKeyWhereTheJdkCannotUseACache() throws IOException {
        Path a = jar("a.jar", 1_000_000);
        assertNull(AotCache.key(List.of("java", "-cp", a + File.pathSeparator + dir, "Main")));
        assertNull(AotCache.key(List.of("java", "--module-path=" + dir, "-m", "m/Main")));
        assertNull(AotCache.key(List.of("java", "-cp", dir.resolve("missing.jar").toString(), "Main")));
        for (String flag : List.of("--patch-module=m=x", "-XX:AOTCache=x.aot", "-XX:AOTMode=off", "-XX:SharedArchiveFile=x.jsa",
                "-Xshare:off", "-XX:+AutoCreateSharedArchive", "-XX:-UseSharedSpaces")) {
            assertNull(AotCache.key(List.of("java", flag, "-cp", a.toString(), "Main")), flag);
        }
        assertNotNull(AotCache.key(List.of("java", "--module-path=" + a, "-m", "m/Main")));
    }

    /** The cache directory is created with mode 0700; one writable by others, or a symbolic link, is refused. */
    @Test
    void privateDirectoryOnly() throws IOException {
        Path cacheDir = dir.resolve("cache").resolve("aot");
        System.setProperty(AotCache.DIR_PROPERTY, cacheDir.toString());
        assertEquals(cacheDir, AotCache.directory());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cacheDir)));

        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        System.setProperty(AotCache.DIR_PROPERTY, open.toString());
        assertNull(AotCache.directory());

        Path link = Files.createSymbolicLink(dir.resolve("link"), cacheDir);
        System.setProperty(AotCache.DIR_PROPERTY, link.toString());
        assertNull(AotCache.directory());

        Path file = Files.writeString(cacheDir.resolve("x.aot"), "x");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertTrue(AotCache.privateToMe(file, false));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-r--"));
        assertFalse(AotCache.privateToMe(file, false));
        assertFalse(AotCache.privateToMe(Files.createSymbolicLink(cacheDir.resolve("y.aot"), file), false));
    }

    /** With the property off, or without a usable command line, the command line is left as it is. */
    @Test
    void applyLeavesCommandAlone() throws IOException {
        System.setProperty(AotCache.DIR_PROPERTY, dir.resolve("cache").toString());
        List<String> withDirectory = List.of("java", "-cp", dir.toString(), "Main");
        assertSame(withDirectory, AotCache.apply(withDirectory, Map.of(), AotCacheTest::noOpProcess));
        System.setProperty(AotCache.PROPERTY, "off");
        List<String> jars = List.of("java", "-cp", jar("a.jar", 1_000_000).toString(), "Main");
        assertSame(jars, AotCache.apply(jars, Map.of(), AotCacheTest::noOpProcess));
    }

    /** With a cache file in place, apply() puts the flags that use it right after java, so that later flags win. */
    @Test
    void applyUsesAnExistingCache() throws IOException {
        Path cacheDir = dir.resolve("cache");
        System.setProperty(AotCache.DIR_PROPERTY, cacheDir.toString());
        List<String> cmd = List.of("java", "-Xmx64m", "-cp", jar("a.jar", 1_000_000).toString(), "Main");
        Path cache = AotCache.directory().resolve(AotCache.key(cmd) + ".aot");
        Files.writeString(cache, "not really a cache");
        List<String> applied = AotCache.apply(cmd, Map.of(), AotCacheTest::noOpProcess);
        assertEquals(List.of("java", "-XX:AOTMode=auto", "-XX:AOTCache=" + cache, "-Xlog:aot=off", "-Xlog:cds=off",
                "-Xmx64m", "-cp", cmd.get(3), "Main"), applied);
    }

    /** prune() keeps the newest caches and removes temporary files older than an hour. */
    @Test
    void prune() throws IOException {
        for (int i = 0; i < AotCache.KEEP + 3; i++) {
            Path p = Files.writeString(dir.resolve("k" + i + ".aot"), "x");
            Files.setLastModifiedTime(p, FileTime.fromMillis(1_000_000L * (i + 1)));
        }
        Path oldTemp = Files.writeString(dir.resolve("k.tmp-1-2"), "x");
        Files.setLastModifiedTime(oldTemp, FileTime.fromMillis(1_000));
        Path newTemp = Files.writeString(dir.resolve("k.tmp-3-4"), "x");
        AotCache.prune(dir);
        try (Stream<Path> left = Files.list(dir)) {
            List<String> names = left.map(p -> p.getFileName().toString()).sorted().toList();
            List<String> expected = new ArrayList<>();
            for (int i = 3; i < AotCache.KEEP + 3; i++) {
                expected.add("k" + i + ".aot");
            }
            expected.add(newTemp.getFileName().toString());
            assertEquals(expected.stream().sorted().toList(), names);
        }
    }

    /**
     * A real training run writes a cache that a child JVM then starts with (exit code 0, nothing
     * on stderr); a child given a corrupt cache starts anyway, silently.
     */
    @Test
    void trainingWritesACacheChildrenUse() throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            Path cacheDir = dir.resolve("cache");
            System.setProperty(AotCache.DIR_PROPERTY, cacheDir.toString());
            List<String> cmd = jarOnlyChildCommand();
            String key = AotCache.key(cmd);
            assertNotNull(key, cmd.toString());
            Path cache = AotCache.directory().resolve(key + ".aot");
            AotCache.train(cmd, JvmCommand.environment(Map.of()), AotCache.directory(), key, AotCacheTest::noOpProcess).join();
            assertTrue(AotCache.privateToMe(cache, false), "no cache written at " + cache);
            try (Stream<Path> files = Files.list(cacheDir)) {
                assertEquals(List.of(cache), files.toList(), "the temporary file is renamed into place");
            }
            assertEquals(AotCache.withFlags(cmd, List.of("-XX:AOTMode=auto", "-XX:AOTCache=" + cache, "-Xlog:aot=off",
                    "-Xlog:cds=off")), AotCache.apply(cmd, Map.of(), AotCacheTest::noOpProcess));

            assertEquals("0|", runChild(AotCache.apply(cmd, Map.of(), AotCacheTest::noOpProcess)));
            Files.writeString(cache, "garbage");
            assertEquals("0|", runChild(AotCache.apply(cmd, Map.of(), AotCacheTest::noOpProcess)));
        });
    }

    /** The payload of a process without a target, in pyconc's own form: its run() does nothing. */
    private static byte[] noOpProcess() {
        return ProcessPayload.encode(new ProcessPayload.Parts(null, "aot-test", false, new int[] {0}, ProcessHandle.current().pid()));
    }

    /** The command line of a child JVM whose class path holds only jars: pyconc's classes packed into one. */
    private List<String> jarOnlyChildCommand() throws Exception {
        Path classes = Path.of(AotCache.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path ipcJar = dir.resolve("ipc.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(ipcJar)); Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().equals("module-info.class")).toList()) {
                out.putNextEntry(new ZipEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
                out.write(Files.readAllBytes(f));
            }
        }
        List<String> path = new ArrayList<>();
        path.add(ipcJar.toString());
        path.add(Path.of(dev.pyconc.core.internal.GilRuntime.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        path.add(Path.of(org.slf4j.Logger.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-Dpyconc.gil=0", "-cp", String.join(File.pathSeparator, path), CHILD_MAIN);
    }

    /** Runs a child with {@code command} and a no-op process; returns "exit code|stderr". */
    private static String runChild(List<String> command) throws Exception {
        java.lang.Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream channel = p.getOutputStream()) {
            new LaunchRecord(ProcessHandle.current().pid(), "test", "aot-test", "", noOpProcess()).writeTo(channel);
        }
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        // SLF4J's own notice that this jar-only class path has no logger binding is not the child's output
        stderr = stderr.lines().filter(line -> !line.startsWith("SLF4J(")).map(line -> line + "\n").collect(java.util.stream.Collectors.joining());
        return p.waitFor() + "|" + stderr;
    }
}
