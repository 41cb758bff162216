package dev.pyconc.threading;

import static dev.pyconc.testing.Threads.untilParkedIn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.pyconc.testing.ChildJvm;
import dev.pyconc.testing.Threads;
import dev.pyconc.testing.Timing;

class ThreadTest {

    /** start runs the target in a new thread with the given name; join waits for its end. */
    @Test
    void runsTargetWithName() {
        AtomicReference<String> ranIn = new AtomicReference<>();
        Thread t = new Thread(() -> ranIn.set(java.lang.Thread.currentThread().getName()), "worker");
        assertEquals("worker", t.name());
        assertFalse(t.isAlive());
        t.start();
        t.join();
        assertEquals("worker", ranIn.get());
        assertFalse(t.isAlive());
        assertEquals("<Thread(worker, stopped " + t.ident() + ")>", t.toString());
    }

    /** A thread without a name is named Thread-N with a fresh N. */
    @Test
    void defaultNames() {
        String a = new Thread(() -> {}).name();
        String b = new Thread(() -> {}).name();
        assertTrue(a.matches("Thread-\\d+"), a);
        assertTrue(b.matches("Thread-\\d+"), b);
        assertEquals(Integer.parseInt(a.substring(7)) + 1, Integer.parseInt(b.substring(7)));
    }

    /** A subclass that overrides run() runs its own code. */
    @Test
    void runOverride() {
        int[] ran = {0};
        Thread t = new Thread() {
            @Override
            public void run() {
                ran[0]++;
            }
        };
        t.start();
        t.join();
        assertEquals(1, ran[0]);
    }

    /** A new thread is a daemon exactly when the creating thread is, unless the builder says otherwise. */
    @Test
    void daemonInheritance() {
        boolean fromDaemon = java.util.Objects.requireNonNull(
                Threads.start("daemon-parent", () -> new Thread(() -> {}).isDaemon()).get());
        assertTrue(fromDaemon);
        Boolean[] fromNonDaemon = new Boolean[1];
        java.lang.Thread parent = java.lang.Thread.ofPlatform().daemon(false)
                .start(() -> fromNonDaemon[0] = new Thread(() -> {}).isDaemon());
        Threads.join(parent);
        assertFalse(fromNonDaemon[0]);
        assertTrue(Thread.builder().target(() -> {}).daemon(true).build().isDaemon());
        Thread t = Thread.builder().name("b").daemon(false).build();
        assertFalse(t.isDaemon());
        assertEquals("b", t.name());
        t.setDaemon(true);
        assertTrue(t.isDaemon());
        t.start();
        assertTrue(t.javaThread().isDaemon());
        assertThrows(IllegalStateException.class, () -> t.setDaemon(false));
        t.join();
    }

    /** Starting a thread twice throws IllegalStateException. */
    @Test
    void startTwice() {
        Thread t = new Thread(() -> {});
        t.start();
        assertEquals("threads can only be started once", assertThrows(IllegalStateException.class, t::start).getMessage());
        t.join();
    }

    /** join before start and join of the current thread throw IllegalStateException. */
    @Test
    void badJoins() {
        Thread t = new Thread(() -> {});
        assertEquals("cannot join thread before it is started", assertThrows(IllegalStateException.class, t::join).getMessage());
        assertThrows(IllegalStateException.class, () -> t.join(Duration.ZERO));
        Throwable[] selfJoin = new Throwable[1];
        Thread self = new Thread(() -> {
            try {
                Threading.currentThread().join();
            } catch (Throwable e) {
                selfJoin[0] = e;
            }
        });
        self.start();
        self.join();
        assertEquals(IllegalStateException.class, selfJoin[0].getClass());
        assertEquals("cannot join current thread", selfJoin[0].getMessage());
        assertThrows(IllegalStateException.class, () -> Threading.currentThread().join());
        Timing.assertRejectsBadTimeouts(self::join);
    }

    /** join(timeout) on a running thread returns after the timeout with the thread still alive. */
    @Test
    void timedJoin() {
        Event release = new Event();
        Thread t = new Thread(release::await, "blocked");
        t.start();
        assertTrue(t.isAlive());
        long start = System.nanoTime();
        t.join(Timing.SHORT);
        assertTrue(System.nanoTime() - start >= Timing.SHORT.toNanos());
        assertTrue(t.isAlive());
        assertTrue(t.toString().startsWith("<Thread(blocked, started "), t.toString());
        release.set();
        t.join(Duration.ofSeconds(30));
        assertFalse(t.isAlive());
    }

    /** ident and nativeId are null before start and the JDK id and the OS thread id after. */
    @Test
    void identifiers() {
        long[] seen = new long[2];
        Event release = new Event();
        Thread t = new Thread(() -> {
            seen[0] = Threading.getIdent();
            seen[1] = Threading.getNativeId();
            release.await();
        });
        assertNull(t.ident());
        assertNull(t.nativeId());
        assertNull(t.javaThread());
        t.start();
        untilParkedIn(t.javaThread(), Event.class);
        assertEquals(seen[0], t.ident());
        assertEquals(t.javaThread().threadId(), t.ident());
        assertEquals(seen[1], t.nativeId());
        assertTrue(t.nativeId() > 0);
        assertTrue(java.nio.file.Files.exists(java.nio.file.Path.of("/proc/self/task/" + t.nativeId())),
                "native id is a task of this process");
        assertTrue(t.nativeId() != Threading.getNativeId());
        release.set();
        t.join();
    }

    /** An uncaught exception goes to the hook set with setExcepthook, with its type, value and thread. */
    @Test
    void excepthookReceivesUncaught() {
        AtomicReference<ExceptHookArgs> got = new AtomicReference<>();
        IllegalStateException boom = new IllegalStateException("boom");
        Threading.setExcepthook(got::set);
        try {
            Thread t = new Thread(() -> {
                throw boom;
            }, "failing");
            t.start();
            t.join();
            assertEquals(IllegalStateException.class, got.get().excType());
            assertSame(boom, got.get().excValue());
            assertSame(t, got.get().thread());
        } finally {
            Threading.setExcepthook(Threading::defaultExcepthook);
        }
    }

    /** The default hook logs the exception at error level through SLF4J with the thread's name. */
    @Test
    void defaultExcepthookLogs() {
        PrintStream saved = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            Thread t = new Thread(() -> {
                throw new IllegalStateException("boom in thread");
            }, "failing-thread");
            t.start();
            t.join();
        } finally {
            System.setErr(saved);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("ERROR dev.pyconc.threading.Threading - Exception in thread failing-thread"), log);
        assertTrue(log.contains("java.lang.IllegalStateException: boom in thread"), log);
    }

    /** A hook that throws is itself logged; the thread still ends normally. */
    @Test
    void failingHookIsContained() {
        Threading.setExcepthook(args -> {
            throw new IllegalArgumentException("hook failed");
        });
        try {
            Thread t = new Thread(() -> {
                throw new IllegalStateException("boom");
            });
            t.start();
            t.join();
            assertFalse(t.isAlive());
        } finally {
            Threading.setExcepthook(Threading::defaultExcepthook);
        }
        assertThrows(IllegalArgumentException.class, () -> Threading.setExcepthook(null));
    }

    /** The JVM waits at exit for a non-daemon pyconc thread that runs after main returned. */
    @Test
    void jvmWaitsForNonDaemonThreads() {
        var r = ChildJvm.run(NonDaemonMain.class, List.of());
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("main returns\nworker ran after main ended\n", r.out(), r.toString());
    }

    /** The JVM does not wait at exit for a daemon pyconc thread, which never finishes. */
    @Test
    void jvmDoesNotWaitForDaemonThreads() {
        var r = ChildJvm.run(DaemonMain.class, List.of());
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("daemon started\nmain returns\n", r.out(), r.toString());
    }

    /** Child JVM: a non-daemon thread that finishes only after the main thread has ended. */
    static final class NonDaemonMain {
        public static void main(String[] args) {
            Thread main = Threading.mainThread();
            Thread worker = Thread.builder().name("worker").daemon(false).target(() -> {
                main.join();
                System.out.println("worker ran after main ended");
            }).build();
            worker.start();
            System.out.println("main returns");
        }
    }

    /** Child JVM: a daemon thread that blocks forever. */
    static final class DaemonMain {
        public static void main(String[] args) {
            Event started = new Event();
            Thread daemon = Thread.builder().daemon(true).target(() -> {
                System.out.println("daemon started");
                started.set();
                new Event().await();
                System.out.println("daemon finished");
            }).build();
            daemon.start();
            started.await();
            System.out.println("main returns");
        }
    }

    /** setName renames the thread and its JDK thread; a null name is refused. */
    @Test
    void rename() {
        Event release = new Event();
        Thread t = new Thread(release::await, "before");
        t.start();
        t.setName("after");
        assertEquals("after", t.name());
        assertEquals("after", t.javaThread().getName());
        assertThrows(IllegalArgumentException.class, () -> t.setName(null));
        release.set();
        t.join();
        assertNotNull(t.javaThread());
    }
}
