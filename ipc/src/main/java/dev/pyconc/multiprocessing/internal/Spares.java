package dev.pyconc.multiprocessing.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The forkserver start method: one pre-started spare JVM that has booted and warmed its
 * deserialization machinery, and waits on its private channel for a process to run. A start()
 * takes it when it was launched with exactly the command and environment the new process needs
 * (same flags, same {@code pyconc.*} properties, same GIL mode), and launches the next spare.
 */
public final class Spares {
    /*
     * Overview.
     *
     * The spare is a child JVM like any other, started with the extra argument --spare. Until it
     * receives its launch record it runs no user code; when its channel reaches end of file (this
     * JVM exited, was killed, or discarded it) it halts at once, so a spare never outlives its
     * parent, whatever the way the parent ends. This JVM also kills it at exit and whenever it is
     * discarded. spare and closed are guarded by the class monitor; a spare launched after
     * shutdown() is killed as soon as its launch returns.
     */

    /** The argument that makes ChildMain wait as a spare. */
    static final String SPARE_ARGUMENT = "--spare";

    private static Spare spare;         // guarded by Spares.class
    private static boolean closed;      // guarded by Spares.class

    private record Spare(List<String> command, Map<String, String> environment, java.lang.Process process) {
        void discard() {
            process.destroyForcibly();
        }
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

    /** Launches, in the background, a spare for the next process that needs {@code command} and {@code environment}. */
    static void replenish(List<String> command, Map<String, String> environment) {
        synchronized (Spares.class) {
            if (closed || spare != null) {
                return;
            }
        }
        Thread.ofVirtual().name("pyconc-spare-launcher").start(() -> {
            List<String> spareCommand = new ArrayList<>(command);
            spareCommand.add(SPARE_ARGUMENT);
            java.lang.Process p;
            try {
                p = Popen.spawn(spareCommand, environment);
            } catch (RuntimeException e) {
                return;         // the next start() launches a JVM the usual way and reports the failure
            }
            Spare s = new Spare(command, environment, p);
            Spare old;
            synchronized (Spares.class) {
                if (closed) {
                    old = s;
                } else {
                    old = spare;
                    spare = s;
                }
            }
            if (old != null) {
                old.discard();
            }
        });
    }

    /** Discards the spare, if any, for example when the start method changes. */
    public static void discard() {
        Spare s;
        synchronized (Spares.class) {
            s = spare;
            spare = null;
        }
        if (s != null) {
            s.discard();
        }
    }

    /** At exit: discards the spare and launches no more. */
    static void shutdown() {
        synchronized (Spares.class) {
            closed = true;
        }
        discard();
    }
}
