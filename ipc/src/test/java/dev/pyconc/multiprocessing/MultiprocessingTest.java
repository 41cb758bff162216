package dev.pyconc.multiprocessing;

import static dev.pyconc.multiprocessing.ProcessScenarios.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pyconc.gil.Gil;

class MultiprocessingTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @AfterEach
    void restoreSpawnAndCheckNoChildLeft() throws InterruptedException {
        Multiprocessing.setStartMethod("spawn", true);
        System.clearProperty(Multiprocessing.START_METHOD_PROPERTY);
        ChildJvm.assertNoChildProcesses();
    }

    /** cpuCount() is the number of processors available to the JVM, at least 1. */
    /**
     * Children run the executable set: a wrapper script that records its arguments and then runs
     * java starts the child, which exits 0; a path that is not an executable file is refused and
     * changes nothing.
     */
    @Test
    void setExecutableRunsChildrenWithIt(@TempDir Path dir) throws Exception {
        Path own = Path.of(System.getProperty("java.home"), "bin", "java");
        assertEquals(own, Multiprocessing.getExecutable());
        Path marker = dir.resolve("ran");
        Path wrapper = dir.resolve("java-wrapper");
        Files.writeString(wrapper, "#!/bin/sh\necho \"$@\" > '" + marker + "'\nexec '" + own + "' \"$@\"\n");
        wrapper.toFile().setExecutable(true);
        try {
            Multiprocessing.setExecutable(wrapper);
            assertEquals(wrapper, Multiprocessing.getExecutable());
            Process p = new Process(() -> { });
            p.start();
            p.join();
            assertEquals(0, p.exitCode());
            assertTrue(Files.readString(marker).contains("dev.pyconc.multiprocessing.ChildMain"), Files.readString(marker));
            var e = assertThrows(IllegalArgumentException.class, () -> Multiprocessing.setExecutable(dir.resolve("missing")));
            assertEquals("not an executable file: " + dir.resolve("missing"), e.getMessage());
            assertEquals(wrapper, Multiprocessing.getExecutable());
        } finally {
            Multiprocessing.setExecutable(own);
        }
        assertEquals(own, Multiprocessing.getExecutable());
    }

    /**
     * A concrete context starts its processes, pool workers and executor workers with its own start
     * method, which the children report, whatever the global one; the default context follows the
     * global one; fork does not exist; a concrete context's start method cannot be set.
     */
    @Test
    void contextsStartWithTheirOwnMethod() {
        assertEquals("spawn", Multiprocessing.getStartMethod());
        assertSame(Multiprocessing.getContext(), Multiprocessing.getContext(null));
        assertEquals("spawn", Multiprocessing.getContext().getStartMethod());
        var e = assertThrows(IllegalArgumentException.class, () -> Multiprocessing.getContext("fork"));
        assertEquals("cannot find context for 'fork'; the start methods are [spawn, forkserver]", e.getMessage());
        Context fs = Multiprocessing.getContext("forkserver");
        assertSame(fs, fs.getContext("forkserver"));
        var set = assertThrows(IllegalArgumentException.class, () -> fs.setStartMethod("spawn"));
        assertEquals("cannot set start method of concrete context", set.getMessage());

        Queue<String> q = new Queue<>();
        Process p = fs.process(() -> q.put(Multiprocessing.getStartMethod()));
        p.start();
        assertEquals("forkserver", q.get());
        p.join();
        assertEquals(0, p.exitCode());
        try (Pool pool = fs.poolBuilder().processes(1).build()) {
            assertEquals("forkserver", pool.apply(Multiprocessing::getStartMethod));
        }
        try (ProcessPoolExecutor ex = fs.executorBuilder().maxWorkers(1).maxTasksPerChild(2).build()) {
            assertSame(fs, ex.getContext());
            assertEquals("forkserver", ex.submit(Multiprocessing::getStartMethod).result());
        }
        assertEquals("spawn", Multiprocessing.getStartMethod());
        q.close();
    }

    @Test
    void cpuCount() {
        assertEquals(Runtime.getRuntime().availableProcessors(), Multiprocessing.cpuCount());
        assertTrue(Multiprocessing.cpuCount() >= 1);
    }

    /** In the main process, currentProcess() is MainProcess: this JVM's pid, alive, not joinable; parentProcess() is null. */
    @Test
    void mainProcess() {
        Process main = Multiprocessing.currentProcess();
        assertSame(main, Multiprocessing.currentProcess());
        assertEquals("MainProcess", main.name());
        assertEquals(ProcessHandle.current().pid(), main.pid());
        assertTrue(main.isAlive());
        assertFalse(main.isDaemon());
        assertNull(main.exitCode());
        assertEquals("can only join a child process", assertThrows(IllegalStateException.class, main::join).getMessage());
        assertEquals("can only start a process object created by the current process",
                assertThrows(IllegalStateException.class, main::start).getMessage());
        assertThrows(IllegalStateException.class, main::terminate);
        assertThrows(IllegalStateException.class, () -> main.setDaemon(true));
        assertNull(Multiprocessing.parentProcess());
        assertEquals("<Process name='MainProcess' pid=" + ProcessHandle.current().pid() + " started>", main.toString());
    }

    /** activeChildren() lists the running children and forgets those that ended. */
    @Test
    void activeChildren() {
        assertEquals(List.of(), Multiprocessing.activeChildren());
        Process a = new Process(ProcessScenarios::sleepForever);
        Process b = new Process(ProcessScenarios::sleepForever);
        Process quick = new Process(() -> {});
        a.start();
        b.start();
        quick.start();
        quick.join(LIMIT);
        try {
            assertEquals(Set.of(a, b), new HashSet<>(Multiprocessing.activeChildren()));
            a.kill();
            a.join(LIMIT);
            assertEquals(List.of(b), Multiprocessing.activeChildren());
        } finally {
            b.kill();
            b.join(LIMIT);
        }
        assertEquals(List.of(), Multiprocessing.activeChildren());
        assertEquals(-9, b.exitCode());
    }

    /** In a child, activeChildren() lists the child's own children, and its parent is alive. */
    @Test
    void activeChildrenInChild() throws Exception {
        String out = dir.resolve("out").toString();
        Process p = new Process(() -> {
            Process grandchild = new Process(ProcessScenarios::sleepForever);
            grandchild.start();
            List<Process> active = Multiprocessing.activeChildren();
            grandchild.kill();
            grandchild.join();
            write(out, active.size() + " " + (active.getFirst() == grandchild) + " "
                    + Multiprocessing.activeChildren().size() + " " + grandchild.exitCode()
                    + " " + Multiprocessing.parentProcess().isAlive());
        });
        p.start();
        p.join(LIMIT);
        assertEquals(0, p.exitCode());
        assertEquals("1 true 0 -9 true", Files.readString(Path.of(out)));
    }

    /** The start method is spawn by default; setStartMethod validates, refuses a second call without force. */
    @Test
    void startMethods() {
        assertEquals("spawn", Multiprocessing.getStartMethod());
        assertEquals(List.of("spawn", "forkserver"), Multiprocessing.getAllStartMethods());
        assertThrows(IllegalArgumentException.class, () -> Multiprocessing.setStartMethod("fork", true));
        assertThrows(IllegalArgumentException.class, () -> Multiprocessing.setStartMethod(null, true));
        Multiprocessing.setStartMethod("forkserver", true);
        assertEquals("forkserver", Multiprocessing.getStartMethod());
        assertEquals("context has already been set",
                assertThrows(IllegalStateException.class, () -> Multiprocessing.setStartMethod("spawn")).getMessage());
        System.setProperty(Multiprocessing.START_METHOD_PROPERTY, "fork");
        assertThrows(IllegalArgumentException.class, Multiprocessing::getStartMethod);
    }

    /**
     * Under forkserver, processes run on the spare JVM with the same flags as under spawn; the
     * start method reaches the child; the spare is killed when the start method changes.
     */
    @Test
    void forkserverRunsProcessesOnSpare() throws Exception {
        Multiprocessing.setStartMethod("forkserver", true);
        for (int i = 0; i < 3; i++) {
            String out = dir.resolve("out" + i).toString();
            int n = i;
            Process p = new Process(() -> write(out, n + " " + Multiprocessing.getStartMethod() + " "
                    + System.getProperty("pyconc.gil") + " " + Multiprocessing.currentProcess().name()), "fs-" + i);
            p.start();
            p.join(LIMIT);
            assertEquals(0, p.exitCode());
            assertEquals(i + " forkserver 0 fs-" + i, Files.readString(Path.of(out)));
        }
        assertEquals(7, runForkserver(() -> System.exit(7)).exitCode());
        assertEquals(137, runForkserver(() -> System.exit(137)).exitCode());
        assertEquals(1, runForkserver(() -> {
            throw new IllegalStateException("expected by the test");
        }).exitCode());
        awaitSpare();
        assertEquals(1, ChildJvm.children().count(), "one spare JVM waits");
        Multiprocessing.setStartMethod("spawn", true);
        ChildJvm.assertNoChildProcesses();
    }

    /** A spare launched before GIL mode changed is not used: the child always sees the GIL mode of start(). */
    @Test
    void forkserverSpareFollowsGilMode() throws Exception {
        Multiprocessing.setStartMethod("forkserver", true);
        assertEquals(0, runForkserver(() -> {}).exitCode());
        awaitSpare();
        long spare = ChildJvm.children().findFirst().orElseThrow().pid();
        String out = dir.resolve("gil").toString();
        Gil.enable();
        Process p;
        try {
            p = runForkserver(() -> write(out, System.getProperty("pyconc.gil")));
        } finally {
            Gil.disable();
        }
        assertEquals(0, p.exitCode());
        assertEquals("1", Files.readString(Path.of(out)));
        assertTrue(p.pid() != spare, "the spare with GIL mode off must not run a process started with GIL mode on");
        assertTrue(ChildJvm.awaitGone(spare, Duration.ofSeconds(10)), "the discarded spare must end");
    }

    /** A spare JVM exits at once when its parent is killed with kill -9, so it never outlives it. */
    @Test
    void spareExitsWithItsParent() throws Exception {
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(LIMIT, () -> {
            ChildJvm parent = ChildJvm.builder().asProcessLauncher().main(ProcessScenarios.class, "spare");
            try {
                long spare = Long.parseLong(parent.expectPrefix("spare="));
                assertTrue(ChildJvm.isRunning(spare));
                parent.kill9();
                assertTrue(ChildJvm.awaitGone(spare, Duration.ofSeconds(5)), "spare outlived its parent");
            } finally {
                parent.close();
            }
        });
    }

    private static Process runForkserver(SerializableRunnable target) {
        Process p = new Process(target);
        p.start();
        p.join(LIMIT);
        return p;
    }

    /** Waits until the spare JVM has been launched (it is launched in the background after a start). */
    static void awaitSpare() throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (ChildJvm.children().count() == 0) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no spare JVM was launched");
            }
            Thread.sleep(10);
        }
    }
}
