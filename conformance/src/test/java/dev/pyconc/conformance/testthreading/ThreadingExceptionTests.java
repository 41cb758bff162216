package dev.pyconc.conformance.testthreading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.testing.ChildJvm;
import dev.pyconc.threading.Lock;
import dev.pyconc.threading.Thread;
import dev.pyconc.threading.Threading;

/**
 * test_threading's {@code ThreadingExceptionTests}: misuse is a RuntimeError (IllegalStateException
 * in pyconc), and failures in threads are reported, not fatal.
 */
class ThreadingExceptionTests extends BaseTestCase {

    /** Starting a thread twice is a RuntimeError. */
    @Test
    @DisplayName("test_start_thread_again")
    void testStartThreadAgain() {
        Thread thread = new Thread();
        thread.start();
        assertThrows(IllegalStateException.class, thread::start);
        thread.join();
    }

    /** Joining the current thread is a RuntimeError. */
    @Test
    @DisplayName("test_joining_current_thread")
    void testJoiningCurrentThread() {
        Thread currentThread = Threading.currentThread();
        assertThrows(IllegalStateException.class, currentThread::join);
    }

    /** Joining a thread that was not started is a RuntimeError. */
    @Test
    @DisplayName("test_joining_inactive_thread")
    void testJoiningInactiveThread() {
        Thread thread = new Thread();
        assertThrows(IllegalStateException.class, thread::join);
    }

    /** Making a started thread a daemon is a RuntimeError. */
    @Test
    @DisplayName("test_daemonize_active_thread")
    void testDaemonizeActiveThread() {
        Thread thread = new Thread();
        thread.start();
        assertThrows(IllegalStateException.class, () -> thread.setDaemon(true));
        thread.join();
    }

    /** Releasing an unlocked Lock is a RuntimeError. */
    @Test
    @DisplayName("test_releasing_unacquired_lock")
    void testReleasingUnacquiredLock() {
        Lock lock = new Lock();
        assertThrows(IllegalStateException.class, lock::release);
    }

    /**
     * Unbounded recursion in a thread other than the main thread is an exception the thread can
     * catch (Python's RecursionError, Java's StackOverflowError), not a crash (CPython issue 9670).
     */
    @Test
    @DisplayName("test_recursion_limit")
    void testRecursionLimit() {
        var r = ChildJvm.run(RecursionLimit.class, List.of());
        assertEquals("end of main thread\n", r.out(), r.toString());
        assertEquals(0, r.exitCode(), "Unexpected error: " + r);
    }

    /** Child JVM of test_recursion_limit. */
    static final class RecursionLimit {
        static int recurse(int depth) {
            return recurse(depth + 1) + 1;
        }

        public static void main(String[] args) {
            Thread w = new Thread(() -> {
                try {
                    recurse(0);
                } catch (StackOverflowError expected) {
                    // caught in the thread
                }
            });
            w.start();
            w.join();
            System.out.println("end of main thread");
        }
    }

    /** The default hook reports an exception that ends a thread: the thread, the exception and its stack. */
    @Test
    @DisplayName("test_print_exception")
    void testPrintException() {
        var r = ChildJvm.run(PrintException.class, List.of());
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("", r.out(), r.toString());
        assertTrue(r.err().contains("Exception in thread"), r.toString());
        assertTrue(r.err().contains("\tat "), r.toString());        // the stack trace
        assertTrue(r.err().contains("java.lang.ArithmeticException: / by zero"), r.toString());
        assertTrue(!r.err().contains("Unhandled exception"), r.toString());
    }

    /** Child JVM of test_print_exception: a thread divides by zero once told to stop running. */
    static final class PrintException {
        static volatile boolean running;
        static volatile int zero;

        public static void main(String[] args) {
            Thread t = new Thread(() -> {
                running = true;
                while (running) {
                    java.lang.Thread.yield();
                }
                int unused = 1 / zero;
            });
            t.start();
            while (!running) {
                java.lang.Thread.yield();
            }
            running = false;
            t.join();
        }
    }
}
