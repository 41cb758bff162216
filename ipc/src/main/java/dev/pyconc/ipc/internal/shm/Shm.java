package dev.pyconc.ipc.internal.shm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Set;

/**
 * The mapping layer: named shared-memory files in {@code /dev/shm} (or {@code -Dpyconc.shm.dir}),
 * created and attached securely and mapped as {@link MemorySegment}s of a caller's {@link Arena},
 * so that sizes beyond 2 GiB work and closing the arena unmaps at once.
 *
 * <p>Creation opens the name with {@code O_CREAT|O_EXCL|O_NOFOLLOW}: a file or symbolic link
 * already there (planted or not) makes creation fail and is left untouched. The new file gets
 * mode 0600 with {@code fchmod}, whatever the umask, and its whole size is reserved with
 * {@code posix_fallocate} before it is mapped, so that a full file system is an exception here
 * and never a SIGBUS later. Attaching opens with {@code O_NOFOLLOW} and checks, on the open file
 * itself, that it is a regular file owned by this user and not writable by group or others.
 * Names are validated ({@link #checkName}) before any file is touched.
 *
 * <p>With native calls ({@link Posix#AVAILABLE}), every step works on the one file descriptor that
 * {@code open} returned: {@code fchmod}, {@code posix_fallocate}, {@code statx} and {@code mmap},
 * the mapping wrapped with {@link MemorySegment#reinterpret(long, Arena, java.util.function.Consumer)}
 * so that closing the arena runs {@code munmap}. (A {@link FileChannel} cannot adopt that
 * descriptor; reopening it through {@code /proc/self/fd} for {@code FileChannel.map} would cost
 * three more system calls and about 10 us per mapping.) When native calls are unavailable, the
 * same steps are made with Java file operations ({@code CREATE_NEW} and {@code NOFOLLOW_LINKS},
 * permissions set after creation, space reserved by writing zeros) and
 * {@link FileChannel#map(FileChannel.MapMode, long, long, Arena)}; the checks on attach then read
 * the path's attributes just before opening it, which leaves a short race that the sticky
 * {@code /dev/shm} directory confines to this user's own files.
 *
 * <p>Errors are {@link UncheckedIOException}s whose cause says what happened:
 * {@link FileAlreadyExistsException} (the name exists), {@link NoSuchFileException} (no such
 * segment), {@link AccessDeniedException} (a symbolic link, another user's file, a file writable by
 * others, or no permission) and {@link FileSystemException} with "No space left on device".
 *
 * <p>Memory consistency effects: none of its own; what one process writes to a mapping is ordered
 * for others only by the primitives that use it (see {@link Words}).
 */
public final class Shm {
    /** Largest name, in UTF-8 bytes (NAME_MAX). */
    public static final int MAX_NAME_BYTES = 255;

    private static final int S_IFMT = 0170000, S_IFREG = 0100000;
    private static final long RESERVE_CHUNK = 1 << 20;
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static volatile int uid = -1;

    private Shm() {}

    /** Made on first use: a SecureRandom costs a child JVM about 10 ms of its start. */
    private static final class Random {
        static final SecureRandom INSTANCE = new SecureRandom();
    }

    /** The directory that holds the segments: {@code -Dpyconc.shm.dir}, else {@code /dev/shm}. */
    public static Path directory() {
        return Path.of(System.getProperty("pyconc.shm.dir", "/dev/shm")).toAbsolutePath();
    }

    /** The path of segment {@code name} (already checked). */
    public static Path path(String name) {
        return directory().resolve(name);
    }

    /**
     * Checks a segment name and returns it without the one leading {@code '/'} that POSIX names
     * (and Python's) may carry.
     *
     * @throws IllegalArgumentException if the name is null, empty, {@code "."} or {@code ".."},
     *         holds a {@code '/'}, NUL or another non-printable character, or is longer than 255
     *         bytes in UTF-8
     */
    public static String checkName(String name) {
        if (name == null) {
            throw new IllegalArgumentException("shared memory name must not be null");
        }
        String n = name.startsWith("/") ? name.substring(1) : name;
        if (n.isEmpty()) {
            throw new IllegalArgumentException("shared memory name must not be empty"
                    + (name.isEmpty() ? "" : " (after its leading '/'): '" + name + "'"));
        }
        if (n.equals(".") || n.equals("..")) {
            throw new IllegalArgumentException("shared memory name must not be '" + n + "'");
        }
        for (int i = 0; i < n.length(); ) {
            int cp = n.codePointAt(i);
            if (cp == '/') {
                throw new IllegalArgumentException("shared memory name must not contain '/' (at index " + i
                        + "): '" + name + "'");
            }
            if (!printable(cp)) {
                throw new IllegalArgumentException(String.format(
                        "shared memory name must hold printable characters only, not U+%04X at index %d", cp, i));
            }
            i += Character.charCount(cp);
        }
        int bytes = n.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("shared memory name is " + bytes + " bytes long in UTF-8; at most "
                    + MAX_NAME_BYTES + " are allowed");
        }
        return n;
    }

    private static boolean printable(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.UNASSIGNED,
                 Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.PRIVATE_USE -> false;
            default -> true;
        };
    }

    /** A fresh name: {@code prefix} followed by 26 random base-32 characters (130 random bits). */
    public static String randomName(String prefix) {
        byte[] bits = new byte[17];
        Random.INSTANCE.nextBytes(bits);
        StringBuilder sb = new StringBuilder(prefix.length() + 26).append(prefix);
        long buffer = 0;
        int have = 0, at = 0;
        for (int i = 0; i < 26; i++) {
            if (have < 5) {
                buffer = buffer << 8 | (bits[at++] & 0xFF);
                have += 8;
            }
            sb.append(BASE32[(int) (buffer >>> (have - 5)) & 31]);
            have -= 5;
        }
        return sb.toString();
    }

    /**
     * Creates segment {@code name} of {@code size} bytes and maps it into {@code arena}. When
     * {@code track}, the segment is registered with this process tree's {@link ResourceTracker}
     * before the file exists, so that no kill can leave it unregistered.
     *
     * @throws IllegalArgumentException if {@code size} is not positive
     * @throws UncheckedIOException     if the name exists, or space cannot be reserved
     */
    public static MemorySegment create(String name, long size, Arena arena, boolean track) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be a positive number of bytes, not " + size);
        }
        Path path = path(name);
        if (track) {
            ResourceTracker.registering(path);
        }
        boolean done = false;
        try {
            long[] ino = {-1};
            MemorySegment segment = Posix.AVAILABLE ? createNative(path, size, arena, ino)
                    : createPortable(path, size, arena, ino);
            done = true;
            if (track) {
                ResourceTracker.created(path, ino[0]);
            }
            return segment;
        } finally {
            if (track && !done) {
                ResourceTracker.abandoned(path);
            }
        }
    }

    /**
     * Maps existing segment {@code name}, whole, into {@code arena}.
     *
     * @throws UncheckedIOException if there is no such segment, or it is refused: a symbolic link,
     *         not a regular file, owned by another user, or writable by group or others
     */
    public static MemorySegment attach(String name, Arena arena) {
        ResourceTracker.joinIfChild();
        Path path = path(name);
        return Posix.AVAILABLE ? attachNative(path, arena) : attachPortable(path, arena);
    }

    /**
     * Removes the name of segment {@code name}; mappings stay valid until closed.
     *
     * @throws UncheckedIOException with {@link NoSuchFileException} if there is none
     */
    public static void unlink(String name) {
        Path path = path(name);
        long ino;
        if (Posix.AVAILABLE) {
            int[] error = {0};
            Posix.Stat st = Posix.stat(-1, path.toString(), error);
            if (st == null) {
                throw failure(path, -error[0], "cannot unlink");
            }
            if ((st.mode() & S_IFMT) != S_IFREG) {
                throw failure(path, Posix.EISDIR, "cannot unlink");
            }
            int r = Posix.unlink(path.toString());
            if (r != 0) {
                throw failure(path, -r, "cannot unlink");
            }
            ino = st.ino();
        } else {
            try {
                Map<String, Object> a = Files.readAttributes(path, "unix:ino,mode", LinkOption.NOFOLLOW_LINKS);
                if (((int) a.get("mode") & S_IFMT) != S_IFREG) {
                    throw new AccessDeniedException(path.toString(), null, "not a regular file: left untouched");
                }
                ino = (long) a.get("ino");
                Files.delete(path);
            } catch (IOException e) {
                throw unchecked(e);
            }
        }
        ResourceTracker.unlinked(path, ino);
    }

    /** The inode number of {@code path}, or -1. */
    private static long inode(Path path) {
        try {
            return (long) Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    // ---------------------------------------------------------------- native path

    private static MemorySegment createNative(Path path, long size, Arena arena, long[] ino) {
        int fd = Posix.open(path.toString(), true);
        if (fd < 0) {
            throw failure(path, -fd, "cannot create");
        }
        boolean mapped = false;
        try {
            int r = Posix.fchmod(fd, 0600);
            if (r != 0) {
                throw failure(path, -r, "cannot set mode 0600 of");
            }
            r = Posix.fallocate(fd, size);
            if (r != 0) {
                throw failure(path, r, "cannot reserve " + size + " bytes for");
            }
            int[] error = {0};
            Posix.Stat st = Posix.stat(fd, null, error);
            MemorySegment segment = st == null ? null : Posix.map(fd, size, arena, error);
            if (segment == null) {
                throw failure(path, -error[0], "cannot map");
            }
            ino[0] = st.ino();
            mapped = true;
            return segment;
        } finally {
            Posix.close(fd);
            if (!mapped) {
                Posix.unlink(path.toString());
            }
        }
    }

    private static MemorySegment attachNative(Path path, Arena arena) {
        int fd = Posix.open(path.toString(), false);
        if (fd < 0) {
            throw failure(path, -fd, "cannot open");
        }
        try {
            int[] error = {0};
            Posix.Stat st = Posix.stat(fd, null, error);
            if (st == null) {
                throw failure(path, -error[0], "cannot stat");
            }
            long size = checkAttachable(path, st.uid(), st.mode(), st.size());
            MemorySegment segment = Posix.map(fd, size, arena, error);
            if (segment == null) {
                throw failure(path, -error[0], "cannot map");
            }
            return segment;
        } catch (IOException e) {
            throw unchecked(e);
        } finally {
            Posix.close(fd);
        }
    }

    // ---------------------------------------------------------------- portable path

    private static MemorySegment createPortable(Path path, long size, Arena arena, long[] ino) {
        boolean mapped = false;
        try (FileChannel ch = FileChannel.open(path,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            try {
                Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setPermissions(PosixFilePermissions.fromString("rw-------"));
                ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(size, RESERVE_CHUNK));
                for (long at = 0; at < size; ) {
                    zeros.clear().limit((int) Math.min(zeros.capacity(), size - at));
                    at += ch.write(zeros, at);
                }
                MemorySegment segment = ch.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
                ino[0] = inode(path);
                mapped = true;
                return segment;
            } finally {
                if (!mapped) {
                    deleteQuietly(path);
                }
            }
        } catch (IOException e) {
            throw unchecked(e);
        }
    }

    private static MemorySegment attachPortable(Path path, Arena arena) {
        try {
            Map<String, Object> a = Files.readAttributes(path, "unix:uid,mode,size", LinkOption.NOFOLLOW_LINKS);
            long size = checkAttachable(path, (int) a.get("uid"), (int) a.get("mode"), (long) a.get("size"));
            try (FileChannel ch = FileChannel.open(path, Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS))) {
                return ch.map(FileChannel.MapMode.READ_WRITE, 0, Math.min(size, ch.size()), arena);
            }
        } catch (IOException e) {
            throw unchecked(e);
        }
    }

    // ---------------------------------------------------------------- shared steps

    private static long checkAttachable(Path path, int owner, int mode, long size) throws IOException {
        if ((mode & S_IFMT) == 0120000) {
            throw new AccessDeniedException(path.toString(), null, "is a symbolic link: refused");
        }
        if ((mode & S_IFMT) != S_IFREG) {
            throw new AccessDeniedException(path.toString(), null, "is not a regular file: refused");
        }
        if (owner != currentUid()) {
            throw new AccessDeniedException(path.toString(), null,
                    "is owned by uid " + owner + ", not by this user (uid " + currentUid() + "): refused");
        }
        if ((mode & 022) != 0) {
            throw new AccessDeniedException(path.toString(), null, String.format(
                    "is writable by group or others (mode %04o): refused", mode & 07777));
        }
        if (size <= 0) {
            throw new FileSystemException(path.toString(), null, "is empty: nothing to map");
        }
        return size;
    }

    /**
     * This process's effective user id: from {@code /proc/self/status} on Linux (a child JVM
     * asks while it starts, and linking a native call there costs it 10 to 20 ms), else by a
     * native call or a probe file.
     */
    public static int currentUid() {
        int u = uid;
        if (u < 0) {
            u = procUid();
            if (u < 0) {
                u = Posix.AVAILABLE ? Posix.geteuid() : probeUid();
            }
            uid = u;
        }
        return u;
    }

    /** The effective uid on the "Uid:" line of /proc/self/status (real, effective, saved, fs), or -1. */
    private static int procUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\t")[1].trim());   // tab-separated
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc: the caller asks otherwise
        }
        return -1;
    }

    private static int probeUid() {
        try {
            Path probe = Files.createTempFile("pyconc-uid", ".probe");
            try {
                return (int) Files.getAttribute(probe, "unix:uid");
            } finally {
                Files.deleteIfExists(probe);
            }
        } catch (IOException e) {
            throw unchecked(e);
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // nothing more to do: the creation already failed
        }
    }

    private static UncheckedIOException failure(Path path, int errno, String what) {
        String file = path.toString();
        IOException cause = switch (errno) {
            case Posix.EEXIST -> new FileAlreadyExistsException(file, null,
                    what + ": a file or link of that name exists (left untouched)");
            case Posix.ENOENT -> new NoSuchFileException(file, null, what + ": no such shared memory segment");
            case Posix.ELOOP -> new AccessDeniedException(file, null, what + ": is a symbolic link: refused");
            case Posix.EISDIR -> new AccessDeniedException(file, null, what + ": is not a regular file: refused");
            case Posix.EACCES, Posix.EPERM -> new AccessDeniedException(file, null, what + ": permission denied");
            case Posix.ENOSPC -> new FileSystemException(file, null, what + ": No space left on device");
            case Posix.EFBIG -> new FileSystemException(file, null, what + ": File too large");
            default -> new FileSystemException(file, null, what + ": errno " + errno);
        };
        return new UncheckedIOException(cause.getMessage(), cause);
    }

    /** Wraps {@code e}, keeping its message. */
    public static UncheckedIOException unchecked(IOException e) {
        return new UncheckedIOException(e.getMessage(), e);
    }
}
