package dev.pyconc.conformance.testthreading;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.testing.ChildJvm;
import dev.pyconc.threading.Thread;
import dev.pyconc.threading.Threading;

/**
 * test_threading's {@code ThreadJoinOnShutdown}: what a program's end does to its threads, each
 * in a child JVM. (The tests that fork are not applicable.)
 */
class ThreadJoinOnShutdown extends BaseTestCase {

    /** CPython's {@code joiningfunc}: waits until the main thread ended, then says so. */
    static void joiningfunc(Thread mainthread) {
        mainthread.join();
        System.out.println("end of thread");
        System.out.flush();
    }

    /** The usual case: at exit, the JVM waits for a non-daemon thread that joins the main thread. */
    @Test
    @DisplayName("test_1_join_on_shutdown")
    void test1JoinOnShutdown() {
        var r = ChildJvm.run(JoinOnShutdown.class, List.of());
        assertEquals("end of main\nend of thread\n", r.out(), r.toString());
        assertEquals(0, r.exitCode(), r.toString());
    }

    /** Child JVM of test_1_join_on_shutdown. */
    static final class JoinOnShutdown {
        public static void main(String[] args) {
            Thread main = Threading.currentThread();
            new Thread(() -> joiningfunc(main)).start();
            System.out.println("end of main");
        }
    }

    /** Daemon threads doing I/O while the program exits do not crash it or print anything. */
    @Test
    @DisplayName("test_4_daemon_threads")
    void test4DaemonThreads() {
        var r = ChildJvm.run(DaemonThreads.class, List.of());
        assertEquals("", r.err(), r.toString());
        assertEquals(0, r.exitCode(), r.toString());
    }

    /** Child JVM of test_4_daemon_threads: 40 daemon threads loop on reads and writes; main exits once each has run. */
    static final class DaemonThreads {
        public static void main(String[] args) throws IOException {
            Set<Thread> threadHasRun = ConcurrentHashMap.newKeySet();
            Path source = Path.of(DaemonThreads.class.getProtectionDomain().getCodeSource().getLocation().getPath(),
                    DaemonThreads.class.getName().replace('.', '/') + ".class");
            int count = 0;
            for (int i = 0; i < 40; i++) {
                Thread t = Thread.builder().daemon(true).target(() -> randomIo(source, threadHasRun)).build();
                t.start();
                count++;
            }
            while (threadHasRun.size() < count) {
                LockSupport.parkNanos(1_000_000);
            }
            System.exit(0);     // the program's end, with the daemon threads still looping
        }

        private static void randomIo(Path source, Set<Thread> threadHasRun) {
            try {
                while (true) {
                    try (InputStream in = Files.newInputStream(source);
                            OutputStream nul = Files.newOutputStream(Path.of("/dev/null"))) {
                        nul.write(in.readNBytes(200));
                        LockSupport.parkNanos((long) (ThreadLocalRandom.current().nextDouble() / 1995 * 1e9));
                    }
                    threadHasRun.add(Threading.currentThread());
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** A thread started by a thread after the main thread ended still runs: the JVM waits for it. */
    @Test
    @DisplayName("test_thread_from_thread")
    void testThreadFromThread() {
        var r = ChildJvm.run(ThreadFromThread.class, List.of());
        assertEquals("", r.err(), r.toString());
        assertEquals("OK\n", r.out(), r.toString());
        assertEquals(0, r.exitCode(), r.toString());
    }

    /** Child JVM of test_thread_from_thread: thread1 starts thread2 once main has ended; nobody joins. */
    static final class ThreadFromThread {
        public static void main(String[] args) {
            Thread main = Threading.currentThread();
            new Thread(() -> {
                main.join();        // CPython's thread1 sleeps 50 ms so that main ends first
                new Thread(() -> System.out.println("OK")).start();
            }).start();
            // do not join: the JVM waits for non-daemon threads
        }
    }
}
