package dev.pyconc.multiprocessing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.core.internal.Interrupts;
import dev.pyconc.core.internal.Timeouts;
import dev.pyconc.ipc.internal.codec.GrowableBuffer;
import dev.pyconc.ipc.internal.codec.ItemDecoder;
import dev.pyconc.ipc.internal.journal.ChronicleJournal;
import dev.pyconc.ipc.internal.journal.JournalFlags;
import dev.pyconc.queue.Empty;

/**
 * A durable queue between processes, kept in files: items {@code put} survive the crash and
 * restart of every process that uses it, and are handed out to named consumer groups. It has the
 * {@code put}/{@code get} API of Python's {@code multiprocessing.Queue}, which has no durable
 * counterpart; its model is a journal (Kafka's log with consumer groups, on one machine).
 *
 * <pre> {@code
 * // producer process
 * try (JournalQueue<String> q = JournalQueue.open(Path.of("/var/lib/app/orders"))) {
 *     q.put("order-1");                       // on disk (page cache) when put returns
 * }
 * // consumer processes: each item goes to one consumer of group "billing",
 * // and, independently, to one consumer of group "audit"
 * try (JournalQueue<String> q = JournalQueue.open(Path.of("/var/lib/app/orders"), "billing")) {
 *     String order = q.get(Duration.ofSeconds(5));
 * }
 * }</pre>
 *
 * <p>Semantics:
 * <ul>
 * <li>Durable: an item is in the journal's memory-mapped files when {@code put} returns, so it
 *     survives a kill -9 of any process (a crash of the machine itself loses what the operating
 *     system had not yet written back). A producer killed in the middle of a {@code put} leaves no
 *     partial item: readers never see it, and the next writer recovers the journal.</li>
 * <li>Consumer groups: a handle consumes as the group it was opened with ({@code "default"}
 *     unless named). Each item goes to exactly one {@code get} among all the handles of a group,
 *     in every thread and process; every group sees every item, in the journal's order. A new
 *     group starts at the journal's first item. The group's position is kept in the journal's
 *     files, so it survives restarts; a consumer killed after its {@code get} took an item and
 *     before it used it has consumed that item (at-most-once delivery per group for that
 *     instant; exactly once otherwise).</li>
 * <li>Replay: {@link #seek(long)} moves the group back (or forward) to an index, such as one
 *     returned by {@link #append(Object)}; the group then receives every item from there again.
 *     The journal never deletes items (Chronicle Queue's files roll daily; remove old ones with
 *     your own retention when no group needs them).</li>
 * <li>Items are encoded with a {@link Codec} ({@link Codec#standard()} unless the builder says
 *     otherwise) completely before anything is written: a {@link PicklingError} from {@code put}
 *     leaves the journal unchanged. An item that cannot be decoded is taken from the group and its
 *     {@link UnpicklingError} thrown from {@code get}, so a bad item never blocks a group.</li>
 * <li>Waiting: a {@code get} that finds nothing polls the journal, backing off from a short
 *     spin to parks of at most {@value #MAX_PARK_MICROS} microseconds; it drops the GIL while it
 *     waits (GIL mode).</li>
 * </ul>
 *
 * <p>Storage is <a href="https://github.com/OpenHFT/Chronicle-Queue">Chronicle Queue</a>, an
 * optional dependency of pyconc-ipc: add {@code net.openhft:chronicle-queue} to use this class,
 * and run the JVM with {@code --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
 * --add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED}
 * (replace {@code ALL-UNNAMED} with {@code chronicle.core,chronicle.bytes} when Chronicle's jars
 * are on the module path, and add {@code --add-modules chronicle.queue} unless a module of the
 * application requires it). pyconc sets {@code chronicle.analytics.disable=true} and
 * {@code chronicle.announcer.disable=true} before Chronicle loads, unless the application set
 * them first; child processes started by pyconc get the same flags and properties.
 *
 * <p>A handle is safe for use by several threads; they share its group.
 *
 * <p>Memory consistency effects: actions in a thread (of any process) prior to {@code put} of an
 * item <i>happen-before</i> actions subsequent to the {@code get} that returns that item, in
 * another thread of the same process; across processes, the item's bytes are all visible to the
 * {@code get} that returns it.
 *
 * @param <E> the type of the items
 */
public final class JournalQueue<E> implements AutoCloseable {
    /** The group that {@link #open(Path)} consumes as. */
    public static final String DEFAULT_GROUP = "default";
    /** The longest park of a waiting {@code get}, in microseconds. */
    public static final long MAX_PARK_MICROS = 1000;

    private static final int SPINS = 100;
    private static final long MIN_PARK_NANOS = 1_000;

    static {
        JournalFlags.applyDefaults();
    }

    private final Path directory;
    private final String group;
    private final Codec<E> codec;
    private final ItemDecoder decoder;      // codec::decode, as the journal takes it
    private final String codecName;         // the codec's class, for the journal's messages
    private final ChronicleJournal journal;
    private volatile boolean closed;

    /*
     * Overview. This class holds no Chronicle type in its signature or fields' declared types
     * that the JVM resolves before open: ChronicleJournal is the one class that uses Chronicle,
     * and it is loaded when the first journal is opened, after the static initializer above has
     * set Chronicle's properties. put encodes into the calling thread's GrowableBuffer, then
     * ChronicleJournal appends the bytes; get asks ChronicleJournal to take the group's next item
     * (a CAS on the group's cursor in the journal's table store, described there) and, while
     * there is none, backs off: SPINS onSpinWait rounds, then parks doubling from 1 us to
     * MAX_PARK_MICROS. closed is volatile; a get that sees it throws.
     */

    private JournalQueue(Path directory, String group, Codec<E> codec, long blockSize) {
        this.directory = directory;
        this.group = group;
        this.codec = codec;
        this.decoder = codec::decode;
        this.codecName = codec.getClass().getName();
        this.journal = openJournal(directory, group, blockSize);
    }

    private static ChronicleJournal openJournal(Path directory, String group, long blockSize) {
        if (!JournalFlags.chronicleAvailable()) {
            throw new IllegalStateException("JournalQueue stores its items with Chronicle Queue: add the dependency "
                    + "net.openhft:chronicle-queue to the application (and, on the module path, --add-modules chronicle.queue)");
        }
        try {
            return ChronicleJournal.open(directory, group, blockSize);
        } catch (NoClassDefFoundError e) {
            throw new IllegalStateException("JournalQueue cannot load Chronicle Queue (" + e.getMessage()
                    + "): add net.openhft:chronicle-queue and its dependencies to the class path, or "
                    + "--add-modules chronicle.queue on the module path", e);
        }
    }

    /**
     * Opens the journal in {@code directory}, creating the directory and the journal if needed,
     * consuming as the group {@value #DEFAULT_GROUP}, with the standard codec.
     *
     * @throws IllegalArgumentException if {@code directory} is null or is a file
     * @throws IllegalStateException if Chronicle Queue or the JVM flags it needs are missing
     */
    public static <E> JournalQueue<E> open(Path directory) {
        return JournalQueue.<E>builder(directory).build();
    }

    /** As {@link #open(Path)}, consuming as {@code group}. */
    public static <E> JournalQueue<E> open(Path directory, String group) {
        return JournalQueue.<E>builder(directory).group(group).build();
    }

    /** A builder for a journal in {@code directory}, for a group, a codec or a block size of one's own. */
    public static <E> Builder<E> builder(Path directory) {
        return new Builder<>(directory);
    }

    /**
     * Appends {@code item} to the journal. When this returns, the item is stored and will be seen
     * by every group.
     *
     * @throws PicklingError if the codec cannot encode it, or it is larger than the journal's
     *         largest item (a quarter of its block size): nothing is written
     * @throws IllegalStateException if this handle is closed
     */
    public void put(E item) {
        append(item);
    }

    /**
     * As {@link #put(Object)}, returning the index the item got: a position that {@link #seek(long)}
     * accepts, increasing with every item.
     */
    public long append(E item) {
        GilRuntime.checkpoint();
        ensureOpen();
        GrowableBuffer bytes = StandardCodec.encodeToBuffer(codec, item);
        try {
            return journal.append(bytes);
        } finally {
            bytes.reset();
        }
    }

    /**
     * Takes the group's next item, waiting until there is one.
     *
     * @throws UnpicklingError if the item cannot be decoded (it is taken all the same)
     * @throws IllegalStateException if this handle is or gets closed
     * @throws dev.pyconc.builtins.InterruptedError if the thread is interrupted while it waits
     */
    public E get() {
        return take(true, -1);
    }

    /**
     * Takes the group's next item, waiting at most {@code timeout}.
     *
     * @throws Empty if no item came within {@code timeout}
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public E get(Duration timeout) {
        return take(true, Timeouts.toNanos(timeout));
    }

    /**
     * Takes the group's next item if there is one now: Python's {@code get_nowait}.
     *
     * @throws Empty if the group has taken every item
     */
    public E getNowait() {
        return take(false, 0);
    }

    @SuppressWarnings("unchecked")
    private E take(boolean block, long nanos) {
        GilRuntime.checkpoint();
        ensureOpen();
        Object item = journal.take(decoder, codecName);
        if (item != ChronicleJournal.NOTHING) {
            return (E) item;
        }
        if (!block || nanos == 0) {
            throw new Empty("journal queue has no item for group '" + group + "'");
        }
        long deadline = nanos < 0 ? 0 : Timeouts.deadline(nanos);
        for (int idle = 0; ; idle++) {
            long pause = idle < SPINS ? 0 : Math.min(MAX_PARK_MICROS * 1000, MIN_PARK_NANOS << Math.min(idle - SPINS, 10));
            if (nanos >= 0) {
                long left = Timeouts.remaining(deadline);
                if (left <= 0) {
                    throw new Empty("no item for group '" + group + "' within the timeout");
                }
                pause = Math.min(pause, left);
            }
            boolean dropped = GilRuntime.beginBlocking();
            try {
                if (pause == 0) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, pause);
                }
            } finally {
                GilRuntime.endBlocking(dropped);
            }
            if (Thread.interrupted()) {
                throw Interrupts.unchecked(new InterruptedException());
            }
            ensureOpen();
            item = journal.take(decoder, codecName);
            if (item != ChronicleJournal.NOTHING) {
                return (E) item;
            }
        }
    }

    /** The number of items that the group has not taken yet: a snapshot that other processes change. */
    public long qsize() {
        ensureOpen();
        return journal.backlog();
    }

    /** Whether the group has taken every item (a snapshot, as {@link #qsize()}). */
    public boolean empty() {
        return qsize() == 0;
    }

    /**
     * Moves the group so that its next {@code get}, in every process, returns the item at
     * {@code index} (replay from a position), or the first item after it.
     *
     * @throws IllegalArgumentException if {@code index} lies outside the journal (it may be one
     *         past the last item)
     */
    public void seek(long index) {
        GilRuntime.checkpoint();
        ensureOpen();
        journal.seek(index);
    }

    /** Moves the group past every item now in the journal: it will receive only later ones. */
    public void seekToEnd() {
        GilRuntime.checkpoint();
        ensureOpen();
        journal.seekToEnd();
    }

    /** The index the group takes next (its position in the journal). */
    public long position() {
        ensureOpen();
        return journal.position();
    }

    /** The index of the item that this handle's last successful {@code get} returned, or -1. */
    public long lastGetIndex() {
        return journal.lastTaken();
    }

    /** The index of the journal's first item, or -1 if it has none. */
    public long firstIndex() {
        ensureOpen();
        return journal.firstIndex();
    }

    /** The index of the journal's last item, or -1 if it has none. */
    public long lastIndex() {
        ensureOpen();
        return journal.lastIndex();
    }

    /** The group this handle consumes as. */
    public String group() {
        return group;
    }

    /** The journal's directory. */
    public Path directory() {
        return directory;
    }

    /**
     * Closes this handle: its files are unmapped; the journal and every group's position stay on
     * disk. A {@code get} waiting in another thread throws {@link IllegalStateException}. Closing
     * twice does nothing.
     */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            journal.close();
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean closed() {
        return closed;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("journal queue " + directory + " is closed");
        }
    }

    @Override
    public String toString() {
        return "JournalQueue[" + directory + ", group=" + group + (closed ? ", closed" : "") + "]";
    }

    /**
     * Builds a {@link JournalQueue}: the consumer group, the codec, and Chronicle's block size
     * (the unit in which its files grow, sparse on Linux; an encoded item must fit in a quarter of
     * it: 16 MiB with the default of 64 MiB, 256 MiB with {@code blockSize(1L << 30)}). The block
     * size is chosen when the journal's current file is created.
     *
     * <pre> {@code
     * JournalQueue<Order> q = JournalQueue.<Order>builder(dir)
     *         .group("billing")
     *         .codec(Codec.builder().allowPackage("com.example.orders").build())
     *         .build();
     * }</pre>
     *
     * <p>Memory consistency effects: none; a builder is used by one thread.
     *
     * @param <E> the type of the items
     */
    public static final class Builder<E> {
        private final Path directory;
        private String group = DEFAULT_GROUP;
        private Codec<E> codec;
        private long blockSize;

        private Builder(Path directory) {
            if (directory == null) {
                throw new IllegalArgumentException("directory must not be null");
            }
            this.directory = directory;
        }

        /**
         * The consumer group this handle takes items for: letters, digits, '.', '_' and '-', 1 to
         * 100 characters.
         */
        public Builder<E> group(String group) {
            if (group == null || group.isEmpty() || group.length() > 100
                    || !group.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-'))) {
                throw new IllegalArgumentException("group must be 1 to 100 characters of letters, digits, '.', '_' or '-': "
                        + (group == null ? "null" : "'" + group + "'"));
            }
            this.group = group;
            return this;
        }

        /** The codec of the items; every process using the journal must use an equivalent one. */
        public Builder<E> codec(Codec<E> codec) {
            if (codec == null) {
                throw new IllegalArgumentException("codec must not be null; Codec.standard() is the default");
            }
            this.codec = codec;
            return this;
        }

        /** Chronicle's block size in bytes, a power of two of at least 64 KiB; 0 keeps Chronicle's default. */
        public Builder<E> blockSize(long blockSize) {
            if (blockSize != 0 && (blockSize < (64 << 10) || Long.bitCount(blockSize) != 1)) {
                throw new IllegalArgumentException("blockSize must be 0 or a power of two of at least 65536: " + blockSize);
            }
            this.blockSize = blockSize;
            return this;
        }

        /**
         * Opens the journal, creating its directory if needed.
         *
         * @throws IllegalArgumentException if the directory is a file or cannot be created
         * @throws IllegalStateException if Chronicle Queue or the JVM flags it needs are missing
         */
        @SuppressWarnings("unchecked")
        public JournalQueue<E> build() {
            if (Files.exists(directory) && !Files.isDirectory(directory)) {
                throw new IllegalArgumentException(directory + " is a file, not a journal directory");
            }
            try {
                Files.createDirectories(directory);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("cannot create the journal directory " + directory + ": " + e, e);
            }
            Codec<E> c = codec != null ? codec : (Codec<E>) (Codec<?>) Codec.standard();
            return new JournalQueue<>(directory, group, c, blockSize);
        }
    }
}
