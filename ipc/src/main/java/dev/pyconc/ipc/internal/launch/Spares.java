package dev.pyconc.ipc.internal.launch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The forkserver start method: one pre-started spare JVM that has booted and warmed its
 * deserialization machinery, and waits on its private channel for a process to run. A start()
 * takes it when it was launched with exactly the command and environment the new process needs
 * (same flags, same {@code pyconc.*} properties, same GIL mode), and launches the next spare
 * once that process has ended or has run for a moment.
 */
public final class Spares {

    /** How long the launch of the next spare waits for the process just started to end. */
    static final long REPLENISH_DELAY_MILLIS = 100;

    /** The argument that makes the child's main class wait as a spare. */
    public static final String SPARE_ARGUMENT = "--spare";

    private static Spare spare;         // guarded by Spares.class
    private static Pending pending;     // guarded by Spares.class: the launch in progress, if any
    private static boolean closed;      // guarded by Spares.class

    /*
     * Overview.
     *
     * The spare is a child JVM like any other, started with the extra argument --spare. Until it
     * receives its launch record it runs no user code; when its channel reaches end of file (this
     * JVM exited, was killed, or discarded it) it halts at once, so a spare never outlives its
     * parent, whatever the way the parent ends. This JVM also kills it at exit and whenever it is
     * discarded.
     *
     * At most one JVM boots for each process. The next spare is launched by a virtual thread
     * that first waits (DELAYING) until the process just started ends or REPLENISH_DELAY_MILLIS
     * pass, then launches the JVM (SPAWNING, a few milliseconds), then publishes it:
     *
     *   take() finds:   a spare            -> uses it (even if it still boots: the record waits
     *                                         in the pipe, and a spare that finds its record
     *                                         there skips its warm-up)
     *                   a launch DELAYING  -> cancels it; the caller launches a JVM of its own
     *                   a launch SPAWNING  -> waits for it, then as above
     *                   nothing            -> the caller launches a JVM of its own
     *
     * spare, pending and closed are guarded by the class monitor, which take() also waits on.
     */

    private record Spare(List<String> command, Map<String, String> environment, java.lang.Process process) {
        void discard() {
            process.destroyForcibly();
        }
    }

    /** A launch in progress. Fields guarded by Spares.class. */
    private static final class Pending {
        boolean spawning;       // past its delay: the JVM is being launched
        boolean cancelled;      // a take() wanted a JVM before the delay ended, or discard() came
    }

    private Spares() {}

    /**
     * Takes the spare if it matches {@code command} and {@code environment} and is alive;
     * discards it otherwise.
     *
     * @return the spare's process, or {@code null}
     */
    static java.lang.Process take(List<String> command, Map<String, String> environment) {
        Spare s;
        synchronized (Spares.class) {
            while (spare == null && pending != null && pending.spawning) {
                try {
                    Spares.class.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
            if (spare == null && pending != null) {
                pending.cancelled = true;
                pending = null;
            }
            s = spare;
            spare = null;
        }
        if (s == null) {
            return null;
        }
        if (!s.command().equals(command) || !s.environment().equals(environment) || !s.process().isAlive()) {
            s.discard();
            return null;
        }
        return s.process();
    }

    /**
     * Launches, in the background, a spare for the next process that needs {@code command} and
     * {@code environment}, once {@code previous} (the process just started) has ended or
     * {@link #REPLENISH_DELAY_MILLIS} have passed: the boot of a JVM takes a good part of a CPU,
     * which a short process just started should not have to share.
     */
    static void replenish(List<String> command, Map<String, String> environment, java.lang.Process previous) {
        Pending launch = new Pending();
        synchronized (Spares.class) {
            if (closed || spare != null || pending != null) {
                return;
            }
            pending = launch;
        }
        Thread.ofVirtual().name("pyconc-spare-launcher").start(() -> {
            try {
                previous.waitFor(REPLENISH_DELAY_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                // launch now
            }
            synchronized (Spares.class) {
                if (launch.cancelled || closed) {
                    return;
                }
                launch.spawning = true;
            }
            List<String> spareCommand = new ArrayList<>(command);
            spareCommand.add(SPARE_ARGUMENT);
            java.lang.Process p = null;
            try {
                p = Popen.spawn(spareCommand, environment);
            } catch (RuntimeException e) {
                // no spare: the next start() launches a JVM the usual way and reports the failure
            }
            Spare discard = null;
            synchronized (Spares.class) {
                if (pending == launch) {
                    pending = null;
                }
                if (p != null) {
                    Spare s = new Spare(command, environment, p);
                    if (launch.cancelled || closed || spare != null) {
                        discard = s;
                    } else {
                        spare = s;
                    }
                }
                Spares.class.notifyAll();
            }
            if (discard != null) {
                discard.discard();
            }
        });
    }

    /**
     * Discards the spare, if any, and cancels a launch in progress (a JVM it launches is killed),
     * for example when the start method changes.
     */
    public static void discard() {
        Spare s;
        synchronized (Spares.class) {
            s = spare;
            spare = null;
            if (pending != null) {
                pending.cancelled = true;
                pending = null;
            }
            Spares.class.notifyAll();
        }
        if (s != null) {
            s.discard();
        }
    }

    /** At exit: discards the spare and launches no more. */
    static void shutdown() {
        synchronized (Spares.class) {
            closed = true;
            Spares.class.notifyAll();
        }
        discard();
    }
}
