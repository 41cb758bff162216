package dev.pyconc.gil;

import java.time.Duration;
import java.util.function.Supplier;

import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.threading.Held;

/**
 * pyconc's optional global interpreter lock: while it is on, at most one <em>attached</em> thread
 * runs at a time, and threads take turns the way CPython's threads do (ceval_gil.c, the "new GIL"
 * of Python 3.2+). It exists to port Python programs whose correctness or timing leans on the GIL,
 * and to show its effect; it is off by default.
 *
 * <pre> {@code
 * Gil.enable();                        // or -Dpyconc.gil=1, or PYCONC_GIL=1
 * var t = new Thread(() -> fib(27));   // dev.pyconc.threading.Thread: attached
 * t.start();
 * fib(27);                             // the two fib calls take turns, as in CPython
 * t.join();                            // join waits with the GIL dropped
 *
 * static int fib(int n) {
 *     Gil.checkpoint();                // where CPython's eval loop would check its eval breaker
 *     return n < 2 ? n : fib(n - 1) + fib(n - 2);
 * }
 * }</pre>
 *
 * <h2>Who holds it</h2>
 * Attached threads: pyconc {@link dev.pyconc.threading.Thread}s, {@link dev.pyconc.threading.Timer}s
 * and {@link dev.pyconc.futures.ThreadPoolExecutor} workers, the thread that called
 * {@link #enable()}, and any thread inside {@link #attach()} (like {@code PyGILState_Ensure}).
 * Other threads of the JVM never hold it and are not slowed by it.
 *
 * <h2>When it changes hands</h2>
 * <ul>
 * <li>At a checkpoint: {@link #checkpoint()} and every pyconc call. A thread that has waited a
 *     whole switch interval (5 ms by default, {@link #setSwitchInterval}) sets a drop request;
 *     the holder drops the GIL at its next checkpoint and does not take it again before another
 *     thread has taken it.</li>
 * <li>Around every blocking call of pyconc (acquire, await, put/get, join, result, sleep, waits of
 *     processes and event loops), which drops the GIL while it blocks and retakes it after, as
 *     {@code Py_BEGIN_ALLOW_THREADS} does; {@link #allowThreads(Runnable)} does the same around
 *     your own code (blocking I/O, {@link java.lang.Thread#sleep}).</li>
 * </ul>
 * Code that never reaches a checkpoint keeps the GIL, as a C extension that does not release it
 * does in CPython. A holder that ends without dropping the GIL is noticed by the waiters within
 * a switch interval.
 *
 * <p>Memory consistency effects: actions of a thread before it drops the GIL
 * <i>happen-before</i> actions of the thread that takes it next. See the
 * <a href="package-summary.html#MemoryVisibility">package summary</a>.
 */
public final class Gil {
    private Gil() {}

    /**
     * Turns GIL mode on; the calling thread is attached from then on and holds the GIL. Threads
     * attached before take it at their next checkpoint or blocking call. Idempotent.
     */
    public static void enable() {
        GilRuntime.enable();
    }

    /** Turns GIL mode off: attached threads run freely from now on. Idempotent. */
    public static void disable() {
        GilRuntime.disable();
    }

    /** Whether GIL mode is on. */
    public static boolean isEnabled() {
        return GilRuntime.isEnabled();
    }

    /**
     * Sets the switch interval: how long a thread waits for the GIL before it asks the holder to
     * drop it. Python: {@code sys.setswitchinterval}.
     *
     * @throws IllegalArgumentException if the interval is not positive
     */
    public static void setSwitchInterval(Duration interval) {
        GilRuntime.setSwitchInterval(interval);
    }

    /** The switch interval; 5 ms unless set. Python: {@code sys.getswitchinterval}. */
    public static Duration getSwitchInterval() {
        return GilRuntime.getSwitchInterval();
    }

    /**
     * A checkpoint: if another thread asked for the GIL and the caller holds it, the caller hands
     * it over and waits its turn. With nothing pending this is a single volatile read.
     */
    public static void checkpoint() {
        GilRuntime.checkpoint();
    }

    /** Runs {@code body} with the GIL dropped, retaking it afterwards (Py_BEGIN/END_ALLOW_THREADS). */
    public static void allowThreads(Runnable body) {
        boolean dropped = GilRuntime.beginBlocking();
        try {
            body.run();
        } finally {
            GilRuntime.endBlocking(dropped);
        }
    }

    /** As {@link #allowThreads(Runnable)}, returning {@code body}'s result. */
    public static <T> T allowThreads(Supplier<T> body) {
        boolean dropped = GilRuntime.beginBlocking();
        try {
            return body.get();
        } finally {
            GilRuntime.endBlocking(dropped);
        }
    }

    /**
     * Attaches the calling thread until the returned scope is closed, taking the GIL when GIL
     * mode is on (like {@code PyGILState_Ensure}/{@code Release}). Scopes nest.
     *
     * <pre> {@code
     * try (var _ = Gil.attach()) {
     *     ... // runs only while holding the GIL, when GIL mode is on
     * }
     * }</pre>
     */
    public static Held attach() {
        GilRuntime.attach();
        return GilRuntime::detach;
    }

    /** The GIL's counters since start-up. */
    public static GilStats stats() {
        long[] c = GilRuntime.counters();
        return new GilStats(c[0], c[1], c[2], c[3], Duration.ofNanos(c[4]));
    }
}
