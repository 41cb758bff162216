package dev.pyconc.multiprocessing;

import static dev.pyconc.multiprocessing.ProcessScenarios.sleep;
import static dev.pyconc.multiprocessing.ProcessScenarios.sleepForever;
import static dev.pyconc.multiprocessing.ProcessScenarios.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pyconc.gil.Gil;
import dev.pyconc.ipc.internal.launch.ProcessPayload;

class ProcessTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @AfterEach
    void noChildProcessLeft() throws InterruptedException {
        ChildJvm.assertNoChildProcesses();
    }

    private String file(String name) {
        return dir.resolve(name).toString();
    }

    private static String read(String file) throws Exception {
        return Files.readString(Path.of(file), StandardCharsets.UTF_8);
    }

    private static Process run(SerializableRunnable target) {
        Process p = new Process(target);
        p.start();
        p.join(LIMIT);
        return p;
    }

    /** A lambda target runs in another JVM with the values it captured, and exits with code 0. */
    @Test
    void lambdaRunsInChildWithCapturedValues() throws Exception {
        String out = file("out");
        int number = 42;
        List<String> words = List.of("a", "b");
        long parentPid = ProcessHandle.current().pid();
        Process p = run(() -> write(out, number + " " + words + " " + (ProcessHandle.current().pid() != parentPid)));
        assertEquals(0, p.exitCode());
        assertEquals("42 [a, b] true", read(out));
    }

    /** What a child makes of the values its lambda captured: each value's class and contents, one per line. */
    private static String describe(List<Object> values) {
        StringBuilder s = new StringBuilder();
        for (Object v : values) {
            s.append(v == null ? "null" : v.getClass().getName() + "=" + (v instanceof byte[] b ? Arrays.toString(b) : v))
                    .append('\n');
        }
        return s.toString();
    }

    /**
     * Captured numbers, strings, byte arrays, lists, sets and maps arrive with their classes and
     * contents (pyconc's own form of the process), as do values only Java serialization carries
     * (a record, an int[]): the child describes what it received, the parent what it sent.
     */
    @Test
    void capturedValuesArriveWithTheirClasses() throws Exception {
        String simple = file("simple");
        String serialized = file("serialized");
        int a = 7;
        long b = 8L;
        String c = "h\u00e9llo \ud83d\ude00";
        byte[] d = {1, 2, 0};
        ArrayList<Object> e = new ArrayList<>(List.of(1, "x"));
        Set<String> f = new LinkedHashSet<>(List.of("z", "a"));
        Map<String, Integer> g = new LinkedHashMap<>(Map.of("id", 42));
        String nothing = null;
        short h = 9;
        char i = 'c';
        double j = 1.5;
        float k = 2.5f;
        byte l = -1;
        boolean m = true;
        List<Integer> n = List.of(1, 2);
        SerializableRunnable own = () -> write(simple, describe(Arrays.asList(a, b, h, i, j, k, l, m, c, d, e, n, f, g, nothing)));
        assertTrue(travelsInOwnForm(own));
        assertEquals(0, run(own).exitCode());
        assertEquals(describe(Arrays.asList(a, b, h, i, j, k, l, m, c, d, e, n, f, g, nothing)), read(simple));

        record Point(int x, int y) implements Serializable {}
        Point point = new Point(3, 4);
        int[] numbers = {5, 6};
        SerializableRunnable java = () -> write(serialized, point + " " + Arrays.toString(numbers));
        assertFalse(travelsInOwnForm(java));
        assertEquals(0, run(java).exitCode());
        assertEquals("Point[x=3, y=4] [5, 6]", read(serialized));
    }

    /** One list captured through two variables is still one list in the child: such a process travels by Java serialization. */
    @Test
    void sharedCapturedListStaysOne() throws Exception {
        String out = file("shared");
        List<Integer> one = new ArrayList<>(List.of(1));
        List<Integer> same = one;
        SerializableRunnable target = () -> write(out, String.valueOf(one == same));
        assertFalse(travelsInOwnForm(target));
        assertEquals(0, run(target).exitCode());
        assertEquals("true", read(out));
    }

    private static boolean travelsInOwnForm(SerializableRunnable target) {
        return ProcessPayload.encode(new ProcessPayload.Parts(target, "p", false, new int[] {1}, 1)) != null;
    }

    /** An exception in run() gives exit code 1, after the child's non-daemon threads have ended. */
    @Test
    void exceptionGivesExitCodeOneAfterNonDaemonThreads() throws Exception {
        String out = file("thread");
        Process p = run(() -> {
            Thread.ofPlatform().daemon(false).start(() -> {
                sleep(300);
                write(out, "thread done");
            });
            throw new IllegalStateException("boom");
        });
        assertEquals(1, p.exitCode());
        assertEquals("thread done", read(out));
    }

    /** The exception's stack trace is printed on the child's stderr under "Process NAME:", as Python does. */
    @Test
    void exceptionPrintsStackTraceOnStderr() throws Exception {
        assertTimeoutPreemptively(LIMIT, () -> {
            ChildJvm parent = ChildJvm.builder().asProcessLauncher().captureStderr().main(ProcessScenarios.class, "exception");
            try {
                String stdout = String.join("\n", parent.readAll());
                String stderr = parent.stderr();
                assertEquals(0, parent.waitFor());
                assertTrue(stdout.contains("exit=1"), stdout);
                assertTrue(stderr.contains("Process thrower:\njava.lang.IllegalStateException: boom from the child\n"), stderr);
                assertTrue(stderr.contains("at dev.pyconc.ipc"), stderr);
            } finally {
                parent.close();
            }
        });
    }

    /** When run() returns, the child waits for its non-daemon threads, then exits with 0, as Python does. */
    @Test
    void childWaitsForNonDaemonThreads() throws Exception {
        String out = file("thread");
        Process p = run(() -> Thread.ofPlatform().daemon(false).start(() -> {
            sleep(300);
            write(out, "thread done");
        }));
        assertEquals(0, p.exitCode());
        assertEquals("thread done", read(out));
    }

    /** System.exit(n) in the child gives exit code n, also for n above 128, which a signal death also gives in Java. */
    @Test
    void systemExitGivesItsCode() {
        assertEquals(7, run(() -> System.exit(7)).exitCode());
        assertEquals(137, run(() -> System.exit(137)).exitCode());
        assertEquals(143, run(() -> System.exit(143)).exitCode());
    }

    /** kill() gives exit code -9 and terminate() -15 (negative signal numbers, as Python). */
    @Test
    void killAndTerminateGiveNegativeSignals() throws Exception {
        Process killed = new Process(ProcessScenarios::sleepForever);
        killed.start();
        killed.kill();
        killed.join(LIMIT);
        assertEquals(-9, killed.exitCode());

        String up = file("up");
        Process terminated = new Process(() -> {
            write(up, "up");
            sleepForever();
        });
        terminated.start();
        // SIGTERM to a JVM still initializing ends it with 1 ("Error occurred during initialization of VM"):
        // wait until the target runs, then SIGTERM runs its shutdown hooks
        ChildJvm.eventually("the child's target runs", () -> Files.exists(Path.of(up)));
        terminated.terminate();
        terminated.join(LIMIT);
        assertEquals(-15, terminated.exitCode());
        terminated.terminate();                       // no-op once ended
        assertEquals(-15, terminated.exitCode());
    }

    /** A child killed by someone else with SIGKILL reads as -9, and one that halts with 130 as -2. */
    @Test
    void externalSignalAndHaltReadAsSignals() {
        Process p = new Process(ProcessScenarios::sleepForever);
        p.start();
        ProcessHandle.of(p.pid()).orElseThrow().destroyForcibly();
        p.join(LIMIT);
        assertEquals(-9, p.exitCode());
        // Runtime.halt skips the shutdown hooks that mark a normal exit (a documented limit).
        assertEquals(-2, run(() -> Runtime.getRuntime().halt(130)).exitCode());
        assertEquals(3, run(() -> Runtime.getRuntime().halt(3)).exitCode());
    }

    /** join(timeout) returns after the timeout while the child runs: isAlive() true, exitCode() null. */
    @Test
    void joinTimesOut() {
        Process p = new Process(ProcessScenarios::sleepForever);
        p.start();
        try {
            p.join(Duration.ofMillis(100));
            assertTrue(p.isAlive());
            assertNull(p.exitCode());
            p.join(Duration.ZERO);
            assertTrue(p.isAlive());
        } finally {
            p.kill();
            p.join(LIMIT);
        }
        assertFalse(p.isAlive());
        assertEquals(-9, p.exitCode());
    }

    /** join rejects a null or negative timeout with IllegalArgumentException. */
    @Test
    void joinRejectsBadTimeouts() {
        Process p = run(() -> {});
        assertThrows(IllegalArgumentException.class, () -> p.join(Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> p.join(null));
    }

    /** Before start: not alive, no pid, no exit code; join, terminate and kill refuse with IllegalStateException. */
    @Test
    void unstartedProcess() {
        Process p = new Process(() -> {});
        assertFalse(p.isAlive());
        assertNull(p.pid());
        assertNull(p.exitCode());
        assertEquals("can only join a started process", assertThrows(IllegalStateException.class, p::join).getMessage());
        assertThrows(IllegalStateException.class, p::terminate);
        assertThrows(IllegalStateException.class, p::kill);
        assertTrue(p.toString().endsWith(" initial>"), p.toString());
    }

    /** pid() is the child's process id, as the child itself sees it, and isAlive() follows the child. */
    @Test
    void pidAndIsAlive() throws Exception {
        String out = file("pid");
        String go = file("go");
        Process p = new Process(() -> {
            write(out, Long.toString(ProcessHandle.current().pid()));
            while (!Files.exists(Path.of(go))) {
                sleep(10);
            }
        });
        p.start();
        assertNotNull(p.pid());
        assertTrue(p.isAlive());
        while (!Files.exists(Path.of(out))) {
            Thread.sleep(10);
        }
        assertEquals(p.pid().toString(), read(out));
        assertTrue(p.isAlive());
        write(go, "");
        p.join(LIMIT);
        assertFalse(p.isAlive());
        assertEquals(0, p.exitCode());
        assertNotNull(p.pid());
    }

    /** start() twice throws IllegalStateException; so does starting a closed process. */
    @Test
    void startOnlyOnce() {
        Process p = run(() -> {});
        assertEquals("cannot start a process twice", assertThrows(IllegalStateException.class, p::start).getMessage());
        Process q = new Process(() -> {});
        q.close();
        assertEquals("process object is closed", assertThrows(IllegalStateException.class, q::start).getMessage());
    }

    /** close() refuses a running process; after close, pid, exitCode, isAlive and join throw IllegalStateException. */
    @Test
    void closeRules() {
        Process p = new Process(ProcessScenarios::sleepForever);
        p.start();
        IllegalStateException running = assertThrows(IllegalStateException.class, p::close);
        assertTrue(running.getMessage().startsWith("Cannot close a process while it is still running"), running.getMessage());
        p.kill();
        p.join(LIMIT);
        p.close();
        p.close();
        assertThrows(IllegalStateException.class, p::pid);
        assertThrows(IllegalStateException.class, p::exitCode);
        assertThrows(IllegalStateException.class, p::isAlive);
        assertThrows(IllegalStateException.class, p::join);
    }

    /** A target that captures a non-serializable value is rejected at start() naming the class; nothing starts. */
    @Test
    void nonSerializableTargetIsRejected() {
        Object notSerializable = new Object();
        Process p = new Process(() -> notSerializable.hashCode());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, p::start);
        assertTrue(e.getMessage().contains("java.lang.Object is not serializable"), e.getMessage());
        assertNull(p.pid());
        assertFalse(p.isAlive());
        assertEquals(0, ChildJvm.children().count());
        assertThrows(IllegalStateException.class, p::join);
    }

    /** A subclass whose field is not serializable is rejected at start() naming the field's class. */
    @Test
    void nonSerializableSubclassFieldIsRejected() {
        Process p = new HoldsThread();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, p::start);
        assertTrue(e.getMessage().contains("java.lang.Thread is not serializable"), e.getMessage());
        assertEquals(0, ChildJvm.children().count());
    }

    static final class HoldsThread extends Process {
        final Thread thread = Thread.currentThread();
    }

    /** A subclass that overrides run() runs in the child with its fields, as Python pickles the Process object. */
    @Test
    void subclassRunOverride() throws Exception {
        Writer w = new Writer(file("out"), 7);
        w.start();
        w.join(LIMIT);
        assertEquals(0, w.exitCode());
        assertEquals("Writer 7 " + w.name(), read(w.out));
    }

    static final class Writer extends Process {
        final String out;
        final int n;

        Writer(String out, int n) {
            this.out = out;
            this.n = n;
        }

        @Override
        public void run() {
            Process me = Multiprocessing.currentProcess();
            write(out, me.getClass().getSimpleName() + " " + n + " " + me.name());
        }
    }

    /** In the child, currentProcess() is its own Process (name, pid, daemon), parentProcess() the parent. */
    @Test
    void currentAndParentProcessInChild() throws Exception {
        String out = file("info");
        Process p = Process.builder().name("worker-1").daemon(true).target(() -> {
            Process me = Multiprocessing.currentProcess();
            Process parent = Multiprocessing.parentProcess();
            write(out, String.join("|", me.name(), String.valueOf(me.pid()), String.valueOf(me.isDaemon()),
                    String.valueOf(me.isAlive()), String.valueOf(me.exitCode()), parent.name(),
                    String.valueOf(parent.pid()), String.valueOf(parent.isAlive()),
                    String.valueOf(ProcessHandle.current().pid())));
        }).build();
        p.start();
        p.join(LIMIT);
        assertEquals(0, p.exitCode());
        String[] info = read(out).split("\\|");
        assertEquals(List.of("worker-1", p.pid().toString(), "true", "true", "null", "MainProcess",
                Long.toString(ProcessHandle.current().pid()), "true", p.pid().toString()), List.of(info));
    }

    /** Default names are Process-N in the parent and Process-N:M for a child's own children, as in Python. */
    @Test
    void defaultNamesFollowIdentity() throws Exception {
        String out = file("names");
        Process p = new Process(() -> {
            Process a = new Process(() -> {});
            Process b = new Process(() -> {});
            write(out, Multiprocessing.currentProcess().name() + " " + a.name() + " " + b.name());
        });
        assertTrue(p.name().matches("Process-\\d+"), p.name());
        int n = Integer.parseInt(p.name().substring("Process-".length()));
        assertEquals("Process-" + (n + 1), new Process(() -> {}).name());
        p.start();
        p.join(LIMIT);
        assertEquals(0, p.exitCode());
        assertEquals(p.name() + " " + p.name() + ":1 " + p.name() + ":2", read(out));
    }

    /** A daemon process cannot start processes: start() throws IllegalStateException, as in Python. */
    @Test
    void daemonCannotHaveChildren() throws Exception {
        String out = file("msg");
        Process p = Process.builder().daemon(true).target(() -> {
            try {
                new Process(() -> {}).start();
                write(out, "started");
            } catch (IllegalStateException e) {
                write(out, e.getMessage());
            }
        }).build();
        p.start();
        p.join(LIMIT);
        assertEquals("daemonic processes are not allowed to have children", read(out));
        assertEquals(0, p.exitCode());
    }

    /** setDaemon after start throws IllegalStateException; the name can change at any time. */
    @Test
    void daemonFlagIsFixedAtStart() {
        Process p = new Process(() -> {});
        p.setDaemon(true);
        assertTrue(p.isDaemon());
        p.setDaemon(false);
        p.start();
        assertEquals("process has already started", assertThrows(IllegalStateException.class, () -> p.setDaemon(true)).getMessage());
        p.setName("renamed");
        assertEquals("renamed", p.name());
        assertThrows(IllegalArgumentException.class, () -> p.setName(null));
        p.join(LIMIT);
    }

    /** The builder's jvmArgs and environment reach the child, after the inherited flags. */
    @Test
    void builderJvmArgsAndEnvironment() throws Exception {
        String out = file("env");
        Process p = Process.builder()
                .jvmArgs("-Dpyconc.test.flag=from-builder", "-Xmx96m")
                .environment(Map.of("PYCONC_TEST_VARIABLE", "v=1"))
                .target(() -> write(out, System.getProperty("pyconc.test.flag") + " " + System.getenv("PYCONC_TEST_VARIABLE")
                        + " " + (Runtime.getRuntime().maxMemory() < 97L << 20)))
                .build();
        p.start();
        p.join(LIMIT);
        assertEquals(0, p.exitCode());
        assertEquals("from-builder v=1 true", read(out));
    }

    /** The builder rejects JVM arguments that are not options or set the class path or main class. */
    @Test
    void builderRejectsBadJvmArgs() {
        Process.Builder b = Process.builder();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.jvmArgs("-cp")).getMessage().contains("class path"));
        assertThrows(IllegalArgumentException.class, () -> b.jvmArgs("Main"));
        assertThrows(IllegalArgumentException.class, () -> b.jvmArgs("--add-opens", "java.base/java.lang=ALL-UNNAMED"));
        assertThrows(IllegalArgumentException.class, () -> b.jvmArgs("--class-path=x"));
        assertThrows(IllegalArgumentException.class, () -> b.jvmArgs((String) null));
        assertThrows(IllegalArgumentException.class, () -> b.jvmArgs((String[]) null));
        assertThrows(IllegalArgumentException.class, () -> b.environment("A=B", "x"));
        assertThrows(IllegalArgumentException.class, () -> b.environment("A", null));
        b.jvmArgs("--add-opens=java.base/java.lang=ALL-UNNAMED");
    }

    /** pyconc.* system properties as they are at start() travel to the child. */
    @Test
    void pyconcPropertiesAreForwarded() throws Exception {
        String out = file("prop");
        System.setProperty("pyconc.test.forwarded", "yes please");
        try {
            Process p = run(() -> write(out, System.getProperty("pyconc.test.forwarded")));
            assertEquals(0, p.exitCode());
            assertEquals("yes please", read(out));
        } finally {
            System.clearProperty("pyconc.test.forwarded");
        }
    }

    /** GIL mode on at start() makes the child run with -Dpyconc.gil=1 and GIL mode on; off gives off. */
    @Test
    void gilModeIsInherited() throws Exception {
        String on = file("on");
        String off = file("off");
        Gil.enable();
        try {
            assertEquals(0, run(() -> write(on, System.getProperty("pyconc.gil") + " " + Gil.isEnabled())).exitCode());
        } finally {
            Gil.disable();
        }
        assertEquals(0, run(() -> write(off, System.getProperty("pyconc.gil") + " " + Gil.isEnabled())).exitCode());
        assertEquals("1 true", read(on));
        assertEquals("0 false", read(off));
    }

    /** The child's standard input is empty, as Python's os.devnull. */
    @Test
    void childStdinIsEmpty() {
        assertEquals(0, run(() -> {
            try {
                if (System.in.read() != -1) {
                    System.exit(3);
                }
            } catch (java.io.IOException e) {
                System.exit(4);
            }
        }).exitCode());
    }

    /** Interrupting a thread blocked in join() throws InterruptedError with the interrupt flag set. */
    @Test
    void joinIsInterruptible() {
        Process p = new Process(ProcessScenarios::sleepForever);
        p.start();
        try {
            Thread.currentThread().interrupt();
            assertThrows(dev.pyconc.builtins.InterruptedError.class, p::join);
            assertTrue(Thread.interrupted());
        } finally {
            p.kill();
            p.join(LIMIT);
        }
    }

    /** toString follows Python's repr: name, pid, parent, status and exit code. */
    @Test
    void toStringLikePython() {
        Process p = Process.builder().name("w").daemon(true).target(() -> System.exit(2)).build();
        p.start();
        p.join(LIMIT);
        assertEquals("<Process name='w' pid=" + p.pid() + " parent=" + ProcessHandle.current().pid()
                + " stopped exitcode=2 daemon>", p.toString());
        Process k = new Process(ProcessScenarios::sleepForever, "k");
        k.start();
        k.kill();
        k.join(LIMIT);
        assertTrue(k.toString().endsWith(" stopped exitcode=-SIGKILL>"), k.toString());
    }

    /** Daemon children are terminated and non-daemon children waited for when the parent returns from main. */
    @Test
    void atExitWhenMainReturns() throws Exception {
        atExit("return");
    }

    /** Daemon children are terminated and non-daemon children waited for when the parent calls System.exit. */
    @Test
    void atExitWhenSystemExit() throws Exception {
        atExit("System.exit");
    }

    private void atExit(String how) throws Exception {
        String out = file("worker");
        assertTimeoutPreemptively(LIMIT, () -> {
            ChildJvm parent = ChildJvm.builder().asProcessLauncher().main(ProcessScenarios.class, "at-exit", out, how);
            try {
                long daemon = Long.parseLong(parent.expectPrefix("daemon="));
                long worker = Long.parseLong(parent.expectPrefix("worker="));
                assertEquals(0, parent.waitFor());
                assertEquals("parent-ran=true", read(out));     // the parent waited for the worker
                assertTrue(ChildJvm.awaitGone(daemon, Duration.ofSeconds(5)), "daemon child still runs");
                assertTrue(ChildJvm.awaitGone(worker, Duration.ofSeconds(5)), "worker still runs");
            } finally {
                parent.close();
            }
        });
    }

    /** Every child, grandchildren included, exits within 5 s after its parent is killed with kill -9. */
    @Test
    void childrenExitAfterParentKill9() throws Exception {
        assertTimeoutPreemptively(LIMIT, () -> {
            ChildJvm parent = ChildJvm.builder().asProcessLauncher().main(ProcessScenarios.class, "orphans");
            List<Long> pids = List.of();
            try {
                pids = java.util.Arrays.stream(parent.expectPrefix("pids=").split(",")).map(Long::parseLong).toList();
                assertEquals(4, pids.size());
                for (long pid : pids) {
                    assertTrue(ChildJvm.isRunning(pid), "child " + pid + " should run before the kill");
                }
                parent.kill9();
                assertEquals(137, parent.waitFor());
                long killed = System.nanoTime();
                for (long pid : pids) {
                    long left = Duration.ofSeconds(5).toNanos() - (System.nanoTime() - killed);
                    assertTrue(ChildJvm.awaitGone(pid, Duration.ofNanos(Math.max(left, 0))),
                            "process " + pid + " still runs 5 s after its parent was killed");
                }
            } finally {
                parent.close();
                for (long pid : pids) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        });
    }

    /** terminate() of a child that has a non-daemon child of its own ends both: SIGTERM makes the child terminate, not join, its children. */
    @Test
    void terminateReachesGrandchildren() throws Exception {
        String out = file("grandchild");
        Process p = new Process(() -> {
            Process grandchild = new Process(ProcessScenarios::sleepForever);
            grandchild.start();
            write(out, grandchild.pid().toString());
            sleepForever();
        });
        p.start();
        while (!Files.exists(Path.of(out))) {
            Thread.sleep(10);
        }
        long grandchild = Long.parseLong(read(out));
        assertTrue(ChildJvm.isRunning(grandchild));
        p.terminate();
        p.join(LIMIT);
        assertEquals(-15, p.exitCode());
        assertTrue(ChildJvm.awaitGone(grandchild, Duration.ofSeconds(10)), "grandchild still runs");
    }

    /** A target that carries 4 MiB (more than a pipe holds) arrives intact: the child checks its checksum. */
    @Test
    void largeTargetArrivesIntact() {
        byte[] data = new byte[4 << 20];
        new java.util.Random(42).nextBytes(data);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(data);
        long expected = crc.getValue();
        assertEquals(0, run(() -> {
            java.util.zip.CRC32 c = new java.util.zip.CRC32();
            c.update(data);
            System.exit(c.getValue() == expected ? 0 : 3);
        }).exitCode());
    }

    /** A JVM option the child's JVM rejects makes the child end with exit code 1, with the JVM's error on its stderr. */
    @Test
    void badJvmOptionGivesExitCodeOne() {
        Process p = Process.builder().target(() -> {}).jvmArgs("-XX:+NoSuchOptionInAnyJvm").build();
        p.start();
        p.join(LIMIT);
        assertEquals(1, p.exitCode());
    }

    /** run() called directly runs the target in the calling thread, as in Python. */
    @Test
    void runDirectly() {
        int[] ran = {0};
        class Counter implements SerializableRunnable, Serializable {
            @Override
            public void run() {
                ran[0]++;
            }
        }
        new Process(new Counter()).run();
        assertEquals(1, ran[0]);
    }
}
