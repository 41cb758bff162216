package dev.pyconc.multiprocessing.sharedmemory;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.FileAlreadyExistsException;

import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.ipc.internal.shm.Shm;

/**
 * A named block of memory shared by processes, Python's
 * {@code multiprocessing.shared_memory.SharedMemory}: a file in {@code /dev/shm} (or
 * {@code -Dpyconc.shm.dir}) mapped as a {@link MemorySegment}. One process creates it, others
 * attach to it by name (or receive it as an object, which attaches for them), and all see the same
 * bytes. Sizes beyond 2 GiB work. Python programs can attach to it by name too, and Java to theirs.
 *
 * <pre> {@code
 * try (var shm = SharedMemory.create(1 << 20)) {             // SharedMemory(create=True, size=...)
 *     shm.buf().set(ValueLayout.JAVA_BYTE, 0, (byte) 42);
 *     // another process: try (var view = SharedMemory.attach(name)) { view.buf()... }
 *     shm.unlink();                                          // when no process needs the name any more
 * }
 * }</pre>
 *
 * <p>Creation is exclusive and never follows a link: if the name exists (a file or a symbolic link,
 * planted or not), creation fails with an {@link UncheckedIOException} caused by
 * {@link FileAlreadyExistsException} and leaves it alone. The file gets mode 0600, whatever the
 * umask, and its whole size is reserved before mapping, so a full {@code /dev/shm} is an
 * {@code UncheckedIOException} ("No space left on device") here, never a crash later. Attaching
 * refuses a symbolic link, another user's file, or one writable by group or others. Names are
 * checked first: {@code ""}, {@code "."}, {@code ".."}, names with {@code '/'} (one leading
 * {@code '/'} is dropped, as POSIX and Python allow), NUL or other non-printable characters, and
 * names longer than 255 bytes throw {@link IllegalArgumentException}.
 *
 * <p>Lifetime, without the bugs of Python's resource tracker (cpython gh-82300, gh-104291): a
 * segment is unlinked by {@link #unlink()}, or, if it was created with tracking on (the default),
 * once the whole process tree that created it has ended, however its processes ended (kill -9
 * included), but never while a live process still maps it. Attaching never registers a segment
 * for removal. {@link #close()} unmaps at once; a segment not closed stays mapped until its JVM
 * exits.
 *
 * <p>Memory consistency effects: none beyond those of the memory accesses themselves: plain
 * accesses through {@link #buf()} are not ordered between processes. Publish data with a
 * {@code multiprocessing} Lock, Event, Queue or an atomic {@code Value} of the same processes, or use
 * {@code MemorySegment} var handles with acquire/release access modes.
 */
public class SharedMemory implements AutoCloseable, Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final transient String name;
    private final transient long size;
    private final transient Arena arena;
    private final transient boolean ownArena;     // close() closes it
    private final transient MemorySegment buf;
    private transient volatile boolean closed;     // for a caller's arena

    /**
     * Creates ({@code create == true}) or attaches to a segment, as Python's
     * {@code SharedMemory(name, create, size)} does; tracking is on.
     *
     * @param name   the segment's name, or null to create one with a random name
     * @param create whether to create a new segment
     * @param size   the size of a new segment; ignored when attaching, as in Python (the object's
     *               {@link #size()} is then the segment's), but refused there too if negative
     * @throws IllegalArgumentException for a bad name, a negative size, or size 0 with {@code create}
     * @throws UncheckedIOException     if the name exists (create), does not exist (attach), is
     *                                  refused, or space cannot be reserved
     */
    public SharedMemory(String name, boolean create, long size) {
        this(name, create, size, true);
    }

    /**
     * As {@link #SharedMemory(String, boolean, long)}, with Python 3.13's {@code track}: when false,
     * a created segment is removed only by {@link #unlink()}.
     */
    public SharedMemory(String name, boolean create, long size, boolean track) {
        this(name, create, size, track, null);
    }

    private SharedMemory(String name, boolean create, long size, boolean track, Arena given) {
        GilRuntime.checkpoint();
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative: " + size);
        }
        Arena arena = given != null ? given : Arena.ofShared();
        try {
            if (create) {
                if (size == 0) {
                    throw new IllegalArgumentException("size must be a positive number of bytes when creating a segment");
                }
                String n = name == null ? null : Shm.checkName(name);
                MemorySegment segment = null;
                while (segment == null) {
                    String candidate = n != null ? n : Shm.randomName("psm_");
                    try {
                        segment = Shm.create(candidate, size, arena, track);
                        n = candidate;
                    } catch (UncheckedIOException e) {
                        if (name != null || !(e.getCause() instanceof FileAlreadyExistsException)) {
                            throw e;
                        }
                    }
                }
                this.name = n;
                this.buf = segment;
            } else {
                if (name == null) {
                    throw new IllegalArgumentException("a name is needed to attach to an existing segment");
                }
                this.name = Shm.checkName(name);
                this.buf = Shm.attach(this.name, arena);     // the size given is ignored, as Python ignores it
            }
        } catch (RuntimeException | Error e) {
            if (given == null) {
                arena.close();
            }
            throw e;
        }
        this.arena = arena;
        this.ownArena = given == null;
        this.size = buf.byteSize();
    }

    /** Creates a tracked segment of {@code size} bytes with a random name (at least 96 random bits). */
    public static SharedMemory create(long size) {
        return new SharedMemory(null, true, size);
    }

    /** Attaches to the existing segment {@code name}. */
    public static SharedMemory attach(String name) {
        return new SharedMemory(name, false, 0);
    }

    /**
     * As {@link #create(long)}, mapped into {@code arena}: the mapping is unmapped when
     * {@code arena} is closed (or, for {@link Arena#ofAuto()}, collected), and {@link #close()}
     * leaves {@code arena} alone. A confined arena makes the mapping usable by its owner thread
     * only, and its close costs a fraction of a shared arena's (which hands shake with every
     * thread of the JVM: tens of microseconds).
     *
     * @throws IllegalArgumentException if {@code arena} is null
     */
    public static SharedMemory create(long size, Arena arena) {
        return new SharedMemory(null, true, size, true, checked(arena));
    }

    /** As {@link #attach(String)}, mapped into {@code arena} (see {@link #create(long, Arena)}). */
    public static SharedMemory attach(String name, Arena arena) {
        return new SharedMemory(name, false, 0, true, checked(arena));
    }

    private static Arena checked(Arena arena) {
        if (arena == null) {
            throw new IllegalArgumentException("arena must not be null; use the overload without one for a shared arena");
        }
        return arena;
    }

    /**
     * The mapped memory, Python's {@code buf}: {@link #size()} bytes, readable and writable by
     * any thread, valid until {@link #close()}.
     *
     * @throws IllegalStateException if the segment was closed
     */
    public MemorySegment buf() {
        if (closed || !arena.scope().isAlive()) {
            throw new IllegalStateException("SharedMemory '" + name + "' is closed");
        }
        return buf;
    }

    /** The segment's name, without a leading '/', as Python's {@code name}. */
    public String name() {
        return name;
    }

    /** The size of the mapping in bytes. */
    public long size() {
        return size;
    }

    /**
     * Unmaps the segment from this process at once (accesses through {@link #buf()} then throw
     * {@link IllegalStateException}); the segment itself lives on. Idempotent. For a segment
     * mapped into a caller's arena, only marks this object closed: the arena decides when to unmap.
     *
     * @throws IllegalStateException if a native call still uses the memory
     */
    @Override
    public void close() {
        if (!ownArena) {
            closed = true;
        } else if (arena.scope().isAlive()) {
            try {
                arena.close();
            } catch (IllegalStateException alreadyClosed) {
                if (arena.scope().isAlive()) {
                    throw alreadyClosed;
                }
            }
        }
    }

    /**
     * Removes the segment's name, Python's {@code unlink()}: no process can attach afterwards,
     * while mappings stay valid until closed. Call it once, from one process, when the segment is
     * no longer needed by name. Works after {@link #close()} too.
     *
     * @throws UncheckedIOException if the segment was already unlinked
     */
    public void unlink() {
        GilRuntime.checkpoint();
        Shm.unlink(name);
    }

    @Override
    public String toString() {
        return "SharedMemory('" + name + "', size=" + size + ")";
    }

    @Serial
    private Object writeReplace() {
        return new Handle(name);
    }

    @Serial
    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("a SharedMemory travels as its handle");
    }

    /** What a serialized SharedMemory is: its name; attaches in the receiving process. */
    private record Handle(String name) implements Serializable {
        @Serial
        private Object readResolve() {
            return SharedMemory.attach(name);
        }
    }
}
