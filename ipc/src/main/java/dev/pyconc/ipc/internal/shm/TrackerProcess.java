package dev.pyconc.ipc.internal.shm;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resource tracker's own JVM: watches the members of one tree (see {@link ResourceTracker})
 * and, once all have ended, unlinks the segments they registered, then removes the tree and exits.
 * Run as {@code java -cp ... dev.pyconc.ipc.internal.shm.TrackerProcess <tree directory>};
 * {@link ResourceTracker} starts it. It ignores SIGINT, SIGTERM and SIGHUP, as Python's tracker
 * ignores SIGINT and SIGTERM, so that a Ctrl-C or a {@code kill} aimed at the program (its process
 * group, or every process of a service being stopped) does not kill the one process that cleans
 * up after it; it exits by itself once the tree has ended.
 *
 * <p>Memory consistency effects: none; it shares no memory with the tree it watches.
 */
public final class TrackerProcess {
    /*
     * Overview. One tracker per tree, enforced by an exclusive lock on tree/tracker.lock (a POSIX
     * record lock, which the kernel drops when its holder dies, so a member can tell a dead tracker
     * and start another). Every POLL the tracker lists the member journals and checks each member's
     * liveness (pid and start time from the journal's name). After GRACE with no live member (a
     * child may still be starting), it reads all journals and, for each registered segment, unlinks
     * it if the file at that path is a regular file of this user with the registered inode (or, for
     * a registration whose creator died before recording the inode, a file changed no earlier than
     * the registration) and no live process maps it. Mapped segments are retried every RETRY until
     * unmapped. A member that appears meanwhile sends the tracker back to watching.
     */

    private static final Logger LOG = LoggerFactory.getLogger(TrackerProcess.class);
    private static final long POLL_MILLIS = 100;
    private static final long GRACE_MILLIS = 500;
    private static final long RETRY_MILLIS = 500;

    private TrackerProcess() {}

    /** Entry point: {@code args[0]} is the tree directory. */
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: TrackerProcess <tree directory>");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        if (Posix.AVAILABLE) {
            Posix.ignoreInterrupts();
        }
        try (FileChannel lockFile = FileChannel.open(dir.resolve(ResourceTracker.LOCK_FILE),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = lockFile.tryLock();
            if (lock == null) {
                LOG.debug("another tracker watches {}", dir);
                return;
            }
            LOG.debug("tracker pid {} watches {}", ProcessId.PID, dir);
            watch(dir);
        }
    }

    private static void watch(Path dir) throws IOException, InterruptedException {
        long quietSince = -1;
        for (;;) {
            Thread.sleep(POLL_MILLIS);
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            long now = System.currentTimeMillis();
            if (anyMemberAlive(dir)) {
                quietSince = -1;
                continue;
            }
            if (quietSince < 0) {
                quietSince = now;
                continue;
            }
            if (now - quietSince < GRACE_MILLIS) {
                continue;
            }
            if (cleanUp(dir)) {
                return;
            }
            quietSince = -1;
        }
    }

    /** Unlinks the tree's segments; true when the tree is gone, false if a member joined meanwhile. */
    private static boolean cleanUp(Path dir) throws IOException, InterruptedException {
        Journals journals = Journals.read(dir);
        List<Registration> pending = new ArrayList<>(journals.registrations);
        while (!pending.isEmpty()) {
            Set<String> mapped = mappedPaths(pending);
            pending.removeIf(r -> settle(r, journals.unlinked, mapped));
            if (pending.isEmpty()) {
                break;
            }
            if (anyMemberAlive(dir)) {
                return false;
            }
            Thread.sleep(RETRY_MILLIS);
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + ResourceTracker.JOURNAL_SUFFIX)) {
            for (Path f : files) {
                if (!memberAlive(f)) {
                    Files.deleteIfExists(f);
                }
            }
        }
        if (anyMemberAlive(dir)) {
            return false;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                if (!f.getFileName().toString().endsWith(ResourceTracker.JOURNAL_SUFFIX)) {
                    Files.deleteIfExists(f);
                }
            }
        }
        try {
            Files.delete(dir);
        } catch (IOException e) {
            LOG.debug("tree {} not removed: {}", dir, e.toString());
            return false;
        }
        LOG.debug("tree {} ended and is cleaned up", dir);
        return true;
    }

    /** Whether registration {@code r} needs no further care: unlinked now, gone, or not ours to remove. */
    private static boolean settle(Registration r, Set<String> unlinked, Set<String> mapped) {
        try {
            Map<String, Object> a = Files.readAttributes(r.path, "unix:uid,mode,ino,ctime", LinkOption.NOFOLLOW_LINKS);
            long ino = (long) a.get("ino");
            boolean ours = ((int) a.get("mode") & 0170000) == 0100000 && (int) a.get("uid") == Shm.currentUid();
            if (!ours || unlinked.contains(r.path + "#" + ino)) {
                return true;
            }
            if (r.ino >= 0 ? ino != r.ino : ((FileTime) a.get("ctime")).toMillis() < r.millis - 1000) {
                return true;
            }
            if (mapped.contains(r.path.toString())) {
                return false;
            }
            Files.delete(r.path);
            LOG.debug("unlinked {}", r.path);
            return true;
        } catch (java.nio.file.NoSuchFileException e) {
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot unlink {}: {}", r.path, e.toString());
            return true;
        }
    }

    /** The paths among {@code registrations} that some live process maps. */
    static Set<String> mappedPaths(List<Registration> registrations) {
        Set<String> wanted = new HashSet<>();
        for (Registration r : registrations) {
            wanted.add(r.path.toString());
        }
        Set<String> found = new HashSet<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
            for (Path proc : procs) {
                try (BufferedReader in = Files.newBufferedReader(proc.resolve("maps"), StandardCharsets.ISO_8859_1)) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        int slash = line.indexOf('/');
                        if (slash > 0 && wanted.contains(line.substring(slash))) {
                            found.add(line.substring(slash));
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // gone, or not ours to read
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot list /proc ({}); treating every segment as mapped", e.toString());
            return wanted;
        }
        return found;
    }

    /** Whether any member of tree {@code dir} runs. */
    static boolean anyMemberAlive(Path dir) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + ResourceTracker.JOURNAL_SUFFIX)) {
            for (Path f : files) {
                if (memberAlive(f)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean memberAlive(Path journal) {
        String name = journal.getFileName().toString();
        String stem = name.substring(0, name.length() - ResourceTracker.JOURNAL_SUFFIX.length());
        int dash = stem.indexOf('-');
        try {
            int pid = Integer.parseInt(stem.substring(0, dash));
            long start = Long.parseLong(stem.substring(dash + 1));
            return ProcessId.isAlive(ProcessId.of(pid, start));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** One segment a member registered: its path, registration time, and inode (-1 if unknown). */
    record Registration(Path path, long millis, long ino) {}

    /** What the journals of a tree say: live registrations, and the path#inode pairs unlinked. */
    record Journals(List<Registration> registrations, Set<String> unlinked) {
        static Journals read(Path dir) throws IOException {
            List<Registration> all = new ArrayList<>();
            Set<String> unlinked = new HashSet<>();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + ResourceTracker.JOURNAL_SUFFIX)) {
                for (Path f : files) {
                    Map<Path, long[]> live = new LinkedHashMap<>();
                    for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                        parse(line, live, unlinked);
                    }
                    live.forEach((p, e) -> all.add(new Registration(p, e[0], e[1])));
                }
            }
            return new Journals(all, unlinked);
        }

        private static void parse(String line, Map<Path, long[]> live, Set<String> unlinked) {
            int a = line.indexOf(' ');
            int b = a < 0 ? -1 : line.indexOf(' ', a + 1);
            if (a != 1 || b < 0) {
                return;       // torn last line of a killed writer
            }
            long number;
            try {
                number = Long.parseLong(line.substring(a + 1, b));
            } catch (NumberFormatException e) {
                return;
            }
            Path path = Path.of(line.substring(b + 1));
            switch (line.charAt(0)) {
                case '+' -> live.put(path, new long[] {number, -1});
                case '=' -> live.computeIfAbsent(path, p -> new long[] {0, -1})[1] = number;
                case '-' -> {
                    long[] e = live.get(path);
                    if (e != null && (number < 0 || e[1] < 0 || e[1] == number)) {
                        live.remove(path);
                    }
                    if (number >= 0) {
                        unlinked.add(path + "#" + number);
                    }
                }
                default -> { }
            }
        }
    }
}
