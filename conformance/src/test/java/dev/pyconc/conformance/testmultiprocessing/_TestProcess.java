package dev.pyconc.conformance.testmultiprocessing;

import static dev.pyconc.conformance.testmultiprocessing.Mp1Support.joinProcess;
import static dev.pyconc.conformance.testmultiprocessing.Mp1Support.sleep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.multiprocessing.Connection;
import dev.pyconc.multiprocessing.Event;
import dev.pyconc.multiprocessing.Multiprocessing;
import dev.pyconc.multiprocessing.Process;
import dev.pyconc.multiprocessing.Queue;
import dev.pyconc.threading.Threading;

/**
 * _test_multiprocessing.py's {@code _TestProcess} in its processes form (CPython's
 * {@code WithProcessesTestProcess}): every process is a child JVM. CPython also runs it on threads
 * ({@code WithThreadsTestProcess}, multiprocessing.dummy), which the threading suites cover. The
 * targets are static methods called by serializable lambdas that capture CPython's {@code args}.
 */
class _TestProcess {
    @BeforeAll
    static void segments() {
        Mp1Support.init();
    }

    /** The current process is alive, not a daemon, has this JVM's pid and no exit code. */
    @Test
    @DisplayName("test_current")
    void testCurrent() {
        Process current = Multiprocessing.currentProcess();
        assertTrue(current.isAlive());
        assertFalse(current.isDaemon());
        assertEquals(ProcessHandle.current().pid(), current.pid());
        assertNull(current.exitCode());
    }

    /**
     * A process starts and exits 0 with the executable set to this JVM's java, given as a path
     * name and as a Path (CPython's str, bytes and os.PathLike forms).
     */
    @Test
    @DisplayName("test_set_executable")
    void testSetExecutable() {
        String exe = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try {
            for (Runnable set : List.<Runnable>of(() -> Multiprocessing.setExecutable(exe),
                    () -> Multiprocessing.setExecutable(java.nio.file.Path.of(exe)))) {
                set.run();
                Process p = Process.builder().target(() -> { }).build();
                p.start();
                p.join();
                assertEquals(0, p.exitCode());
            }
        } finally {
            Multiprocessing.setExecutable(exe);
        }
    }

    /**
     * Whatever a process's target captures reaches the child equal (CPython passes {@code args} as
     * a list or a tuple; a Java target captures them, so each value is sent once).
     */
    @Test
    @DisplayName("test_args_argument")
    void testArgsArgument() {
        for (Object args : List.<Object>of(1, "str", List.of(1), List.of(List.of(1)))) {
            Queue<Object> q = new Queue<>(1);
            Process p = Process.builder().daemon(true).target(() -> q.put(args)).build();
            p.start();
            assertEquals(args, q.get(), "args " + args);
            p.join();
            q.close();
        }
    }

    /** By default a process takes the current process's daemon flag; the builder sets it. */
    @Test
    @DisplayName("test_daemon_argument")
    void testDaemonArgument() {
        Process proc0 = new Process(() -> { });
        assertEquals(Multiprocessing.currentProcess().isDaemon(), proc0.isDaemon());
        Process proc1 = Process.builder().target(() -> { }).daemon(true).build();
        assertTrue(proc1.isDaemon());
        Process proc2 = Process.builder().target(() -> { }).daemon(false).build();
        assertFalse(proc2.isDaemon());
    }

    /** The main process has no parent; a child's parent process has this JVM's pid and name. */
    @Test
    @DisplayName("test_parent_process_attributes")
    void testParentProcessAttributes() {
        assertNull(Multiprocessing.parentProcess());
        Connection.Pair pipe = Multiprocessing.pipe(false);
        Connection rconn = pipe.conn1(), wconn = pipe.conn2();
        Process p = new Process(() -> sendParentProcess(wconn));
        p.start();
        p.join();
        List<?> parent = (List<?>) rconn.recv();
        assertEquals(Multiprocessing.currentProcess().pid(), parent.get(0));
        assertEquals(ProcessHandle.current().pid(), parent.get(0));
        assertEquals(Multiprocessing.currentProcess().name(), parent.get(1));
        rconn.close();
        wconn.close();
    }

    private static void sendParentProcess(Connection wconn) {
        Process parent = Multiprocessing.parentProcess();
        wconn.send(List.of(parent.pid(), parent.name()));
    }

    /**
     * A process's life: not alive and not among the active children before start(), alive and
     * among them while it runs, exit code 0 and gone after; the child sees its arguments, its name
     * and its pid (CPython's {@code args} and {@code kwargs} are what the target captures).
     */
    @Test
    @DisplayName("test_process")
    void testProcess() {
        Queue<Object> q = new Queue<>(1);
        List<Integer> args = List.of(1, 2);
        Map<String, Object> kwargs = Map.of("hello", 23, "bye", 2.54);
        Process p = Process.builder().target(() -> test(q, args, kwargs)).name("SomeProcess").build();
        p.setDaemon(true);

        assertFalse(p.isAlive());
        assertTrue(p.isDaemon());
        assertFalse(Multiprocessing.activeChildren().contains(p));
        assertNull(p.exitCode());

        p.start();

        assertNull(p.exitCode());
        assertTrue(p.isAlive());
        assertTrue(Multiprocessing.activeChildren().contains(p));

        assertEquals(args, q.get());
        assertEquals(kwargs, q.get());
        assertEquals(p.name(), q.get());
        assertEquals(p.pid(), q.get());

        p.join();

        assertEquals(0, p.exitCode());
        assertFalse(p.isAlive());
        assertFalse(Multiprocessing.activeChildren().contains(p));
        q.close();
    }

    private static void test(Queue<Object> q, Object args, Object kwargs) {
        Process current = Multiprocessing.currentProcess();
        q.put(args);
        q.put(kwargs);
        q.put(current.name());
        q.put(current.pid());
    }

    /** A child's main thread has a native id of its own. */
    @Test
    @DisplayName("test_process_mainthread_native_id")
    void testProcessMainthreadNativeId() {
        Long current = Threading.mainThread().nativeId();
        Queue<Long> q = new Queue<>(1);
        Process p = new Process(() -> q.put(Threading.mainThread().nativeId()));
        p.start();
        Long child = q.get();
        p.join();
        q.close();
        assertNotEquals(current, child);
    }

    /** CPython's {@code _kill_process}: ends a sleeping child with {@code meth}, returns its exit code. */
    private static int killProcess(java.util.function.Consumer<Process> meth) {
        Event event = new Event();
        Process p = new Process(() -> {
            event.set();
            sleep(Duration.ofSeconds(100));
        });
        p.setDaemon(true);
        p.start();

        assertTrue(p.isAlive());
        assertTrue(Multiprocessing.activeChildren().contains(p));
        assertNull(p.exitCode());

        p.join(Duration.ZERO);
        assertTrue(p.isAlive());
        // CPython's join(-1) waits no time; a negative Duration is refused in Java
        assertThrows(IllegalArgumentException.class, () -> p.join(Duration.ofSeconds(-1)));
        assertTrue(p.isAlive());

        if (!event.await(Duration.ofSeconds(30))) {
            p.terminate();
            p.join();
            throw new AssertionError("event not signaled in 30 seconds");
        }
        meth.accept(p);
        p.join(Duration.ofSeconds(10));
        assertFalse(p.isAlive(), "join took too long: " + p);
        assertFalse(Multiprocessing.activeChildren().contains(p));
        p.join();
        return p.exitCode();
    }

    /** terminate() ends a child with exit code -SIGTERM. */
    @Test
    @DisplayName("test_terminate")
    void testTerminate() {
        assertEquals(-15, killProcess(Process::terminate));
    }

    /** kill() ends a child with exit code -SIGKILL. */
    @Test
    @DisplayName("test_kill")
    void testKill() {
        assertEquals(-9, killProcess(Process::kill));
    }

    /** cpu_count() is at least 1. */
    @Test
    @DisplayName("test_cpu_count")
    void testCpuCount() {
        assertTrue(Multiprocessing.cpuCount() >= 1);
    }

    /** A started process is among the active children until it ends. */
    @Test
    @DisplayName("test_active_children")
    void testActiveChildren() {
        assertTrue(Multiprocessing.activeChildren() instanceof List<?>);
        Event event = new Event();
        Process p = new Process(() -> event.await());
        assertFalse(Multiprocessing.activeChildren().contains(p));
        try {
            p.setDaemon(true);
            p.start();
            assertTrue(Multiprocessing.activeChildren().contains(p));
        } finally {
            event.set();
        }
        p.join();
        assertFalse(Multiprocessing.activeChildren().contains(p));
    }

    private static void recursion(Connection wconn, List<Integer> id) {
        wconn.send(id);
        if (id.size() < 2) {
            for (int i = 0; i < 2; i++) {
                List<Integer> childId = new ArrayList<>(id);
                childId.add(i);
                Process p = new Process(() -> recursion(wconn, childId));
                p.start();
                p.join();
            }
        }
    }

    /** Children start children: the tree's ids arrive depth first. */
    @Test
    @DisplayName("test_recursion")
    void testRecursion() {
        Connection.Pair pipe = Multiprocessing.pipe(false);
        Connection rconn = pipe.conn1(), wconn = pipe.conn2();
        recursion(wconn, List.of());

        List<Object> result = new ArrayList<>();
        while (rconn.poll()) {
            result.add(rconn.recv());
        }
        List<List<Integer>> expected = List.of(
                List.of(),
                List.of(0),
                List.of(0, 0),
                List.of(0, 1),
                List.of(1),
                List.of(1, 0),
                List.of(1, 1));
        assertEquals(expected, result);
        rconn.close();
        wconn.close();
    }

    /**
     * close() refuses a running process; after it, isAlive(), join() and terminate() throw
     * (CPython's ValueError is IllegalStateException), and close() again does nothing. (CPython
     * also checks that the closed object is garbage; Java gives no such guarantee.)
     */
    @Test
    @DisplayName("test_close")
    void testClose() {
        Queue<Object> q = new Queue<>();
        Process p = new Process(() -> q.get());
        p.setDaemon(true);
        p.start();
        assertTrue(p.isAlive());
        assertThrows(IllegalStateException.class, p::close);

        q.put("go");
        p.join();
        assertFalse(p.isAlive());
        assertEquals(0, p.exitCode());
        p.close();
        assertThrows(IllegalStateException.class, p::isAlive);
        assertThrows(IllegalStateException.class, () -> p.join());
        assertThrows(IllegalStateException.class, p::terminate);
        p.close();
        q.close();
    }

    /** Five processes run and exit 0; five more, terminated at once, end by SIGTERM (spawn's N). */
    @Test
    @DisplayName("test_many_processes")
    void testManyProcesses() {
        int n = 5;
        List<Process> procs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            procs.add(new Process(() -> sleep(Duration.ofMillis(10))));
        }
        procs.forEach(Process::start);
        procs.forEach(Mp1Support::joinProcess);
        for (Process p : procs) {
            assertEquals(0, p.exitCode());
        }

        procs.clear();
        for (int i = 0; i < n; i++) {
            procs.add(new Process(() -> sleep(Duration.ofSeconds(100))));
        }
        procs.forEach(Process::start);
        procs.forEach(Process::terminate);
        procs.forEach(Mp1Support::joinProcess);
        for (Process p : procs) {
            assertEquals(-15, p.exitCode(), p.toString());
        }
    }

    private static int fdCount() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The number of open files of a child does not grow with the number of running children. */
    @Test
    @DisplayName("test_child_fd_inflation")
    void testChildFdInflation() {
        int n = 5;
        Event evt = new Event();
        Queue<Integer> q = new Queue<>();
        List<Process> procs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            procs.add(new Process(() -> {
                q.put(fdCount());
                evt.await();
            }));
        }
        procs.forEach(Process::start);
        try {
            List<Integer> fdCounts = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                fdCounts.add(q.get());
            }
            assertEquals(1, new HashSet<>(fdCounts).size(), fdCounts.toString());
        } finally {
            evt.set();
            procs.forEach(Process::join);
            q.close();
        }
    }

    private static void waitForThreads(Event evt) {
        new java.lang.Thread(() -> {
            sleep(Duration.ofMillis(500));
            evt.set();
        }).start();
        java.lang.Thread daemon = new java.lang.Thread(() -> {
            sleep(Duration.ofSeconds(20));
            evt.clear();
        });
        daemon.setDaemon(true);
        daemon.start();
    }

    /** A child waits for its non-daemon threads before it exits, and not for its daemon threads. */
    @Test
    @DisplayName("test_wait_for_threads")
    void testWaitForThreads() {
        Event evt = new Event();
        Process proc = new Process(() -> waitForThreads(evt));
        proc.start();
        proc.join();
        assertTrue(evt.isSet());
    }

    private static void errorOnStdioFlush(Event evt, String streamName, String action) {
        if (streamName != null) {
            PrintStream stream;
            if (action.equals("close")) {
                stream = new PrintStream(OutputStream.nullOutputStream());
                stream.close();
            } else {
                stream = null;
            }
            if (streamName.equals("stdout")) {
                System.setOut(stream);
            } else {
                System.setErr(stream);
            }
        }
        evt.set();
    }

    private static PrintStream closedStream() {
        PrintStream s = new PrintStream(OutputStream.nullOutputStream());
        s.close();
        return s;
    }

    /** A process starts and exits 0 while the parent's System.out or System.err is closed or null. */
    @Test
    @DisplayName("test_error_on_stdio_flush_1")
    void testErrorOnStdioFlush1() {
        PrintStream oldOut = System.out, oldErr = System.err;
        for (String streamName : List.of("stdout", "stderr")) {
            for (PrintStream stream : new PrintStream[] {closedStream(), null}) {
                try {
                    if (streamName.equals("stdout")) {
                        System.setOut(stream);
                    } else {
                        System.setErr(stream);
                    }
                    Event evt = new Event();
                    Process proc = new Process(() -> errorOnStdioFlush(evt, null, null));
                    proc.start();
                    proc.join();
                    assertTrue(evt.isSet());
                    assertEquals(0, proc.exitCode());
                } finally {
                    System.setOut(oldOut);
                    System.setErr(oldErr);
                }
            }
        }
    }

    /** A child that closes or drops its System.out or System.err still exits 0. */
    @Test
    @DisplayName("test_error_on_stdio_flush_2")
    void testErrorOnStdioFlush2() {
        for (String streamName : List.of("stdout", "stderr")) {
            for (String action : List.of("close", "remove")) {
                Event evt = new Event();
                Process proc = new Process(() -> errorOnStdioFlush(evt, streamName, action));
                proc.start();
                proc.join();
                assertTrue(evt.isSet(), streamName + " " + action);
                assertEquals(0, proc.exitCode(), streamName + " " + action);
            }
        }
    }

    private static void sleepAndSetEvent(Event evt, Duration delay) {
        sleep(delay);
        evt.set();
    }

    /** The forkserver's process: the spare JVM, a child of this JVM started with {@code --spare}. */
    private static java.util.Optional<ProcessHandle> forkserver() {
        return ProcessHandle.current().children()
                .filter(h -> h.info().arguments().map(a -> List.of(a).contains("--spare")).orElse(false))
                .findFirst();
    }

    /**
     * CPython's {@code check_forkserver_death}: after the forkserver is sent {@code signal}, new
     * processes still start (bpo-31308), whether it died or not, and the one started before ends
     * normally. pyconc's
     * forkserver is the spare JVM that the next start() takes; CPython's
     * {@code _forkserver._forkserver_pid} is found among this JVM's children by its argument.
     */
    private static void checkForkserverDeath(String signal) {
        String saved = Multiprocessing.getStartMethod();
        Multiprocessing.setStartMethod("forkserver", true);
        try {
            Duration delay = Duration.ofMillis(500);
            Event evt = new Event();
            Process proc = new Process(() -> sleepAndSetEvent(evt, delay));
            proc.start();

            Mp1Support.eventually("a forkserver runs", () -> forkserver().isPresent());
            ProcessHandle server = forkserver().orElseThrow();
            try {
                java.lang.Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(server.pid())).start();
                assertEquals(0, kill.waitFor());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            if (signal.equals("KILL")) {
                server.onExit().join();
            } else {
                // CPython gives the server twice the delay to die and does not require it to: a
                // SIGINT that was ignored where the build started (a background job's) stays
                // ignored in every JVM started from it, and the server lives on
                server.onExit().completeOnTimeout(server, 2 * delay.toMillis(), TimeUnit.MILLISECONDS).join();
            }

            Event evt2 = new Event();
            Process proc2 = new Process(() -> sleepAndSetEvent(evt2, Duration.ZERO));
            proc2.start();
            proc2.join();
            assertTrue(evt2.isSet());
            assertEquals(0, proc2.exitCode());

            proc.join();
            assertTrue(evt.isSet());
            assertTrue(List.of(0, 255).contains(proc.exitCode()), "exit code " + proc.exitCode());
        } finally {
            Multiprocessing.setStartMethod(saved, true);
        }
    }

    /** The forkserver dies by SIGINT, a catchable signal: processes still start. */
    @Test
    @DisplayName("test_forkserver_sigint")
    void testForkserverSigint() {
        checkForkserverDeath("INT");
    }

    /** The forkserver dies by SIGKILL, which cannot be caught: processes still start. */
    @Test
    @DisplayName("test_forkserver_sigkill")
    void testForkserverSigkill() {
        checkForkserverDeath("KILL");
    }
}
