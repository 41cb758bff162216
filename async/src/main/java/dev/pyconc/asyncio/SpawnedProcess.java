package dev.pyconc.asyncio;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.Charset;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.pyconc.builtins.OSError;

/**
 * A child process that pyconc starts and reaps itself, on Linux, with glibc's
 * {@code posix_spawnp} and {@code waitid}/{@code waitpid} through the FFM API, so that its exit
 * value is Python's {@code returncode}: the exit status, or {@code -n} for a death by signal
 * {@code n}, whoever sent the signal. The JDK's {@link ProcessBuilder} cannot tell this: its reaper
 * folds a death by signal {@code n} into the exit value {@code 128 + n}, so {@code exit(137)} and
 * {@code kill -9} look the same.
 *
 * <p>What the child gets:
 * <ul>
 * <li>the program found as the JDK finds it: {@code posix_spawnp}, which searches the
 *     <em>parent's</em> {@code PATH} for a name without a slash (Python searches the child's
 *     {@code env}); unlike the JDK, a file without a {@code #!} line that the kernel refuses
 *     ({@code ENOEXEC}) is not run again with {@code /bin/sh};</li>
 * <li>the environment given, or the parent's ({@code environ}); the working directory given
 *     ({@code posix_spawn_file_actions_addchdir_np});</li>
 * <li>fds 0, 1 and 2 as the {@link ProcessBuilder.Redirect}s say: a pipe ({@code pipe2} with
 *     {@code O_CLOEXEC}, the child's end {@code dup2}ed), the parent's own (inherit), or a file
 *     opened in the parent (read, write and truncate, or append; created with mode 0666 less the
 *     umask, as the JDK does); stderr may go where stdout goes. No other descriptor: every fd from
 *     3 up is closed in the child ({@code posix_spawn_file_actions_addclosefrom_np});</li>
 * <li>an empty signal mask and every signal's default action ({@code POSIX_SPAWN_SETSIGMASK},
 *     {@code POSIX_SPAWN_SETSIGDEF} with the full set), and a session of its own when asked
 *     ({@code POSIX_SPAWN_SETSID}: the pid is the program's).</li>
 * </ul>
 *
 * <p>The parent's pipe ends are {@link FileInputStream}s and {@link FileOutputStream}s opened on
 * {@code /proc/self/fd/N} while both ends of the pipe are still open in the parent (an open of a
 * pipe's path waits for the other end otherwise), after which the descriptor {@code pipe2} gave is
 * closed: the streams then own their descriptors and {@code close()} releases them. A read or
 * write that a virtual thread makes runs on a platform thread while the virtual thread waits, so
 * that a quiet pipe never holds a carrier; a read blocked in another thread ends when the child's
 * end is closed (by the child and everything it started), as with the JDK's streams.
 *
 * <p>Available ({@link #AVAILABLE}) on Linux on x86-64 and AArch64 when the module may make
 * native calls and glibc has the calls above (2.34 or later). Otherwise, or with
 * {@code -Dpyconc.asyncio.spawn=jdk}, {@link ProcessTransport} starts children with
 * {@link ProcessBuilder} instead, and a death by a signal pyconc did not send reads as
 * {@code 128 + n}.
 *
 * <p>Memory consistency effects: the child's exit <i>happens-before</i> {@link #waitFor()} returns,
 * {@link #exitValue()} returns its value and {@link #onExit()} completes.
 */
final class SpawnedProcess extends java.lang.Process {
    private final long pid;
    private final OutputStream stdin;                // a PipeOut, or a null stream
    private final InputStream stdout;                // a PipeIn, or a null stream
    private final InputStream stderr;
    private final CompletableFuture<java.lang.Process> exit = new CompletableFuture<>();
    private final Object lock = new Object();
    private boolean exited;          // guarded by lock: the child has died (a zombie or reaped); no signal is sent after
    private boolean reaped;          // guarded by lock: waitpid() has reaped it; its pid may be another's
    private int exitValue;           // guarded by lock: Python's returncode, once exited

    /*
     * Overview.
     *
     * Starting: start() makes the pipes and opens the redirect files (all close-on-exec), builds
     * the file actions (dup2 of each onto 0, 1, 2 in order, so that stderr-to-stdout duplicates
     * the stdout just installed; then closefrom(3); then chdir) and the attributes, and calls
     * posix_spawnp. glibc's posix_spawn clones with CLONE_VFORK and reports a failure of the
     * child's exec (or of a file action) as its return value, so a program that cannot be run
     * fails here, in the caller, with the errno the exec saw. The child's ends are closed in the
     * parent afterwards, whatever happened.
     *
     * Reaping: a daemon platform thread of REAPERS (a cached pool, as the JDK's "process reaper")
     * waits for the child in two steps: waitid(P_PID, pid, WEXITED | WNOWAIT) sees the death and
     * leaves the zombie, then, under `lock`, the exit value is recorded and `exited` set, and only
     * then waitpid() reaps it. signal() sends under the same lock and only while !exited, so a
     * signal can never reach another process that reused the pid. onExit completes after the
     * reap, so a caller that saw it finds no zombie among the JVM's children.
     *
     * Structures: posix_spawnattr_t (336 bytes on glibc x86-64 and AArch64), posix_spawn_file_actions_t
     * (80), sigset_t (128) and siginfo_t (128) are allocated with room to spare and set only through
     * glibc's own functions, but siginfo_t, whose si_code (offset 8) and si_status (offset 24) are
     * read: the same on both architectures.
     */

    /** Whether children may be spawned here; see the class comment. */
    static final boolean AVAILABLE;

    private static final int O_RDONLY = 0, O_WRONLY = 1, O_CREAT = 0x40, O_TRUNC = 0x200, O_APPEND = 0x400, O_CLOEXEC = 0x80000;
    private static final int EINTR = 4, F_DUPFD_CLOEXEC = 1030;
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08, POSIX_SPAWN_SETSID = 0x80;
    private static final int P_PID = 1, WEXITED = 4, WNOWAIT = 0x01000000;
    private static final int CLD_EXITED = 1;
    private static final long SPAWNATTR_SIZE = 1024, FILE_ACTIONS_SIZE = 256, SIGSET_SIZE = 256, SIGINFO_SIZE = 256;
    private static final long SI_CODE = 8, SI_STATUS = 24;

    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final VarHandle ERRNO_HANDLE = Linker.Option.captureStateLayout()
            .varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final AddressLayout C_POINTER = ValueLayout.ADDRESS;
    private static final Charset NATIVE = Charset.forName(System.getProperty("native.encoding", "UTF-8"), java.nio.charset.StandardCharsets.UTF_8);

    private static final MethodHandle POSIX_SPAWNP, FA_INIT, FA_DESTROY, FA_ADDDUP2, FA_ADDCHDIR, FA_ADDCLOSEFROM,
            ATTR_INIT, ATTR_DESTROY, ATTR_SETFLAGS, ATTR_SETSIGMASK, ATTR_SETSIGDEFAULT, SIGEMPTYSET, SIGFILLSET,
            PIPE2, OPEN, CLOSE, WAITID, WAITPID, STRERROR, FCNTL;
    private static final MemorySegment ENVIRON;      // the address of glibc's `environ` variable

    /** Daemon platform threads for the reapers and for the pipes' blocking reads and writes. */
    private static final ExecutorService BLOCKING = Executors.newCachedThreadPool(r -> Thread.ofPlatform()
            .name("pyconc-process").daemon(true).stackSize(256 * 1024).unstarted(r));

    static {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        boolean linux = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
        boolean known = arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64") || arch.equals("arm64");
        MethodHandle[] h = new MethodHandle[20];
        MemorySegment environ = null;
        boolean ok = false;
        if (linux && known) {
            try {
                h[0] = link("posix_spawnp", FunctionDescriptor.of(ValueLayout.JAVA_INT, C_POINTER, C_POINTER, C_POINTER,
                        C_POINTER, C_POINTER, C_POINTER));
                h[1] = link("posix_spawn_file_actions_init", FunctionDescriptor.of(ValueLayout.JAVA_INT, C_POINTER));
                h[2] = link("posix_spawn_file_actions_destroy", FunctionDescriptor.of(ValueLayout.JAVA_INT, C_POINTER));
                h[3] = link("posix_spawn_file_actions_adddup2", FunctionDescriptor.of(ValueLayout.JAVA_INT, C_POINTER,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
                h[4] = link("posix_spawn_file_actions_addchdir_np", FunctionDescriptor.of(ValueLayout.JAVA_INT, C_POINTER, C_POINTER));
                h[5] = link("posix_spawn_file_actions_addclosefrom_np", FunctionDescriptor.of(ValueLayout.JAVA_INT, C_POINTER,
                        ValueLayout.JAVA_INT));
                h[6] = link("posix_spawnattr_init", FunctionDescriptor.of(ValueLayout.JAVA_INT, C_POINTER));
                h[7] = link("posix_spawnattr_destroy", FunctionDescriptor.of(ValueLayout.JAVA_INT, C_POINTER));
                h[8] = link("posix_spawnattr_setflags", FunctionDescriptor.of(ValueLayout.JAVA_INT, C_POINTER, ValueLayout.JAVA_SHORT));
                h[9] = link("posix_spawnattr_setsigmask", FunctionDescriptor.of(ValueLayout.JAVA_INT, C_POINTER, C_POINTER));
                h[10] = link("posix_spawnattr_setsigdefault", FunctionDescriptor.of(ValueLayout.JAVA_INT, C_POINTER, C_POINTER));
                h[11] = link("sigemptyset", FunctionDescriptor.of(ValueLayout.JAVA_INT, C_POINTER));
                h[12] = link("sigfillset", FunctionDescriptor.of(ValueLayout.JAVA_INT, C_POINTER));
                h[13] = link("pipe2", FunctionDescriptor.of(ValueLayout.JAVA_INT, C_POINTER, ValueLayout.JAVA_INT), ERRNO);
                h[14] = link("open", FunctionDescriptor.of(ValueLayout.JAVA_INT, C_POINTER, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT), ERRNO, Linker.Option.firstVariadicArg(2));
                h[15] = link("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
                h[16] = link("waitid", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                        C_POINTER, ValueLayout.JAVA_INT), ERRNO);
                h[17] = link("waitpid", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, C_POINTER,
                        ValueLayout.JAVA_INT), ERRNO);
                h[18] = link("strerror", FunctionDescriptor.of(C_POINTER, ValueLayout.JAVA_INT));
                h[19] = link("fcntl", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT), ERRNO, Linker.Option.firstVariadicArg(2));
                environ = environ();
                ok = true;
            } catch (Throwable e) {      // IllegalCallerException where native access is denied, or an older glibc
                EventLoop.LOG.debug("posix_spawn through the FFM API is not available ({}); children are started with ProcessBuilder", e.toString());
            }
        }
        AVAILABLE = ok;
        POSIX_SPAWNP = h[0];
        FA_INIT = h[1];
        FA_DESTROY = h[2];
        FA_ADDDUP2 = h[3];
        FA_ADDCHDIR = h[4];
        FA_ADDCLOSEFROM = h[5];
        ATTR_INIT = h[6];
        ATTR_DESTROY = h[7];
        ATTR_SETFLAGS = h[8];
        ATTR_SETSIGMASK = h[9];
        ATTR_SETSIGDEFAULT = h[10];
        SIGEMPTYSET = h[11];
        SIGFILLSET = h[12];
        PIPE2 = h[13];
        OPEN = h[14];
        CLOSE = h[15];
        WAITID = h[16];
        WAITPID = h[17];
        STRERROR = h[18];
        FCNTL = h[19];
        ENVIRON = environ;
    }

    @SuppressWarnings("restricted")     // native access is documented on Process
    private static MethodHandle link(String name, FunctionDescriptor d, Linker.Option... options) {
        Linker linker = Linker.nativeLinker();
        return linker.downcallHandle(linker.defaultLookup().findOrThrow(name), d, options);
    }

    /** The address of glibc's {@code environ}, the parent's environment as {@code execve} takes it. */
    @SuppressWarnings("restricted")
    private static MemorySegment environ() {
        return Linker.nativeLinker().defaultLookup().findOrThrow("environ").reinterpret(C_POINTER.byteSize());
    }

    /** Whether this start should spawn natively: {@link #AVAILABLE} and not {@code -Dpyconc.asyncio.spawn=jdk}. */
    static boolean use() {
        return AVAILABLE && !"jdk".equals(System.getProperty("pyconc.asyncio.spawn"));
    }

    private SpawnedProcess(long pid, OutputStream stdin, InputStream stdout, InputStream stderr) {
        this.pid = pid;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Starts {@code args} with {@code env} (null: the parent's) in {@code cwd} (null: the parent's),
     * its fds 0, 1, 2 as {@code redirects} say ({@code errorToOutput}: fd 2 is fd 1's), in a new
     * session when {@code newSession}.
     *
     * @throws OSError if a redirect file cannot be opened ({@code "path (reason)"}, as the JDK's
     *         FileNotFoundException) or the program cannot be run ({@code Cannot run program "x":
     *         error=2, No such file or directory}, as the JDK's message)
     */
    static SpawnedProcess start(List<String> args, Map<String, String> env, File cwd,
            ProcessBuilder.Redirect[] redirects, boolean errorToOutput, boolean newSession) {
        for (String a : args) {
            if (a.indexOf('\u0000') >= 0) {
                throw new OSError("invalid null character in command", new IOException("invalid null character in command"));
            }
        }
        int[] childFds = {-1, -1, -1};           // what the child gets as 0, 1, 2; -1: inherited
        Object[] parentEnds = new Object[3];     // the streams of the parent's pipe ends
        boolean started = false;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
            for (int fd = 0; fd < 3; fd++) {
                ProcessBuilder.Redirect r = fd == 2 && errorToOutput ? null : redirects[fd];
                if (r == null || r.type() == ProcessBuilder.Redirect.Type.INHERIT) {
                    continue;
                }
                if (r.type() == ProcessBuilder.Redirect.Type.PIPE) {
                    MemorySegment ends = arena.allocate(ValueLayout.JAVA_INT, 2);
                    if ((int) PIPE2.invokeExact(state, ends, O_CLOEXEC) != 0) {
                        throw new OSError("pipe2() failed: " + strerror(errno(state)));
                    }
                    int readEnd = ends.getAtIndex(ValueLayout.JAVA_INT, 0);
                    int writeEnd = ends.getAtIndex(ValueLayout.JAVA_INT, 1);
                    int parentEnd = fd == 0 ? writeEnd : readEnd;
                    childFds[fd] = fd == 0 ? readEnd : writeEnd;
                    try {
                        String path = "/proc/self/fd/" + parentEnd;
                        parentEnds[fd] = fd == 0 ? new PipeOut(new FileOutputStream(path)) : new PipeIn(new FileInputStream(path));
                    } finally {
                        close(parentEnd);
                    }
                    childFds[fd] = aboveStdio(state, childFds[fd]);
                } else {
                    childFds[fd] = openRedirect(arena, state, r);
                    childFds[fd] = aboveStdio(state, childFds[fd]);
                }
            }
            MemorySegment actions = arena.allocate(FILE_ACTIONS_SIZE, 16);
            MemorySegment attr = arena.allocate(SPAWNATTR_SIZE, 16);
            check((int) FA_INIT.invokeExact(actions), "posix_spawn_file_actions_init");
            check((int) ATTR_INIT.invokeExact(attr), "posix_spawnattr_init");
            try {
                for (int fd = 0; fd < 3; fd++) {
                    if (childFds[fd] >= 0) {
                        check((int) FA_ADDDUP2.invokeExact(actions, childFds[fd], fd), "posix_spawn_file_actions_adddup2");
                    } else if (fd == 2 && errorToOutput) {
                        check((int) FA_ADDDUP2.invokeExact(actions, 1, 2), "posix_spawn_file_actions_adddup2");
                    }
                }
                check((int) FA_ADDCLOSEFROM.invokeExact(actions, 3), "posix_spawn_file_actions_addclosefrom_np");
                if (cwd != null) {
                    check((int) FA_ADDCHDIR.invokeExact(actions, cString(arena, cwd.getPath())), "posix_spawn_file_actions_addchdir_np");
                }
                MemorySegment empty = arena.allocate(SIGSET_SIZE, 16);
                MemorySegment full = arena.allocate(SIGSET_SIZE, 16);
                check((int) SIGEMPTYSET.invokeExact(empty), "sigemptyset");
                check((int) SIGFILLSET.invokeExact(full), "sigfillset");
                check((int) ATTR_SETSIGMASK.invokeExact(attr, empty), "posix_spawnattr_setsigmask");
                check((int) ATTR_SETSIGDEFAULT.invokeExact(attr, full), "posix_spawnattr_setsigdefault");
                short flags = (short) (POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (newSession ? POSIX_SPAWN_SETSID : 0));
                check((int) ATTR_SETFLAGS.invokeExact(attr, flags), "posix_spawnattr_setflags");

                MemorySegment argv = cStrings(arena, args);
                MemorySegment envp = env == null ? ENVIRON.get(C_POINTER, 0) : cStrings(arena, environment(env));
                MemorySegment pidOut = arena.allocate(ValueLayout.JAVA_INT);
                int err = (int) POSIX_SPAWNP.invokeExact(pidOut, cString(arena, args.get(0)), actions, attr, argv, envp);
                if (err != 0) {
                    String message = "Cannot run program \"" + args.get(0) + "\""
                            + (cwd == null ? "" : " (in directory \"" + cwd + "\")") + ": error=" + err + ", " + strerror(err);
                    throw new OSError(message, new IOException(message));
                }
                SpawnedProcess p = new SpawnedProcess(pidOut.get(ValueLayout.JAVA_INT, 0),
                        parentEnds[0] != null ? (OutputStream) parentEnds[0] : OutputStream.nullOutputStream(),
                        parentEnds[1] != null ? (InputStream) parentEnds[1] : InputStream.nullInputStream(),
                        parentEnds[2] != null ? (InputStream) parentEnds[2] : InputStream.nullInputStream());
                started = true;
                BLOCKING.execute(p::reap);
                return p;
            } finally {
                int unused = (int) FA_DESTROY.invokeExact(actions);
                unused = (int) ATTR_DESTROY.invokeExact(attr);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (FileNotFoundException e) {
            throw new OSError(e.getMessage(), e);
        } catch (Throwable e) {
            throw new IllegalStateException("posix_spawn failed: " + e, e);
        } finally {
            for (int fd : childFds) {
                if (fd >= 0) {
                    close(fd);
                }
            }
            if (!started) {
                for (Object end : parentEnds) {
                    if (end instanceof java.io.Closeable c) {
                        try {
                            c.close();
                        } catch (IOException ignored) {
                            // it is being given up
                        }
                    }
                }
            }
        }
    }

    /**
     * {@code fd} itself when it is 3 or more; otherwise (a JVM started with fd 0, 1 or 2 closed
     * hands those numbers out again) a close-on-exec duplicate above 2, {@code fd} being closed, so
     * that no dup2 onto 0, 1 or 2 in the child overwrites another's source. On failure {@code fd}
     * is left open, for the caller's cleanup.
     */
    private static int aboveStdio(MemorySegment state, int fd) throws Throwable {
        if (fd >= 3) {
            return fd;
        }
        int moved = (int) FCNTL.invokeExact(state, fd, F_DUPFD_CLOEXEC, 3);
        if (moved < 0) {
            throw new OSError("fcntl(F_DUPFD_CLOEXEC) failed: " + strerror(errno(state)));
        }
        close(fd);
        return moved;
    }

    /** Opens the file of a READ, WRITE or APPEND redirect, close-on-exec, mode 0666 less the umask. */
    private static int openRedirect(Arena arena, MemorySegment state, ProcessBuilder.Redirect r) throws Throwable {
        int flags = switch (r.type()) {
            case READ -> O_RDONLY;
            case WRITE -> O_WRONLY | O_CREAT | O_TRUNC;
            case APPEND -> O_WRONLY | O_CREAT | O_APPEND;
            default -> throw new IllegalArgumentException("no file to open for " + r);
        };
        String path = r.file().getPath();
        int fd = (int) OPEN.invokeExact(state, cString(arena, path), flags | O_CLOEXEC, 0666);
        if (fd < 0) {
            throw new FileNotFoundException(path + " (" + strerror(errno(state)) + ")");
        }
        return fd;
    }

    /** {@code NAME=value} strings; names and values are checked as the JDK's ProcessBuilder checks them. */
    private static List<String> environment(Map<String, String> env) {
        return env.entrySet().stream().map(e -> {
            String k = e.getKey(), v = e.getValue();
            if (k.indexOf('=') >= 0 || k.indexOf('\u0000') >= 0) {
                throw new IllegalArgumentException("Invalid environment variable name: \"" + k + "\"");
            }
            if (v.indexOf('\u0000') >= 0) {
                throw new IllegalArgumentException("Invalid environment variable value: \"" + v + "\"");
            }
            return k + "=" + v;
        }).toList();
    }

    private static MemorySegment cString(Arena arena, String s) {
        return arena.allocateFrom(s, NATIVE);
    }

    /** A NULL-terminated array of C strings. */
    private static MemorySegment cStrings(Arena arena, List<String> strings) {
        MemorySegment a = arena.allocate(C_POINTER, strings.size() + 1L);
        for (int i = 0; i < strings.size(); i++) {
            a.setAtIndex(C_POINTER, i, cString(arena, strings.get(i)));
        }
        a.setAtIndex(C_POINTER, strings.size(), MemorySegment.NULL);
        return a;
    }

    private static void check(int err, String call) {
        if (err != 0) {
            throw new OSError(call + "() failed: " + strerror(err));
        }
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO_HANDLE.get(state, 0L);
    }

    /** glibc's message for {@code errno}, as the JDK prints it. */
    @SuppressWarnings("restricted")
    private static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(1024).getString(0, NATIVE);
        } catch (Throwable e) {
            return "errno " + errno;
        }
    }

    private static void close(int fd) {
        try {
            int unused = (int) CLOSE.invokeExact(fd);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** On a reaper thread: waits for the death, records it, reaps the zombie, completes onExit. */
    private void reap() {
        int code;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
            MemorySegment info = arena.allocate(SIGINFO_SIZE, 16);
            int r;
            do {
                r = (int) WAITID.invokeExact(state, P_PID, (int) pid, info, WEXITED | WNOWAIT);
            } while (r != 0 && errno(state) == EINTR);
            if (r != 0) {
                // ECHILD: someone else reaped it (waitpid(-1) in native code); its status is lost
                EventLoop.LOG.warn("waitid for child {} failed: {}; its return code is unknown (255)", pid, strerror(errno(state)));
                code = 255;
            } else {
                int status = info.get(ValueLayout.JAVA_INT, SI_STATUS);
                code = info.get(ValueLayout.JAVA_INT, SI_CODE) == CLD_EXITED ? status : -status;
            }
            synchronized (lock) {
                exitValue = code;
                exited = true;
            }
            if (r == 0) {
                MemorySegment ignored = arena.allocate(ValueLayout.JAVA_INT);
                do {
                    r = (int) WAITPID.invokeExact(state, (int) pid, ignored, 0);
                } while (r < 0 && errno(state) == EINTR);
            }
            synchronized (lock) {
                reaped = true;
            }
        } catch (Throwable e) {
            synchronized (lock) {
                if (!exited) {
                    exitValue = 255;
                    exited = true;
                }
                reaped = true;
            }
            EventLoop.LOG.warn("reaping child {} failed", pid, e);
        }
        exit.complete(this);
    }

    /**
     * Sends {@code sig} to the child if it has not died; returns whether it was sent. Never
     * signals a reaped pid, which another process may have been given since.
     */
    boolean signal(int sig) {
        synchronized (lock) {
            if (exited) {
                return false;
            }
            Signals.kill(pid, sig);
            return true;
        }
    }

    /**
     * Runs a blocking pipe operation: in place on a platform thread; from a virtual thread, on a
     * platform thread of BLOCKING while the virtual thread waits unmounted. The JDK's file streams
     * do not let a virtual thread's carrier go while they block (its own process pipes do, through
     * an internal poller), so a pump blocked on a quiet pipe would otherwise hold one of the few
     * carriers, and two of them stop every virtual thread on a 2-core machine.
     */
    private static <T> T blocking(java.util.concurrent.Callable<T> op) throws IOException {
        if (!Thread.currentThread().isVirtual()) {
            try {
                return op.call();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        BLOCKING.execute(() -> {
            try {
                f.complete(op.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IOException(c);
        }
    }

    /** The parent's reading end of a pipe; see {@link #blocking}. */
    private static final class PipeIn extends InputStream {
        private final FileInputStream in;

        PipeIn(FileInputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            return blocking(() -> in.read(b, off, len));
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** The parent's writing end of a pipe (the child's stdin); see {@link #blocking}. */
    private static final class PipeOut extends OutputStream {
        private final FileOutputStream out;

        PipeOut(FileOutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return;
            }
            blocking(() -> {
                out.write(b, off, len);
                return null;
            });
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public OutputStream getOutputStream() {
        return stdin;
    }

    @Override
    public InputStream getInputStream() {
        return stdout;
    }

    @Override
    public InputStream getErrorStream() {
        return stderr;
    }

    /** Waits for the child; returns Python's returncode (the exit status, or {@code -n} for signal {@code n}). */
    @Override
    public int waitFor() throws InterruptedException {
        try {
            exit.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);       // never: exit completes normally only
        }
        return exitValue();
    }

    @Override
    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        try {
            exit.get(timeout, unit);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Python's returncode: the exit status, or {@code -n} for a death by signal {@code n} (the JDK's would be {@code 128 + n}). */
    @Override
    public int exitValue() {
        synchronized (lock) {
            if (!exited) {
                throw new IllegalThreadStateException("process " + pid + " has not exited");
            }
            return exitValue;
        }
    }

    @Override
    public boolean isAlive() {
        synchronized (lock) {
            return !exited;
        }
    }

    /** Sends SIGTERM, unless the child has died. */
    @Override
    public void destroy() {
        signal(Process.SIGTERM);
    }

    /** Sends SIGKILL, unless the child has died. */
    @Override
    public java.lang.Process destroyForcibly() {
        signal(Process.SIGKILL);
        return this;
    }

    @Override
    public boolean supportsNormalTermination() {
        return true;
    }

    @Override
    public CompletableFuture<java.lang.Process> onExit() {
        return exit.copy();
    }

    /**
     * {@link ProcessHandle#of(long)} of the child.
     *
     * @throws IllegalStateException once the child has been reaped: its pid may be another's
     */
    @Override
    public ProcessHandle toHandle() {
        synchronized (lock) {
            ProcessHandle h = reaped ? null : ProcessHandle.of(pid).orElse(null);
            if (h == null) {
                throw new IllegalStateException("process " + pid + " has exited and been reaped");
            }
            return h;
        }
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "SpawnedProcess[pid=" + pid + (exited ? ", exitValue=" + exitValue : ", running") + "]";
        }
    }
}
