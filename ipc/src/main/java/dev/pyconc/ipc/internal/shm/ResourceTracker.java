package dev.pyconc.ipc.internal.shm;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the shared-memory segments a process tree created once the whole tree has ended, however
 * its processes ended (kill -9 included): the client side, used by every process of the tree.
 *
 * <p>A <em>tree</em> is a directory {@code <java.io.tmpdir>/pyconc-tree-<pid>-<random>} (mode 0700). Its
 * root creates it when it first creates a tracked segment (or when {@link #ensureRunning()} is
 * called before children are launched) and names it in the system property {@code pyconc.tracker},
 * which pyconc's process launcher passes on to child JVMs; a child that uses a segment joins the
 * tree of that property. Every member keeps an append-only journal {@code <pid>-<start>.journal}
 * in the directory: its name says which process it belongs to, its lines which segments that
 * process created ({@code + millis path} before the file exists, {@code = inode path} once it
 * does, {@code - inode path} when it is unlinked). The journal is written before the segment is
 * created, so a kill at any point leaves nothing unregistered; writes are plain appends to the page
 * cache (one system call), which survive the death of the writer.
 *
 * <p>A separate small JVM, {@link TrackerProcess}, started lazily by the first member that
 * registers a segment and restarted by any member that finds it gone, watches the members: when
 * all have ended, it unlinks each registered segment that still has the registered inode and that
 * no live process maps (per {@code /proc/<pid>/maps}); segments still mapped are unlinked once
 * unmapped. Merely attaching never registers a segment; an explicit unlink removes it from the
 * tracker's care.
 *
 * <p>Why a separate process and a journal in files, rather than Python's tracker pipe: the kernel
 * tells nobody inside a tree that its last member died, so a watcher outside it is needed; but
 * keeping the registrations in files rather than in the watcher's memory means that the watcher
 * itself may die (or start late) without losing any, and a new one picks them up. A tree whose
 * watcher and members all died is swept by the next root that starts.
 *
 * <p>Memory consistency effects: none beyond the file system's: a journal line written before a
 * segment is created is in the page cache, and so visible to the tracker, whatever happens next.
 */
public final class ResourceTracker {
    /*
     * Overview. All state is guarded by the class lock; registration is rare next to the file
     * creation it accompanies. `live` mirrors this member's unfinished registrations so that the
     * journal can be rewritten compactly (write a temporary file, rename it over the journal) when
     * it grows to four times the live set, which keeps a long-running process that creates and
     * unlinks many segments from growing its journal without bound.
     */

    /** Made on first use: a child JVM joins its tree while it starts, before anything is logged. */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(ResourceTracker.class);
    }

    /** The system property naming the tree directory. */
    public static final String PROPERTY = "pyconc.tracker";
    static final String TREE_PREFIX = "pyconc-tree-";
    static final String JOURNAL_SUFFIX = ".journal";
    static final String LOCK_FILE = "tracker.lock";
    private static final int COMPACT_MIN_LINES = 4096;
    static final long PROBE_NANOS = 100_000_000L;

    private static final Object LOCK = new Object();
    private static Path tree;                 // null until joined
    private static FileChannel journal;
    private static Path journalPath;
    private static int lines;
    private static final Map<Path, long[]> live = new LinkedHashMap<>();   // path -> {millis, inode}
    private static FileChannel lockProbe;
    private static long lastProbe;
    private static final StringBuilder pending = new StringBuilder();   // lines not yet written
    private static Process tracker;
    private static boolean disabled;

    private ResourceTracker() {}

    // ---------------------------------------------------------------- public entry points

    /**
     * Joins (or founds) this process's tree and makes sure its tracker runs, so that child JVMs
     * launched afterwards belong to the tree. Process launchers call this before starting a child.
     */
    public static void ensureRunning() {
        synchronized (LOCK) {
            if (join(true)) {
                lastProbe = System.nanoTime() - PROBE_NANOS;
                checkTracker();
            }
        }
    }

    /** The tree directory this process belongs to, if it has joined one. */
    public static Optional<Path> treeDirectory() {
        synchronized (LOCK) {
            return Optional.ofNullable(tree);
        }
    }

    /** The tracker process this process started, if any (for tests and diagnostics). */
    public static Optional<ProcessHandle> trackerProcess() {
        synchronized (LOCK) {
            return tracker == null ? Optional.empty() : Optional.of(tracker.toHandle());
        }
    }

    // ---------------------------------------------------------------- called by the mapping layer

    /**
     * Joins the tree named by {@code pyconc.tracker}, if this JVM was started with it and has not
     * joined yet. The mapping layer calls it on every attach; a process launcher may call it when a
     * child starts, so that the child counts as a member before it touches any segment.
     */
    public static void joinIfChild() {
        if (System.getProperty(PROPERTY) == null) {
            return;
        }
        synchronized (LOCK) {
            if (tree == null && !disabled) {
                join(false);
            }
        }
    }

    /** Segment {@code path} is about to be created by this process. */
    static void registering(Path path) {
        synchronized (LOCK) {
            if (!join(true)) {
                return;
            }
            checkTracker();
            long millis = System.currentTimeMillis();
            live.put(path, new long[] {millis, -1});
            append("+ " + millis + " " + path, true);
        }
    }

    /** Segment {@code path}, registered before, now exists with inode {@code ino}. */
    static void created(Path path, long ino) {
        synchronized (LOCK) {
            long[] entry = live.get(path);
            if (entry != null && journal != null) {
                entry[1] = ino;
                append("= " + ino + " " + path, false);
            }
        }
    }

    /** The creation of {@code path}, registered before, failed: nothing was created. */
    static void abandoned(Path path) {
        synchronized (LOCK) {
            if (live.remove(path) != null && journal != null) {
                append("- -1 " + path, false);
            }
        }
    }

    /** Segment {@code path} with inode {@code ino} was unlinked explicitly. */
    static void unlinked(Path path, long ino) {
        synchronized (LOCK) {
            if (journal == null) {
                return;
            }
            live.remove(path);
            append("- " + ino + " " + path, false);
        }
    }

    // ---------------------------------------------------------------- joining

    /** Joins the tree of the property, or founds one when {@code mayFound}; false if tracking is off. */
    private static boolean join(boolean mayFound) {
        if (journal != null) {
            return true;
        }
        if (disabled) {
            return false;
        }
        try {
            String named = System.getProperty(PROPERTY);
            Path dir = named == null ? null : Path.of(named);
            if (dir != null && !usableTree(dir)) {
                Log.LOG.warn("tracker directory {} of property {} is gone or not this user's; this process founds a tree of its own",
                        dir, PROPERTY);
                dir = null;
            }
            if (dir == null && !mayFound) {
                return false;
            }
            boolean founded = false;
            if (dir == null) {
                sweepOrphans();
                dir = Files.createDirectory(Path.of(System.getProperty("java.io.tmpdir"))
                                .resolve(TREE_PREFIX + ProcessId.PID + "-" + Shm.randomName("")),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                founded = true;
            }
            Path path = dir.resolve(ProcessId.PID + "-" + ProcessId.startOf(ProcessId.PID) + JOURNAL_SUFFIX);
            FileChannel channel = FileChannel.open(path,
                    EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            tree = dir;
            journal = channel;
            journalPath = path;
            System.setProperty(PROPERTY, dir.toString());
            if (founded) {
                Log.LOG.debug("founded resource tracker tree {}", dir);
            }
            return true;
        } catch (IOException | RuntimeException e) {
            disabled = true;
            Log.LOG.warn("cannot track shared memory segments ({}); segments this process creates are removed only by unlink()",
                    e.toString());
            return false;
        }
    }

    private static boolean usableTree(Path dir) {
        try {
            if (!dir.getFileName().toString().startsWith(TREE_PREFIX)) {
                return false;
            }
            Map<String, Object> a = Files.readAttributes(dir, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
            int mode = (int) a.get("mode");
            return (mode & 0170000) == 0040000 && (int) a.get("uid") == Shm.currentUid() && (mode & 077) == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- the tracker process

    /**
     * Starts a tracker if none holds the tree's lock. Called before every registration, it probes
     * the lock (one fcntl) at most every 100 ms, so that a tracker killed meanwhile is replaced
     * before the registrations it would miss; {@link #ensureRunning()} probes at once.
     */
    private static void checkTracker() {
        long now = System.nanoTime();
        if (lockProbe != null && now - lastProbe < PROBE_NANOS) {
            return;
        }
        lastProbe = now;
        try {
            if (lockProbe == null) {
                lockProbe = FileChannel.open(tree.resolve(LOCK_FILE),
                        EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            if (trackerHolds(lockProbe)) {
                return;
            }
            if (tracker != null && tracker.isAlive()) {
                return;      // started, not yet holding the lock
            }
            tracker = spawn(tree);
        } catch (IOException | RuntimeException e) {
            Log.LOG.warn("cannot start the resource tracker for {} ({}); segments are removed only by unlink()", tree, e.toString());
        }
    }

    /** Whether some other process holds the tracker lock of the channel's file. */
    static boolean trackerHolds(FileChannel lockFile) throws IOException {
        FileLock probe;
        try {
            probe = lockFile.tryLock();
        } catch (OverlappingFileLockException e) {
            return true;        // this very JVM is the tracker
        }
        if (probe == null) {
            return true;
        }
        probe.release();
        return false;
    }

    static Process spawn(Path dir) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-Xrs", "-Xmx32m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-XX:-UsePerfData", "-Xshare:auto", "--enable-native-access=ALL-UNNAMED"));
        if (!Posix.AVAILABLE) {
            command.add("-Dpyconc.ipc.native=false");
        }
        command.add("-cp");
        command.add(classPath());
        command.add(TrackerProcess.class.getName());
        command.add(dir.toString());
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        String log = System.getProperty("pyconc.tracker.log");
        pb.redirectError(log == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.appendTo(new File(log)));
        Process p = pb.start();
        Log.LOG.debug("started resource tracker pid {} for {}", p.pid(), dir);
        return p;
    }

    /** The tracker's class path: this module's classes, SLF4J, and what the JVM runs with. */
    private static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        entries.add(location(TrackerProcess.class));
        entries.add(location(LoggerFactory.class));
        for (String property : new String[] {"java.class.path", "jdk.module.path"}) {
            String value = System.getProperty(property);
            if (value != null && !value.isBlank()) {
                for (String e : value.split(File.pathSeparator)) {
                    if (!e.isBlank()) {
                        entries.add(e);
                    }
                }
            }
        }
        entries.remove("");
        return String.join(File.pathSeparator, entries);
    }

    private static String location(Class<?> c) {
        try {
            var source = c.getProtectionDomain().getCodeSource();
            return source == null ? "" : Path.of(source.getLocation().toURI()).toString();
        } catch (URISyntaxException | RuntimeException e) {
            return "";
        }
    }

    /** Starts trackers for trees of this user whose tracker and members are all gone. */
    private static void sweepOrphans() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, TREE_PREFIX + "*")) {
            for (Path dir : dirs) {
                if (!usableTree(dir) || TrackerProcess.anyMemberAlive(dir)) {
                    continue;
                }
                Path lockFile = dir.resolve(LOCK_FILE);
                boolean held;
                try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                    held = trackerHolds(ch);
                }
                if (!held) {
                    Log.LOG.info("sweeping orphaned resource tracker tree {}", dir);
                    spawn(dir);
                }
            }
        } catch (IOException | RuntimeException e) {
            Log.LOG.debug("sweep of orphaned trees skipped: {}", e.toString());
        }
    }

    // ---------------------------------------------------------------- the journal

    /**
     * Adds a line to the journal. A registration ({@code +}) must be on file before the segment
     * exists, so it is written at once, together with the lines buffered before it; {@code =} and
     * {@code -} lines may wait for the next write: if the process dies first, the tracker still
     * knows the path from its {@code +} line and decides by the file's owner and change time.
     */
    private static void append(String line, boolean now) {
        pending.append(line).append('\n');
        lines++;
        if (!now) {
            return;
        }
        try {
            ByteBuffer bytes = ByteBuffer.wrap(pending.toString().getBytes(StandardCharsets.UTF_8));
            pending.setLength(0);
            while (bytes.hasRemaining()) {
                journal.write(bytes);
            }
            if (lines >= COMPACT_MIN_LINES && lines > 4 * (live.size() + 1)) {
                compact();
            }
        } catch (IOException e) {
            Log.LOG.warn("cannot write the resource tracker journal {} ({})", journalPath, e.toString());
        }
    }

    private static void compact() throws IOException {
        Path temp = journalPath.resolveSibling(journalPath.getFileName() + ".tmp");
        StringBuilder sb = new StringBuilder();
        for (var e : live.entrySet()) {
            sb.append("+ ").append(e.getValue()[0]).append(' ').append(e.getKey()).append('\n');
            if (e.getValue()[1] >= 0) {
                sb.append("= ").append(e.getValue()[1]).append(' ').append(e.getKey()).append('\n');
            }
        }
        Files.deleteIfExists(temp);
        Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(temp, sb.toString().getBytes(StandardCharsets.UTF_8));
        Files.move(temp, journalPath, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        journal.close();
        journal = FileChannel.open(journalPath, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        lines = 2 * live.size();
    }
}
