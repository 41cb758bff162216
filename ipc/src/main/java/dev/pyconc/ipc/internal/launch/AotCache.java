package dev.pyconc.ipc.internal.launch;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ahead-of-time cache of child JVMs (JDK 25's {@code -XX:AOTCache}, JEP 483 and 514): the
 * classes a child loads to receive and run its process (serialization, lambdas, reflection,
 * pyconc's own), loaded and linked once and mapped by every later child, which then starts with
 * about a third less CPU. It is to a child JVM what {@code __pycache__} is to a Python child
 * that re-imports its modules.
 *
 * <p>The first child launched with a given command line (same JDK, flags, class path and module
 * path, with the same jars) finds no cache: pyconc runs, in the background, a training JVM with
 * that command line and {@code -XX:AOTCacheOutput}, which receives and runs a no-op process, and
 * then writes the cache; children launched afterwards use it. The cache lives in
 * {@code $XDG_CACHE_HOME/pyconc/aot} or {@code ~/.cache/pyconc/aot} (or the directory in the
 * system property {@code pyconc.multiprocessing.aotCacheDir}), a directory of mode 0700 that must
 * belong to the current user and be writable by no one else; at most {@link #KEEP} caches are
 * kept. {@code -Dpyconc.multiprocessing.aotCache=off} turns all of it off.
 *
 * <p>The cache is only used where the JDK can use one: a class path and module path of jar files
 * (not directories), no {@code --patch-module}, and no CDS or AOT option of the user's own. A
 * child uses it with {@code -XX:AOTMode=auto}, which falls back, silently
 * ({@code -Xlog:aot=off -Xlog:cds=off}), to a normal start when the cache does not fit.
 */
public final class AotCache {
    /*
     * Overview.
     *
     * Key: SHA-256 of the JDK (java.home, java.vm.version) and of the command line without its
     * -Dpyconc.* properties (which do not matter to the cache and change often: GIL mode, the
     * start method), plus the size and modification time of every jar on the class path and
     * module path, so that a rebuilt jar gets a cache of its own. File: <key>.aot.
     *
     * Training: once per key per JVM (trained), from a virtual thread: /bin/sh runs the command
     * line with -XX:AOTCacheOutput=<key>.tmp-<pid>-<time> (the JDK writes the cache when the
     * training JVM exits) and, if it succeeds, renames the temporary file to <key>.aot: the
     * rename is atomic, so concurrent trainings of the same key each produce a whole file and the
     * last one wins, and the shell does it even when this JVM has ended meanwhile. The training
     * JVM gets a launch record whose parent pid is 0 (it does not watch its parent: it finishes
     * its bounded work even when its parent has ended, as the resource tracker does) and whose
     * payload is a no-op Process, which the caller supplies; its output is discarded. Before each
     * training the directory is pruned: caches beyond the KEEP most recently modified, and
     * temporary files older than an hour, are deleted.
     *
     * A cache is used only if it is a regular file, not a link, of this user, writable by no one
     * else: the JVM maps it as code.
     */

    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(AotCache.class);
    }

    /** The system property that turns the cache off ("off") or on ("auto", the default). */
    static final String PROPERTY = "pyconc.multiprocessing.aotCache";
    /** The system property that names the cache directory. */
    static final String DIR_PROPERTY = "pyconc.multiprocessing.aotCacheDir";
    /** How many caches the directory keeps. */
    static final int KEEP = 8;

    private static final long STALE_TEMP_MILLIS = TimeUnit.HOURS.toMillis(1);
    private static final String SHELL = "/bin/sh";
    private static final String NO_KEY = "";
    private static final Set<String> trained = ConcurrentHashMap.newKeySet();
    private static final Map<List<String>, String> keys = new ConcurrentHashMap<>();   // memo of key()

    private AotCache() {}

    /**
     * {@code command} (a child's command line, from {@link JvmCommand}) with the flags that make
     * it use its cache, when there is one; otherwise {@code command} itself, and, once, a
     * training JVM is launched in the background so that later children have one: it receives
     * {@code trainingPayload}, the payload of a process that does nothing (asked for only then).
     */
    public static List<String> apply(List<String> command, Map<String, String> environment,
                                     Supplier<byte[]> trainingPayload) {
        if ("off".equalsIgnoreCase(System.getProperty(PROPERTY, "auto").trim()) || !Files.isExecutable(Path.of(SHELL))) {
            return command;
        }
        try {
            String key = memoizedKey(command);
            if (key == null) {
                return command;
            }
            Path dir = directory();
            if (dir == null) {
                return command;
            }
            Path cache = dir.resolve(key + ".aot");
            if (usable(cache)) {
                return withFlags(command, List.of("-XX:AOTMode=auto", "-XX:AOTCache=" + cache,
                        "-Xlog:aot=off", "-Xlog:cds=off"));
            }
            if (trained.add(key)) {
                train(command, environment, dir, key, trainingPayload);
            }
        } catch (IOException | RuntimeException e) {
            Log.LOG.debug("no AOT cache for child JVMs: {}", e.toString());
        }
        return command;
    }

    /** {@link #key}, computed once per command line (without its pyconc properties) in this JVM. */
    private static String memoizedKey(List<String> command) throws IOException {
        List<String> relevant = command.stream().filter(a -> !a.startsWith("-Dpyconc.")).toList();
        String key = keys.get(relevant);
        if (key == null) {
            key = key(relevant);
            if (keys.size() > 64) {
                keys.clear();
            }
            keys.put(relevant, key == null ? NO_KEY : key);
        }
        return key == null || key.equals(NO_KEY) ? null : key;
    }

    /**
     * The cache key of {@code command}, or {@code null} if the JDK cannot use a cache with it
     * (directories on the class path or module path, {@code --patch-module}, CDS or AOT options
     * of the user's own).
     */
    static String key(List<String> command) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            return null;
        }
        update(sha, System.getProperty("java.home"));
        update(sha, System.getProperty("java.vm.version"));
        for (int i = 0; i < command.size(); i++) {
            String arg = command.get(i);
            if (!compatible(arg)) {
                return null;
            }
            if (arg.startsWith("-Dpyconc.")) {
                continue;
            }
            update(sha, arg);
            String path = null;
            if ((arg.equals("-cp") || arg.equals("-classpath") || arg.equals("--class-path")) && i + 1 < command.size()) {
                path = command.get(i + 1);
            } else if (arg.startsWith("--module-path=")) {
                path = arg.substring("--module-path=".length());
            } else if (arg.startsWith("--upgrade-module-path=")) {
                path = arg.substring("--upgrade-module-path=".length());
            }
            if (path != null && !updateJars(sha, path)) {
                return null;
            }
        }
        return HexFormat.of().formatHex(sha.digest(), 0, 16);
    }

    /** Whether a cache can go with {@code arg}. */
    static boolean compatible(String arg) {
        return !(arg.startsWith("--patch-module") || arg.startsWith("-XX:AOT") || arg.startsWith("-XX:SharedArchiveFile")
                || arg.startsWith("-XX:ArchiveClassesAtExit") || arg.startsWith("-XX:+AutoCreateSharedArchive")
                || arg.startsWith("-XX:SharedClassListFile") || arg.startsWith("-Xshare:") || arg.equals("-XX:-UseSharedSpaces")
                || arg.equals("-p") || arg.equals("--module-path") || arg.equals("--upgrade-module-path"));
    }

    /** Adds the size and time of each jar of {@code path}; false if an entry is not a regular file. */
    private static boolean updateJars(MessageDigest sha, String path) throws IOException {
        for (String entry : path.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path p = Path.of(entry);
            if (!Files.isRegularFile(p)) {
                return false;
            }
            update(sha, Files.size(p) + "@" + Files.getLastModifiedTime(p).toMillis());
        }
        return true;
    }

    private static void update(MessageDigest sha, String s) {
        sha.update(s.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
    }

    /** {@code command} with {@code flags} right after the java executable, so that later flags win. */
    static List<String> withFlags(List<String> command, List<String> flags) {
        List<String> result = new ArrayList<>(command.size() + flags.size());
        result.add(command.getFirst());
        result.addAll(flags);
        result.addAll(command.subList(1, command.size()));
        return result;
    }

    /** The cache directory, created if needed, or {@code null} if it is not private to this user. */
    static Path directory() throws IOException {
        String configured = System.getProperty(DIR_PROPERTY);
        Path dir;
        if (configured != null && !configured.isBlank()) {
            dir = Path.of(configured);
        } else {
            String xdg = System.getenv("XDG_CACHE_HOME");
            Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
                    ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
            dir = base.resolve("pyconc").resolve("aot");
        }
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException notPosix) {
                return null;
            }
        }
        return privateToMe(dir, true) ? dir : null;
    }

    /** Whether {@code p} is a directory (or a regular file), not a link, of this user, writable by no one else. */
    static boolean privateToMe(Path p, boolean directory) {
        try {
            if (directory ? !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) : !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
            if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                return false;
            }
            Object uid = Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            return uid.equals(myUid());
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException e) {
            return false;
        }
    }

    private static volatile Object uid;

    private static Object myUid() throws IOException {
        Object u = uid;
        if (u == null) {
            Path self = Path.of("/proc/self");
            if (Files.isDirectory(self)) {
                u = Files.getAttribute(self, "unix:uid");
            } else {
                Path probe = Files.createTempFile("pyconc-uid", ".tmp");
                try {
                    u = Files.getAttribute(probe, "unix:uid");
                } finally {
                    Files.deleteIfExists(probe);
                }
            }
            uid = u;
        }
        return u;
    }

    private static boolean usable(Path cache) throws IOException {
        return Files.exists(cache, LinkOption.NOFOLLOW_LINKS) && privateToMe(cache, false) && Files.size(cache) > 0;
    }

    /**
     * Launches the training JVM for {@code key} in the background, under a shell that renames its
     * output into place when it succeeds (after this JVM may have ended). The training JVM runs
     * the process of {@code trainingPayload}.
     */
    static Thread train(List<String> command, Map<String, String> environment, Path dir, String key,
                        Supplier<byte[]> trainingPayload) {
        return Thread.ofVirtual().name("pyconc-aot-training").start(() -> {
            prune(dir);
            Path temp = dir.resolve(key + ".tmp-" + ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime()));
            Path cache = dir.resolve(key + ".aot");
            List<String> shell = new ArrayList<>(List.of(SHELL, "-c",
                    "tmp=$1; cache=$2; shift 2; \"$@\" && [ -s \"$tmp\" ] && mv -f -- \"$tmp\" \"$cache\"; rm -f -- \"$tmp\"",
                    "sh", temp.toString(), cache.toString()));
            shell.addAll(withFlags(command, List.of("-XX:AOTCacheOutput=" + temp)));
            ProcessBuilder builder = new ProcessBuilder(shell)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            builder.environment().clear();
            builder.environment().putAll(environment);
            try {
                java.lang.Process p = builder.start();
                try (OutputStream channel = p.getOutputStream()) {
                    new LaunchRecord(0, "pyconc-aot-training", "pyconc-aot-training", "",
                            trainingPayload.get()).writeTo(channel);
                }
                int exit = p.waitFor();
                Log.LOG.debug("AOT cache training for child JVMs ended with exit code {}: {}", exit, cache);
            } catch (IOException | RuntimeException e) {
                Log.LOG.debug("AOT cache training failed: {}", e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Keeps the {@link #KEEP} newest caches and deletes temporary files older than an hour. */
    static void prune(Path dir) {
        List<Path> caches = new ArrayList<>();
        long now = System.currentTimeMillis();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                if (name.endsWith(".aot")) {
                    caches.add(p);
                } else if (name.contains(".tmp-") && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                        && now - Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis() > STALE_TEMP_MILLIS) {
                    Files.deleteIfExists(p);
                }
            }
            caches.sort(Comparator.comparing(AotCache::modified).reversed());
            for (Path old : caches.subList(Math.min(KEEP, caches.size()), caches.size())) {
                Files.deleteIfExists(old);
            }
        } catch (IOException | RuntimeException e) {
            Log.LOG.debug("cannot prune {}: {}", dir, e.toString());
        }
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    /** For tests: forget which keys were trained in this JVM. */
    static void forgetTraining() {
        trained.clear();
    }
}
