package dev.pyconc.multiprocessing;

import java.io.IOException;
import java.io.NotSerializableException;
import java.io.Serial;
import java.io.Serializable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.core.internal.Interrupts;
import dev.pyconc.core.internal.Timeouts;
import dev.pyconc.ipc.internal.launch.AotCache;
import dev.pyconc.ipc.internal.launch.JvmCommand;
import dev.pyconc.ipc.internal.launch.LaunchRecord;
import dev.pyconc.ipc.internal.launch.Popen;
import dev.pyconc.ipc.internal.launch.ProcessPayload;
import dev.pyconc.ipc.internal.shm.InFlight;
import dev.pyconc.ipc.internal.shm.ResourceTracker;

/**
 * A process: a child JVM that runs a target, Python's {@code multiprocessing.Process}. Give it a
 * {@link SerializableRunnable}, or extend it and override {@link #run()}; then {@link #start()}
 * it and {@link #join()} it.
 *
 * <pre> {@code
 * var p = new Process(() -> System.out.println("hello from " + Multiprocessing.currentProcess().name()));
 * p.start();
 * p.join();
 * assert p.exitCode() == 0;
 *
 * var worker = Process.builder()
 *         .target(() -> crunch(42))
 *         .name("cruncher").daemon(true)
 *         .jvmArgs("-Xmx256m")
 *         .environment(Map.of("MODE", "batch"))
 *         .build();
 * }</pre>
 *
 * <p><b>How a child starts</b> (Python's "spawn" start method). {@link #start()} launches a new
 * JVM with this JVM's {@code java} executable, class path, module path and main module, the JVM
 * flags this JVM started with ({@code --enable-native-access}, {@code --add-opens},
 * {@code --patch-module}, {@code -Xmx}, ...), every {@code pyconc.*} system property as it is at
 * {@code start()}, GIL mode as it is at {@code start()} ({@code -Dpyconc.gil=1} or {@code 0}), then
 * the builder's {@code jvmArgs}. Flags that would make a second JVM fail (a debugger or JMX agent
 * listening on a fixed port) or overwrite this JVM's files (CDS/AOT archive dumps; GC logs,
 * unified logs and flight recordings named without {@code %p}) are not inherited. The child's
 * standard output and error are this JVM's; its standard input is empty. Once a background
 * training run has written an ahead-of-time cache for this command line (JDK 25's
 * {@code -XX:AOTCache}, in {@code ~/.cache/pyconc/aot}; {@code -Dpyconc.multiprocessing.aotCache=off}
 * turns it off), children start from it with about a third less CPU. With
 * {@link Multiprocessing#setStartMethod(String) setStartMethod("forkserver")}, a pre-started
 * spare JVM with exactly those flags takes the process, which starts it several times faster.
 *
 * <p><b>What travels.</b> The {@code Process} object itself (its target, name, daemon flag, and
 * the fields of a subclass) is sent to the child by Java serialization, as Python pickles it:
 * lambdas typed {@code SerializableRunnable} travel with the values they capture. Each class
 * involved must be serializable (otherwise {@code start()} throws
 * {@link IllegalArgumentException} naming the class, and nothing starts) and loadable in the child
 * from the parent's class path or module path: as Python's child re-imports the main module, the
 * child JVM loads the target's class anew, so static fields start from their initial values.
 * pyconc's shared objects (shared memory, {@code Value}, {@code Array}, cross-process locks and
 * events) travel as handles and attach to the same memory in the child. A plain {@code Process}
 * whose lambda captures only numbers, strings, byte arrays and lists, sets and maps of them
 * travels in a form of pyconc's own (the lambda's serialized form, the values in the standard
 * codec's format), which the child reads and rebuilds as Java serialization would, without
 * {@code ObjectInputStream}'s start-up cost (16 to 25 ms of a fresh JVM).
 *
 * <p><b>Exit codes</b>, as Python's {@link #exitCode()}: {@code null} while the child runs; 0 when
 * {@code run()} returned; 1 when it threw, after "Process NAME:" and the stack trace are printed on
 * the child's stderr; n after {@code System.exit(n)} in the child; {@code -s} when a signal s
 * killed it ({@link #terminate()}: -15, {@link #kill()}: -9). As in Python, the child waits for
 * its own non-daemon threads before it exits.
 *
 * <p><b>Lifetime.</b> When this JVM exits normally (main returns, or {@code System.exit}), it
 * terminates its daemon children and waits for the others, as Python does; when it is killed (kill
 * -9 included), every child notices within a second and exits. A daemon process cannot start
 * processes of its own, as in Python.
 *
 * <p>{@code Process} here is this class; write {@code java.lang.Process} for the JDK's.
 *
 * <p>Memory consistency effects: the child runs a copy of this object made by {@code start()};
 * later changes in the parent are not seen by the child. What the child writes to shared memory
 * before it ends <i>happens-before</i> the return of a {@link #join()} that sees it end, or of an
 * {@link #isAlive()} that returns {@code false}, or an {@link #exitCode()} that is not null (the
 * parent learns of the end through the kernel, after the child's last write).
 */
public class Process implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private static final long MY_PID = ProcessHandle.current().pid();

    private static final int NEW = 0;
    private static final int STARTING = 1;
    private static final int STARTED = 2;

    private static final int ROLE_CHILD = 0;    // created here to run in a child (or a copy received from elsewhere)
    private static final int ROLE_SELF = 1;     // the process of this JVM
    private static final int ROLE_PARENT = 2;   // this JVM's parent, seen from a child

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Process.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // Serialized: what the child needs to run and name this process.
    private final SerializableRunnable target;
    private volatile String name;
    private volatile boolean daemon;
    private final int[] identity;           // Python's _identity: the parent's identity, then a counter
    private final long creatorPid;          // the pid of the JVM that created it (Python's _parent_pid)

    // Never serialized: default values after deserialization.
    private transient volatile int state;                   // NEW -> STARTING -> STARTED; CAS through STATE
    private transient volatile Popen popen;                 // set once by start()
    private transient volatile boolean closed;
    private transient volatile int role;                    // ROLE_CHILD unless set by a factory below
    private transient long viewPid;                         // for ROLE_PARENT
    private transient List<String> jvmArgs;                 // null: none
    private transient Map<String, String> environment;      // null: none
    private transient String startMethod;                   // a context's start method, or null: the global one

    /*
     * Overview.
     *
     * One class plays three roles, as Python's BaseProcess does for Process, _MainProcess and
     * _ParentProcess:
     *   ROLE_CHILD   created in this JVM to run in a child; start() moves state NEW -> STARTING
     *                -> STARTED by CAS and sets popen, the handle that launches, waits for and
     *                signals the child JVM (internal.Popen). A copy of it received from another
     *                JVM has a creatorPid that is not this JVM's, so start/join/isAlive refuse it.
     *   ROLE_SELF    the process of this JVM: MainProcess in a JVM started otherwise, or, in a
     *                child, the object received from the parent (Multiprocessing sets the role).
     *   ROLE_PARENT  a child's view of its parent: pid and name only.
     *
     * start() serializes this object (the transient fields stay behind), builds the child's
     * command line (JvmCommand) and hands both to Popen.launch (both of the internals' launch
     * wing). The child's side is ChildMain, in this package. name and daemon are volatile so that
     * a getter in any thread sees the last setter; the transient fields of a deserialized copy
     * keep their default values.
     */

    /**
     * How to build a {@link Process} with Python's keyword arguments, plus the child JVM's own
     * settings: {@code Process.builder().target(f).name("w").daemon(true).jvmArgs("-Xmx1g").build()}.
     */
    public static final class Builder {
        private SerializableRunnable target;
        private String name;
        private Boolean daemon;
        private final List<String> jvmArgs = new ArrayList<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private String startMethod;                          // set by a Context's builder

        private Builder() {}

        Builder startMethod(String method) {
            this.startMethod = method;
            return this;
        }

        /** What {@code run()} calls; none by default. */
        public Builder target(SerializableRunnable target) {
            this.target = target;
            return this;
        }

        /** The name; {@code Process-N} by default ({@code Process-N:M} for a child's children, as in Python). */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /**
         * Whether the process is a daemon: terminated when this JVM exits instead of waited for, and
         * not allowed to start processes. By default, the current process's flag.
         */
        public Builder daemon(boolean daemon) {
            this.daemon = daemon;
            return this;
        }

        /**
         * JVM options for the child, after the inherited ones (so {@code -Xmx512m} here wins over
         * the parent's {@code -Xmx}). Write options that take a value in one piece
         * ({@code --add-opens=java.base/java.lang=ALL-UNNAMED}). Appends to earlier calls.
         *
         * @throws IllegalArgumentException if an argument is null, blank, not an option, or sets the
         *         class path or main class (always the parent's)
         */
        public Builder jvmArgs(String... args) {
            if (args == null) {
                throw new IllegalArgumentException("jvmArgs must not be null");
            }
            return jvmArgs(java.util.Arrays.asList(args));
        }

        /** As {@link #jvmArgs(String...)}. */
        public Builder jvmArgs(List<String> args) {
            if (args == null) {
                throw new IllegalArgumentException("jvmArgs must not be null");
            }
            for (String arg : args) {
                JvmCommand.checkFlag(arg);
            }
            jvmArgs.addAll(args);
            return this;
        }

        /**
         * Environment variables for the child, on top of this JVM's environment (which the child
         * inherits). Adds to earlier calls.
         *
         * @throws IllegalArgumentException if the map, a name or a value is null, or a name is empty
         *         or contains '=' or NUL
         */
        public Builder environment(Map<String, String> variables) {
            if (variables == null) {
                throw new IllegalArgumentException("environment must not be null");
            }
            variables.forEach(this::environment);
            return this;
        }

        /** Sets one environment variable for the child; see {@link #environment(Map)}. */
        public Builder environment(String name, String value) {
            if (name == null || name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("environment variable name must be non-empty, without '=' or NUL: '" + name + "'");
            }
            if (value == null || value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("value of environment variable " + name + " must be non-null, without NUL");
            }
            environment.put(name, value);
            return this;
        }

        /** A new, unstarted process. */
        public Process build() {
            return new Process(this);
        }
    }

    /** A builder, for Python's keyword arguments. */
    public static Builder builder() {
        return new Builder();
    }

    /** A process whose {@link #run()} a subclass overrides; named {@code Process-N}. */
    public Process() {
        this(null, null, null, List.of(), Map.of());
    }

    /** A process that runs {@code target}; named {@code Process-N}. */
    public Process(SerializableRunnable target) {
        this(target, null, null, List.of(), Map.of());
    }

    /** A process named {@code name} that runs {@code target}. */
    public Process(SerializableRunnable target, String name) {
        this(target, name, null, List.of(), Map.of());
    }

    /**
     * A process set up by {@code builder}, for subclasses that need the builder's settings:
     * {@code super(Process.builder().name("w").jvmArgs("-Xmx1g"))}.
     */
    protected Process(Builder builder) {
        this(checked(builder).target, builder.name, builder.daemon, builder.jvmArgs, builder.environment);
        this.startMethod = builder.startMethod;
    }

    private static Builder checked(Builder builder) {
        if (builder == null) {
            throw new IllegalArgumentException("builder must not be null; use Process.builder()");
        }
        return builder;
    }

    private Process(SerializableRunnable target, String name, Boolean daemon, List<String> jvmArgs,
                    Map<String, String> environment) {
        Process current = Multiprocessing.currentProcess();
        this.target = target;
        this.identity = Multiprocessing.nextIdentity(current.identity);
        this.name = name != null ? name : defaultName(identity);
        this.daemon = daemon != null ? daemon : current.daemon;
        this.creatorPid = MY_PID;
        this.jvmArgs = jvmArgs.isEmpty() ? null : List.copyOf(jvmArgs);
        this.environment = environment.isEmpty() ? null : Map.copyOf(environment);
    }

    /** A process for the training run of the AOT cache of child JVMs: touches no counter. */
    private Process(SerializableRunnable target, int[] identity, String name) {
        this.target = target;
        this.identity = identity;
        this.name = name;
        this.creatorPid = MY_PID;
    }

    /**
     * The builder's JVM options, then, for a process of a concrete context, its start method, so
     * that the child's {@link Multiprocessing#getStartMethod()} is the one it was started with,
     * as in Python.
     */
    private List<String> childFlags() {
        List<String> flags = jvmArgs != null ? jvmArgs : List.of();
        if (startMethod == null) {
            return flags;
        }
        List<String> all = new ArrayList<>(flags);
        all.add("-D" + Multiprocessing.START_METHOD_PROPERTY + "=" + startMethod);
        return all;
    }

    /**
     * A process received from the parent in pyconc's own form, as Java serialization would make
     * it; its target, if any, is a {@link SerializableRunnable} ({@link ProcessPayload#decode} checks).
     */
    Process(ProcessPayload.Parts parts) {
        this.target = (SerializableRunnable) parts.target();
        this.identity = parts.identity();
        this.name = parts.name();
        this.daemon = parts.daemon();
        this.creatorPid = parts.creatorPid();
    }

    /** The process of this JVM, or its parent seen from a child. */
    private Process(int role, String name, long pid, int[] identity, boolean daemon) {
        this.target = null;
        this.identity = identity;
        this.name = name;
        this.daemon = daemon;
        this.creatorPid = 0;
        this.role = role;
        this.viewPid = pid;
        this.state = STARTED;
    }

    /**
     * The serialized form of a process that does nothing, for the training run of the
     * {@link AotCache}: it goes through every step a child takes, and touches none of this JVM's
     * state (no process counter, no child).
     */
    static byte[] trainingPayload() {
        return new Process(() -> {}, new int[] {0}, "pyconc-aot-training").serializeSelf();
    }

    static Process mainProcess() {
        return new Process(ROLE_SELF, "MainProcess", MY_PID, new int[0], false);
    }

    static Process parentView(long pid, String name) {
        return new Process(ROLE_PARENT, name, pid, new int[0], false);
    }

    /** In a child: this object, just received from the parent, is now the process of this JVM. */
    void becomeSelf() {
        role = ROLE_SELF;
        state = STARTED;
        viewPid = MY_PID;
    }

    int[] identity() {
        return identity;
    }

    private static String defaultName(int[] identity) {
        StringBuilder s = new StringBuilder("Process-");
        for (int i = 0; i < identity.length; i++) {
            if (i > 0) {
                s.append(':');
            }
            s.append(identity[i]);
        }
        return s.toString();
    }

    /**
     * Starts the process: launches a child JVM and sends it this object, whose {@link #run()} the
     * child calls. Returns once the child JVM is launched, as Python's {@code start} does.
     *
     * @throws IllegalArgumentException if this object (its target, a captured value, a field of a
     *         subclass) is not serializable; the message names the class, and nothing is started
     * @throws IllegalStateException if the process was started before, was closed, was not created
     *         by this JVM, or the current process is a daemon
     * @throws java.io.UncheckedIOException if no JVM could be launched
     */
    public void start() {
        GilRuntime.checkpoint();
        checkClosed();
        if (role != ROLE_CHILD || creatorPid != MY_PID) {
            throw new IllegalStateException("can only start a process object created by the current process");
        }
        if (Multiprocessing.currentProcess().daemon) {
            throw new IllegalStateException("daemonic processes are not allowed to have children");
        }
        if (!STATE.compareAndSet(this, NEW, STARTING)) {
            throw new IllegalStateException("cannot start a process twice");
        }
        boolean started = false;
        int mark = InFlight.begin();          // handles among the values: given back if nothing starts
        try {
            byte[] payload = serializeSelf();
            ResourceTracker.ensureRunning();     // the child joins this tree (as Python's spawn starts its resource tracker)
            Map<String, String> env = JvmCommand.environment(environment != null ? environment : Map.of());
            List<String> command = AotCache.apply(
                    JvmCommand.command(ChildMain.class, childFlags(), List.of()), env,
                    Process::trainingPayload);
            String parentName = Multiprocessing.currentProcess().name();
            boolean forkserver = "forkserver".equals(startMethod != null ? startMethod : Multiprocessing.getStartMethod());
            boolean dropped = GilRuntime.beginBlocking();     // launching and writing to the pipe may block
            try {
                popen = Popen.launch(this, name, daemon, payload, parentName, command, env, forkserver);
            } finally {
                GilRuntime.endBlocking(dropped);
            }
            started = true;
        } finally {
            state = started ? STARTED : NEW;
            InFlight.end(mark, started);
        }
    }

    /**
     * What the child receives: pyconc's own form when it can carry this process (a plain Process
     * whose lambda captures only values the codec writes itself), which the child reads without
     * Java serialization's start-up cost; Java serialization otherwise.
     */
    private byte[] serializeSelf() {
        if (getClass() == Process.class) {
            byte[] payload = ProcessPayload.encode(new ProcessPayload.Parts(target, name, daemon, identity, creatorPid));
            if (payload != null) {
                return payload;
            }
        }
        try {
            return LaunchRecord.serialize(this);
        } catch (NotSerializableException e) {
            throw new IllegalArgumentException("cannot start " + name + ": " + e.getMessage()
                    + " is not serializable; the target, the values it captures and the fields of a Process subclass"
                    + " travel to the child by Java serialization (implement java.io.Serializable, type the lambda as"
                    + " SerializableRunnable, capture only serializable values, or mark the field transient)", e);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot start " + name + ": serializing it for the child failed: " + e, e);
        }
    }

    /**
     * What the process does: calls the target, if any. Subclasses override it. {@link #start()}
     * calls it in the child; calling it directly runs it in the calling thread, as in Python.
     */
    public void run() {
        if (target != null) {
            target.run();
        }
    }

    /**
     * Waits until the process ends.
     *
     * @throws IllegalStateException if the process was not started, is not a child of this JVM, or was closed
     * @throws dev.pyconc.builtins.InterruptedError if the thread is interrupted while it waits
     */
    public void join() {
        awaitEnd(-1);
    }

    /**
     * Waits until the process ends or {@code timeout} elapses; {@link #exitCode()} is {@code null}
     * afterwards if it timed out, as in Python.
     *
     * @throws IllegalArgumentException if {@code timeout} is null or negative
     * @throws IllegalStateException if the process was not started, is not a child of this JVM, or was closed
     * @throws dev.pyconc.builtins.InterruptedError if the thread is interrupted while it waits
     */
    public void join(Duration timeout) {
        awaitEnd(Timeouts.toNanos(timeout));
    }

    private void awaitEnd(long nanos) {
        GilRuntime.checkpoint();
        checkClosed();
        if (role == ROLE_PARENT) {
            awaitParent(nanos);
            return;
        }
        if (role == ROLE_SELF || creatorPid != MY_PID) {
            throw new IllegalStateException("can only join a child process");
        }
        Popen p = popen;
        if (p == null) {
            throw new IllegalStateException("can only join a started process");
        }
        p.await(nanos);
    }

    private void awaitParent(long nanos) {
        Optional<ProcessHandle> parent = ProcessHandle.of(viewPid);
        if (parent.isEmpty() || nanos == 0) {
            return;
        }
        boolean dropped = GilRuntime.beginBlocking();
        try {
            if (nanos < 0) {
                parent.get().onExit().get();
            } else {
                parent.get().onExit().get(nanos, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            throw Interrupts.unchecked(e);
        } catch (TimeoutException | ExecutionException e) {
            // timed out; the parent runs on
        } finally {
            GilRuntime.endBlocking(dropped);
        }
    }

    /**
     * Whether the process runs: started and not yet ended. {@code true} for the current process.
     *
     * @throws IllegalStateException if the process is not a child of this JVM or was closed
     */
    public boolean isAlive() {
        checkClosed();
        return switch (role) {
            case ROLE_SELF -> true;
            case ROLE_PARENT -> ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L) == viewPid;
            default -> {
                if (creatorPid != MY_PID) {
                    throw new IllegalStateException("can only test a child process");
                }
                Popen p = popen;
                yield p != null && p.poll() == null;
            }
        };
    }

    /**
     * The exit code: {@code null} before the process starts and while it runs; 0, 1 (an exception
     * in {@code run()}), n ({@code System.exit(n)}) or {@code -signal} once it ended.
     *
     * @throws IllegalStateException if the process was closed
     */
    public Integer exitCode() {
        checkClosed();
        Popen p = popen;
        return p == null ? null : p.poll();
    }

    /**
     * The process id: {@code null} before {@link #start()}; for the current process, this JVM's.
     *
     * @throws IllegalStateException if the process was closed
     */
    public Long pid() {
        checkClosed();
        if (role != ROLE_CHILD) {
            return viewPid;
        }
        Popen p = popen;
        return p == null ? null : p.pid();
    }

    /**
     * Terminates the process with SIGTERM: the child JVM runs its shutdown hooks and ends with exit
     * code -15. Nothing happens if it has ended. Python: {@code terminate()}.
     *
     * @throws IllegalStateException if the process was not started, is not a child of this JVM, or was closed
     */
    public void terminate() {
        childHandle("terminate").terminate();
    }

    /**
     * Kills the process with SIGKILL: exit code -9. Nothing happens if it has ended. Python: {@code kill()}.
     *
     * @throws IllegalStateException if the process was not started, is not a child of this JVM, or was closed
     */
    public void kill() {
        childHandle("kill").kill();
    }

    /**
     * Runs {@code action} once the started child has ended, in the JDK's process reaper thread (a
     * pool's hook to wake its result handler). Short and non-blocking actions only.
     */
    void onExit(Runnable action) {
        childHandle("watch").onExit(action);
    }

    private Popen childHandle(String what) {
        GilRuntime.checkpoint();
        checkClosed();
        if (role != ROLE_CHILD || creatorPid != MY_PID) {
            throw new IllegalStateException("can only " + what + " a child process");
        }
        Popen p = popen;
        if (p == null) {
            throw new IllegalStateException("cannot " + what + " a process that was not started");
        }
        return p;
    }

    /**
     * Releases the process object: most methods throw {@link IllegalStateException} afterwards.
     * Idempotent.
     *
     * @throws IllegalStateException if the process still runs (join or terminate it first)
     */
    public void close() {
        Popen p = popen;
        if (p != null && p.poll() == null) {
            throw new IllegalStateException("Cannot close a process while it is still running. "
                    + "You should first call join() or terminate().");
        }
        closed = true;
    }

    private void checkClosed() {
        if (closed) {
            throw new IllegalStateException("process object is closed");
        }
    }

    /** The process's name; only for identification, several processes may share one. */
    public String name() {
        return name;
    }

    /**
     * Renames the process.
     *
     * @throws IllegalArgumentException if {@code name} is null
     */
    public void setName(String name) {
        if (name == null) {
            throw new IllegalArgumentException("name must not be null");
        }
        this.name = name;
    }

    /** Whether the process is a daemon: terminated, not waited for, when its parent exits. */
    public boolean isDaemon() {
        return daemon;
    }

    /**
     * Makes the process a daemon or not.
     *
     * @throws IllegalStateException if the process has started
     */
    public void setDaemon(boolean daemon) {
        if (state != NEW || role != ROLE_CHILD) {
            throw new IllegalStateException("process has already started");
        }
        this.daemon = daemon;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("<").append(getClass().getSimpleName().isEmpty() ? "Process" : getClass().getSimpleName());
        s.append(" name='").append(name).append('\'');
        String status;
        if (closed) {
            status = "closed";
        } else if (role == ROLE_SELF) {
            s.append(" pid=").append(viewPid);
            status = "started";
        } else if (role == ROLE_PARENT) {
            s.append(" pid=").append(viewPid);
            status = isAlive() ? "started" : "stopped";
        } else {
            Popen p = popen;
            if (p == null) {
                status = "initial";
            } else {
                s.append(" pid=").append(p.pid());
                Integer code = p.poll();
                status = code == null ? "started" : "stopped exitcode=" + exitCodeName(code);
            }
            s.append(" parent=").append(creatorPid);
        }
        s.append(' ').append(status);
        if (daemon) {
            s.append(" daemon");
        }
        return s.append('>').toString();
    }

    private static String exitCodeName(int code) {
        if (code >= 0) {
            return Integer.toString(code);
        }
        String signal = switch (-code) {
            case 1 -> "SIGHUP";
            case 2 -> "SIGINT";
            case 3 -> "SIGQUIT";
            case 4 -> "SIGILL";
            case 6 -> "SIGABRT";
            case 7 -> "SIGBUS";
            case 8 -> "SIGFPE";
            case 9 -> "SIGKILL";
            case 11 -> "SIGSEGV";
            case 13 -> "SIGPIPE";
            case 14 -> "SIGALRM";
            case 15 -> "SIGTERM";
            default -> null;
        };
        return signal != null ? "-" + signal : Integer.toString(code);
    }
}
