package dev.pyconc.ipc.internal.shm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The few C library calls of ipc, reached through the FFM {@link Linker}: {@code open} (with
 * {@code O_CREAT|O_EXCL|O_NOFOLLOW}), {@code fchmod}, {@code posix_fallocate}, {@code statx},
 * {@code mmap}, {@code munmap}, {@code unlink}, {@code close}, {@code geteuid},
 * {@code kill(pid, 0)}, {@code signal} and {@code syscall} for {@code futex}, {@code gettid} and
 * {@code set_robust_list}.
 *
 * <p>They are used on Linux on x86-64 and AArch64, whose constants this class knows. Elsewhere, when
 * the JVM denies native access ({@code --illegal-native-access=deny} without
 * {@code --enable-native-access=dev.pyconc.ipc}, or {@code ALL-UNNAMED} on the class path), or when
 * {@code -Dpyconc.ipc.native=false} is given, {@link #AVAILABLE} is false and ipc uses its portable
 * paths: Java file operations for the mapping layer and polling for waits.
 *
 * <p>Memory consistency effects: none.
 */
public final class Posix {
    /*
     * Overview. Every downcall that can fail captures errno (Linker.Option.captureCallState) into a
     * per-thread scratch segment, which also holds the futex timeout, a struct statx and the path
     * being passed (so that no call allocates); the helpers return -errno on failure so that
     * callers need no second call. struct statx has one layout on every architecture, which is why
     * it is used rather than struct stat.
     * The futex call goes through syscall(2), whose arguments are all passed as longs: glibc's
     * syscall() moves its six integer arguments into registers, so int arguments must be widened.
     * The open flags differ between x86-64 and AArch64 (O_NOFOLLOW), so they are chosen by os.arch;
     * errno values are the asm-generic ones on both.
     */

    private static final Logger LOG = LoggerFactory.getLogger(Posix.class);

    /** Whether the native calls below may be used. */
    public static final boolean AVAILABLE;

    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EAGAIN = 11, EACCES = 13,
            EEXIST = 17, EISDIR = 21, EFBIG = 27, ENOSPC = 28, EINVAL = 22, ELOOP = 40, ETIMEDOUT = 110;

    private static final int O_RDWR = 2, O_CREAT = 0x40, O_EXCL = 0x80, O_CLOEXEC = 0x80000;
    private static final int O_NOFOLLOW;
    private static final long SYS_FUTEX, SYS_GETTID, SYS_SET_ROBUST_LIST;
    private static final int SIGINT = 2, SIGHUP = 1, SIGTERM = 15;

    private static final MethodHandle GETEUID;
    private static final VarHandle ERRNO;
    private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");

    private static final int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_EMPTY_PATH = 0x1000;
    private static final int STATX_BASIC_STATS = 0x7FF;
    private static final int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1;

    /* The per-thread scratch segment: errno capture, timespec, struct statx, then a C path. */
    static final long SCRATCH_CAPTURE = 0, SCRATCH_TIMESPEC = 64, SCRATCH_STATX = 128, SCRATCH_PATH = 512;
    private static final long SCRATCH_SIZE = SCRATCH_PATH + 4096;
    private static final ThreadLocal<MemorySegment> SCRATCH = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(SCRATCH_SIZE, 64));

    /* struct statx fields. */
    private static final long STX_UID = 20, STX_MODE = 28, STX_INO = 32, STX_SIZE = 40;

    static {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        boolean linux = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
        boolean x64 = arch.equals("amd64") || arch.equals("x86_64");
        boolean arm64 = arch.equals("aarch64") || arch.equals("arm64");
        O_NOFOLLOW = arm64 ? 0x8000 : 0x20000;
        SYS_FUTEX = arm64 ? 98 : 202;
        SYS_GETTID = arm64 ? 178 : 186;
        SYS_SET_ROBUST_LIST = arm64 ? 99 : 273;
        boolean wanted = !"false".equalsIgnoreCase(System.getProperty("pyconc.ipc.native", "true"));
        MethodHandle geteuid = null;
        VarHandle errno = null;
        boolean ok = false;
        if (linux && (x64 || arm64) && wanted) {
            try {
                var layout = Linker.Option.captureStateLayout();
                if (layout.byteSize() > SCRATCH_TIMESPEC) {
                    throw new IllegalStateException("errno capture needs " + layout.byteSize() + " bytes");
                }
                errno = layout.varHandle(MemoryLayout.PathElement.groupElement("errno"));
                geteuid = link("geteuid", FunctionDescriptor.of(ValueLayout.JAVA_INT));
                int unused = (int) geteuid.invokeExact();   // proves the calls are permitted
                ok = true;
            } catch (Throwable e) {
                LOG.warn("native calls unavailable ({}); ipc uses its portable paths: polling waits and Java file"
                        + " operations. Run with --enable-native-access=dev.pyconc.ipc (ALL-UNNAMED on the class path)", e.toString());
                ok = false;
            }
        }
        AVAILABLE = ok;
        GETEUID = geteuid;
        ERRNO = errno;
    }

    /*
     * The other downcall handles are made when first used (each in a holder class): making one
     * costs about 10 ms, and most processes need only some of them.
     */
    private static MethodHandle link(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        Linker linker = Linker.nativeLinker();
        return linker.downcallHandle(linker.defaultLookup().findOrThrow(name), descriptor, options);
    }

    private static final class Open {
        static final MethodHandle H = link("open", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), ERRNO_OPTION, Linker.Option.firstVariadicArg(2));
    }

    private static final class Close {
        static final MethodHandle H = link("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    }

    private static final class Fchmod {
        static final MethodHandle H = link("fchmod", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT), ERRNO_OPTION);
    }

    private static final class Fallocate {
        static final MethodHandle H = link("posix_fallocate", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    }

    private static final class Kill {
        static final MethodHandle H = link("kill", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT), ERRNO_OPTION);
    }

    private static final class Signal {
        static final MethodHandle H = link("signal", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS));
    }

    private static final class Syscall {
        static final MethodHandle H = link("syscall", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), ERRNO_OPTION, Linker.Option.firstVariadicArg(1));
    }

    private static final class Statx {
        static final MethodHandle H = link("statx", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS), ERRNO_OPTION);
    }

    private static final class Mmap {
        static final MethodHandle H = link("mmap", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_LONG), ERRNO_OPTION);
    }

    private static final class Munmap {
        static final MethodHandle H = link("munmap", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG));
    }

    private static final class Unlink {
        static final MethodHandle H = link("unlink", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS),
                ERRNO_OPTION);
    }

    private Posix() {}

    private static void require() {
        if (!AVAILABLE) {
            throw new IllegalStateException("native calls are not available");
        }
    }

    private static int errno(MemorySegment scratch) {
        return (int) ERRNO.get(scratch, SCRATCH_CAPTURE);
    }

    /**
     * Opens {@code path} read-write, never following a symbolic link in its last component, with
     * close-on-exec; when {@code create}, creates it exclusively ({@code O_CREAT|O_EXCL}) with mode
     * 0600 (further narrowed by the umask; callers fchmod afterwards).
     *
     * @return the file descriptor, or {@code -errno}
     */
    public static int open(String path, boolean create) {
        require();
        int flags = O_RDWR | O_NOFOLLOW | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0);
        MemorySegment scratch = scratch();
        try {
            int fd = (int) Open.H.invokeExact(scratch, cPath(scratch, path), flags, 0600);
            return fd >= 0 ? fd : -errno(scratch);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** Sets the mode of the open file {@code fd}; returns 0 or {@code -errno}. */
    public static int fchmod(int fd, int mode) {
        require();
        MemorySegment scratch = scratch();
        try {
            int r = (int) Fchmod.H.invokeExact(scratch, fd, mode);
            return r == 0 ? 0 : -errno(scratch);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** What {@code statx} says of a file: owner, mode (type and permissions), inode and size. */
    public record Stat(int uid, int mode, long ino, long size) {}

    /**
     * {@code statx} of the open file {@code fd}, or, when {@code path} is not null, of {@code path}
     * without following a final symbolic link.
     *
     * @return the attributes, or null with {@code -errno} in {@code error[0]}
     */
    public static Stat stat(int fd, String path, int[] error) {
        require();
        MemorySegment scratch = scratch();
        try {
            int r = path == null
                    ? (int) Statx.H.invokeExact(scratch, fd, cPath(scratch, ""), AT_EMPTY_PATH, STATX_BASIC_STATS,
                            scratch.asSlice(SCRATCH_STATX))
                    : (int) Statx.H.invokeExact(scratch, AT_FDCWD, cPath(scratch, path), AT_SYMLINK_NOFOLLOW,
                            STATX_BASIC_STATS, scratch.asSlice(SCRATCH_STATX));
            if (r != 0) {
                error[0] = -errno(scratch);
                return null;
            }
            long x = SCRATCH_STATX;
            return new Stat(scratch.get(ValueLayout.JAVA_INT, x + STX_UID),
                    Short.toUnsignedInt(scratch.get(ValueLayout.JAVA_SHORT, x + STX_MODE)),
                    scratch.get(ValueLayout.JAVA_LONG, x + STX_INO), scratch.get(ValueLayout.JAVA_LONG, x + STX_SIZE));
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /**
     * Maps {@code size} bytes of {@code fd} shared and read-write, as a segment of {@code arena}
     * whose closing unmaps them.
     *
     * @return the segment, or null with {@code -errno} in {@code error[0]}
     */
    public static MemorySegment map(int fd, long size, Arena arena, int[] error) {
        require();
        MemorySegment scratch = scratch();
        try {
            long address = (long) Mmap.H.invokeExact(scratch, 0L, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0L);
            if (address == -1L) {
                error[0] = -errno(scratch);
                return null;
            }
            return MemorySegment.ofAddress(address).reinterpret(size, arena, s -> unmap(address, size));
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    private static void unmap(long address, long size) {
        try {
            int ignored = (int) Munmap.H.invokeExact(address, size);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** Removes the name {@code path}; returns 0 or {@code -errno}. */
    public static int unlink(String path) {
        require();
        MemorySegment scratch = scratch();
        try {
            int r = (int) Unlink.H.invokeExact(scratch, cPath(scratch, path));
            return r == 0 ? 0 : -errno(scratch);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** This thread's scratch segment. */
    static MemorySegment scratch() {
        return SCRATCH.get();
    }

    /** Copies {@code path} as a NUL-terminated UTF-8 string into the scratch segment. */
    private static MemorySegment cPath(MemorySegment scratch, String path) {
        byte[] bytes = path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (bytes.length >= SCRATCH_SIZE - SCRATCH_PATH) {
            throw new IllegalArgumentException("path too long: " + path.length() + " characters");
        }
        MemorySegment.copy(bytes, 0, scratch, ValueLayout.JAVA_BYTE, SCRATCH_PATH, bytes.length);
        scratch.set(ValueLayout.JAVA_BYTE, SCRATCH_PATH + bytes.length, (byte) 0);
        return scratch.asSlice(SCRATCH_PATH, bytes.length + 1);
    }

    /**
     * Reserves {@code length} bytes of {@code fd} from offset 0, extending the file, so that later
     * stores into a mapping of it never fault for want of space; retried on EINTR.
     *
     * @return 0 or the error number (ENOSPC when the file system is full)
     */
    public static int fallocate(int fd, long length) {
        require();
        try {
            for (;;) {
                int r = (int) Fallocate.H.invokeExact(fd, 0L, length);
                if (r != EINTR) {
                    return r;
                }
            }
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** Closes {@code fd}, ignoring errors. */
    public static void close(int fd) {
        require();
        try {
            int ignored = (int) Close.H.invokeExact(fd);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** The effective user id of this process. */
    public static int geteuid() {
        require();
        try {
            return (int) GETEUID.invokeExact();
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /**
     * Whether a process with id {@code pid} exists (a zombie included): {@code kill(pid, 0)} succeeds
     * or fails with EPERM.
     */
    public static boolean processExists(int pid) {
        require();
        MemorySegment scratch = scratch();
        try {
            int r = (int) Kill.H.invokeExact(scratch, pid, 0);
            return r == 0 || errno(scratch) == EPERM;
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /**
     * Ignores SIGINT, SIGTERM and SIGHUP in this process: the tracker survives a Ctrl-C, a
     * {@code kill} or a hang-up meant for its users, as Python's tracker ignores SIGINT and SIGTERM.
     */
    public static void ignoreInterrupts() {
        require();
        try {
            MemorySegment ignore = MemorySegment.ofAddress(1);   // SIG_IGN
            MemorySegment a = (MemorySegment) Signal.H.invokeExact(SIGINT, ignore);
            MemorySegment b = (MemorySegment) Signal.H.invokeExact(SIGHUP, ignore);
            MemorySegment c = (MemorySegment) Signal.H.invokeExact(SIGTERM, ignore);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /**
     * {@code syscall(SYS_futex, uaddr, op, val, timeout, 0, 0)}: a shared (not process-private)
     * futex operation; a positive {@code timeoutNanos} is passed as a relative timespec.
     *
     * @return the system call's result, or {@code -errno}
     */
    static long futex(long uaddr, int op, int val, long timeoutNanos) {
        MemorySegment scratch = scratch();
        long timeout = 0L;
        if (timeoutNanos > 0) {
            scratch.set(ValueLayout.JAVA_LONG, SCRATCH_TIMESPEC, timeoutNanos / 1_000_000_000L);
            scratch.set(ValueLayout.JAVA_LONG, SCRATCH_TIMESPEC + 8, timeoutNanos % 1_000_000_000L);
            timeout = scratch.address() + SCRATCH_TIMESPEC;
        }
        try {
            long r = (long) Syscall.H.invokeExact(scratch, SYS_FUTEX, uaddr, (long) op, (long) val, timeout, 0L, 0L);
            return r >= 0 ? r : -errno(scratch);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** The calling thread's kernel thread id ({@code gettid}). */
    static int gettid() {
        require();
        try {
            return (int) (long) Syscall.H.invokeExact(scratch(), SYS_GETTID, 0L, 0L, 0L, 0L, 0L, 0L);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /**
     * {@code set_robust_list(head, length)}: makes the {@code struct robust_list_head} at address
     * {@code head} the calling thread's robust futex list, which the kernel walks when the thread
     * exits (see {@link Liveness}).
     *
     * @return 0 or {@code -errno}
     */
    static int setRobustList(long head, long length) {
        require();
        MemorySegment scratch = scratch();
        try {
            long r = (long) Syscall.H.invokeExact(scratch, SYS_SET_ROBUST_LIST, head, length, 0L, 0L, 0L, 0L);
            return r == 0 ? 0 : -errno(scratch);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    private static RuntimeException rethrow(Throwable e) {
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        throw new IllegalStateException("native call failed", e);
    }
}
