package dev.pyconc.asyncio;

import static dev.pyconc.asyncio.StreamsTest.until;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code loop.subprocessExec} with a {@link SubprocessProtocol}, named after test_subprocess.py's
 * SubprocessMixin and SubprocessTransportTests.
 */
@org.junit.jupiter.api.Timeout(60)
class SubprocessProtocolTest extends LoopTesting {

    /** Records every call, as "name fd data"; done when connectionLost came. */
    static final class Recorder implements SubprocessProtocol {
        final List<String> events = new ArrayList<>();
        final ByteArrayOutputStream[] out = {null, new ByteArrayOutputStream(), new ByteArrayOutputStream()};
        final Future<Void> lost = Asyncio.getRunningLoop().createFuture();
        SubprocessTransport transport;

        @Override
        public void connectionMade(SubprocessTransport t) {
            transport = t;
            events.add("connectionMade");
        }

        @Override
        public void pipeDataReceived(int fd, byte[] data) {
            String last = events.isEmpty() ? "" : events.get(events.size() - 1);
            if (!last.equals("pipeDataReceived " + fd)) {
                events.add("pipeDataReceived " + fd);      // chunks of one pipe in a row count once
            }
            out[fd].writeBytes(data);
        }

        @Override
        public void pipeConnectionLost(int fd, Exception exc) {
            events.add("pipeConnectionLost " + fd + " " + exc);
        }

        @Override
        public void processExited() {
            events.add("processExited " + transport.getReturncode());
        }

        @Override
        public void connectionLost(Exception exc) {
            events.add("connectionLost " + exc);
            lost.setResult(null);
        }

        String out(int fd) {
            return out[fd].toString(StandardCharsets.UTF_8);
        }
    }

    /** Every callback is called: data and loss per pipe (data first), processExited, connectionLost last. */
    @Test
    @DisplayName("test_subprocess_protocol_events")
    void testSubprocessProtocolEvents() {
        Asyncio.run(() -> {
            var tp = Asyncio.getRunningLoop().subprocessExec(Recorder::new, "sh", "-c", "printf stdout; printf stderr >&2");
            Recorder r = tp.protocol();
            assertEquals("connectionMade", r.events.get(0));    // it returns once connectionMade ran
            ((WriteTransport) tp.transport().getPipeTransport(0)).close();
            r.lost.await();
            assertEquals("stdout", r.out(1));
            assertEquals("stderr", r.out(2));
            List<String> ev = r.events;
            assertEquals(8, ev.size(), ev.toString());
            assertEquals("connectionMade", ev.get(0));
            assertEquals("connectionLost null", ev.get(7));
            assertTrue(ev.containsAll(List.of("pipeConnectionLost 0 null", "pipeDataReceived 1", "pipeDataReceived 2",
                    "pipeConnectionLost 1 null", "pipeConnectionLost 2 null", "processExited 0")), ev.toString());
            for (int fd = 1; fd <= 2; fd++) {
                assertTrue(ev.indexOf("pipeDataReceived " + fd) < ev.indexOf("pipeConnectionLost " + fd + " null"), ev.toString());
            }
            assertEquals(0, tp.transport().getReturncode());
            return null;
        });
    }

    /** The stdin pipe transport writes to the child; cat's output comes back on fd 1. */
    @Test
    void stdinPipeTransport() {
        Asyncio.run(() -> {
            var tp = Asyncio.getRunningLoop().subprocessExec(Recorder::new, "cat");
            WriteTransport stdin = (WriteTransport) tp.transport().getPipeTransport(0);
            assertTrue(tp.transport().getPipeTransport(1) instanceof ReadTransport);
            assertNull(tp.transport().getPipeTransport(3));
            stdin.write("hello ".getBytes());
            stdin.writelines(List.of("pipe".getBytes(), "\n".getBytes()));
            assertTrue(stdin.canWriteEof());
            stdin.writeEof();
            tp.protocol().lost.await();
            assertEquals("hello pipe\n", tp.protocol().out(1));
            assertEquals(0, tp.transport().getReturncode());
            return null;
        });
    }

    /** close() kills a running child: the return code is -SIGKILL. */
    @Test
    @DisplayName("test_close_kill_running")
    void testCloseKillRunning() {
        Asyncio.run(() -> {
            var tp = Asyncio.getRunningLoop().subprocessExec(Recorder::new, "sleep", "60");
            assertNull(tp.transport().getReturncode());
            tp.transport().close();
            assertTrue(tp.transport().isClosing());
            tp.protocol().lost.await();
            assertEquals(-Process.SIGKILL, tp.transport().getReturncode());
            return null;
        });
    }

    /** close() leaves a child that has exited alone, even before the loop has seen the exit. */
    @Test
    @DisplayName("test_close_dont_kill_finished")
    void testCloseDontKillFinished() {
        Asyncio.run(() -> {
            // 137 is also what the JDK reports for a SIGKILL: a close() that killed would make it -9
            var tp = Subprocess.shell("read x; exit 137").stdin(Subprocess.PIPE).start(Recorder::new);
            java.lang.Process p = (java.lang.Process) tp.transport().getExtraInfo("subprocess");
            ((WriteTransport) tp.transport().getPipeTransport(0)).write("go\n".getBytes());
            p.waitFor();                          // the task holds the loop: it cannot have seen the exit
            assertNull(tp.transport().getReturncode());
            tp.transport().close();
            tp.protocol().lost.await();
            assertEquals(137, tp.transport().getReturncode());
            return null;
        });
    }

    /** Cancelling the task while subprocessExec waits for connectionMade kills the child. */
    @Test
    @DisplayName("test_cancel_post_init")
    void testCancelPostInit() {
        List<SubprocessTransport> made = new ArrayList<>();
        Asyncio.run(() -> {
            Task<Void> t = Asyncio.createTask(() -> {
                Asyncio.getRunningLoop().subprocessExec(() -> {
                    Recorder r = new Recorder();
                    made.add(null);
                    return r;
                }, "sleep", "60");
            });
            Asyncio.getRunningLoop().callSoon(t::cancel);
            assertThrows(CancelledError.class, t::await);
            return null;
        });
        assertEquals(1, made.size());
    }

    /** The repr names the pid and whether it runs or its return code. */
    @Test
    @DisplayName("test_subprocess_repr")
    void testSubprocessRepr() {
        Asyncio.run(() -> {
            var tp = Subprocess.exec("sh", "-c", "read x").stdin(Subprocess.PIPE).start(Recorder::new);
            long pid = tp.transport().getPid();
            assertTrue(tp.transport().toString().startsWith("<ProcessTransport pid=" + pid + " running stdin=<WritePipeTransport stdin of " + pid + " open>"),
                    tp.transport().toString());
            ((WriteTransport) tp.transport().getPipeTransport(0)).close();
            tp.protocol().lost.await();
            assertEquals("<ProcessTransport pid=" + pid + " returncode=1 stdin=<WritePipeTransport stdin of " + pid + " closed>>",
                    tp.transport().toString());
            return null;
        });
    }

    /** stdout to a file, then appended to it; stdin from a file. */
    @Test
    void redirectsToFiles(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("in.txt");
        Path out = dir.resolve("out.txt");
        Files.writeString(in, "from a file\n");
        Asyncio.run(() -> {
            Process p = Subprocess.exec("cat").redirectStdin(ProcessBuilder.Redirect.from(in.toFile()))
                    .redirectStdout(ProcessBuilder.Redirect.to(out.toFile())).start();
            assertNull(p.stdin());
            assertNull(p.stdout());
            assertEquals(0, p.await());
            Process q = Subprocess.shell("echo appended; echo err >&2").redirectStdout(ProcessBuilder.Redirect.appendTo(out.toFile()))
                    .stderr(Subprocess.PIPE).start();
            assertEquals("err\n", new String(q.communicate().stderr()));
            return null;
        });
        assertEquals("from a file\nappended\n", Files.readString(out));
        assertThrows(IllegalArgumentException.class, () -> Subprocess.exec("cat").redirectStdin(ProcessBuilder.Redirect.to(out.toFile())));
        assertThrows(IllegalArgumentException.class, () -> Subprocess.exec("cat").redirectStdout(ProcessBuilder.Redirect.from(out.toFile())));
    }

    /** startNewSession: the child leads a session of its own (its session id is its pid); without it, it does not. */
    @Test
    @DisplayName("test_start_new_session")
    void testStartNewSession() {
        Asyncio.run(() -> {
            String cmd = "read -r line < /proc/$$/stat; echo $$ $line";
            for (boolean newSession : new boolean[] {true, false}) {
                Process p = Subprocess.shell(cmd).stdout(Subprocess.PIPE).startNewSession(newSession).start();
                String[] f = new String(p.communicate().stdout()).trim().split(" ");
                // f[0] the shell's $$, then /proc/PID/stat: pid (comm) state ppid pgrp session
                assertEquals(f[0], f[1]);
                assertEquals(Long.toString(p.pid()), f[0], "setsid(1) execs in place: the pid is the program's");
                assertEquals(newSession, f[6].equals(f[0]), "session " + f[6] + " of " + f[0]);
            }
            Process exit8 = Subprocess.shell("exit 8").startNewSession(true).start();
            assertEquals(8, exit8.await());
            return null;
        });
    }
}
