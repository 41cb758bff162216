package dev.pyconc.ipc.internal.shm;

import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segments that hold pyconc's cross-process primitives: one file per primitive, named
 * {@code pyconc-<kind>-<130 random bits>}, starting with a {@link HeaderDescriptor header}, mapped
 * once per JVM and shared by every object of that JVM that refers to it.
 *
 * <p>Lifetime: a primitive's segment is tracked (see {@link ResourceTracker}), so it is unlinked
 * when its creating process tree ends. Before that, when the creating process no longer references
 * it (every object on the segment in that JVM has been garbage collected), the creator unlinks it,
 * as CPython's {@code SemLock} finalizer unlinks its named semaphore: processes that have attached
 * keep working (their mappings stay valid), but a handle received after that cannot attach any
 * more. Keep the primitive reachable in its creator as long as handles to it may be in flight.
 * Queues and pipes, which {@code close()} releases, are counted instead
 * ({@link #createReleasedByClose}, {@link References}): the last reference released in any process
 * removes them. Mappings are unmapped when no object of the JVM uses them ({@link Arena#ofAuto()}).
 *
 * <p>Memory consistency effects: the creator's writes to a new segment (header and body)
 * happen-before a peer's successful attach, which reads the header's magic with acquire semantics.
 */
public final class Segments {
    /*
     * Overview. `attached` maps a name to the live Mapped of this JVM, through weak references, so
     * that a handle deserialized twice (or a primitive sent back to its creator) shares one mapping;
     * the ConcurrentHashMap's compute() serialises attaching one name. The creator registers a
     * Cleaner on its Mapped that unlinks the file: objects on the segment hold the Mapped, so it
     * becomes phantom reachable only when none is left in this JVM. Segments released by close()
     * (queues, pipes) are not cached: each object maps its own view in a shared Arena of its own,
     * which its close() ends (unmap), since a removed file's memory returns to the system only once
     * nothing maps it.
     */

    private static final Logger LOG = LoggerFactory.getLogger(Segments.class);
    private static final Cleaner CLEANER = Cleaner.create();
    private static final ConcurrentHashMap<String, Ref> attached = new ConcurrentHashMap<>();
    private static final ReferenceQueue<Mapped> collected = new ReferenceQueue<>();
    private static final long PAGE = 4096;

    private Segments() {}

    /**
     * One mapped primitive segment. Objects built on it keep a reference to it (not only to
     * {@link #memory()}), which keeps the segment linked while they live in the creating process.
     */
    public static final class Mapped {
        private final String name;
        private final MemorySegment memory;
        private final Arena arena;      // the object's own mapping ({@link #unmap}), or null: shared, unmapped by GC

        Mapped(String name, MemorySegment memory) {
            this(name, memory, null);
        }

        private Mapped(String name, MemorySegment memory, Arena arena) {
            this.name = name;
            this.memory = memory;
            this.arena = arena;
        }

        /** The segment's name (no leading '/'). */
        public String name() {
            return name;
        }

        /** The whole mapping, header included. */
        public MemorySegment memory() {
            return memory;
        }

        /** The header's kind. */
        public int kind() {
            return Words.getInt(memory, HeaderDescriptor.KIND);
        }
    }

    /** What a creator writes into the body before the segment is published. */
    @FunctionalInterface
    public interface Initializer {
        void initialize(MemorySegment memory);
    }

    /**
     * Creates, initialises and publishes a new tracked segment of {@code kind} whose body holds
     * {@code bodySize} bytes.
     */
    public static Mapped create(int kind, long bodySize, Initializer body) {
        return create(kind, bodySize, body, true);
    }

    private static Mapped create(int kind, long bodySize, Initializer body, boolean shared) {
        long used = HeaderDescriptor.BODY + bodySize;
        long size = (used + PAGE - 1) / PAGE * PAGE;
        String name = Shm.randomName("pyconc-" + HeaderDescriptor.kindName(kind) + "-");
        Arena arena = shared ? Arena.ofAuto() : Arena.ofShared();
        MemorySegment memory = Shm.create(name, size, arena, true);
        Words.putInt(memory, HeaderDescriptor.KIND, kind);
        Words.putInt(memory, HeaderDescriptor.VERSION, HeaderDescriptor.VERSION_VALUE);
        Words.putLong(memory, HeaderDescriptor.SIZE, used);
        Words.putLong(memory, HeaderDescriptor.CREATOR, ProcessId.SELF);
        body.initialize(memory);
        Words.putLongRelease(memory, HeaderDescriptor.MAGIC, HeaderDescriptor.MAGIC_VALUE);
        if (!shared) {
            return new Mapped(name, memory, arena);
        }
        Mapped mapped = new Mapped(name, memory);
        purge();
        attached.put(name, new Ref(mapped));
        CLEANER.register(mapped, new Unlinker(name));
        return mapped;
    }

    /**
     * Creates a new tracked segment, as {@link #create} does, for an object that {@code close()}
     * releases: its creator does not remove it when it collects its objects; the segment's own
     * reference counts ({@link References}) decide, and {@link #remove} removes it. The mapping
     * is the object's own ({@link #unmap}); a second object needs {@link #mapAgain}.
     */
    public static Mapped createReleasedByClose(int kind, long bodySize, Initializer body) {
        return create(kind, bodySize, body, false);
    }

    /**
     * Maps segment {@code name} after checking its header, as {@link #attach} does, for one object
     * that {@code close()} releases: a mapping of its own, outside this JVM's shared mappings, which
     * {@link #unmap} ends when the object is closed.
     *
     * @throws IllegalStateException if the segment is gone, or is not such a primitive
     */
    public static Mapped attachReleasedByClose(String name, long bodySize, int... kinds) {
        String checked = Shm.checkName(name);
        Arena arena = Arena.ofShared();
        try {
            Mapped mapped = new Mapped(checked, map(checked, arena).memory, arena);
            checkHeader(mapped, bodySize, kinds);
            return mapped;
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Another mapping of {@code mapped}'s segment, of its own: for a second object on a segment just made. */
    public static Mapped mapAgain(Mapped mapped) {
        return attachReleasedByClose(mapped.name, 0, mapped.kind());
    }

    /**
     * Removes segment {@code mapped} (the last reference to it was released); mappings of it stay
     * valid. A segment that is gone already is left so.
     */
    public static void remove(Mapped mapped) {
        new Unlinker(mapped.name).run();
    }

    /**
     * Ends a mapping of an object that {@code close()} released ({@link #attachReleasedByClose}),
     * so that a removed segment's memory goes back to the system at once, not when the garbage
     * collector runs. Any later access to the mapping throws IllegalStateException. A mapping
     * shared by this JVM's objects is left to the garbage collector.
     */
    public static void unmap(Mapped mapped) {
        if (mapped.arena != null) {
            try {
                mapped.arena.close();
            } catch (IllegalStateException e) {
                LOG.debug("segment {} stays mapped: {}", mapped.name, e.getMessage());
            }
        }
    }

    /**
     * Maps segment {@code name} (or returns this JVM's mapping of it) after checking its header:
     * its kind must be one of {@code kinds}, and it must hold at least {@code bodySize} bytes of body.
     *
     * @throws IllegalStateException if the segment is gone, or is not such a primitive
     */
    public static Mapped attach(String name, long bodySize, int... kinds) {
        String checked = Shm.checkName(name);
        Mapped mapped = lookup(checked);
        if (mapped == null) {
            purge();
            mapped = attached.compute(checked, (n, ref) -> {
                Mapped m = ref == null ? null : ref.get();
                return m != null ? ref : new Ref(map(n));
            }).get();
            if (mapped == null) {     // collected between compute() and get(): map again
                mapped = map(checked);
            }
        }
        checkHeader(mapped, bodySize, kinds);
        return mapped;
    }

    private static Mapped lookup(String name) {
        Ref ref = attached.get(name);
        return ref == null ? null : ref.get();
    }

    /** Forgets the entries whose mapping was collected. */
    private static void purge() {
        for (var r = collected.poll(); r != null; r = collected.poll()) {
            Ref ref = (Ref) r;
            attached.remove(ref.name, ref);
        }
    }

    /** A weak cache entry that knows its key. */
    private static final class Ref extends WeakReference<Mapped> {
        final String name;

        Ref(Mapped mapped) {
            super(mapped, collected);
            this.name = mapped.name;
        }
    }

    private static Mapped map(String name) {
        return map(name, Arena.ofAuto());
    }

    private static Mapped map(String name, Arena arena) {
        try {
            return new Mapped(name, Shm.attach(name, arena));
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof NoSuchFileException) {
                throw new IllegalStateException("pyconc segment '" + name + "' no longer exists: the process that"
                        + " created it released it (keep the object reachable there until every receiver has it)"
                        + " or its process tree has ended", e);
            }
            throw new IllegalStateException("cannot attach pyconc segment '" + name + "': " + e.getMessage(), e);
        }
    }

    private static void checkHeader(Mapped mapped, long bodySize, int... kinds) {
        MemorySegment m = mapped.memory;
        String what = "segment '" + mapped.name + "'";
        if (m.byteSize() < HeaderDescriptor.BODY
                || Words.getLongAcquire(m, HeaderDescriptor.MAGIC) != HeaderDescriptor.MAGIC_VALUE) {
            throw new IllegalStateException(what + " is not a pyconc primitive (bad magic)");
        }
        int kind = Words.getInt(m, HeaderDescriptor.KIND);
        boolean known = false;
        for (int k : kinds) {
            known |= k == kind;
        }
        if (!known) {
            throw new IllegalStateException(what + " holds a " + HeaderDescriptor.kindName(kind) + ", not a "
                    + HeaderDescriptor.kindName(kinds[0]));
        }
        int version = Words.getInt(m, HeaderDescriptor.VERSION);
        if (version != HeaderDescriptor.VERSION_VALUE) {
            throw new IllegalStateException(what + " has layout version " + version + "; this pyconc reads version "
                    + HeaderDescriptor.VERSION_VALUE);
        }
        long used = Words.getLong(m, HeaderDescriptor.SIZE);
        if (used < HeaderDescriptor.BODY + bodySize || used > m.byteSize()) {
            throw new IllegalStateException(what + " declares " + used + " bytes, but needs at least "
                    + (HeaderDescriptor.BODY + bodySize) + " and maps " + m.byteSize());
        }
    }

    /** Unlinks the file: the creator's clean-up once it holds no object on it, or the last release. */
    private record Unlinker(String name) implements Runnable {
        @Override
        public void run() {
            try {
                Shm.unlink(name);
            } catch (UncheckedIOException | IllegalStateException e) {
                LOG.debug("segment {} was already unlinked: {}", name, e.getMessage());
            }
        }
    }
}
