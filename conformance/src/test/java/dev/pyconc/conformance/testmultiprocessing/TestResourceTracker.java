package dev.pyconc.conformance.testmultiprocessing;

import static dev.pyconc.testing.Threads.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.ipc.internal.shm.ResourceTracker;
import dev.pyconc.multiprocessing.Connection;
import dev.pyconc.multiprocessing.Multiprocessing;
import dev.pyconc.multiprocessing.Process;
import dev.pyconc.multiprocessing.sharedmemory.SharedMemory;

/**
 * _test_multiprocessing.py's {@code TestResourceTracker}, in the Java form of pyconc's own tracker
 * (docs/design/ipc.md): a process tree registers the segments it creates in journal files, and a
 * small tracker JVM removes them once the whole tree has ended. CPython's tracker is a process with
 * a pipe that warns on stderr about what it cleans; pyconc's cleans without a warning, so the
 * checks are of what is removed and of the tracker process. The tracker of this JVM's tree is
 * {@link ResourceTracker#trackerProcess()}, CPython's {@code _resource_tracker._pid}.
 */
class TestResourceTracker {
    @BeforeAll
    static void setUpModule() {
        Mp2Support.setUpModule();
    }

    private static Path shmDir() {
        return Path.of(System.getProperty("pyconc.shm.dir", "/dev/shm"));
    }

    private static Set<String> segments() {
        try (Stream<Path> s = Files.list(shmDir())) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** CPython's {@code _resource_unlink(name, rtype)}: unlinks the segment, FileNotFoundError if it is gone. */
    private static void resourceUnlink(String name) {
        try {
            Files.delete(shmDir().resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A program of its own (a process tree of its own) that created two resources and is killed
     * leaks neither: the one it had left after the parent unlinked the other is removed by its
     * tracker, which does not trip over the one already gone. The resource types are pyconc's
     * segments: a {@code SharedMemory}, and a {@code Lock}'s segment (CPython's named semaphore),
     * found as the files the program added to the segment directory.
     */
    @Test
    @DisplayName("test_resource_tracker")
    void testResourceTracker() throws Exception {
        for (String rtype : List.of("semaphore", "shared_memory")) {
            Set<String> before = segments();
            java.lang.Process p = Mp2Child.start("create_two_resources_and_sleep", rtype);
            try {
                BufferedReader f = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                String name1;
                String name2;
                if (rtype.equals("shared_memory")) {
                    name1 = f.readLine();
                    name2 = f.readLine();
                } else {
                    assertEquals("ready", f.readLine());
                    List<String> added = segments().stream().filter(n -> !before.contains(n)).sorted().toList();
                    assertEquals(2, added.size(), added::toString);
                    name1 = added.get(0);
                    name2 = added.get(1);
                }
                resourceUnlink(name1);
                p.destroyForcibly();
                p.waitFor();

                // (CPython unlinks name2 in its retry loop and checks its tracker's warnings; the
                // check here is that the tracker removed it)
                until("A " + rtype + " resource was leaked after a process was abruptly terminated",
                        () -> !Files.exists(shmDir().resolve(name2)));
                UncheckedIOException gone = assertThrows(UncheckedIOException.class, () -> resourceUnlink(name2));
                assertInstanceOf(NoSuchFileException.class, gone.getCause());
            } finally {
                p.destroyForcibly();
            }
        }
    }

    /**
     * This JVM's tracker, started if it is not running yet, once it is ready: it holds its tree's
     * lock, which it takes after it has set its signals ignored (a JVM takes a moment to get there,
     * where CPython's tracker starts with the signals blocked).
     */
    private static ProcessHandle tracker() {
        ResourceTracker.ensureRunning();
        until("this JVM's tracker runs", () -> ResourceTracker.trackerProcess().map(ProcessHandle::isAlive).orElse(false));
        Path lock = ResourceTracker.treeDirectory().orElseThrow().resolve("tracker.lock");
        until("the tracker holds its lock", () -> {
            try (FileChannel probe = FileChannel.open(lock, StandardOpenOption.WRITE)) {
                FileLock l = probe.tryLock();
                if (l != null) {
                    l.release();
                    return false;
                }
                return true;
            } catch (OverlappingFileLockException thisJvmProbes) {
                return false;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return ResourceTracker.trackerProcess().orElseThrow();
    }

    /**
     * bpo-31310: the tracker survives a catchable signal meant for the program, and a tracker that
     * died (SIGKILL) is started again at the next registration, CPython's "process died" restart.
     */
    private static void checkResourceTrackerDeath(String signal, boolean shouldDie) throws Exception {
        ProcessHandle old = tracker();
        if (signal.equals("KILL")) {
            old.destroyForcibly();
            old.onExit().get(30, TimeUnit.SECONDS);
            old = tracker();
        }
        long pid = old.pid();
        Mp2Support.kill(signal, pid);
        ProcessHandle killed = old;
        if (shouldDie) {
            killed.onExit().get(30, TimeUnit.SECONDS);
        } else {
            // give it time to die (CPython sleeps one second)
            assertThrows(TimeoutException.class, () -> killed.onExit().get(1, TimeUnit.SECONDS));
        }

        // a registration after the signal finds a tracker: the same one, or a new one if it died
        until("a tracker runs again", () -> {
            SharedMemory sem = SharedMemory.create(16);
            sem.close();
            sem.unlink();
            return ResourceTracker.trackerProcess().map(ProcessHandle::isAlive).orElse(false);
        });
        long now = ResourceTracker.trackerProcess().orElseThrow().pid();
        if (shouldDie) {
            assertNotEquals(pid, now);
        } else {
            assertEquals(pid, now);
        }
    }

    @Test
    @DisplayName("test_resource_tracker_sigint")
    void testResourceTrackerSigint() throws Exception {
        // Catchable signal (ignored by semaphore tracker)
        checkResourceTrackerDeath("INT", false);
    }

    @Test
    @DisplayName("test_resource_tracker_sigterm")
    void testResourceTrackerSigterm() throws Exception {
        // Catchable signal (ignored by semaphore tracker)
        checkResourceTrackerDeath("TERM", false);
    }

    @Test
    @DisplayName("test_resource_tracker_sigkill")
    void testResourceTrackerSigkill() throws Exception {
        // Uncatchable signal.
        checkResourceTrackerDeath("KILL", true);
    }

    /** CPython's {@code _is_resource_tracker_reused}: the child's tree and tracker are its parent's. */
    static void isResourceTrackerReused(Connection conn, String tree, long pid) {
        ResourceTracker.ensureRunning();
        boolean reused = ResourceTracker.treeDirectory().map(Path::toString).orElse("").equals(tree)
                && ResourceTracker.trackerProcess().map(h -> h.pid() == pid).orElse(true)
                && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        conn.send(reused);
    }

    /** A child process uses its parent's tracker: it joins the tree, and starts no tracker of its own. */
    @Test
    @DisplayName("test_resource_tracker_reused")
    void testResourceTrackerReused() {
        long pid = tracker().pid();
        String tree = ResourceTracker.treeDirectory().orElseThrow().toString();

        Connection.Pair pair = Multiprocessing.pipe(false);
        Connection r = pair.conn1();
        Connection w = pair.conn2();
        Process p = new Process(() -> isResourceTrackerReused(w, tree, pid));
        p.start();
        Object isResourceTrackerReused = r.recv();

        // Clean up
        p.join();
        w.close();
        r.close();

        assertEquals(true, isResourceTrackerReused);
    }

    /**
     * gh-96819: a name too long for what the tracker records is refused before anything is
     * registered (Python's limit is a pipe write of PIPE_BUF; pyconc's is the file name's 255 bytes).
     */
    @Test
    @DisplayName("test_too_long_name_resource")
    void testTooLongNameResource() {
        String rtype = "shared_memory";
        String tooLongNameResource = "a".repeat(512 - rtype.length());
        assertThrows(IllegalArgumentException.class, () -> new SharedMemory(tooLongNameResource, true, 10));
        assertTrue(!Files.exists(shmDir().resolve(tooLongNameResource.substring(0, 200))));
    }
}
