package dev.pyconc.multiprocessing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import dev.pyconc.ipc.internal.shm.ResourceTracker;
import dev.pyconc.ipc.internal.shm.Shm;

/**
 * The leak check every ipc test runs under: after each test, no new entries in the segment
 * directory (primitives' segments, which their creator unlinks when it drops them, get a few
 * garbage collections to go), no child process other than the resource tracker, and no new
 * non-daemon thread. Leftovers are removed (children killed, files deleted) and fail the test.
 *
 * <p>The suite's segments live in {@code /dev/shm/pyconc-ipc-tests} (a tmpfs directory like
 * {@code /dev/shm} itself, set with {@code -Dpyconc.shm.dir} in the build, or another with
 * {@code mvn -Dpyconc.test.shmDir=...}), so that segments of
 * other programs on the machine cannot be mistaken for leaks.
 */
public final class NoLeaks implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(NoLeaks.class);

    static {
        Path dir = Shm.directory();
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.deleteIfExists(dir);
            } catch (IOException notEmpty) {
                // the tracker removes what the tree left, once the tree has ended
            }
        }));
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        var store = context.getStore(NS);
        store.put("segments", segments());
        store.put("children", children());
        store.put("threads", nonDaemonThreads());
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        var store = context.getStore(NS);
        List<String> problems = new java.util.ArrayList<>();

        @SuppressWarnings("unchecked")
        Set<Long> childrenBefore = (Set<Long>) store.get("children");
        for (ProcessHandle child : ProcessHandle.current().children().toList()) {
            if (!childrenBefore.contains(child.pid()) && !isTracker(child)) {
                child.destroyForcibly();
                problems.add("child process " + child.pid() + " still running: " + child.info().commandLine().orElse("?"));
            }
        }

        @SuppressWarnings("unchecked")
        Set<String> segmentsBefore = (Set<String>) store.get("segments");
        Set<String> left = Set.of();
        for (int i = 0; i < 100; i++) {
            left = new HashSet<>(segments());
            left.removeAll(segmentsBefore);
            if (left.isEmpty()) {
                break;
            }
            System.gc();
            Thread.sleep(50);
        }
        for (String name : left) {
            Files.deleteIfExists(Shm.directory().resolve(name));
            problems.add("segment left in " + Shm.directory() + ": " + name);
        }

        @SuppressWarnings("unchecked")
        Set<Thread> threadsBefore = (Set<Thread>) store.get("threads");
        Set<Thread> newThreads = Set.of();
        for (int i = 0; i < 100; i++) {
            newThreads = nonDaemonThreads();
            newThreads.removeAll(threadsBefore);
            if (newThreads.isEmpty()) {
                break;
            }
            Thread.sleep(50);
        }
        for (Thread t : newThreads) {
            problems.add("non-daemon thread still running: " + t.getName());
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("leaks after " + context.getDisplayName() + ": " + problems);
        }
    }

    private static boolean isTracker(ProcessHandle child) {
        return ChildJvm.isTracker(child);
    }

    /** The names in the segment directory. */
    public static Set<String> segments() {
        try (Stream<Path> files = Files.list(Shm.directory())) {
            return files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(HashSet::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Set<Long> children() {
        return ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    private static Set<Thread> nonDaemonThreads() {
        // JUnit's own timeout watcher starts with the first preemptive timeout of the run and stays
        return Thread.getAllStackTraces().keySet().stream().filter(t -> !t.isDaemon() && t.isAlive())
                .filter(t -> !t.getName().equals("junit-jupiter-timeout-watcher"))
                .collect(Collectors.toCollection(HashSet::new));
    }
}
