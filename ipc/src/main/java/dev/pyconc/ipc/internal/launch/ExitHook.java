package dev.pyconc.ipc.internal.launch;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a JVM that runs processes does when it exits, in one shutdown hook (Python's
 * {@code multiprocessing.util._exit_function}): it kills the spare JVM, terminates its daemon
 * children and waits for its other children, as Python does; and, in a child, it first flushes
 * {@code System.out} and {@code System.err} and finally creates the exit marker that tells the
 * parent the exit was a normal one (see {@link Popen}).
 */
public final class ExitHook {

    private static final AtomicBoolean installed = new AtomicBoolean();
    private static final long DAEMON_GRACE_NANOS = 5_000_000_000L;
    private static volatile boolean running;
    private static volatile String marker;
    private static volatile boolean parentDied;

    /*
     * Overview.
     *
     * Shutdown started by     daemon children          other children           exit marker (child)
     * --------------------    ----------------------   ----------------------   -------------------
     * main returned, or       SIGTERM, wait <= 5 s,    waited for, without      created
     *   System.exit(n)          then SIGKILL             limit (Python joins)
     * SIGTERM/SIGINT/SIGHUP   SIGTERM, wait <= 5 s,    as daemon children       not created
     *                           then SIGKILL
     * death of the parent     as above                 as daemon children       not created
     *
     * A shutdown started by a signal runs in the JDK's thread named "SIGTERM handler" (or SIGINT,
     * SIGHUP), which stays alive while the hooks run: that is how the hook tells it from
     * System.exit. The fields are volatile; installed guards the one registration. No lambda here:
     * children install the hook while they start (see the child's main class,
     * dev.pyconc.multiprocessing.ChildMain).
     */

    private ExitHook() {}

    /**
     * Registers the hook once.
     *
     * @throws IllegalStateException if the JVM is already shutting down
     */
    public static void install() {
        if (running) {
            throw new IllegalStateException("cannot start a process while the JVM shuts down");
        }
        if (installed.get() || !installed.compareAndSet(false, true)) {
            return;
        }
        Thread hook = new Thread("pyconc-process-exit") {
            @Override
            public void run() {
                ExitHook.run();
            }
        };
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            throw new IllegalStateException("cannot start a process while the JVM shuts down", shuttingDown);
        }
    }

    /** In a child: the marker to create at a normal exit. */
    public static void child(String markerPath) {
        marker = markerPath;
        install();
    }

    /** In a child whose parent died: the exit that follows terminates its children and creates no marker. */
    public static void parentDied() {
        parentDied = true;
    }

    private static void run() {
        running = true;
        boolean abrupt = startedBySignal() || parentDied;
        if (marker != null) {
            flushStandardStreams();
        }
        Spares.shutdown();
        List<Popen> children = Children.active();
        for (Popen p : children) {
            if (abrupt || p.daemon()) {
                p.terminate();
            }
        }
        for (Popen p : children) {
            if (abrupt || p.daemon()) {
                if (p.await(DAEMON_GRACE_NANOS) == null) {
                    p.kill();
                    p.await(DAEMON_GRACE_NANOS);
                }
            } else {
                p.await(-1);
            }
        }
        String m = marker;
        if (m != null && !m.isEmpty() && !abrupt) {
            try {
                new File(m).createNewFile();
            } catch (IOException | SecurityException ignored) {
                // the parent then reads an exit value above 128 as a signal: nothing better to do
            }
        }
    }

    /**
     * In a child: what it wrote to {@code System.out} and {@code System.err} (streams it may have
     * replaced with buffered ones) is written out before it exits, as Python's child flushes its
     * standard streams when its process ends. A null or broken stream is skipped.
     */
    private static void flushStandardStreams() {
        for (PrintStream s : new PrintStream[] {System.out, System.err}) {
            if (s != null) {
                s.flush();      // a PrintStream never throws; it records an error in checkError()
            }
        }
    }

    /** Whether the running shutdown was started by SIGTERM, SIGINT or SIGHUP. */
    private static boolean startedBySignal() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() + 16];
        int n = root.enumerate(threads, true);
        for (int i = 0; i < n; i++) {
            String name = threads[i].getName();
            if (name.equals("SIGTERM handler") || name.equals("SIGINT handler") || name.equals("SIGHUP handler")) {
                return true;
            }
        }
        return false;
    }
}
