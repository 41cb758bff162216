package dev.pyconc.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.pyconc.builtins.EOFError;
import dev.pyconc.ipc.internal.ring.PipeDescriptor;
import dev.pyconc.ipc.internal.ring.QueueDescriptor;
import dev.pyconc.ipc.internal.ring.RingDescriptor;
import dev.pyconc.ipc.internal.shm.HeaderDescriptor;
import dev.pyconc.ipc.internal.shm.Shm;
import dev.pyconc.ipc.internal.shm.Words;
import dev.pyconc.multiprocessing.sharedmemory.SharedMemory;
import dev.pyconc.queue.Empty;
import dev.pyconc.queue.Full;
import dev.pyconc.queue.ShutDown;

/**
 * Hostile peers: a process that writes garbage into pyconc's shared memory (the header of every
 * kind of segment, a ring's words, its records, the names of item segments it references), plants
 * files and symbolic links where segments are created or attached, or sends objects of classes
 * outside the codec's allow-list. Every call must end within its timeout with its normal result,
 * a documented exception ({@link Empty}, {@link Full}, {@link UnpicklingError}), or an
 * {@link IllegalStateException} that names the segment; never another exception, a crash (no
 * {@code hs_err_pid*.log} appears), a hang, or an allocation of more than a few MiB.
 *
 * <p>Garbage is written through a second mapping of the segment (as another process maps it) or
 * by a child JVM.
 */
@ExtendWith(NoLeaks.class)
class HostileInputTest {
    /** The timeout of each call on a corrupted segment. */
    private static final Duration CALL = Duration.ofMillis(50);
    /** How long a call may outlive its timeout before it counts as hung. */
    private static final long HANG_SLACK_NANOS = Duration.ofSeconds(3).toNanos();
    /** The most a call on a corrupted segment may allocate (the items here have at most 2 KB). */
    private static final long MAX_ALLOCATION = 8 << 20;
    /** The ring of the queues here: 4 KiB, so that items above 1 KiB travel in a segment of their own. */
    private static final long RING = 4096;

    private Set<Path> crashLogs;

    @BeforeEach
    void noteCrashLogs() throws IOException {
        crashLogs = crashLogs();
    }

    /** No JVM of the test (this one or a child, which share the working directory) wrote a crash log. */
    @AfterEach
    void noCrashLog() throws IOException {
        Set<Path> now = crashLogs();
        now.removeAll(crashLogs);
        assertTrue(now.isEmpty(), "a JVM crashed: " + now);
    }

    private static Set<Path> crashLogs() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("user.dir")))) {
            return new HashSet<>(files.filter(p -> p.getFileName().toString().matches("hs_err_pid\\d+\\.log")).toList());
        }
    }

    // ---------------------------------------------------------------- headers

    /**
     * Garbage in the header (magic, kind, version, size; random bytes) of every kind of primitive's
     * segment, and in a ring's configuration (capacity, inline limit, maxsize): attaching a handle
     * throws IllegalStateException naming the segment; once the bytes are restored it attaches.
     */
    @Test
    void corruptHeadersAreRefusedOnAttach() {
        Map<String, Supplier<Object>> kinds = new LinkedHashMap<>();
        kinds.put("queue", Queue::new);
        kinds.put("pipe", () -> Multiprocessing.pipe().conn1());
        kinds.put("lock", Lock::new);
        kinds.put("rlock", RLock::new);
        kinds.put("semaphore", () -> new Semaphore(2));
        kinds.put("boundedsemaphore", () -> new BoundedSemaphore(2));
        kinds.put("event", Event::new);
        kinds.put("condition", Condition::new);
        kinds.put("barrier", () -> new Barrier(2));
        kinds.put("value", () -> Value.ofInt(0, false));
        kinds.put("array", () -> Array.ofInts(4, false));
        Random random = new Random(1);
        for (var kind : kinds.entrySet()) {
            Set<String> before = NoLeaks.segments();
            Object primitive = kind.getValue().get();
            String name = created(before, "pyconc-" + kind.getKey() + "-");
            String handle = ChildJvm.encode(primitive);
            List<Consumer<MemorySegment>> garbage = new ArrayList<>(List.of(
                    m -> Words.putLong(m, HeaderDescriptor.MAGIC, random.nextLong()),
                    m -> Words.putLong(m, HeaderDescriptor.MAGIC, 0),
                    m -> Words.putInt(m, HeaderDescriptor.KIND, 77),
                    m -> Words.putInt(m, HeaderDescriptor.KIND, -1),
                    m -> Words.putInt(m, HeaderDescriptor.KIND, kind.getKey().equals("queue") ? HeaderDescriptor.PIPE : HeaderDescriptor.QUEUE),
                    m -> Words.putInt(m, HeaderDescriptor.VERSION, HeaderDescriptor.VERSION_VALUE + 1),
                    m -> Words.putInt(m, HeaderDescriptor.VERSION, -1),
                    m -> Words.putLong(m, HeaderDescriptor.SIZE, Long.MAX_VALUE),
                    m -> Words.putLong(m, HeaderDescriptor.SIZE, -1),
                    m -> Words.putLong(m, HeaderDescriptor.SIZE, HeaderDescriptor.BODY - 1),
                    m -> Words.putLong(m, HeaderDescriptor.SIZE, m.byteSize() + 1),
                    m -> randomBytes(m, 0, HeaderDescriptor.BODY, random)));
            if (kind.getKey().equals("queue") || kind.getKey().equals("pipe")) {
                long ring = kind.getKey().equals("pipe") ? HeaderDescriptor.BODY + PipeDescriptor.RING_TO_0 : QUEUE_RING;
                for (long capacity : new long[] {0, -4096, 3, 4095, Long.MAX_VALUE, 1L << 41, 2L << 20}) {
                    garbage.add(m -> Words.putLong(m, ring + RingDescriptor.CAPACITY, capacity));
                }
                for (long inline : new long[] {0, -1, 7, 1L << 40}) {
                    garbage.add(m -> Words.putLong(m, ring + RingDescriptor.INLINE_MAX, inline));
                }
                garbage.add(m -> Words.putInt(m, ring + RingDescriptor.MAXSIZE, -1));
                garbage.add(m -> randomBytes(m, ring, RingDescriptor.PRODUCER_LOCK, random));
            }
            for (int i = 0; i < garbage.size(); i++) {
                byte[] saved = mapped(name, m -> m.asSlice(0, Math.min(m.byteSize(), METADATA)).toArray(ValueLayout.JAVA_BYTE));
                hostile(name, garbage.get(i));
                String what = kind.getKey() + " garbage #" + i;
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> ChildJvm.decode(handle), what);
                assertTrue(e.getMessage().contains("'" + name + "'"), what + ": " + e.getMessage());
                hostile(name, m -> MemorySegment.copy(saved, 0, m, ValueLayout.JAVA_BYTE, 0, saved.length));
            }
            assertEquals(primitive.getClass(), ChildJvm.decode(handle).getClass(), kind.getKey() + " restored");
        }
    }

    // ---------------------------------------------------------------- ring words

    /**
     * Garbage in each word of a queue's ring (Tail, Head, their caches, the counters and intents):
     * huge, negative, unaligned and past-capacity positions, and random values. The ring holds
     * inline items, one in a segment of its own and one after the wrap, and is full. Every call
     * ends in time with an allowed outcome; a bad Tail is reported by put and by get (once the
     * items that the consumer's cache of Tail covers are taken), a bad Head by the next get
     * (except 0, a plausible Head), and a bad cache (out of range here) is never trusted: put finds
     * the ring full and the items all arrive intact.
     */
    @Test
    void garbageInRingWords() {
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            Random random = new Random(2);
            int[] words = {RingDescriptor.TAIL, RingDescriptor.HEAD, RingDescriptor.TAIL_CACHE, RingDescriptor.HEAD_CACHE,
                    RingDescriptor.PUTS, RingDescriptor.GETS, RingDescriptor.INTENT_TAIL, RingDescriptor.INTENT_HEAD,
                    RingDescriptor.INTENT_PUTS, RingDescriptor.INTENT_GETS, RingDescriptor.GETS_CACHE};
            long[] values = {Long.MAX_VALUE - 7, Long.MIN_VALUE, -8, -1, 3, 1L << 62, RING * 5 + 8, 0, random.nextLong()};
            for (int word : words) {
                for (long value : values) {
                    Set<String> before = NoLeaks.segments();
                    Queue<byte[]> q = fullWrappedQueue();
                    String name = q.q.mapped.name();
                    String what = "word " + word + " = " + value;
                    hostile(name, m -> Words.putLong(m, QUEUE_RING + word, value));
                    Object put = call(name, what + ", put", CALL, () -> q.put(QueueScenarios.payload(99, 100), CALL));
                    call(name, what + ", qsize", Duration.ZERO, q::qsize);
                    call(name, what + ", empty", Duration.ZERO, q::empty);
                    call(name, what + ", full", Duration.ZERO, q::full);
                    List<Object> got = getAll(q, name, what);
                    if (word == RingDescriptor.TAIL) {
                        assertCorrupt(name, what + ", put", put);
                        assertCorrupt(name, what + ", get once the items before Tail's cache are taken", got.getLast());
                    } else if (word == RingDescriptor.HEAD && value != 0) {
                        assertCorrupt(name, what + ", first get", got.getFirst());
                    } else if (word == RingDescriptor.HEAD_CACHE || word == RingDescriptor.TAIL_CACHE) {
                        assertEquals(List.of(1, 2, 3, 4, 5, 6), seqs(got), what + ": the items arrive intact, in order");
                        assertInstanceOf(Full.class, put, what + ": put finds the ring full");
                    }
                    q.close();
                    removeItemSegments(before);
                }
            }
        });
    }

    /**
     * Garbage in the record at the head of a queue's ring: huge, negative and past-the-ring lengths,
     * unknown types, a padding record that does not end the ring, a bad codec tag, random bytes:
     * get throws IllegalStateException naming the segment as corrupt (UnpicklingError for a bad
     * tag); no call overruns, hangs or allocates the claimed length.
     */
    @Test
    void garbageInRecords() {
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            Random random = new Random(3);
            long head = 712;        // where fullWrappedQueue's first item left is
            List<Consumer<MemorySegment>> corrupt = new ArrayList<>();
            for (int length : new int[] {Integer.MAX_VALUE - 3, Integer.MAX_VALUE, -1, -8, Integer.MIN_VALUE, (int) RING + 8, 1017}) {
                corrupt.add(m -> Words.putInt(m, record(head) + RingDescriptor.RECORD_LENGTH, length));
            }
            for (int type : new int[] {0, 77, -1, RingDescriptor.PAD}) {
                corrupt.add(m -> Words.putInt(m, record(head) + RingDescriptor.RECORD_TYPE, type));
            }
            for (int i = 0; i < corrupt.size(); i++) {
                Set<String> before = NoLeaks.segments();
                Queue<byte[]> q = fullWrappedQueue();
                String name = q.q.mapped.name();
                hostile(name, corrupt.get(i));
                List<Object> got = getAll(q, name, "record garbage #" + i);
                assertCorrupt(name, "record garbage #" + i, got.getFirst());
                q.close();
                removeItemSegments(before);
            }
            Set<String> before = NoLeaks.segments();
            Queue<byte[]> q = fullWrappedQueue();
            String name = q.q.mapped.name();
            hostile(name, m -> m.set(ValueLayout.JAVA_BYTE, record(head) + RingDescriptor.RECORD_HEADER, (byte) 0x7F));
            List<Object> got = getAll(q, name, "codec tag");
            assertInstanceOf(UnpicklingError.class, got.getFirst(), "a bad codec tag");
            assertEquals(List.of(2, 3, 4, 5, 6), seqs(got.subList(1, got.size())), "the items after it arrive");
            q.close();
            removeItemSegments(before);
            for (int round = 0; round < 40; round++) {
                before = NoLeaks.segments();
                Queue<byte[]> r = fullWrappedQueue();
                String rname = r.q.mapped.name();
                long from = random.nextLong(RING);
                long length = 1 + random.nextLong(Math.min(64, RING - from));
                hostile(rname, m -> randomBytes(m, QUEUE_RING + RingDescriptor.DATA + from, length, random));
                getAll(r, rname, "random bytes at " + from);
                call(rname, "random bytes, put", CALL, () -> r.put(QueueScenarios.payload(99, 100), CALL));
                r.close();
                removeItemSegments(before);
            }
        });
    }

    // ---------------------------------------------------------------- item segments

    /**
     * A ring record naming its item's segment is rewritten: a name with '/', a segment that is not
     * an item's (a lock's), a missing one, a planted symbolic link, a planted file writable by
     * others, one too small for the claimed length, bad name and item lengths. get throws
     * IllegalStateException naming the ring's segment; planted links and files are neither
     * followed nor removed nor changed, by get or by shutdown(immediate), which drops records
     * unread; the queue then carries items as before.
     */
    @Test
    void garbageInItemSegmentReferences() throws IOException {
        Path target = Shm.path(Shm.randomName("test-target-"));
        Files.writeString(target, "target");
        Set<String> beforeLock = NoLeaks.segments();
        Lock lock = new Lock();
        String lockName = created(beforeLock, "pyconc-lock-");
        String link = Shm.randomName("pyconc-item-");
        String open = Shm.randomName("pyconc-item-");
        String small = Shm.randomName("pyconc-item-");
        try {
            Files.createSymbolicLink(Shm.path(link), target);
            Files.writeString(Shm.path(open), "planted");
            Files.setPosixFilePermissions(Shm.path(open), PosixFilePermissions.fromString("rw-rw-rw-"));
            Files.writeString(Shm.path(small), "small");
            Files.setPosixFilePermissions(Shm.path(small), PosixFilePermissions.fromString("rw-------"));
            Map<String, Consumer<MemorySegment>> refs = new LinkedHashMap<>();
            refs.put("path traversal", m -> reference(m, 2001, "../".repeat(12) + "ab"));
            refs.put("a lock's segment", m -> reference(m, 2001, lockName));
            refs.put("a missing segment", m -> reference(m, 2001, Shm.randomName("pyconc-item-")));
            refs.put("a planted link", m -> reference(m, 2001, link));
            refs.put("a planted file writable by others", m -> reference(m, 2001, open));
            refs.put("a file smaller than the item", m -> reference(m, 2001, small));
            refs.put("an item longer than its segment", m -> Words.putLong(m, record(0) + RingDescriptor.RECORD_HEADER
                    + RingDescriptor.SEGMENT_ITEM_LENGTH, 2002));
            for (long length : new long[] {-1, Long.MAX_VALUE, 1L << 40, Integer.MAX_VALUE}) {
                refs.put("item length " + length, m -> Words.putLong(m, record(0) + RingDescriptor.RECORD_HEADER
                        + RingDescriptor.SEGMENT_ITEM_LENGTH, length));
            }
            for (int length : new int[] {-1, 0, 37, 39, 256, Integer.MAX_VALUE}) {
                refs.put("name length " + length, m -> Words.putInt(m, record(0) + RingDescriptor.RECORD_HEADER
                        + RingDescriptor.SEGMENT_NAME_LENGTH, length));
            }
            for (var ref : refs.entrySet()) {
                Set<String> before = NoLeaks.segments();
                Queue<byte[]> q = Queue.<byte[]>builder().capacityBytes(RING).build();
                String name = q.q.mapped.name();
                q.put(QueueScenarios.payload(1, 2000));
                String item = created(before, "pyconc-item-");
                hostile(name, ref.getValue());
                Object outcome = call(name, ref.getKey(), CALL, () -> q.get(CALL));
                assertInstanceOf(IllegalStateException.class, outcome, ref.getKey());
                assertTrue(((Exception) outcome).getMessage().startsWith("queue segment '" + name + "'"),
                        ref.getKey() + ": " + ((Exception) outcome).getMessage());
                byte[] after = QueueScenarios.payload(2, 3000);
                q.put(after, CALL);
                assertEquals(2, QueueScenarios.check((byte[]) call(name, ref.getKey() + ", then", CALL, () -> q.get(CALL))));
                q.close();
                Files.deleteIfExists(Shm.path(item));      // the item whose reference was rewritten
                if (ref.getKey().equals("a file smaller than the item")) {
                    Files.writeString(Shm.path(small), "small");    // read as an item segment of ours and removed
                    Files.setPosixFilePermissions(Shm.path(small), PosixFilePermissions.fromString("rw-------"));
                }
                assertEquals(target, Files.readSymbolicLink(Shm.path(link)), "the link stays");
                assertEquals("target", Files.readString(target));
                assertEquals("planted", Files.readString(Shm.path(open)), "the planted file stays");
                assertEquals("rw-rw-rw-", PosixFilePermissions.toString(Files.getPosixFilePermissions(Shm.path(open))));
            }
            for (String planted : List.of(link, open)) {       // shutdown(immediate) drops the records unread
                Set<String> before = NoLeaks.segments();
                Queue<byte[]> q = Queue.<byte[]>builder().capacityBytes(RING).build();
                q.put(QueueScenarios.payload(1, 2000));
                String item = created(before, "pyconc-item-");
                hostile(q.q.mapped.name(), m -> reference(m, 2001, planted));
                q.shutdown(true);
                assertTrue(Files.exists(Shm.path(planted), LinkOption.NOFOLLOW_LINKS), planted + " stays");
                Files.deleteIfExists(Shm.path(item));
            }
            assertEquals(target, Files.readSymbolicLink(Shm.path(link)));
            assertEquals("planted", Files.readString(Shm.path(open)));
        } finally {
            for (String n : List.of(link, open, small)) {
                Files.deleteIfExists(Shm.path(n));
            }
            Files.deleteIfExists(target);
        }
    }

    // ---------------------------------------------------------------- a hostile process

    /**
     * A child JVM maps a queue's segment and writes random values (random, huge, negative,
     * unaligned, past the ring) over random words of its ring, locks and records, 40 times; each time
     * every call here ends in time with an allowed outcome, and a new handle either attaches or is
     * refused naming the segment.
     */
    @Test
    void hostileProcessWritesRandomWords() {
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            try (ChildJvm vandal = ChildJvm.start(HostileInputTest.class, "vandal")) {
                vandal.expect("ready");
                for (int round = 0; round < 40; round++) {
                    Set<String> before = NoLeaks.segments();
                    Queue<byte[]> q = fullWrappedQueue();
                    String name = q.q.mapped.name();
                    String what = "round " + round;
                    vandal.send(name + " " + round);
                    vandal.expect("done");
                    getAll(q, name, what);
                    call(name, what + ", put", CALL, () -> q.put(QueueScenarios.payload(99, 100), CALL));
                    call(name, what + ", qsize", Duration.ZERO, q::qsize);
                    call(name, what + ", attach", Duration.ZERO, () -> ChildJvm.decode(ChildJvm.encode(q)));
                    q.close();
                    removeItemSegments(before);
                }
                vandal.send("end");
                assertEquals(0, vandal.waitFor());
            }
        });
    }

    /** The data offsets of the record headers in a {@link #fullWrappedQueue()} (the last one pads to the end). */
    private static final long[] RECORDS = {0, 712, 1424, 1488, 1800, 2712, 3424};

    /**
     * Child: for each line "name seed", writes 1 to 8 garbage words (random, huge, negative,
     * unaligned, past the ring) into queue segment name: a third anywhere in its ring, a third
     * among the ring's words and locks, a third over the headers of the records of a
     * {@link #fullWrappedQueue()}.
     */
    public static void vandal(Object[] args) {
        ChildJvm.say("ready");
        for (String line; !(line = ChildJvm.hear()).equals("end"); ) {
            String[] parts = line.split(" ");
            Random random = new Random(Long.parseLong(parts[1]));
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment m = Shm.attach(parts[0], arena);
                for (int i = 1 + random.nextInt(8); i > 0; i--) {
                    int where = random.nextInt(3);
                    if (where == 2) {       // a record's length or type
                        long at = QUEUE_RING + RingDescriptor.DATA + RECORDS[random.nextInt(RECORDS.length)]
                                + (random.nextBoolean() ? RingDescriptor.RECORD_LENGTH : RingDescriptor.RECORD_TYPE);
                        int[] values = {random.nextInt(), -1, -8, Integer.MIN_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE - 3,
                                (int) RING + 8, 0, 1, RingDescriptor.PAD, RingDescriptor.SEGMENT};
                        Words.putInt(m, at, values[random.nextInt(values.length)]);
                        continue;
                    }
                    long at = QUEUE_RING + 8 * random.nextLong((where == 0 ? RingDescriptor.DATA + RING : RingDescriptor.DATA) / 8);
                    long[] values = {random.nextLong(), Long.MAX_VALUE - 7, Long.MIN_VALUE, -8, 3, RING + 8, random.nextInt()};
                    Words.putLong(m, at, values[random.nextInt(values.length)]);
                }
            }
            ChildJvm.say("done");
        }
    }

    // ---------------------------------------------------------------- pipes

    /**
     * Garbage in a pipe's ring (Tail, Head, a record's length and type): recv throws
     * IllegalStateException naming the pipe's segment as corrupt, and poll(timeout) ends in time.
     */
    @Test
    void garbageInAPipe() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            long ring = HeaderDescriptor.BODY + PipeDescriptor.ringTo(1, Connection.CAPACITY);
            List<Consumer<MemorySegment>> corrupt = List.of(
                    m -> Words.putLong(m, ring + RingDescriptor.TAIL, Long.MAX_VALUE - 7),
                    m -> Words.putLong(m, ring + RingDescriptor.TAIL, 3),
                    m -> Words.putLong(m, ring + RingDescriptor.TAIL, -8),
                    m -> Words.putLong(m, ring + RingDescriptor.HEAD, 3),
                    m -> Words.putLong(m, ring + RingDescriptor.HEAD, Long.MIN_VALUE),
                    m -> Words.putInt(m, ring + RingDescriptor.DATA + RingDescriptor.RECORD_LENGTH, Integer.MAX_VALUE - 3),
                    m -> Words.putInt(m, ring + RingDescriptor.DATA + RingDescriptor.RECORD_LENGTH, -8),
                    m -> Words.putInt(m, ring + RingDescriptor.DATA + RingDescriptor.RECORD_TYPE, 77));
            for (int i = 0; i < corrupt.size(); i++) {
                Set<String> before = NoLeaks.segments();
                var pipe = Multiprocessing.pipe();
                try (Connection a = pipe.conn1(); Connection b = pipe.conn2()) {
                    String name = created(before, "pyconc-pipe-");
                    a.send("fine");
                    a.send(QueueScenarios.payload(1, 500_000));
                    hostile(name, corrupt.get(i));
                    String what = "pipe garbage #" + i;
                    call(name, what + ", poll", CALL, () -> b.poll(CALL));
                    assertCorrupt(name, what + ", recv", call(name, what + ", recv", CALL, b::recv));
                    call(name, what + ", send", CALL, () -> b.send("back"));
                }
                removeItemSegments(before);
            }
        });
    }

    // ---------------------------------------------------------------- files

    /**
     * Under umask 000, a child JVM creates every kind of segment (queues with an item in a segment
     * of its own, a pipe, locks, semaphores, an event, a condition, a barrier, values, arrays,
     * SharedMemory): every file it creates has mode 0600.
     */
    @Test
    void segmentFilesAreMode0600UnderUmask000() throws IOException {
        Set<String> before = NoLeaks.segments();
        try (var child = ChildJvm.start(List.of(), "000", HostileInputTest.class, "createEveryKind")) {
            child.expect("created");
            Set<String> made = new HashSet<>(NoLeaks.segments());
            made.removeAll(before);
            Set<String> prefixes = new HashSet<>();
            for (String n : made) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(Shm.path(n))), n);
                prefixes.add(n.substring(0, n.lastIndexOf('-') + 1));      // "" for SharedMemory's psm_ names
            }
            for (String kind : List.of("queue", "item", "pipe", "lock", "rlock", "semaphore", "event", "condition",
                    "barrier", "value", "array")) {
                assertTrue(prefixes.contains("pyconc-" + kind + "-"), "no " + kind + " segment among " + made);
            }
            assertTrue(made.stream().anyMatch(n -> n.startsWith("psm_")), "no SharedMemory segment among " + made);
            child.send("exit");
            assertEquals(0, child.waitFor());
            for (String n : made) {
                Files.deleteIfExists(Shm.path(n));
            }
        }
    }

    /** Child: creates one of each kind of segment, says "created", waits for a line, exits. */
    public static void createEveryKind(Object[] args) {
        Queue<byte[]> q = new Queue<>();
        q.put(new byte[400_000]);
        List<Object> keep = List.of(q, new SimpleQueue<>(), Multiprocessing.pipe(), new Lock(), new RLock(), new Semaphore(1),
                new BoundedSemaphore(1), new Event(), new Condition(), new Barrier(2), Value.ofInt(1), Array.ofInts(3),
                SharedMemory.create(4096));
        ChildJvm.say("created");
        ChildJvm.hear();
        if (keep.isEmpty()) {
            throw new AssertionError();
        }
    }

    /**
     * A symbolic link and a regular file planted at a SharedMemory name: creating refuses both
     * (FileAlreadyExistsException), attaching refuses the link and a file writable by others
     * (AccessDeniedException), and the link, its target and the file stay as they were.
     */
    @Test
    void plantedLinksAndFilesAreRefusedAndLeftUntouched() throws IOException {
        Path target = Shm.path(Shm.randomName("test-target-"));
        Path link = Shm.path(Shm.randomName("psm_"));
        Path file = Shm.path(Shm.randomName("psm_"));
        Files.writeString(target, "target");
        Files.createSymbolicLink(link, target);
        Files.writeString(file, "planted");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
        try {
            for (Path p : List.of(link, file)) {
                String n = p.getFileName().toString();
                var created = assertThrows(UncheckedIOException.class, () -> new SharedMemory(n, true, 4096));
                assertInstanceOf(FileAlreadyExistsException.class, created.getCause(), n);
                var attached = assertThrows(UncheckedIOException.class, () -> SharedMemory.attach(n));
                assertInstanceOf(AccessDeniedException.class, attached.getCause(), n);
            }
            assertEquals(target, Files.readSymbolicLink(link));
            assertEquals("target", Files.readString(target));
            assertEquals("rw-rw-rw-", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals("planted", Files.readString(file));
        } finally {
            Files.deleteIfExists(link);
            Files.deleteIfExists(file);
            Files.deleteIfExists(target);
        }
    }

    /**
     * A queue's segment replaced by a symbolic link to it, or by a planted file writable by others:
     * a process attaching the queue's handle is refused with an IllegalStateException naming the
     * segment, and the link and the file stay as they were.
     */
    @Test
    void replacedSegmentIsRefusedOnAttach() throws IOException {
        Queue<Integer> viaLink = new Queue<>();
        Queue<Integer> viaFile = new Queue<>();
        String linkName = viaLink.q.mapped.name();
        String fileName = viaFile.q.mapped.name();
        Path moved = Shm.path(Shm.randomName("test-moved-"));
        Files.move(Shm.path(linkName), moved);
        Files.createSymbolicLink(Shm.path(linkName), moved);
        String linkHandle = ChildJvm.encode(viaLink);
        String fileHandle = ChildJvm.encode(viaFile);       // each handle holds its queue while in flight
        byte[] original = Files.readAllBytes(Shm.path(fileName));
        Files.setPosixFilePermissions(Shm.path(fileName), PosixFilePermissions.fromString("rw-rw-rw-"));
        try (var child = ChildJvm.start(HostileInputTest.class, "attach", linkHandle, fileHandle)) {
            String viaLinkSays = child.readLine();
            String viaFileSays = child.readLine();
            assertEquals(0, child.waitFor());
            assertTrue(viaLinkSays.startsWith("refused java.lang.IllegalStateException: cannot attach pyconc segment '"
                    + linkName + "'") && viaLinkSays.contains("symbolic link"), viaLinkSays);
            assertTrue(viaFileSays.startsWith("refused java.lang.IllegalStateException: cannot attach pyconc segment '"
                    + fileName + "'") && viaFileSays.contains("writable by group or others"), viaFileSays);
            assertEquals(moved, Files.readSymbolicLink(Shm.path(linkName)));
            assertEquals("rw-rw-rw-", PosixFilePermissions.toString(Files.getPosixFilePermissions(Shm.path(fileName))));
            assertTrue(java.util.Arrays.equals(original, Files.readAllBytes(Shm.path(fileName))));
        } finally {
            Files.deleteIfExists(Shm.path(linkName));
            Files.move(moved, Shm.path(linkName));
            Files.setPosixFilePermissions(Shm.path(fileName), PosixFilePermissions.fromString("rw-------"));
        }
        viaLink.put(1);                  // this process's mappings were never affected
        assertEquals(1, viaLink.get());
        // A process that refuses a handle because the segment is not safe to open cannot give the
        // handle's hold back; here, with the files restored, this process takes both handles in.
        for (String h : List.of(linkHandle, fileHandle)) {
            ((Queue<?>) ChildJvm.decode(h)).close();
        }
        viaLink.close();
        viaFile.close();
    }

    /** Child: decodes each handle in args (encoded strings), saying "attached" or "refused <exception>". */
    public static void attach(Object[] args) {
        for (Object handle : args) {
            try {
                ChildJvm.decode((String) handle);
                ChildJvm.say("attached");
            } catch (RuntimeException e) {
                ChildJvm.say("refused " + e.getClass().getName() + ": " + e.getMessage());
            }
        }
    }

    // ---------------------------------------------------------------- classes outside the allow-list

    /** A Serializable class of the tests, outside the codec's default allow-list, whose readObject must never run. */
    static final class Gadget implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        static final AtomicInteger READ = new AtomicInteger();

        @Serial
        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            READ.incrementAndGet();
            in.defaultReadObject();
        }
    }

    /**
     * A child sends a Gadget (alone, and inside an ArrayList) between good items through a Queue
     * and a Pipe. The Gadget is refused with a PickleError naming its class, either by the child's
     * put/send (nothing was sent) or by get/recv here (the item is consumed); either way the good
     * items all arrive once, in order, the channel is then empty, and no Gadget was deserialized.
     */
    @Test
    void classOutsideTheAllowListIsRefusedAndTheChannelGoesOn() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Queue<Object> q = new Queue<>();
            var pipe = Multiprocessing.pipe();
            try (Connection here = pipe.conn1(); var child = ChildJvm.start(HostileInputTest.class, "sendGadgets", q, pipe.conn2())) {
                pipe.conn2().close();
                for (String channel : List.of("queue", "pipe")) {
                    List<String> good = new ArrayList<>();
                    int refusedHere = 0;
                    while (good.size() < 3) {
                        try {
                            Object item = channel.equals("queue") ? q.get(Duration.ofSeconds(30)) : here.recv();
                            if (!(item instanceof String text)) {
                                throw new AssertionError(channel + ": a " + item.getClass().getName() + " arrived, not refused");
                            }
                            good.add(text);
                        } catch (PickleError e) {
                            assertRefused(channel + " get", e);
                            refusedHere++;
                        }
                    }
                    assertEquals(List.of(channel + " 1", channel + " 2", channel + " 3"), good);
                    int refusedThere = 0;
                    for (int i = 0; i < 2; i++) {
                        String says = child.readLine();
                        if (!says.equals("sent")) {
                            assertTrue(says.startsWith("refused ") && says.contains(Gadget.class.getName()), says);
                            refusedThere++;
                        }
                    }
                    assertEquals(2, refusedHere + refusedThere, channel + ": each Gadget refused once");
                }
                assertEquals(0, child.waitFor());
                assertThrows(Empty.class, q::getNowait);
                assertThrows(EOFError.class, here::recv, "nothing is left in the pipe");
            }
            assertEquals(0, Gadget.READ.get(), "a Gadget was deserialized");
        });
    }

    private static void assertRefused(String what, PickleError e) {
        assertTrue(e.getMessage().contains(Gadget.class.getName()), what + ": " + e.getMessage());
    }

    /** Child: through queue args[0], then pipe end args[1]: a good item, a Gadget, a good item, a list holding a Gadget, a good item. */
    public static void sendGadgets(Object[] args) {
        @SuppressWarnings("unchecked")
        Queue<Object> q = (Queue<Object>) args[0];
        try (Connection c = (Connection) args[1]) {
            for (String channel : List.of("queue", "pipe")) {
                Consumer<Object> send = channel.equals("queue") ? q::put : c::send;
                Object[] items = {channel + " 1", new Gadget(), channel + " 2", new ArrayList<>(List.of("x", new Gadget())), channel + " 3"};
                for (Object item : items) {
                    try {
                        send.accept(item);
                        if (!(item instanceof String)) {
                            ChildJvm.say("sent");
                        }
                    } catch (PickleError e) {
                        ChildJvm.say("refused " + e.getMessage());
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    /**
     * A queue of a 4 KiB ring that is exactly full and has wrapped: items 1 to 6 (seq), item 2 in a
     * segment of its own, item 6 after a padding record; item 0 was taken, so Head is at 712.
     */
    private static Queue<byte[]> fullWrappedQueue() {
        Queue<byte[]> q = Queue.<byte[]>builder().capacityBytes(RING).build();
        int[] sizes = {700, 700, 2000, 300, 900};
        for (int i = 0; i < sizes.length; i++) {
            q.put(QueueScenarios.payload(i, sizes[i]), Duration.ZERO);
        }
        assertEquals(0, QueueScenarios.check(q.getNowait()));
        q.put(QueueScenarios.payload(5, 700), Duration.ZERO);
        q.put(QueueScenarios.payload(6, 700), Duration.ZERO);
        assertThrows(Full.class, () -> q.put(QueueScenarios.payload(7, 16), Duration.ZERO));
        assertEquals(712, Words.getLongVolatile(q.q.mapped.memory(), QUEUE_RING + RingDescriptor.HEAD));
        return q;
    }

    /** Gets until the queue is empty or a call throws twice in a row (at most 10 calls); the outcomes. */
    private static List<Object> getAll(Queue<byte[]> q, String name, String what) {
        List<Object> outcomes = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Object o = call(name, what + ", get " + i, CALL, () -> q.get(CALL));
            outcomes.add(o);
            if (o instanceof Empty || o instanceof RuntimeException && outcomes.size() > 1
                    && outcomes.get(outcomes.size() - 2) instanceof RuntimeException) {
                break;
            }
        }
        return outcomes;
    }

    /** The seqs of the items among {@code outcomes}, in order, each checked against its CRC. */
    private static List<Integer> seqs(List<Object> outcomes) {
        List<Integer> seqs = new ArrayList<>();
        for (Object o : outcomes) {
            if (o instanceof byte[] b) {
                seqs.add(QueueScenarios.check(b));
            }
        }
        return seqs;
    }

    /**
     * One call on a corrupted segment: returns its result or the exception it threw, which must be
     * documented ({@link Empty}, {@link Full}, {@link ShutDown} when the garbage hit the shut-down
     * word, {@link UnpicklingError}) or an
     * IllegalStateException naming the segment (not an {@link OwnerDiedError}); fails on anything
     * else, or if the call outlives {@code timeout} or allocates more than {@link #MAX_ALLOCATION}.
     */
    private static Object call(String segment, String what, Duration timeout, Supplier<?> call) {
        long allocated = allocatedBytes();
        long start = System.nanoTime();
        Object outcome;
        try {
            outcome = call.get();
        } catch (Empty | Full | ShutDown | UnpicklingError e) {
            outcome = e;
        } catch (OwnerDiedError e) {
            throw new AssertionError(what + ": " + e, e);
        } catch (IllegalStateException e) {
            if (e.getMessage() == null || !e.getMessage().contains("'" + segment + "'")) {
                throw new AssertionError(what + ": an exception that does not name segment " + segment + ": " + e, e);
            }
            outcome = e;
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            throw new AssertionError(what + ": " + e, e);
        }
        long took = System.nanoTime() - start;
        assertTrue(took <= timeout.toNanos() + HANG_SLACK_NANOS, what + ": took " + took / 1_000_000 + " ms");
        long used = allocatedBytes() - allocated;
        assertTrue(used <= MAX_ALLOCATION, what + ": allocated " + used + " bytes");
        return outcome;
    }

    /** The bytes the current thread allocated so far (HotSpot's com.sun.management.ThreadMXBean, which this module does not read). */
    private static long allocatedBytes() {
        try {
            return (long) Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes")
                    .invoke(ManagementFactory.getThreadMXBean());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static Object call(String segment, String what, Duration timeout, Runnable call) {
        return call(segment, what, timeout, () -> {
            call.run();
            return null;
        });
    }

    private static void assertCorrupt(String segment, String what, Object outcome) {
        assertInstanceOf(IllegalStateException.class, outcome, what);
        String message = ((Exception) outcome).getMessage();
        assertTrue(message.contains("'" + segment + "' is corrupt"), what + ": " + message);
    }

    /** Where the header of the record at data offset {@code at} of a queue's ring is. */
    private static long record(long at) {
        return QUEUE_RING + RingDescriptor.DATA + at;
    }

    /** Where a queue's ring starts in its segment. */
    private static final long QUEUE_RING = HeaderDescriptor.BODY + QueueDescriptor.RING;

    /** The bytes before any ring's data, in every kind of segment: what a garbage case is undone over. */
    private static final long METADATA = HeaderDescriptor.BODY + Math.max(QueueDescriptor.RING, PipeDescriptor.RING_TO_0)
            + RingDescriptor.DATA;

    /** Rewrites the SEGMENT record at data offset 0 to name {@code name} (38 bytes, as the one it replaces). */
    private static void reference(MemorySegment m, long itemLength, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        assertEquals(38, bytes.length, name);
        long payload = record(0) + RingDescriptor.RECORD_HEADER;
        Words.putLong(m, payload + RingDescriptor.SEGMENT_ITEM_LENGTH, itemLength);
        Words.putInt(m, payload + RingDescriptor.SEGMENT_NAME_LENGTH, bytes.length);
        MemorySegment.copy(bytes, 0, m, ValueLayout.JAVA_BYTE, payload + RingDescriptor.SEGMENT_NAME, bytes.length);
    }

    /** Applies {@code write} to a second mapping of segment {@code name}, as another process would. */
    private static void hostile(String name, Consumer<MemorySegment> write) {
        mapped(name, m -> {
            write.accept(m);
            return null;
        });
    }

    /** Applies {@code f} to a second mapping of segment {@code name}; returns its result. */
    private static <T> T mapped(String name, java.util.function.Function<MemorySegment, T> f) {
        try (Arena arena = Arena.ofConfined()) {
            return f.apply(Shm.attach(name, arena));
        }
    }

    private static void randomBytes(MemorySegment m, long from, long length, Random random) {
        byte[] bytes = new byte[(int) length];
        random.nextBytes(bytes);
        MemorySegment.copy(bytes, 0, m, ValueLayout.JAVA_BYTE, from, bytes.length);
    }

    /** The one segment whose name starts with {@code prefix} that appeared since {@code before}. */
    private static String created(Set<String> before, String prefix) {
        List<String> made = NoLeaks.segments().stream().filter(n -> !before.contains(n) && n.startsWith(prefix)).toList();
        assertEquals(1, made.size(), prefix + ": " + made);
        return made.getFirst();
    }

    /** Removes the item segments left since {@code before} (whose references the garbage made unreadable). */
    private static void removeItemSegments(Set<String> before) throws IOException {
        for (String n : NoLeaks.segments()) {
            if (!before.contains(n) && n.startsWith("pyconc-item-")) {
                Files.deleteIfExists(Shm.path(n));
            }
        }
    }
}
