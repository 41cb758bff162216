package dev.pyconc.multiprocessing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

import dev.pyconc.ipc.internal.launch.Children;
import dev.pyconc.ipc.internal.launch.JvmCommand;
import dev.pyconc.ipc.internal.launch.Popen;
import dev.pyconc.ipc.internal.launch.Spares;

/**
 * The module-level functions of Python's {@code multiprocessing} module.
 *
 * <pre> {@code
 * int n = Multiprocessing.cpuCount();
 * Process me = Multiprocessing.currentProcess();       // "MainProcess", or the child's own Process
 * Process parent = Multiprocessing.parentProcess();    // null in the main process
 * for (Process p : Multiprocessing.activeChildren()) p.terminate();
 * Multiprocessing.setStartMethod("forkserver");        // keep a pre-started JVM for the next start()
 * }</pre>
 *
 * <p><b>Start methods.</b> {@code "spawn"} (the default) launches a new JVM for every
 * {@link Process#start()}. {@code "forkserver"} keeps one spare JVM, launched with exactly the
 * command line and environment the next process needs, booted and waiting: {@code start()} hands
 * it the process and launches the next spare in the background. Python's forkserver forks a
 * server process; a JVM cannot be forked, so the spare is pyconc's equivalent. A spare runs no
 * user code until it receives a process, is killed when this JVM exits, and exits by itself if this
 * JVM is killed. The method is the system property {@code pyconc.multiprocessing.startMethod}, so
 * it can be set at launch ({@code -Dpyconc.multiprocessing.startMethod=forkserver}) and children
 * inherit it, as in Python.
 *
 * <p>Memory consistency effects: none beyond those of {@link Process}.
 */
public final class Multiprocessing {
    /** The system property that holds the start method. */
    static final String START_METHOD_PROPERTY = "pyconc.multiprocessing.startMethod";
    private static final List<String> START_METHODS = List.of("spawn", "forkserver");

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static volatile Process current;        // lazily MainProcess, or set once by becomeChild
    private static volatile Process parent;         // null in the main process
    private static volatile boolean startMethodSet;

    private Multiprocessing() {}

    /**
     * A two-way pipe between processes, Python's {@code multiprocessing.Pipe()}: both ends send
     * and receive. See {@link Connection}.
     */
    public static Connection.Pair pipe() {
        return Connection.pipe(true);
    }

    /**
     * A pipe between processes, Python's {@code multiprocessing.Pipe(duplex)}: two-way when
     * {@code duplex}; otherwise {@code conn1} only receives and {@code conn2} only sends.
     */
    public static Connection.Pair pipe(boolean duplex) {
        return Connection.pipe(duplex);
    }

    /**
     * The number of processors available to this JVM ({@link Runtime#availableProcessors()}): it
     * honours CPU affinity and container limits, as Python 3.13's {@code process_cpu_count()}
     * does, where {@code os.cpu_count()} counts every CPU of the machine.
     */
    public static int cpuCount() {
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * The {@link Process} of this JVM: named {@code MainProcess} in a JVM that pyconc did not start;
     * in a child, the very {@code Process} object (subclass included) the parent started, with its
     * name.
     */
    public static Process currentProcess() {
        Process p = current;
        if (p == null) {
            synchronized (Multiprocessing.class) {
                p = current;
                if (p == null) {
                    p = Process.mainProcess();
                    current = p;
                }
            }
        }
        return p;
    }

    /**
     * This JVM's parent process, seen from a child: its name and pid, {@code isAlive()} and
     * {@code join()}; {@code null} in the main process, as in Python.
     */
    public static Process parentProcess() {
        return parent;
    }

    /**
     * The children of this JVM that are still running. As in Python, children that have ended are
     * joined on the way (their exit codes are recorded).
     */
    public static List<Process> activeChildren() {
        List<Process> alive = new ArrayList<>();
        for (Popen p : Children.active()) {
            alive.add((Process) p.owner());
        }
        return alive;
    }

    /** The start method in use: {@code "spawn"} unless set otherwise. */
    public static String getStartMethod() {
        String method = System.getProperty(START_METHOD_PROPERTY);
        if (method == null || method.isBlank()) {
            return "spawn";
        }
        String normalized = method.trim().toLowerCase(Locale.ROOT);
        if (!START_METHODS.contains(normalized)) {
            throw new IllegalArgumentException("cannot find context for '" + method + "' (system property "
                    + START_METHOD_PROPERTY + "); the start methods are " + START_METHODS);
        }
        return normalized;
    }

    /**
     * Sets the start method, once, as Python's {@code set_start_method} does.
     *
     * @throws IllegalArgumentException if {@code method} is not one of {@link #getAllStartMethods()}
     * @throws IllegalStateException if the start method was set before (use {@code force})
     */
    public static void setStartMethod(String method) {
        setStartMethod(method, false);
    }

    /**
     * Sets the start method; with {@code force}, even if it was set before. Switching away from
     * {@code "forkserver"} kills the spare JVM.
     *
     * @throws IllegalArgumentException if {@code method} is not one of {@link #getAllStartMethods()}
     * @throws IllegalStateException if the start method was set before and {@code force} is false
     */
    public static synchronized void setStartMethod(String method, boolean force) {
        if (method == null || !START_METHODS.contains(method)) {
            throw new IllegalArgumentException("cannot find context for '" + method + "'; the start methods are " + START_METHODS);
        }
        if (startMethodSet && !force) {
            throw new IllegalStateException("context has already been set");
        }
        startMethodSet = true;
        System.setProperty(START_METHOD_PROPERTY, method);
        if (!method.equals("forkserver")) {
            Spares.discard();
        }
    }

    /**
     * Sets the {@code java} executable that child processes run from now on: Python's
     * {@code set_executable(executable)}. The children get this JVM's flags and class path as
     * always, so it must be a JDK 25 or newer that accepts them (a wrapper script that ends in
     * {@code exec java "$@"} is fine). A spare JVM of the forkserver started with the previous one
     * is discarded. Not thread-safe with process starts in progress, as in Python.
     *
     * @throws IllegalArgumentException if {@code java} is not an executable file
     */
    public static synchronized void setExecutable(Path java) {
        if (java == null) {
            throw new IllegalArgumentException("executable must not be null (this JVM's is java.home/bin/java, Python's sys.executable)");
        }
        JvmCommand.setExecutable(java);
        Spares.discard();
    }

    /** As {@link #setExecutable(Path)}, from a path name. */
    public static void setExecutable(String java) {
        if (java == null) {
            throw new IllegalArgumentException("executable must not be null (this JVM's is java.home/bin/java, Python's sys.executable)");
        }
        setExecutable(Path.of(java));
    }

    /** The {@code java} executable that child processes run: Python's {@code multiprocessing.spawn.get_executable()}. */
    public static Path getExecutable() {
        return Path.of(JvmCommand.executable());
    }

    /**
     * The default context, whose start method is the one {@link #getStartMethod()} gives at each
     * use: Python's {@code multiprocessing.get_context()}.
     */
    public static Context getContext() {
        return Context.DEFAULT;
    }

    /**
     * A context whose processes, pools and executors start with {@code method}, whatever the
     * global start method: Python's {@code multiprocessing.get_context(method)}; {@code null} gives the default context.
     *
     * @throws IllegalArgumentException if {@code method} is not one of {@link #getAllStartMethods()}
     */
    public static Context getContext(String method) {
        return Context.of(method);
    }

    /** The start methods this platform offers: {@code ["spawn", "forkserver"]}. */
    public static List<String> getAllStartMethods() {
        return START_METHODS;
    }

    /** The identity of a new process: the current process's, then the next number of this JVM's counter. */
    static int[] nextIdentity(int[] parentIdentity) {
        int[] identity = Arrays.copyOf(parentIdentity, parentIdentity.length + 1);
        identity[parentIdentity.length] = COUNTER.incrementAndGet();
        return identity;
    }

    /** In a child, before its target runs: {@code process} is the current process, its parent is {@code parentPid}. */
    static synchronized void becomeChild(Process process, long parentPid, String parentName) {
        if (current != null) {
            throw new IllegalStateException("this JVM is already " + current.name());
        }
        process.becomeSelf();
        parent = Process.parentView(parentPid, parentName);
        current = process;
    }
}
