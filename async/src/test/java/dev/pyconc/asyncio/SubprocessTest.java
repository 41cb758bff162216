package dev.pyconc.asyncio;

import static dev.pyconc.asyncio.Subprocess.DEVNULL;
import static dev.pyconc.asyncio.Subprocess.PIPE;
import static dev.pyconc.asyncio.Subprocess.STDOUT;
import static dev.pyconc.asyncio.StreamsTest.b;
import static dev.pyconc.asyncio.StreamsTest.s;
import static dev.pyconc.asyncio.StreamsTest.sha256;
import static dev.pyconc.asyncio.StreamsTest.until;
import static org.junit.jupiter.api.Assertions.*;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import dev.pyconc.builtins.ProcessLookupError;

/** Child processes with their pipes on the loop: real /bin/sh, cat, sort, sleep and head. */
@org.junit.jupiter.api.Timeout(60)
class SubprocessTest extends LoopTesting {
    private long fdsBefore;

    @org.junit.jupiter.api.BeforeEach
    void countOpenFiles() {
        fdsBefore = StreamsTest.openFiles();
    }

    /** After each test: no child process of this JVM is left, and no pipe stays open. */
    @org.junit.jupiter.api.AfterEach
    void noChildOrPipeLeft() throws InterruptedException {
        assertNoChildOrPipeLeft(fdsBefore);
    }

    /** Waits up to 10 s until no child process of this JVM is alive and at most {@code fdsBefore} files are open. */
    static void assertNoChildOrPipeLeft(long fdsBefore) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (ProcessHandle.current().children().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
            java.lang.Thread.sleep(5);
        }
        assertEquals(java.util.List.of(), ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                .map(h -> h.pid() + " " + h.info().commandLine().orElse("?")).toList(), "child processes left");
        StreamsTest.awaitOpenFilesAtMost(fdsBefore);
    }

    /** stdout and stderr as separate pipes; the exit status becomes returncode; returncode is null before the exit is seen. */
    @Test
    void execWithStdoutAndStderrPipes() {
        Asyncio.run(() -> {
            Process p = Subprocess.exec("/bin/sh", "-c", "echo out; echo err >&2; read x; exit 3")
                    .stdin(PIPE).stdout(PIPE).stderr(PIPE).start();
            assertTrue(p.pid() > 0);
            assertEquals("out\n", s(p.stdout().readline()));
            assertEquals("err\n", s(p.stderr().readline()));
            assertNull(p.returncode(), "the child waits for its stdin");
            p.stdin().write(b("go\n"));
            p.stdin().drain();
            assertEquals(3, p.await());
            assertEquals(3, p.returncode());
            assertEquals(0, p.stdout().read(-1).length);
            assertEquals(0, p.stderr().read(-1).length);
            assertTrue(p.toString().contains("returncode=3"));
            return null;
        });
    }

    /** A shell command with stderr merged into stdout (STDOUT), through communicate. */
    @Test
    void shellWithStderrToStdout() {
        Asyncio.run(() -> {
            Process p = Subprocess.shell("echo a; echo b >&2; echo c").stdout(PIPE).stderr(STDOUT).start();
            Process.Output out = p.communicate();
            assertEquals("a\nb\nc\n", s(out.stdout()));
            assertNull(out.stderr());
            assertNull(p.stderr());
            assertEquals(0, p.returncode());
            return null;
        });
    }

    /** DEVNULL for stdin (cat reads EOF at once) and stdout; no pipes are made. */
    @Test
    void devnull() {
        Asyncio.run(() -> {
            Process p = Subprocess.exec("cat").stdin(DEVNULL).stdout(DEVNULL).start();
            assertNull(p.stdin());
            assertNull(p.stdout());
            assertEquals(0, p.await());
            Process q = Asyncio.createSubprocessShell("exit 5");
            assertEquals(5, q.await());
            return null;
        });
    }

    /** 4 MiB through cat: stdin writes with drain (the pipe holds far less) while stdout is read; checksums match. */
    @Test
    void stdinWritesWithDrain() throws Exception {
        byte[] data = new byte[4 << 20];
        new Random(7).nextBytes(data);
        byte[] back = Asyncio.run(() -> {
            Process p = Subprocess.exec("cat").stdin(PIPE).stdout(PIPE).start();
            assertTrue(p.stdin().canWriteEof());
            assertEquals(p.pid(), p.stdin().getExtraInfo("pid"));
            int[] blocked = new int[1];
            Task<Void> feeder = Asyncio.createTask(() -> {
                for (int off = 0; off < data.length; off += 256 << 10) {
                    p.stdin().write(data, off, Math.min(256 << 10, data.length - off));
                    if (p.stdin().getWriteBufferSize() > 64 << 10) {
                        blocked[0]++;
                    }
                    p.stdin().drain();
                }
                p.stdin().close();
            });
            byte[] all = p.stdout().read(-1);
            feeder.await();
            p.stdin().waitClosed();
            assertEquals(0, p.await());
            assertTrue(blocked[0] > 0, "drain had something to wait for");
            return all;
        });
        assertArrayEquals(sha256(data), sha256(back));
    }

    /** communicate(input) writes, closes stdin, reads both pipes and waits. */
    @Test
    void communicateWithInput() {
        Asyncio.run(() -> {
            Process p = Subprocess.exec("sort").stdin(PIPE).stdout(PIPE).stderr(PIPE).start();
            Process.Output out = p.communicate(b("b\na\nc\n"));
            assertEquals("a\nb\nc\n", s(out.stdout()));
            assertEquals("", s(out.stderr()));
            assertEquals(0, p.returncode());
            Process q = Subprocess.shell("exit 0").stdin(PIPE).start();
            assertNull(q.communicate(new byte[1 << 20]).stdout(), "a child that reads nothing is not an error");
            return null;
        });
    }

    /** kill() gives returncode -9, terminate() -15, as Python; signalling an exited child raises ProcessLookupError. */
    @Test
    void killAndTerminate() {
        Asyncio.run(() -> {
            Process k = Asyncio.createSubprocessExec("sleep", "30");
            k.kill();
            assertEquals(-9, k.await());
            assertEquals(-9, k.returncode());
            assertThrows(ProcessLookupError.class, k::kill);
            Process t = Asyncio.createSubprocessExec("sleep", "30");
            t.terminate();
            assertEquals(-15, t.await());
            assertThrows(ProcessLookupError.class, t::terminate);
            return null;
        });
    }

    /**
     * sendSignal delivers other signals: a shell's trap sees SIGUSR1; SIGUSR2 ends a sleep with -12.
     * (Not SIGINT: a suite started in the background, or under nohup, passes SIGINT and SIGHUP on
     * to its children as ignored, and the sleep would run its 30 s and exit with 0.)
     */
    @Test
    void sendSignal() {
        Asyncio.run(() -> {
            Process p = Subprocess.shell("trap 'echo got; exit 7' USR1; echo ready; while :; do sleep 0.05; done")
                    .stdout(PIPE).start();
            assertEquals("ready\n", s(p.stdout().readline()));
            p.sendSignal(Process.SIGUSR1);
            assertEquals("got\n", s(p.stdout().readline()));
            assertEquals(7, p.await());
            Process q = Asyncio.createSubprocessExec("sleep", "30");
            q.sendSignal(Process.SIGUSR2);
            assertEquals(-12, q.await());
            assertThrows(IllegalArgumentException.class, () -> q.sendSignal(0));
            return null;
        });
    }

    /** await() suspends only its task: the child exits only after another task has made all of its (counted) progress. */
    @Test
    void awaitDoesNotBlockTheLoop() {
        Asyncio.run(() -> {
            Process p = Subprocess.exec("cat").stdin(PIPE).stdout(DEVNULL).start();
            int[] ticks = new int[1];
            Task<Integer> waiter = Asyncio.createTask(p::await);
            Task<Void> other = Asyncio.createTask(() -> {
                for (int i = 0; i < 100; i++) {
                    ticks[0]++;
                    Asyncio.sleep(Duration.ZERO);
                }
                p.stdin().close();        // only now can cat exit
            });
            assertEquals(0, waiter.await());
            other.await();
            assertEquals(100, ticks[0]);
            return null;
        });
    }

    /** A program that does not exist gives a clear UncheckedIOException; bad arguments get IllegalArgumentException. */
    @Test
    void errors() {
        Asyncio.run(() -> {
            UncheckedIOException e = assertThrows(UncheckedIOException.class,
                    () -> Asyncio.createSubprocessExec("/nonexistent/program", "x"));
            assertTrue(e.getMessage().contains("/nonexistent/program") && e.getMessage().contains("No such file"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Subprocess.exec());
            assertThrows(IllegalArgumentException.class, () -> Subprocess.exec("a", null));
            assertThrows(IllegalArgumentException.class, () -> Subprocess.exec((String[]) null));
            assertThrows(IllegalArgumentException.class, () -> Subprocess.shell(""));
            assertThrows(IllegalArgumentException.class, () -> Subprocess.exec("cat").stdin(STDOUT));
            assertThrows(IllegalArgumentException.class, () -> Subprocess.exec("cat").stdout(null));
            assertThrows(IllegalArgumentException.class, () -> Subprocess.exec("cat").limit(0));
            assertThrows(IllegalArgumentException.class, () -> Subprocess.exec("cat").cwd(null));
            assertThrows(IllegalArgumentException.class, () -> Subprocess.exec("cat").env(null));
            return null;
        });
        assertThrows(IllegalStateException.class, () -> Asyncio.createSubprocessExec("true"));
    }

    /** env replaces the environment and cwd sets the working directory. */
    @Test
    void envAndCwd() {
        Asyncio.run(() -> {
            Process p = Subprocess.shell("echo $FOO; pwd").stdout(PIPE)
                    .env(Map.of("FOO", "bar", "PATH", System.getenv("PATH"))).cwd(Path.of("/")).start();
            assertEquals("bar\n/\n", s(p.communicate().stdout()));
            return null;
        });
    }

    /** A stdout reader stops reading the pipe above twice its limit, so the child blocks in its writes; reading lets it finish. */
    @Test
    void stdoutFlowControl() {
        Asyncio.run(() -> {
            Process p = Subprocess.exec("head", "-c", Integer.toString(4 << 20), "/dev/zero").stdout(PIPE).start();
            until("the stdout reader pauses", () -> p.stdout().paused());
            int limit = StreamReader.DEFAULT_LIMIT;
            assertTrue(p.stdout().buffered() > 2 * limit && p.stdout().buffered() <= 2 * limit + (64 << 10),
                    "buffered " + p.stdout().buffered());
            assertNull(p.returncode(), "4 MiB cannot fit in the pipe: the child must be blocked");
            assertEquals(4 << 20, p.stdout().read(-1).length);
            assertEquals(0, p.await());
            return null;
        });
    }

    /** Closing the loop kills the children still running. */
    @Test
    void loopCloseKillsChildren() throws Exception {
        EventLoop loop = loop();
        long pid = loop.runUntilComplete(() -> Subprocess.exec("sleep", "60").stdout(PIPE).start().pid());
        ProcessHandle h = ProcessHandle.of(pid).orElseThrow();
        assertTrue(h.isAlive());
        loop.close();
        h.onExit().get(20, TimeUnit.SECONDS);
        assertFalse(h.isAlive());
    }

    /** GIL mode: streams and pipes work, and waiting for a socket or a child releases the GIL (another thread runs meanwhile). */
    @Test
    void streamsAndPipesUnderTheGil() throws Exception {
        boolean wasEnabled = dev.pyconc.gil.Gil.isEnabled();
        dev.pyconc.gil.Gil.enable();
        try {
            java.util.concurrent.atomic.AtomicLong spins = new java.util.concurrent.atomic.AtomicLong();
            dev.pyconc.threading.Thread spinner = new dev.pyconc.threading.Thread(() -> {
                while (!java.lang.Thread.currentThread().isInterrupted()) {
                    spins.incrementAndGet();
                    dev.pyconc.gil.Gil.checkpoint();
                }
            }, "gil-spinner");
            spinner.start();
            long[] during = new long[1];
            String out = Asyncio.run(() -> {
                Server server = StreamsTest.echoServer();
                Streams c = Asyncio.openConnection("127.0.0.1", server.sockets().get(0).getPort());
                for (int i = 0; i < 200; i++) {
                    c.writer().write(b(i + "\n"));
                    c.writer().drain();
                    assertEquals(i + "\n", s(c.reader().readline()));
                }
                c.writer().close();
                server.close();
                server.waitClosed();
                Process p = Subprocess.shell("sleep 0.2; echo done").stdout(PIPE).start();
                long before = spins.get();
                String line = s(p.stdout().readline());
                during[0] = spins.get() - before;
                assertEquals(0, p.await());
                return line;
            });
            spinner.javaThread().interrupt();
            spinner.join();
            assertEquals("done\n", out);
            assertTrue(during[0] > 0, "the other thread never ran while a task waited for the child's output");
        } finally {
            if (!wasEnabled) {
                dev.pyconc.gil.Gil.disable();
            }
        }
    }
}
