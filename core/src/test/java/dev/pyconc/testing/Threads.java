package dev.pyconc.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import dev.pyconc.builtins.InterruptedError;


/**
 * The one set of thread helpers for pyconc's tests: start a JDK thread that records its outcome,
 * wait (with a liveness bound that fails the test, never a sleep) until a thread is parked, and
 * check that a blocking call answers an interrupt with {@link InterruptedError}.
 */
public final class Threads {
    /** How long a test waits for something that must happen before it fails: a liveness bound only. */
    public static final Duration LIVENESS = Duration.ofSeconds(30);

    private Threads() {}

    /** A JDK thread running a call, keeping what it returned or threw. */
    public static final class Async<T> {
        private final java.lang.Thread thread;
        private volatile T value;
        private volatile Throwable failure;
        private volatile boolean interruptedAtEnd;

        private Async(String name, Callable<T> call) {
            thread = java.lang.Thread.ofPlatform().name(name).daemon(true).unstarted(() -> {
                try {
                    value = call.call();
                } catch (Throwable e) {
                    failure = e;
                } finally {
                    interruptedAtEnd = java.lang.Thread.currentThread().isInterrupted();
                }
            });
            thread.start();
        }

        /** The JDK thread. */
        public java.lang.Thread thread() {
            return thread;
        }

        /** Waits (liveness bound) until the thread ended; fails the test if it did not. */
        public Async<T> join() {
            Threads.join(thread);
            return this;
        }

        /** Joins, then returns the value, rethrowing (as an AssertionError) what the call threw. */
        public T get() {
            join();
            if (failure != null) {
                throw new AssertionError("the call in " + thread.getName() + " threw " + failure, failure);
            }
            return value;
        }

        /** Joins, then returns what the call threw; fails if it returned normally. */
        public Throwable failure() {
            join();
            assertNotNull(failure, thread.getName() + " returned " + value + " instead of throwing");
            return failure;
        }

        /** Whether the thread's interrupt flag was set when the call ended (after join). */
        public boolean interruptedAtEnd() {
            join();
            return interruptedAtEnd;
        }
    }

    /** Starts {@code call} in a new daemon JDK thread named {@code name}. */
    public static <T> Async<T> start(String name, Callable<T> call) {
        return new Async<>(name, call);
    }

    /** Starts {@code body} in a new daemon JDK thread named {@code name}. */
    public static Async<Void> run(String name, Runnable body) {
        return new Async<>(name, () -> {
            body.run();
            return null;
        });
    }

    /** Joins {@code t}, failing the test if it is still alive after {@link #LIVENESS}. */
    public static void join(java.lang.Thread t) {
        try {
            t.join(LIVENESS);
        } catch (InterruptedException e) {
            throw new AssertionError("interrupted while joining " + t.getName(), e);
        }
        if (t.isAlive()) {
            fail(t.getName() + " still runs after " + LIVENESS + ": " + stack(t));
        }
    }

    /** Waits until {@code condition} holds, yielding; fails after {@link #LIVENESS}. */
    public static void until(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + LIVENESS.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not within " + LIVENESS + ": " + what);
            }
            java.lang.Thread.onSpinWait();
            java.lang.Thread.yield();
        }
    }

    /**
     * Waits until {@code t} is parked (WAITING or TIMED_WAITING) inside a method of {@code where}:
     * the way tests order waiters without sleeping.
     */
    public static void untilParkedIn(java.lang.Thread t, Class<?> where) {
        until(t.getName() + " parked in " + where.getSimpleName(), () -> parkedIn(t, where));
    }

    /** Whether {@code t} is parked (WAITING or TIMED_WAITING) inside a method of {@code where} now. */
    public static boolean parkedIn(java.lang.Thread t, Class<?> where) {
        java.lang.Thread.State s = t.getState();
        if (s != java.lang.Thread.State.WAITING && s != java.lang.Thread.State.TIMED_WAITING) {
            return false;
        }
        String name = where.getName();
        for (StackTraceElement frame : t.getStackTrace()) {
            String c = frame.getClassName();
            if (c.equals(name) || c.startsWith(name + "$")) {     // the class or one nested in it
                return true;
            }
        }
        return false;
    }

    /** Waits until {@code t} is parked anywhere. */
    public static void untilParked(java.lang.Thread t) {
        until(t.getName() + " parked", () -> {
            java.lang.Thread.State s = t.getState();
            return s == java.lang.Thread.State.WAITING || s == java.lang.Thread.State.TIMED_WAITING;
        });
    }

    /**
     * Runs {@code blockingCall} in another thread, interrupts it once it is parked inside a method
     * of {@code where}, and asserts that the call threw {@link InterruptedError} (caused by an
     * {@link InterruptedException}) with the thread's interrupt flag set again.
     */
    public static InterruptedError assertInterruptible(Class<?> where, Runnable blockingCall) {
        Async<Void> a = run("interruptee", blockingCall);
        untilParkedIn(a.thread(), where);
        a.thread().interrupt();
        Throwable thrown = a.failure();
        InterruptedError e = assertInstanceOf(InterruptedError.class, thrown);
        assertInstanceOf(InterruptedException.class, e.interruption());
        assertTrue(a.interruptedAtEnd(), "interrupt flag restored");
        return e;
    }

    /** Asserts that {@code t} is alive, ends once {@code release} runs, and not before. */
    public static void assertBlockedUntil(java.lang.Thread t, Runnable release) {
        assertTrue(t.isAlive(), t.getName() + " is blocked");
        release.run();
        join(t);
        assertFalse(t.isAlive());
    }

    /** Asserts that the value of {@code expected} equals {@code actual}, naming the property. */
    public static void assertCount(String what, long expected, long actual) {
        assertEquals(expected, actual, what);
    }

    private static String stack(java.lang.Thread t) {
        StringBuilder b = new StringBuilder();
        for (StackTraceElement e : t.getStackTrace()) {
            b.append("\n\tat ").append(e);
        }
        return b.toString();
    }
}
