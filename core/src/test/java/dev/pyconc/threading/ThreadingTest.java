package dev.pyconc.threading;

import static dev.pyconc.testing.Threads.untilParkedIn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.pyconc.testing.Threads;

class ThreadingTest {

    /** currentThread returns the pyconc Thread object inside a pyconc thread. */
    @Test
    void currentThreadInPyconcThread() {
        Thread[] seen = new Thread[1];
        Thread t = new Thread(() -> seen[0] = Threading.currentThread(), "me");
        t.start();
        t.join();
        assertSame(t, seen[0]);
    }

    /** A thread pyconc did not start gets one stable Thread object, named after it, listed while alive. */
    @Test
    void foreignThreads() {
        Event release = new Event();
        Thread[] seen = new Thread[2];
        var jdk = Threads.run("jdk-thread", () -> {
            seen[0] = Threading.currentThread();
            seen[1] = Threading.currentThread();
            release.await();
        });
        untilParkedIn(jdk.thread(), Event.class);
        assertSame(seen[0], seen[1]);
        assertEquals("jdk-thread", seen[0].name());
        assertTrue(seen[0].isAlive());
        assertEquals(jdk.thread().threadId(), seen[0].ident());
        assertTrue(seen[0].nativeId() > 0);
        assertTrue(seen[0].isDaemon());
        assertTrue(Threading.enumerate().contains(seen[0]));
        release.set();
        jdk.get();
        assertFalse(seen[0].isAlive());
        assertFalse(Threading.enumerate().contains(seen[0]));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> seen[0].join(Duration.ofSeconds(1)));
        assertEquals("cannot join a dummy thread", e.getMessage());
    }

    /** enumerate and activeCount list a running pyconc thread, and not once it ended. */
    @Test
    void enumerateAndActiveCount() {
        Event release = new Event();
        Thread t = new Thread(release::await, "listed");
        int before = Threading.activeCount();
        t.start();
        assertTrue(Threading.enumerate().contains(t));
        assertEquals(before + 1, Threading.activeCount());
        release.set();
        t.join();
        assertFalse(Threading.enumerate().contains(t));
        assertEquals(before, Threading.activeCount());
    }

    /** mainThread is the JVM's main thread, named MainThread, and alive while the tests run in it. */
    @Test
    void mainThread() {
        Thread main = Threading.mainThread();
        assertEquals("MainThread", main.name());
        assertEquals("main", main.javaThread().getName());
        if (java.lang.Thread.currentThread() == main.javaThread()) {
            assertSame(main, Threading.currentThread());
            assertTrue(main.isAlive());
            assertTrue(Threading.enumerate().contains(main));
        }
    }

    /** getIdent and getNativeId return the caller's JDK thread id and OS thread id. */
    @Test
    void idents() {
        assertEquals(java.lang.Thread.currentThread().threadId(), Threading.getIdent());
        long tid = Threading.getNativeId();
        assertTrue(java.nio.file.Files.exists(java.nio.file.Path.of("/proc/self/task/" + tid)));
        assertEquals(Duration.ofNanos(Long.MAX_VALUE), Threading.TIMEOUT_MAX);
        assertSame(Threading.getExcepthook(), Threading.getExcepthook());
    }

    /**
     * stackSize(n) returns the previous size and applies to threads started after it: a thread
     * started with 256 KiB overflows at a smaller recursion depth than one started with 64 MiB.
     * Python's ValueError for a size below 32 KiB is IllegalArgumentException, and the size stays.
     */
    @Test
    void stackSizeAppliesToNewThreads() {
        assertEquals(0, Threading.stackSize());
        try {
            assertEquals(0, Threading.stackSize(256 * 1024));
            long small = overflowDepth();
            assertEquals(256 * 1024, Threading.stackSize(64L * 1024 * 1024));
            long large = overflowDepth();
            assertTrue(small * 8 < large, "depth with 256 KiB " + small + ", with 64 MiB " + large);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Threading.stackSize(32767));
            assertEquals("size not valid: 32767 bytes", e.getMessage());
            assertEquals(64L * 1024 * 1024, Threading.stackSize());
        } finally {
            Threading.stackSize(0);
        }
        assertEquals(0, Threading.stackSize());
    }

    /** How deep a new pyconc thread recurses before its stack overflows. */
    private static long overflowDepth() {
        long[] depth = {0};
        Thread t = new Thread(() -> {
            try {
                recurse(depth);
            } catch (StackOverflowError expected) {
                // the depth reached is the result
            }
        }, "deep");
        t.start();
        t.join();
        return depth[0];
    }

    private static void recurse(long[] depth) {
        depth[0]++;
        recurse(depth);
    }
}
