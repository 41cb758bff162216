package dev.pyconc.multiprocessing.internal;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

import dev.pyconc.multiprocessing.Process;
import dev.pyconc.multiprocessing.SerializableRunnable;

/**
 * The main class of a child JVM (Python's {@code multiprocessing.spawn.spawn_main}): reads its
 * {@link LaunchRecord} from the private channel, becomes the process it describes, runs it, and
 * exits with Python's exit codes: 0 when {@code run()} returns (after the JVM's non-daemon
 * threads end), 1 when it throws (after printing "Process NAME:" and the stack trace on
 * stderr), n on {@code System.exit(n)}.
 *
 * <p>A watchdog thread ends the JVM within a second of its parent's death, kill -9 included.
 * With the argument {@code --spare} the JVM first warms up, then waits for its record
 * (see {@link Spares}).
 */
public final class ChildMain {
    /*
     * Overview.
     *
     * The watchdog compares this process's parent pid with the pid of the parent named in the
     * record every WATCH_MILLIS: when the parent dies, the kernel gives its children a new parent
     * (init or a subreaper), so a change means the parent is gone, and a recycled pid cannot fool
     * the check. It does not rely on end of file on the channel: the parent closes the channel
     * once the record is sent (and the JDK closes it when it signals a child). On the parent's
     * death the child runs its shutdown hooks (which terminate its own children), and is halted
     * HALT_MILLIS later if a hook hangs.
     *
     * Nothing here touches SLF4J or the GIL runtime: a child that does not use pyconc's
     * primitives never loads them, and starts faster.
     */

    private static final long WATCH_MILLIS = 250;
    private static final long HALT_MILLIS = 3_000;

    private ChildMain() {}

    /**
     * Runs the process the parent sends.
     *
     * @param args empty, or {@code --spare}
     */
    public static void main(String[] args) {
        InputStream channel = new BufferedInputStream(new FileInputStream(FileDescriptor.in), 1 << 16);
        if (args.length > 0 && Spares.SPARE_ARGUMENT.equals(args[0])) {
            warmUp();
        }
        LaunchRecord record;
        try {
            record = LaunchRecord.readFrom(channel);
        } catch (EOFException parentGone) {
            Runtime.getRuntime().halt(0);       // the parent ended, or discarded this spare
            return;
        } catch (IOException e) {
            System.err.println("pyconc: cannot read the process to run from the parent: " + e.getMessage());
            Runtime.getRuntime().halt(1);
            return;
        }
        System.setIn(InputStream.nullInputStream());
        watchParent(record.parentPid());
        ExitHook.child(record.exitMarker());

        Process process;
        try {
            process = (Process) record.readPayload();
        } catch (Exception | LinkageError e) {
            System.err.println("Process " + record.childName() + ": cannot receive its target from the parent"
                    + " (every class it refers to must be on the child's class path or module path, which are the parent's):");
            e.printStackTrace();
            System.exit(1);
            return;
        }
        ProcessBridge.get().becomeChild(process, record.parentPid(), record.parentName());
        try {
            process.run();
        } catch (Throwable t) {
            System.err.println("Process " + process.name() + ":");
            t.printStackTrace();
            awaitNonDaemonThreads();
            System.exit(1);
        }
        // Returning lets the JVM wait for the non-daemon threads, then exit with 0.
    }

    /** Starts the daemon thread that ends this JVM when the parent dies. */
    private static void watchParent(long parentPid) {
        Thread.ofPlatform().daemon().name("pyconc-parent-watch").start(() -> {
            try {
                Thread.sleep(WATCH_MILLIS);
                ProcessHandle me = ProcessHandle.current();
                boolean direct = me.parent().map(ProcessHandle::pid).orElse(-1L) == parentPid;
                Optional<ProcessHandle> parent = ProcessHandle.of(parentPid);
                while (direct ? me.parent().map(ProcessHandle::pid).orElse(-1L) == parentPid
                              : parent.map(ProcessHandle::isAlive).orElse(false)) {
                    Thread.sleep(WATCH_MILLIS);
                }
            } catch (InterruptedException e) {
                return;
            }
            ExitHook.parentDied();
            Thread.ofPlatform().daemon().name("pyconc-halt").start(() -> {
                try {
                    Thread.sleep(HALT_MILLIS);
                } catch (InterruptedException ignored) {
                    // halt anyway
                }
                Runtime.getRuntime().halt(1);
            });
            System.exit(1);
        });
    }

    /** Waits until every other live non-daemon platform thread has ended, as the JVM does when main returns. */
    private static void awaitNonDaemonThreads() {
        Thread me = Thread.currentThread();
        for (;;) {
            Thread other = null;
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t != me && !t.isDaemon() && t.isAlive() && !t.getName().equals("DestroyJavaVM")) {
                    other = t;
                    break;
                }
            }
            if (other == null) {
                return;
            }
            try {
                other.join();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Loads and runs, once, what receiving a process needs (serialization of a capturing lambda,
     * the classes of this package), so that a spare JVM starts its process sooner.
     */
    private static void warmUp() {
        try {
            int[] sum = {0};
            int one = 1;
            SerializableRunnable r = () -> sum[0] += one;
            ((Runnable) LaunchRecord.deserialize(LaunchRecord.serialize(r))).run();
            Class.forName(Process.class.getName(), true, ChildMain.class.getClassLoader());
            ProcessHandle.current().parent();
        } catch (Exception | LinkageError ignored) {
            // only a warm-up
        }
    }
}
