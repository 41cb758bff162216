package dev.pyconc.conformance.asyncio.testsubprocess;

import static dev.pyconc.asyncio.Subprocess.DEVNULL;
import static dev.pyconc.asyncio.Subprocess.PIPE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.CancelledError;
import dev.pyconc.asyncio.Process;
import dev.pyconc.asyncio.Subprocess;
import dev.pyconc.asyncio.SubprocessProtocol;
import dev.pyconc.asyncio.SubprocessTransport;
import dev.pyconc.asyncio.WriteTransport;
import dev.pyconc.asyncio.Task;
import dev.pyconc.builtins.BrokenPipeError;
import dev.pyconc.builtins.ConnectionResetError;
import dev.pyconc.builtins.ProcessLookupError;
import dev.pyconc.conformance.asyncio.IsolatedAsyncioTestCase;

/**
 * test_asyncio/test_subprocess.py's {@code SubprocessMixin}, the tests CPython runs once per child
 * watcher. CPython's children are Python programs ({@code sys.executable -c ...}); where the test
 * does not need Python, the child here is the POSIX tool that behaves the same ({@code cat} for
 * {@code PROGRAM_CAT}, {@code sleep 3600} for {@code PROGRAM_BLOCKED}, {@code wc -c} for the
 * program that prints the length of its input), so no test needs a Python interpreter.
 */
public abstract class SubprocessMixin extends IsolatedAsyncioTestCase {

    /** A program that blocks (CPython's {@code PROGRAM_BLOCKED}). */
    static final String[] PROGRAM_BLOCKED = {"sleep", "3600"};
    /** A program that copies its input to its output (CPython's {@code PROGRAM_CAT}). */
    static final String[] PROGRAM_CAT = {"cat"};
    /** CPython's {@code support.PIPE_MAX_SIZE}: more than any pipe buffers. */
    static final int PIPE_MAX_SIZE = 4 * 1024 * 1024 + 1;
    /** Python's {@code signal.SIGHUP} etc. */
    static final int SIGHUP = 1;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String s(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** Waits, yielding to the loop, until {@code condition} holds; fails after a minute. */
    static void until(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
            sleep(0.005);
        }
    }

    @Test
    @DisplayName("test_stdin_stdout")
    protected void testStdinStdout() {
        run(() -> {
            record Result(int exitcode, byte[] data) {}
            Result r = Asyncio.waitFor(() -> {
                Process proc = Subprocess.exec(PROGRAM_CAT).stdin(PIPE).stdout(PIPE).start();
                // feed data
                proc.stdin().write(b("some data"));
                proc.stdin().drain();
                proc.stdin().close();
                // get output and exit code
                byte[] data = proc.stdout().read();
                int exitcode = proc.await();
                return new Result(exitcode, data);
            }, Duration.ofSeconds(60));
            assertEquals(0, r.exitcode());
            assertEquals("some data", s(r.data()));
        });
    }

    @Test
    @DisplayName("test_communicate")
    protected void testCommunicate() {
        run(() -> {
            Process proc = Subprocess.exec(PROGRAM_CAT).stdin(PIPE).stdout(PIPE).start();
            Process.Output out = Asyncio.waitFor(() -> proc.communicate(b("some data")), Duration.ofMinutes(5));
            assertEquals(0, proc.returncode());
            assertEquals("some data", s(out.stdout()));
        });
    }

    @Test
    @DisplayName("test_communicate_none_input")
    protected void testCommunicateNoneInput() {
        run(() -> {
            Process proc = Subprocess.exec(PROGRAM_CAT).stdin(PIPE).stdout(PIPE).start();
            Process.Output out = Asyncio.waitFor(() -> proc.communicate(), Duration.ofMinutes(5));
            assertEquals(0, proc.returncode());
            assertEquals("", s(out.stdout()));
        });
    }

    @Test
    @DisplayName("test_shell")
    protected void testShell() {
        run(() -> {
            Process proc = Asyncio.createSubprocessShell("exit 7");
            assertEquals(7, proc.await());
        });
    }

    @Test
    @DisplayName("test_kill")
    protected void testKill() {
        run(() -> {
            Process proc = Asyncio.createSubprocessExec(PROGRAM_BLOCKED);
            proc.kill();
            assertEquals(-Process.SIGKILL, proc.await());
        });
    }

    /**
     * bpo-43884: killing a shell whose child still holds the stdout pipe returns at once with
     * -SIGKILL. CPython sleeps a second to let the shell start its first {@code sleep}; this test
     * waits until the shell has that child.
     */
    @Test
    @DisplayName("test_kill_issue43884")
    protected void testKillIssue43884() {
        run(() -> {
            Process proc = Subprocess.shell("sleep 1; sleep 1").stdout(PIPE).start();
            until("the shell runs its first sleep", () -> ProcessHandle.of(proc.pid())
                    .map(h -> h.children().findAny().isPresent()).orElse(false));
            proc.kill();
            assertEquals(-Process.SIGKILL, proc.await());
        });
    }

    @Test
    @DisplayName("test_terminate")
    protected void testTerminate() {
        run(() -> {
            Process proc = Asyncio.createSubprocessExec(PROGRAM_BLOCKED);
            proc.terminate();
            assertEquals(-Process.SIGTERM, proc.await());
        });
    }

    /** bpo-31034: the child gets SIGHUP's default action (it dies), whatever the parent does with SIGHUP. */
    @Test
    @DisplayName("test_send_signal")
    protected void testSendSignal() {
        run(() -> {
            Process proc = Subprocess.shell("echo sleeping; exec sleep 3600").stdout(PIPE).start();
            // wait until the program is sleeping
            assertEquals("sleeping\n", s(proc.stdout().readline()));
            proc.sendSignal(SIGHUP);
            assertEquals(-SIGHUP, proc.await());
        });
    }

    /**
     * The child exits without reading its input: drain() raises BrokenPipeError or
     * ConnectionResetError. CPython's child waits on an extra pipe (pass_fds) until the write
     * buffer is full; {@code head -c 1} waits for the first byte of the same write instead.
     */
    @Test
    @DisplayName("test_stdin_broken_pipe")
    protected void testStdinBrokenPipe() {
        run(() -> {
            byte[] largeData = new byte[PIPE_MAX_SIZE];
            Arrays.fill(largeData, (byte) 'x');
            // the program ends before the stdin can be fed
            Process proc = Subprocess.exec("head", "-c", "1").stdin(PIPE).stdout(DEVNULL).start();
            RuntimeException e = assertThrows(RuntimeException.class, () -> {
                proc.stdin().write(largeData);
                proc.stdin().drain();
            });
            assertTrue(e instanceof BrokenPipeError || e instanceof ConnectionResetError, e.toString());
            assertEquals(0, proc.await());
        });
    }

    @Test
    @DisplayName("test_communicate_ignore_broken_pipe")
    protected void testCommunicateIgnoreBrokenPipe() {
        run(() -> {
            byte[] largeData = new byte[PIPE_MAX_SIZE];
            Arrays.fill(largeData, (byte) 'x');
            // the program ends before the stdin can be fed
            Process proc = Subprocess.exec("true").stdin(PIPE).start();
            // communicate() ignores the BrokenPipeError of feeding stdin
            Asyncio.getRunningLoop().setExceptionHandler((loop, ctx) -> { });
            proc.communicate(largeData);
            assertEquals(0, proc.await());
        });
    }

    /**
     * Issue #22685: the reader stops its pipe when the child writes more than twice its limit,
     * and starts it again when read. CPython mocks the pipe transport's pause_reading and
     * resume_reading; the reader's repr says {@code paused} while it holds its transport stopped.
     */
    @Test
    @DisplayName("test_pause_reading")
    protected void testPauseReading() {
        run(() -> {
            int limit = 10;
            int size = limit * 2 + 1;
            Process proc = Subprocess.shell("printf %s " + "x".repeat(size))
                    .stdin(PIPE).stdout(PIPE).limit(limit).start();
            until("the stdout reader pauses its pipe", () -> proc.stdout().toString().contains("paused"));
            Process.Output out = proc.communicate();
            assertEquals("x".repeat(size), s(out.stdout()));
            assertFalse(proc.stdout().toString().contains("paused"), proc.stdout().toString());
        });
    }

    /** The child that prints the length of its input (CPython's {@code print(len(sys.stdin.read()))}). */
    static Subprocess.Builder lenMessage() {
        return Subprocess.exec("wc", "-c");
    }

    /** asyncio issue #209: the child's stdin is not inherited by others, or communicate() hangs. */
    @Test
    @DisplayName("test_stdin_not_inheritable")
    protected void testStdinNotInheritable() {
        run(() -> {
            Process proc = lenMessage().stdin(PIPE).stdout(PIPE).stderr(PIPE).start();
            Process.Output out = proc.communicate(b("abc"));
            assertEquals(0, proc.await());
            assertEquals("3", s(out.stdout()).strip());
        });
    }

    @Test
    @DisplayName("test_empty_input")
    protected void testEmptyInput() {
        run(() -> {
            Process proc = lenMessage().stdin(PIPE).stdout(PIPE).stderr(PIPE).start();
            Process.Output out = proc.communicate(b(""));
            assertEquals(0, proc.await());
            assertEquals("0", s(out.stdout()).strip());
        });
    }

    @Test
    @DisplayName("test_devnull_input")
    protected void testDevnullInput() {
        run(() -> {
            Process proc = lenMessage().stdin(DEVNULL).stdout(PIPE).stderr(PIPE).start();
            Process.Output out = proc.communicate();
            assertEquals(0, proc.await());
            assertEquals("0", s(out.stdout()).strip());
        });
    }

    @Test
    @DisplayName("test_devnull_output")
    protected void testDevnullOutput() {
        run(() -> {
            Process proc = lenMessage().stdin(PIPE).stdout(DEVNULL).stderr(PIPE).start();
            Process.Output out = proc.communicate(b("abc"));
            assertEquals(0, proc.await());
            assertNull(out.stdout());
        });
    }

    @Test
    @DisplayName("test_devnull_error")
    protected void testDevnullError() {
        run(() -> {
            Process proc = lenMessage().stdin(PIPE).stdout(PIPE).stderr(DEVNULL).start();
            Process.Output out = proc.communicate(b("abc"));
            assertEquals(0, proc.await());
            assertNull(out.stderr());
        });
    }

    /** The child opens /dev/stdin by name, which works on a pipe. */
    @Test
    @DisplayName("test_devstdin_input")
    protected void testDevstdinInput() {
        run(() -> {
            Process proc = Subprocess.exec("wc", "-c", "/dev/stdin").stdin(PIPE).stdout(PIPE).stderr(PIPE).start();
            Process.Output out = proc.communicate(b("abc"));
            assertEquals(0, proc.await(), s(out.stderr()));
            assertEquals("3 /dev/stdin", s(out.stdout()).strip());
        });
    }

    /** Issue #23140: cancelling wait() leaves the process usable. */
    @Test
    @DisplayName("test_cancel_process_wait")
    protected void testCancelProcessWait() {
        run(() -> {
            Process proc = Asyncio.createSubprocessExec(PROGRAM_BLOCKED);
            // a task waiting on the process's exit
            Task<Integer> task = Asyncio.createTask(proc::await);
            Asyncio.getRunningLoop().callSoon(task::cancel);
            try {
                task.await();
            } catch (CancelledError expected) {
                // cancelled
            }
            // cancel it again
            task.cancel();
            // kill the process and wait until it is done
            proc.kill();
            assertEquals(-Process.SIGKILL, proc.await());
        });
    }

    /**
     * Cancelling the creation of a child leaves no child behind. pyconc's {@code start()} returns
     * the running child in one step, so the creation can be cancelled only before it starts: the
     * task is cancelled before it runs, and this JVM then has no child running the program.
     */
    @Test
    @DisplayName("test_cancel_make_subprocess_transport_exec")
    protected void testCancelMakeSubprocessTransportExec() {
        run(() -> {
            Task<Process> task = Asyncio.createTask(() -> Asyncio.createSubprocessExec(PROGRAM_BLOCKED));
            task.cancel();
            assertThrows(CancelledError.class, task::await);
            assertEquals(List.of(), blockedChildren());
        });
    }

    static List<ProcessHandle> blockedChildren() {
        return ProcessHandle.current().children()
                .filter(h -> h.info().arguments().map(a -> Arrays.asList(a).equals(List.of("3600"))).orElse(false))
                .toList();
    }

    /** The open file descriptors of this JVM. */
    static int openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Issues #24763 and #35721: a child that cannot be started raises, and leaves no pipe or
     * transport open. CPython mocks Popen to raise; here the program does not exist.
     */
    private static void basetestPopenError(Subprocess.Redirect stdin) {
        run(() -> {
            int before = openFds();
            assertThrows(UncheckedIOException.class,
                    () -> Subprocess.exec("/nonexistent/pyconc-no-such-program", "-c", "pass").stdin(stdin).start());
            assertEquals(before, openFds());
        });
    }

    @Test
    @DisplayName("test_popen_error")
    protected void testPopenError() {
        basetestPopenError(Subprocess.INHERIT);
    }

    @Test
    @DisplayName("test_popen_error_with_stdin_pipe")
    protected void testPopenErrorWithStdinPipe() {
        basetestPopenError(PIPE);
    }

    /** The child writes 256 KiB and exits with 1 while the parent reads slowly: everything is read. */
    @Test
    @DisplayName("test_read_stdout_after_process_exit")
    protected void testReadStdoutAfterProcessExit() {
        run(() -> {
            Process process = Subprocess.shell("head -c 262144 /dev/zero; exit 1").stdout(PIPE).start();
            int total = 0;
            while (true) {
                byte[] data = process.stdout().read(65536);
                if (data.length > 0) {
                    total += data.length;
                    sleep(0.3);
                } else {
                    break;
                }
            }
            assertEquals(64 * 4096, total);
            assertEquals(1, process.await());
        });
    }

    /** {@code check_stdout_output}. */
    private static void checkStdoutOutput(Process proc, String output) {
        Process.Output out = proc.communicate();
        assertEquals(output, s(out.stdout()));
        assertEquals(0, proc.returncode());
        Task<Integer> task = Asyncio.createTask(proc::await);
        sleep0();
        assertEquals(proc.returncode(), task.result());
    }

    private static Map<String, String> environWith(String name, String value) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put(name, value);
        return env;
    }

    @Test
    @DisplayName("test_create_subprocess_env_shell")
    protected void testCreateSubprocessEnvShell() {
        run(() -> {
            Process proc = Subprocess.shell("printf %s \"$FOO\"").env(environWith("FOO", "bar")).stdout(PIPE).start();
            checkStdoutOutput(proc, "bar");
        });
    }

    @Test
    @DisplayName("test_create_subprocess_env_exec")
    protected void testCreateSubprocessEnvExec() {
        run(() -> {
            Process proc = Subprocess.exec("printenv", "FOO").env(environWith("FOO", "baz")).stdout(PIPE).start();
            checkStdoutOutput(proc, "baz\n");
        });
    }

    @Test
    @DisplayName("test_subprocess_concurrent_wait")
    protected void testSubprocessConcurrentWait() {
        run(() -> {
            Process proc = Subprocess.exec(PROGRAM_CAT).stdin(PIPE).stdout(PIPE).start();
            Process.Output out = proc.communicate(b("some data"));
            assertEquals("some data", s(out.stdout()));
            assertEquals(0, proc.returncode());
            List<Task<Integer>> waits = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                waits.add(Asyncio.createTask(proc::await));
            }
            assertEquals(Collections.nCopies(10, proc.returncode()), Asyncio.gather(waits).await());
        });
    }

    /** gh-100133: ten children communicate at once, each result its own. */
    @Test
    @DisplayName("test_subprocess_communicate_stdout")
    protected void testSubprocessCommunicateStdout() {
        run(() -> {
            List<String> outputs = new ArrayList<>();
            List<Task<String>> tasks = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String out = "foo" + i;
                outputs.add(out);
                tasks.add(Asyncio.createTask(() -> {
                    Process proc = Subprocess.exec("echo", out).stdout(PIPE).start();
                    return s(proc.communicate().stdout()).strip();
                }));
            }
            assertEquals(outputs, Asyncio.gather(tasks).await());
        });
    }

    /** gh-87744: a signal sent as the child exits never turns into a wrong exit status. */
    @Test
    @DisplayName("test_subprocess_send_signal_race")
    protected void testSubprocessSendSignalRace() {
        run(() -> {
            for (int i = 0; i < 10; i++) {
                Process proc = Asyncio.createSubprocessExec("sleep", "0.1");
                sleep(0.1);
                try {
                    proc.sendSignal(Process.SIGUSR1);
                } catch (ProcessLookupError exited) {
                    // it exited first
                }
                assertNotEquals(255, proc.await());
            }
        });
    }

    // ---------------------------------------------------------------- with a SubprocessProtocol

    /** Records the protocol's calls (CPython's MyProtocol); done when connectionLost came. */
    static final class EventsProtocol implements SubprocessProtocol {
        final List<String> events = new ArrayList<>();
        final dev.pyconc.asyncio.Future<Void> lost = Asyncio.getRunningLoop().createFuture();

        @Override
        public void pipeDataReceived(int fd, byte[] data) {
            events.add("pipe_data_received " + fd + " " + s(data));
        }

        @Override
        public void pipeConnectionLost(int fd, Exception exc) {
            events.add("pipe_connection_lost " + fd);
        }

        @Override
        public void processExited() {
            events.add("process_exited");
        }

        @Override
        public void connectionLost(Exception exc) {
            lost.setResult(null);
        }
    }

    @Test
    @DisplayName("test_cancel_post_init")
    protected void testCancelPostInit() {
        run(() -> {
            List<SubprocessTransport> started = new ArrayList<>();
            Task<Void> task = Asyncio.createTask(() -> {
                started.add(Asyncio.getRunningLoop().subprocessExec(EventsProtocol::new, PROGRAM_BLOCKED).transport());
            });
            Asyncio.getRunningLoop().callSoon(task::cancel);
            try {
                task.await();
            } catch (CancelledError expected) {
                // the child is killed when its creation is cancelled
            }
            assertTrue(started.isEmpty());
        });
    }

    @Test
    @DisplayName("test_close_kill_running")
    protected void testCloseKillRunning() {
        run(() -> {
            var tp = Asyncio.getRunningLoop().subprocessExec(EventsProtocol::new, PROGRAM_BLOCKED);
            SubprocessTransport transport = tp.transport();
            java.lang.Process proc = (java.lang.Process) transport.getExtraInfo("subprocess");
            Integer returncode = transport.getReturncode();
            transport.close();
            Asyncio.waitFor(() -> {
                tp.protocol().lost.await();
                return null;
            }, Duration.ofSeconds(5));
            assertNull(returncode);
            // transport.close() must kill the process if it is still running
            assertFalse(proc.isAlive());
            assertEquals(-9, transport.getReturncode());
        });
    }

    @Test
    @DisplayName("test_close_dont_kill_finished")
    protected void testCloseDontKillFinished() {
        run(() -> {
            // exit 137, what the JDK reports for a SIGKILL: a close() that killed would report -9
            var tp = Subprocess.exec("sh", "-c", "read x; exit 137").stdin(PIPE).start(EventsProtocol::new);
            SubprocessTransport transport = tp.transport();
            java.lang.Process proc = (java.lang.Process) transport.getExtraInfo("subprocess");
            // end the process (but asyncio is not notified: this task holds the loop)
            ((WriteTransport) transport.getPipeTransport(0)).write(b("\n"));
            int procReturncode = proc.waitFor();
            Integer transportReturncode = transport.getReturncode();
            transport.close();
            tp.protocol().lost.await();
            assertEquals(137, procReturncode);
            assertNull(transportReturncode);
            // transport.close() must not kill the process if it finished, even if
            // the transport was not notified yet
            assertEquals(137, transport.getReturncode());
        });
    }

    @Test
    @DisplayName("test_subprocess_protocol_events")
    protected void testSubprocessProtocolEvents() {
        run(() -> {
            var tp = Subprocess.exec("sh", "-c", "printf stdout; printf stderr >&2").stdout(PIPE).stderr(PIPE)
                    .start(EventsProtocol::new);
            tp.protocol().lost.await();
            List<String> events = tp.protocol().events;
            // the order depends on the loop and the operating system; per fd, data comes first
            assertEquals(List.of("pipe_connection_lost 1", "pipe_connection_lost 2", "pipe_data_received 1 stdout",
                    "pipe_data_received 2 stderr", "process_exited"), events.stream().sorted().toList());
            for (int fd = 1; fd <= 2; fd++) {
                assertTrue(events.indexOf("pipe_connection_lost " + fd) > events.indexOf("pipe_data_received " + fd
                        + (fd == 1 ? " stdout" : " stderr")), events.toString());
            }
        });
    }

    @Test
    @DisplayName("test_start_new_session")
    protected void testStartNewSession() {
        run(() -> {
            // start the new process in a new session
            Process proc = Subprocess.shell("exit 8").startNewSession(true).start();
            int exitcode = proc.await();
            assertEquals(8, exitcode);
        });
    }
}

