package dev.pyconc.asyncio;

import static dev.pyconc.asyncio.StreamsTest.s;
import static dev.pyconc.asyncio.Subprocess.DEVNULL;
import static dev.pyconc.asyncio.Subprocess.PIPE;
import static dev.pyconc.asyncio.Subprocess.STDOUT;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.lang.ProcessBuilder.Redirect;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.pyconc.builtins.OSError;
import dev.pyconc.builtins.ProcessLookupError;

/**
 * Children that pyconc spawns ({@code posix_spawnp}) and reaps itself: Python's returncode for a
 * death by any signal, whoever sent it; sessions; every redirect; no descriptor leaked; the errors
 * of a program that cannot be run. Real /bin/sh, kill, cat, ls, readlink.
 */
@org.junit.jupiter.api.Timeout(60)
class SpawnedProcessTest extends LoopTesting {
    private long fdsBefore;

    @TempDir
    Path dir;

    @BeforeEach
    void nativeSpawn() {
        assumeTrue(SpawnedProcess.AVAILABLE, "posix_spawn through the FFM API is not available here (not Linux,"
                + " native access denied, or glibc older than 2.34): children start with ProcessBuilder");
        fdsBefore = StreamsTest.openFiles();
    }

    @AfterEach
    void noChildOrPipeLeft() throws InterruptedException {
        SubprocessTest.assertNoChildOrPipeLeft(fdsBefore);
    }

    /** A child that kills itself with SIGKILL or SIGTERM reports -9 or -15 (the JDK would report 137 or 143). */
    @Test
    void childKilledByItsOwnSignal() {
        Asyncio.run(() -> {
            assertEquals(-9, Asyncio.createSubprocessExec("sh", "-c", "kill -9 $$").await());
            Process p = Subprocess.shell("kill -TERM $$").start();
            assertEquals(-15, p.await());
            assertEquals(-15, p.returncode());
            var tp = Subprocess.exec("sh", "-c", "kill -HUP $$").start(SubprocessProtocolTest.Recorder::new);
            tp.protocol().lost.await();
            assertEquals(-1, tp.transport().getReturncode());
            assertEquals(-1, ((java.lang.Process) tp.transport().getExtraInfo("subprocess")).exitValue());
            return null;
        });
    }

    /** exit(137) reports 137, not -9: an exit status is never mistaken for a signal. */
    @Test
    void exitStatus137() {
        Asyncio.run(() -> {
            assertEquals(137, Subprocess.shell("exit 137").start().await());
            var tp = Subprocess.exec("sh", "-c", "exit 143").start(SubprocessProtocolTest.Recorder::new);
            tp.protocol().lost.await();
            assertEquals(143, tp.transport().getReturncode());
            return null;
        });
    }

    /** A child killed by another process (kill(1) run through ProcessBuilder) reports -15 or -9. */
    @Test
    void childKilledByAnotherProcess() {
        Asyncio.run(() -> {
            for (String sig : new String[] {"TERM", "KILL"}) {
                Process p = Subprocess.exec("sleep", "60").stdout(PIPE).start();
                int killed = Asyncio.toThread(() -> new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid()))
                        .inheritIO().start().waitFor());
                assertEquals(0, killed);
                assertEquals(sig.equals("TERM") ? -15 : -9, p.await());
                assertEquals(0, p.stdout().read(-1).length);
            }
            return null;
        });
    }

    /** startNewSession: the program itself (no wrapper) is the JVM's child and leads its own session and process group. */
    @Test
    void startNewSessionMakesTheProgramASessionLeader() throws Exception {
        String jvm = Files.readString(Path.of("/proc/self/stat"));
        long jvmSession = Long.parseLong(statFields(jvm)[3]);
        Asyncio.run(() -> {
            for (boolean newSession : new boolean[] {true, false}) {
                Process p = Subprocess.exec("cat", "/proc/self/stat").stdout(PIPE).startNewSession(newSession).start();
                String stat = s(p.stdout().read(-1));
                assertEquals(0, p.await());
                String[] f = statFields(stat);         // state ppid pgrp session ...
                assertEquals(p.pid(), Long.parseLong(stat.substring(0, stat.indexOf(' '))), stat);
                assertTrue(stat.contains("(cat)"), stat);
                assertEquals(ProcessHandle.current().pid(), Long.parseLong(f[1]), "the JVM is the parent: " + stat);
                assertEquals(newSession ? p.pid() : jvmSession, Long.parseLong(f[3]), "session: " + stat);
                if (newSession) {
                    assertEquals(p.pid(), Long.parseLong(f[2]), "process group: " + stat);
                }
            }
            return null;
        });
    }

    /** The fields of /proc/PID/stat after the command name: state, ppid, pgrp, session, ... */
    private static String[] statFields(String stat) {
        return stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    }

    /** Files: write truncates, append appends, read feeds stdin, stderr to its own file or where stdout goes; exact bytes. */
    @Test
    void fileRedirects() throws Exception {
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Files.writeString(out, "old content, longer than the new\n");
        Asyncio.run(() -> {
            assertEquals(0, Subprocess.exec("printf", "new\\n").redirectStdout(Redirect.to(out.toFile())).start().await());
            assertEquals("new\n", Files.readString(out));
            assertEquals(0, Subprocess.exec("printf", "more\\n").redirectStdout(Redirect.appendTo(out.toFile())).start().await());
            assertEquals("new\nmore\n", Files.readString(out));
            Process cat = Subprocess.exec("cat").redirectStdin(Redirect.from(out.toFile())).stdout(PIPE).start();
            assertEquals("new\nmore\n", s(cat.communicate().stdout()));
            Process both = Subprocess.exec("sh", "-c", "echo o; echo e >&2").stdout(PIPE).redirectStderr(Redirect.to(err.toFile())).start();
            assertEquals("o\n", s(both.communicate().stdout()));
            assertEquals("e\n", Files.readString(err));
            assertEquals(0, Subprocess.exec("sh", "-c", "echo a; echo b >&2; echo c").redirectStdout(Redirect.to(out.toFile()))
                    .stderr(STDOUT).start().await());
            assertEquals("a\nb\nc\n", Files.readString(out));
            return null;
        });
    }

    /** A file a redirect creates has mode 0666 less the umask, as the JDK's. */
    @Test
    void createdFileMode() throws Exception {
        Path created = dir.resolve("created.txt");
        Asyncio.run(() -> {
            Process u = Subprocess.exec("sh", "-c", "umask").stdout(PIPE).start();
            int umask = Integer.parseInt(s(u.communicate().stdout()).trim(), 8);
            assertEquals(0, Subprocess.exec("true").redirectStdout(Redirect.to(created.toFile())).start().await());
            assertEquals(mode(0666 & ~umask), Files.getPosixFilePermissions(created));
            return null;
        });
    }

    private static Set<PosixFilePermission> mode(int m) {
        String rwx = "rwxrwxrwx";
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 9; i++) {
            b.append((m & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        }
        return PosixFilePermissions.fromString(b.toString());
    }

    /** Inherited streams are the JVM's own, DEVNULL is /dev/null (read from /proc/PID/fd); stderr to a stdout pipe keeps the order. */
    @Test
    void inheritDevnullAndStderrToStdout() throws Exception {
        Asyncio.run(() -> {
            Process inherit = Subprocess.exec("sleep", "60").start();
            Process devnull = Subprocess.exec("sleep", "60").stdin(DEVNULL).stdout(DEVNULL).stderr(DEVNULL).start();
            try {
                for (int fd = 0; fd < 3; fd++) {
                    assertEquals(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)),
                            Files.readSymbolicLink(Path.of("/proc/" + inherit.pid() + "/fd/" + fd)), "fd " + fd);
                    assertEquals(Path.of("/dev/null"), Files.readSymbolicLink(Path.of("/proc/" + devnull.pid() + "/fd/" + fd)), "fd " + fd);
                }
            } finally {
                inherit.kill();
                devnull.kill();
            }
            assertEquals(-9, inherit.await());
            assertEquals(-9, devnull.await());
            Process merged = Subprocess.shell("echo a; echo b >&2; echo c").stdout(PIPE).stderr(STDOUT).start();
            assertEquals("a\nb\nc\n", s(merged.communicate().stdout()));
            return null;
        });
    }

    /**
     * The child sees only 0, 1, 2 and the directory ls itself opens: not the parent's other pipes,
     * nor a descriptor the parent left inheritable (made here with pipe(2), without O_CLOEXEC).
     */
    @Test
    @SuppressWarnings("restricted")
    void noDescriptorLeaks() throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle pipe = linker.downcallHandle(linker.defaultLookup().findOrThrow("pipe"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        MethodHandle close = linker.downcallHandle(linker.defaultLookup().findOrThrow("close"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
            assertEquals(0, (int) pipe.invokeExact(fds));
            try {
                Asyncio.run(() -> {
                    Process ls = Subprocess.exec("ls", "/proc/self/fd").stdin(PIPE).stdout(PIPE).stderr(PIPE).start();
                    assertEquals("0\n1\n2\n3\n", s(ls.communicate().stdout()));
                    Process inSession = Subprocess.exec("ls", "/proc/self/fd").stdout(PIPE)
                            .redirectStderr(Redirect.to(dir.resolve("e").toFile())).startNewSession(true).start();
                    assertEquals("0\n1\n2\n3\n", s(inSession.communicate().stdout()));
                    return null;
                });
            } finally {
                int unused = (int) close.invokeExact(fds.getAtIndex(ValueLayout.JAVA_INT, 0));
                unused = (int) close.invokeExact(fds.getAtIndex(ValueLayout.JAVA_INT, 1));
            }
        }
    }

    /**
     * A program that cannot be run raises OSError with the JDK's message and errno; so does a
     * working directory or an input file that does not exist. Nothing is left open.
     */
    @Test
    void errors() throws Exception {
        Path notExecutable = Files.writeString(dir.resolve("script"), "#!/bin/sh\necho hi\n");
        Asyncio.run(() -> {
            OSError e = assertThrows(OSError.class, () -> Asyncio.createSubprocessExec("/nonexistent/program", "x"));
            assertEquals("Cannot run program \"/nonexistent/program\": error=2, No such file or directory", e.getMessage());
            e = assertThrows(OSError.class, () -> Subprocess.exec("pyconc-no-such-program").stdin(PIPE).stdout(PIPE).start());
            assertEquals("Cannot run program \"pyconc-no-such-program\": error=2, No such file or directory", e.getMessage());
            e = assertThrows(OSError.class, () -> Subprocess.exec(notExecutable.toString()).stdout(PIPE).start());
            assertEquals("Cannot run program \"" + notExecutable + "\": error=13, Permission denied", e.getMessage());
            e = assertThrows(OSError.class, () -> Subprocess.exec("true").cwd(Path.of("/nonexistent/dir")).start());
            assertEquals("Cannot run program \"true\" (in directory \"/nonexistent/dir\"): error=2, No such file or directory",
                    e.getMessage());
            e = assertThrows(OSError.class, () -> Subprocess.exec("cat").redirectStdin(Redirect.from(new File("/nonexistent/in")))
                    .stdout(PIPE).start());
            assertEquals("/nonexistent/in (No such file or directory)", e.getMessage());
            return null;
        });
    }

    /** The java.lang.Process behind the transport: exitValue before and after the exit, waitFor, onExit, toHandle, signals. */
    @Test
    void javaProcessContract() {
        Asyncio.run(() -> {
            var tp = Subprocess.exec("sleep", "60").start(SubprocessProtocolTest.Recorder::new);
            java.lang.Process p = (java.lang.Process) tp.transport().getExtraInfo("subprocess");
            assertTrue(p.isAlive());
            assertThrows(IllegalThreadStateException.class, p::exitValue);
            assertEquals(tp.transport().getPid(), p.pid());
            assertEquals(p.pid(), p.toHandle().pid());
            assertFalse(p.waitFor(1, TimeUnit.MILLISECONDS));
            var exited = p.onExit();
            tp.transport().sendSignal(Process.SIGUSR1);
            assertEquals(-10, p.waitFor());
            assertSame(p, exited.get());
            assertFalse(p.isAlive());
            assertEquals(-10, p.exitValue());
            p.destroy();                               // a dead child is not signalled
            tp.protocol().lost.await();
            assertEquals(-10, tp.transport().getReturncode());
            assertThrows(ProcessLookupError.class, () -> tp.transport().sendSignal(Process.SIGTERM));
            assertThrows(IllegalStateException.class, p::toHandle);
            return null;
        });
    }

    /** With -Dpyconc.asyncio.spawn=jdk, the ProcessBuilder fallback: a signal pyconc did not send reads as 128 + n. */
    @Test
    void jdkFallback() {
        String before = System.getProperty("pyconc.asyncio.spawn");
        System.setProperty("pyconc.asyncio.spawn", "jdk");
        try {
            Asyncio.run(() -> {
                Process p = Subprocess.exec("sh", "-c", "kill -9 $$").start();
                assertEquals(137, p.await());
                Process sleeper = Subprocess.exec("sleep", "60").start();
                sleeper.kill();
                assertEquals(-9, sleeper.await());
                return null;
            });
        } finally {
            if (before == null) {
                System.clearProperty("pyconc.asyncio.spawn");
            } else {
                System.setProperty("pyconc.asyncio.spawn", before);
            }
        }
    }
}
