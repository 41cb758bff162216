package dev.pyconc.multiprocessing;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectStreamClass;
import java.lang.invoke.MethodHandles;

import dev.pyconc.ipc.internal.launch.ExitHook;
import dev.pyconc.ipc.internal.launch.LaunchRecord;
import dev.pyconc.ipc.internal.launch.ProcessPayload;
import dev.pyconc.ipc.internal.launch.Spares;
import dev.pyconc.ipc.internal.shm.ResourceTracker;

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
 *
 * <p>It lives beside {@link Process} and {@link Multiprocessing}, whose non-public parts it needs
 * (a process made of the parts received, the child's own process and its parent); the launch
 * wing of the internals ({@code dev.pyconc.ipc.internal.launch}) provides the rest.
 */
final class ChildMain {

    private static final long WATCH_MILLIS = 250;
    private static final long HALT_MILLIS = 3_000;
    private static final long TRAINING_LIMIT_MILLIS = 120_000;

    /*
     * Overview.
     *
     * The watchdog compares this process's parent pid with the pid of the parent named in the
     * record every WATCH_MILLIS: when the parent dies, the kernel gives its children a new parent
     * (init or a subreaper), so a change means the parent is gone, and a recycled pid cannot fool
     * the check. It does not rely on end of file on the channel: the parent closes the channel
     * once the record is sent (and the JDK closes it when it signals a child). On the parent's
     * death the child runs its shutdown hooks (which terminate its own children), and is halted
     * HALT_MILLIS later if a hook hangs. A spare JVM, which has no record yet, leaves at end of
     * file on its channel instead: its parent closes it, or dies. A record with parent pid 0 is an
     * AOT cache training run (see AotCache), which ends by itself and is halted after
     * TRAINING_LIMIT_MILLIS at the latest.
     *
     * Start-up time is what matters here, so this class uses no lambda (the first one costs the
     * JVM several milliseconds), never touches SLF4J or the GIL runtime (a child that does not
     * use pyconc's primitives never loads them), and reads its record first: a process in
     * pyconc's own form (ProcessPayload, the common case) needs no ObjectInputStream, whose first
     * use in a JVM costs 16 to 25 ms. What reading the process needs first (the deserialization
     * filter configuration for Java serialization, the standard codec for captured values in
     * pyconc's form) is set up on a second thread, and the child joins the segment tracker's tree
     * on a third, while the main thread loads pyconc's classes and reads the process; it waits for
     * the tree's journal before the target runs. A spare does all it can before its record
     * arrives: watchdog thread, shutdown hook, serialization machinery, pyconc's classes, its
     * journal in the parent's tracker tree. The AOT cache's training run, whose process is in
     * pyconc's form, then also runs that warm-up, so that the cache holds the classes of Java
     * serialization as well.
     */

    private ChildMain() {}

    /**
     * Runs the process the parent sends.
     *
     * @param args empty, or {@code --spare}
     */
    public static void main(String[] args) {
        boolean spare = args.length > 0 && Spares.SPARE_ARGUMENT.equals(args[0]);
        InputStream channel = new BufferedInputStream(new FileInputStream(FileDescriptor.in), 1 << 16);
        LaunchRecord record = spare ? null : readRecord(channel);
        boolean serialized = record != null && !ProcessPayload.isNative(record.payload());
        if (serialized || (record != null && ProcessPayload.capturesValues(record.payload()))) {
            new Preparation(serialized).start();
        }
        TreeJoin treeJoin = new TreeJoin();
        treeJoin.start();
        Watchdog watchdog = new Watchdog();
        watchdog.start();
        ExitHook.install();
        if (spare) {
            if (!recordArrived(channel)) {
                warmUp();
            }
            record = readRecord(channel);
        }
        System.setIn(InputStream.nullInputStream());
        boolean training = record.parentPid() == 0;
        if (!training) {
            watchdog.watch(record.parentPid());
        } else {
            haltAfter(TRAINING_LIMIT_MILLIS);   // an AOT cache training run: bounded, whoever its parent
        }
        ExitHook.child(record.exitMarker());
        if (serialized) {
            ObjectStreamClass.lookup(Process.class);     // while Preparation sets up the streams
        }

        Process process;
        try {
            process = readProcess(record);
        } catch (Exception | LinkageError e) {
            System.err.println("Process " + record.childName() + ": cannot receive its target from the parent"
                    + " (every class it refers to must be on the child's class path or module path, which are the parent's):");
            e.printStackTrace();
            System.exit(1);
            return;
        }
        if (training) {
            warmUp();                           // Java serialization too, so that the cache holds its classes
        }
        treeJoin.await();                       // a member of the parent's tree before the target runs
        Multiprocessing.becomeChild(process, record.parentPid(), record.parentName());
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

    /**
     * Initializes, on another CPU, what reading the process will need first, while the main
     * thread loads the classes it will need and joins the tracker's tree: for a process in Java
     * serialization, what the first {@link java.io.ObjectInputStream} of a JVM initializes (the
     * JVM-wide deserialization filter configuration: its logger, the security properties: 16 to
     * 25 ms of a fresh JVM); for one in pyconc's own form whose lambda captures values, the
     * standard codec (with the FFM value layouts of {@code Codec}: 5 to 10 ms).
     */
    private static final class Preparation extends Thread {
        private final boolean serialized;

        Preparation(boolean serialized) {
            super("pyconc-prepare");
            setDaemon(true);
            this.serialized = serialized;
        }

        @Override
        public void run() {
            if (serialized) {
                java.io.ObjectInputFilter.Config.getSerialFilterFactory();
            } else {
                StandardCodec.DEFAULT.maxItemBytes();
            }
        }
    }

    /**
     * Joins the parent's segment tracker tree ({@link ResourceTracker#joinIfChild()}: the journal
     * file, 5 to 8 ms of a fresh JVM's first file operations) on another CPU while the main thread
     * reads its process; the main thread waits for it before the target runs.
     */
    private static final class TreeJoin extends Thread {
        TreeJoin() {
            super("pyconc-tree-join");
            setDaemon(true);
        }

        @Override
        public void run() {
            ResourceTracker.joinIfChild();
        }

        /** Waits until this thread has joined the tree, keeping an interrupt for the target. */
        void await() {
            boolean interrupted = false;
            while (isAlive()) {
                try {
                    join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The daemon thread that ends this JVM when the parent dies. */
    private static final class Watchdog extends Thread {
        private volatile long parentPid;    // 0 until the record names the parent

        Watchdog() {
            super("pyconc-parent-watch");
            setDaemon(true);
        }

        void watch(long pid) {
            parentPid = pid;
        }

        @Override
        public void run() {
            try {
                long pid;
                while ((pid = parentPid) == 0) {
                    Thread.sleep(WATCH_MILLIS);
                }
                ProcessHandle me = ProcessHandle.current();
                boolean direct = parentOf(me) == pid;
                while (direct ? parentOf(me) == pid : ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    Thread.sleep(WATCH_MILLIS);
                }
            } catch (InterruptedException e) {
                return;
            }
            ExitHook.parentDied();
            haltAfter(HALT_MILLIS);
            System.exit(1);
        }

        private static long parentOf(ProcessHandle me) {
            return me.parent().map(ProcessHandle::pid).orElse(-1L);
        }
    }

    /** Starts a daemon thread that halts this JVM with exit code 1 after {@code millis}. */
    private static void haltAfter(long millis) {
        Thread halt = new Thread("pyconc-halt") {
            @Override
            public void run() {
                try {
                    Thread.sleep(millis);
                } catch (InterruptedException ignored) {
                    // halt anyway
                }
                Runtime.getRuntime().halt(1);
            }
        };
        halt.setDaemon(true);
        halt.start();
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

    /** Reads the launch record; halts this JVM if the parent went away before sending it, or sent garbage. */
    private static LaunchRecord readRecord(InputStream channel) {
        try {
            return LaunchRecord.readFrom(channel);
        } catch (EOFException parentGone) {
            Runtime.getRuntime().halt(0);       // the parent ended, or discarded this spare
        } catch (IOException e) {
            System.err.println("pyconc: cannot read the process to run from the parent: " + e.getMessage());
            Runtime.getRuntime().halt(1);
        }
        throw new AssertionError("halted");
    }

    /**
     * The process the record's payload describes, resolving classes as this main class does
     * (application class loader): read in pyconc's own form ({@link ProcessPayload}) when the
     * parent wrote that, by Java serialization otherwise.
     */
    private static Process readProcess(LaunchRecord record) throws IOException, ClassNotFoundException {
        byte[] payload = record.payload();
        if (ProcessPayload.isNative(payload)) {
            return new Process(ProcessPayload.decode(payload, ChildMain.class.getClassLoader(), SerializableRunnable.class));
        }
        return (Process) LaunchRecord.deserialize(payload);
    }

    /** Whether the launch record is already there (then a spare goes straight to it). */
    private static boolean recordArrived(InputStream channel) {
        try {
            return channel.available() > 0;
        } catch (IOException e) {
            return true;
        }
    }

    /** A capturing serializable lambda, for the warm-up of Java serialization. */
    private static SerializableRunnable sample(int[] sum, int add) {
        return () -> sum[0] += add;
    }

    /** A lambda that captures a string, for the warm-up of pyconc's own form. */
    private static SerializableRunnable sample(String s) {
        return () -> s.hashCode();
    }

    /**
     * Loads and runs, once, what receiving a process needs (serialization of a capturing lambda,
     * a lambda in pyconc's own form, the serial form of {@link Process}, pyconc's classes), so
     * that a spare JVM starts its process sooner. Creates no {@code Process}: that would make this JVM the main process.
     */
    private static void warmUp() {
        try {
            int[] sum = {0};
            ((Runnable) LaunchRecord.deserialize(LaunchRecord.serialize(sample(sum, 1)))).run();
            byte[] own = ProcessPayload.encode(new ProcessPayload.Parts(sample("warm-up"), "warm-up", false, new int[] {0}, 0));
            ProcessPayload.decode(own, ChildMain.class.getClassLoader(), SerializableRunnable.class).target().run();
            ObjectStreamClass.lookup(Process.class);
            MethodHandles.lookup().ensureInitialized(Process.class);
            ProcessHandle.current().parent();
            ResourceTracker.joinIfChild();      // the spare is a child of the tree already: join it now, not when its process starts
        } catch (Exception | LinkageError ignored) {
            // only a warm-up
        }
    }
}
