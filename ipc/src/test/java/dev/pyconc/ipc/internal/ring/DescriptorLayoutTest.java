package dev.pyconc.ipc.internal.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.pyconc.ipc.internal.shm.HeaderDescriptor;
import dev.pyconc.ipc.internal.shm.HoldersDescriptor;
import dev.pyconc.ipc.internal.shm.LivenessDescriptor;
import dev.pyconc.ipc.internal.shm.ShareableListDescriptor;
import dev.pyconc.ipc.internal.shm.SharedCTypesDescriptor;
import dev.pyconc.ipc.internal.sync.BarrierDescriptor;
import dev.pyconc.ipc.internal.sync.ConditionDescriptor;
import dev.pyconc.ipc.internal.sync.EventDescriptor;
import dev.pyconc.ipc.internal.sync.MutexDescriptor;
import dev.pyconc.ipc.internal.sync.SemaphoreDescriptor;

/**
 * Every mapped layout of ipc (each {@code *Descriptor} class of the shm, sync and ring wings)
 * against the drawing in its javadoc and against false sharing. Each offset the drawing writes
 * at the right of a row is read from the source and must be the constant the code uses, and
 * every such offset is checked. The words that different parties write while they run (the
 * producers' and the consumers' side of a ring; the sleepers of a futex word and the holder of
 * the lock that guards the state they wait for; configuration that every operation reads) lie
 * on different 128-byte pairs of cache lines of the mapping, wherever the region is placed in a
 * segment, as Agrona pads its counters: a CPU's adjacent-line prefetcher moves lines in pairs.
 * The words of one mutex region (owner, futex word, sleepers flag) are one unit, which every
 * contended acquire and release touches together, as a pthread mutex's; a lock sits with the
 * state its holder writes.
 */
class DescriptorLayoutTest {
    private static final int PAIR = 128;
    private static final long BODY = HeaderDescriptor.BODY;
    private static final List<Long> RING_CAPACITIES = List.of(RingDescriptor.MIN_CAPACITY, 1L << 20);

    /** A row of a drawing that writes an offset: the row's text and the offset as written. */
    record Row(String text, String offset) {}

    /** The drawing row whose text starts with {@code label} documents {@code value}. */
    record Field(String label, long value) {}

    /** Bytes {@code from} to {@code from + length} of a region. */
    record Span(long from, long length) {}

    /** Words that one party writes while it runs. */
    record Group(String who, List<Span> spans) {}

    /**
     * A descriptor: the offsets its drawing documents, the rows whose offset is a name (computed
     * at run time), where its region lies in the segments that hold it, and its hot groups.
     */
    record Layout(Class<?> descriptor, List<Field> fields, Map<String, String> named, List<Long> bases, List<Group> hot) {
        @Override
        public String toString() {
            return descriptor.getSimpleName();
        }
    }

    static Field field(String label, long value) {
        return new Field(label, value);
    }

    static Span word(long offset, long length) {
        return new Span(offset, length);
    }

    static Group group(String who, Span... spans) {
        return new Group(who, List.of(spans));
    }

    /** Where each ring lies: in a queue's segment and in each direction of a pipe's. */
    static List<Long> ringBases() {
        List<Long> bases = new ArrayList<>(List.of(BODY + QueueDescriptor.RING));
        for (long capacity : RING_CAPACITIES) {
            bases.add(BODY + PipeDescriptor.ringTo(0, capacity));
            bases.add(BODY + PipeDescriptor.ringTo(1, capacity));
        }
        return bases;
    }

    /** Where each mutex region lies: its kind's lock region, a semaphore's guard, a ring's two locks. */
    static List<Long> mutexBases() {
        List<Long> bases = new ArrayList<>();
        for (int kind : new int[] {HeaderDescriptor.LOCK, HeaderDescriptor.RLOCK, HeaderDescriptor.CONDITION,
                HeaderDescriptor.BARRIER, HeaderDescriptor.VALUE, HeaderDescriptor.ARRAY}) {
            bases.add(MutexDescriptor.regionOf(kind));
        }
        bases.add(BODY + SemaphoreDescriptor.GUARD);
        for (long ring : ringBases()) {
            bases.add(ring + RingDescriptor.PRODUCER_LOCK);
            bases.add(ring + RingDescriptor.CONSUMER_LOCK);
        }
        return bases;
    }

    static Stream<Layout> layouts() {
        return Stream.of(
                // Written once by the creator before the segment is published: nothing hot.
                new Layout(HeaderDescriptor.class, List.of(
                        field("Magic", HeaderDescriptor.MAGIC),
                        field("Kind", HeaderDescriptor.KIND),
                        field("Layout version", HeaderDescriptor.VERSION),
                        field("Bytes used", HeaderDescriptor.SIZE),
                        field("Creator", HeaderDescriptor.CREATOR),
                        field("reserved up to byte 64", HeaderDescriptor.CREATOR + 8),
                        field("Body", HeaderDescriptor.BODY)),
                        Map.of(), List.of(0L), List.of()),
                new Layout(MutexDescriptor.class, List.of(
                        field("Owner:", MutexDescriptor.OWNER),
                        field("Owner thread", MutexDescriptor.THREAD),
                        field("Recursion count", MutexDescriptor.COUNT),
                        field("Futex word", MutexDescriptor.SEQ),
                        field("Sleepers flag", MutexDescriptor.SLEEPERS),
                        field("reserved up to byte 64", MutexDescriptor.SLEEPERS + 4)),
                        Map.of(), mutexBases(), List.of(
                        group("every contender: one line, as the drawing says", word(0, MutexDescriptor.LENGTH)))),
                new Layout(EventDescriptor.class, List.of(
                        field("State", EventDescriptor.STATE),
                        field("Sleepers flag", EventDescriptor.SLEEPERS),
                        field("reserved up to byte 64", EventDescriptor.SLEEPERS + 4)),
                        Map.of(), List.of(BODY), List.of(
                        group("setters, clearers and sleepers: the state is the futex word", word(0, EventDescriptor.LENGTH)))),
                new Layout(SemaphoreDescriptor.class, List.of(
                        field("Futex word", SemaphoreDescriptor.SEQ),
                        field("Sleepers flag", SemaphoreDescriptor.SLEEPERS),
                        field("reserved up to byte 64", SemaphoreDescriptor.SLEEPERS + 4),
                        field("Guard", SemaphoreDescriptor.GUARD),
                        field("Value", SemaphoreDescriptor.VALUE),
                        field("Bound", SemaphoreDescriptor.BOUND),
                        field("Holder slots", SemaphoreDescriptor.SLOTS),
                        field("Journal slot", SemaphoreDescriptor.JOURNAL_SLOT),
                        field("Journal:", SemaphoreDescriptor.JOURNAL),
                        field("reserved up to byte 192", SemaphoreDescriptor.JOURNAL + 8),
                        field("Holder slot 0", SemaphoreDescriptor.slot(0)),
                        field("Holder slot 1", SemaphoreDescriptor.slot(1))),
                        Map.of(), List.of(BODY), List.of(
                        group("sleepers (and their wakers)", word(SemaphoreDescriptor.SEQ, 4), word(SemaphoreDescriptor.SLEEPERS, 4)),
                        group("the guard's holder", word(SemaphoreDescriptor.GUARD, MutexDescriptor.LENGTH),
                                word(SemaphoreDescriptor.VALUE, SemaphoreDescriptor.JOURNAL + 8 - SemaphoreDescriptor.VALUE),
                                word(SemaphoreDescriptor.slot(0), SemaphoreDescriptor.LENGTH - SemaphoreDescriptor.slot(0))))),
                new Layout(ConditionDescriptor.class, List.of(
                        field("Lock", ConditionDescriptor.LOCK),
                        field("Next ticket", ConditionDescriptor.TICKETS),
                        field("Waiter slots", ConditionDescriptor.SLOTS),
                        field("High-water mark", ConditionDescriptor.HIGH),
                        field("reserved up to byte " + ConditionDescriptor.SLOT_TABLE, ConditionDescriptor.HIGH + 4),
                        field("Slot 0", ConditionDescriptor.slot(0)),
                        field("Slot 1", ConditionDescriptor.slot(1))),
                        Map.of(), List.of(BODY, BODY + BarrierDescriptor.CONDITION), conditionGroups(0)),
                new Layout(BarrierDescriptor.class, List.of(
                        field("Condition", BarrierDescriptor.CONDITION),
                        field("State", BarrierDescriptor.STATE),
                        field("Count", BarrierDescriptor.COUNT),
                        field("Parties", BarrierDescriptor.PARTIES),
                        field("reserved up to", BarrierDescriptor.PARTIES + 4)),
                        Map.of(), List.of(BODY), barrierGroups()),
                // Written once by the creator; elements are the user's, with or without the lock.
                new Layout(SharedCTypesDescriptor.class, List.of(
                        field("Lock", SharedCTypesDescriptor.LOCK),
                        field("Type code", SharedCTypesDescriptor.TYPE),
                        field("Length", SharedCTypesDescriptor.LENGTH),
                        field("Flags", SharedCTypesDescriptor.FLAGS),
                        field("reserved up to byte 128", SharedCTypesDescriptor.FLAGS + 4),
                        field("Element 0", SharedCTypesDescriptor.DATA)),
                        Map.of(), List.of(BODY), List.of()),
                // A user segment: the items are the user's.
                new Layout(ShareableListDescriptor.class, List.of(
                        field("Magic", ShareableListDescriptor.MAGIC),
                        field("Format version", ShareableListDescriptor.VERSION),
                        field("Item count", ShareableListDescriptor.COUNT),
                        field("reserved up to byte 32", ShareableListDescriptor.COUNT + 4),
                        field("Index entry 0", ShareableListDescriptor.entry(0)),
                        field("Index entry 1", ShareableListDescriptor.entry(1))),
                        Map.of("Storage of item 0", "DATA"), List.of(0L), List.of()),
                // Written when a process opens or closes an object, or sends a handle: nothing hot.
                new Layout(HoldersDescriptor.class, List.of(
                        field("In flight", HoldersDescriptor.IN_FLIGHT),
                        field("Unattributed", HoldersDescriptor.UNATTRIBUTED),
                        field("reserved up to byte 64", HoldersDescriptor.UNATTRIBUTED + 4),
                        field("Slot 0: ProcessId", HoldersDescriptor.SLOTS_AT + HoldersDescriptor.SLOT_ID)),
                        Map.of(), List.of(BODY + QueueDescriptor.HOLDERS, BODY + PipeDescriptor.end(0) + PipeDescriptor.HOLDERS,
                                BODY + PipeDescriptor.end(1) + PipeDescriptor.HOLDERS), List.of()),
                // Written when a process opens or closes an end, and by the kernel when it ends.
                new Layout(LivenessDescriptor.class, List.of(
                        field("Link", LivenessDescriptor.LINK),
                        field("Word", LivenessDescriptor.WORD),
                        field("reserved (int)", LivenessDescriptor.WORD + 4)),
                        Map.of(), List.of(BODY + PipeDescriptor.slots(0), BODY + PipeDescriptor.slots(1)), List.of()),
                new Layout(RingDescriptor.class, List.of(
                        field("Capacity", RingDescriptor.CAPACITY),
                        field("Inline max", RingDescriptor.INLINE_MAX),
                        field("Maxsize", RingDescriptor.MAXSIZE),
                        field("Shut down", RingDescriptor.SHUTDOWN),
                        field("reserved up to byte 128", RingDescriptor.SHUTDOWN + 4),
                        field("Producer lock", RingDescriptor.PRODUCER_LOCK),
                        field("Tail:", RingDescriptor.TAIL),
                        field("Puts", RingDescriptor.PUTS),
                        field("Intent tail", RingDescriptor.INTENT_TAIL),
                        field("Intent puts", RingDescriptor.INTENT_PUTS),
                        field("Head cache", RingDescriptor.HEAD_CACHE),
                        field("Gets cache", RingDescriptor.GETS_CACHE),
                        field("reserved up to byte 256", RingDescriptor.GETS_CACHE + 8),
                        field("Consumer lock", RingDescriptor.CONSUMER_LOCK),
                        field("Head:", RingDescriptor.HEAD),
                        field("Gets:", RingDescriptor.GETS),
                        field("Intent head", RingDescriptor.INTENT_HEAD),
                        field("Intent gets", RingDescriptor.INTENT_GETS),
                        field("Tail cache", RingDescriptor.TAIL_CACHE),
                        field("reserved up to byte 384", RingDescriptor.TAIL_CACHE + 8),
                        field("Not-empty futex word", RingDescriptor.NOT_EMPTY),
                        field("Not-empty sleepers flag", RingDescriptor.NOT_EMPTY_SLEEPERS),
                        field("reserved up to byte 512", RingDescriptor.NOT_EMPTY_SLEEPERS + 4),
                        field("Not-full futex word", RingDescriptor.NOT_FULL),
                        field("Not-full sleepers flag", RingDescriptor.NOT_FULL_SLEEPERS),
                        field("reserved up to byte 640", RingDescriptor.NOT_FULL_SLEEPERS + 4),
                        field("Done", RingDescriptor.DONE),
                        field("Join futex word", RingDescriptor.JOIN),
                        field("Join sleepers flag", RingDescriptor.JOIN_SLEEPERS),
                        field("reserved up to byte 768", RingDescriptor.JOIN_SLEEPERS + 4),
                        field("Data", RingDescriptor.DATA),
                        field("Length of the payload", RingDescriptor.RECORD_LENGTH),
                        field("Type:", RingDescriptor.RECORD_TYPE),
                        field("Payload", RingDescriptor.RECORD_HEADER)),
                        Map.of(), ringBases(), List.of(
                        group("every operation reads it; shutdown writes it", word(RingDescriptor.CAPACITY, 8),
                                word(RingDescriptor.INLINE_MAX, 8), word(RingDescriptor.MAXSIZE, 4), word(RingDescriptor.SHUTDOWN, 4)),
                        group("producers", word(RingDescriptor.PRODUCER_LOCK, MutexDescriptor.LENGTH),
                                word(RingDescriptor.TAIL, RingDescriptor.GETS_CACHE + 8 - RingDescriptor.TAIL)),
                        group("consumers", word(RingDescriptor.CONSUMER_LOCK, MutexDescriptor.LENGTH),
                                word(RingDescriptor.HEAD, RingDescriptor.TAIL_CACHE + 8 - RingDescriptor.HEAD)),
                        group("consumers that sleep while the ring is empty", word(RingDescriptor.NOT_EMPTY, 4),
                                word(RingDescriptor.NOT_EMPTY_SLEEPERS, 4)),
                        group("producers that sleep while the ring is full", word(RingDescriptor.NOT_FULL, 4),
                                word(RingDescriptor.NOT_FULL_SLEEPERS, 4)),
                        group("taskDone callers and joiners", word(RingDescriptor.DONE, 8), word(RingDescriptor.JOIN, 4),
                                word(RingDescriptor.JOIN_SLEEPERS, 4)),
                        group("the first records", word(RingDescriptor.DATA, PAIR)))),
                new Layout(QueueDescriptor.class, List.of(
                        field("Holders", QueueDescriptor.HOLDERS),
                        field("The ring", QueueDescriptor.RING)),
                        Map.of(), List.of(BODY), List.of()),
                new Layout(PipeDescriptor.class, List.of(
                        field("End 0 owner:", PipeDescriptor.END0 + PipeDescriptor.OWNER),
                        field("End 0 references", PipeDescriptor.END0 + PipeDescriptor.REFS),
                        field("End 0 owner's slot", PipeDescriptor.END0 + PipeDescriptor.OWNER_SLOT),
                        field("End 0 holders", PipeDescriptor.END0 + PipeDescriptor.HOLDERS),
                        field("End 1 owner", PipeDescriptor.END1),
                        field("Duplex", PipeDescriptor.DUPLEX),
                        field("End 0's liveness slots", PipeDescriptor.slots(0)),
                        field("End 1's liveness slots", PipeDescriptor.slots(1)),
                        field("Ring to end 0", PipeDescriptor.RING_TO_0)),
                        Map.of("Ring to end 1", "RING_TO_1"), List.of(BODY), List.of(
                        // read at every send by the other end, written when an end is opened or closed
                        group("end 0's holders", word(PipeDescriptor.END0 + PipeDescriptor.OWNER, 16)),
                        group("end 1's holders", word(PipeDescriptor.END1 + PipeDescriptor.OWNER, 16)),
                        group("the ring to end 0", word(PipeDescriptor.RING_TO_0, RingDescriptor.DATA)))));
    }

    /** A condition region at {@code at}: the lock and the state its holder writes, apart from the waiters' slots. */
    static List<Group> conditionGroups(long at) {
        return List.of(
                group("the lock's holder", word(at + ConditionDescriptor.LOCK, MutexDescriptor.LENGTH),
                        word(at + ConditionDescriptor.TICKETS, 8), word(at + ConditionDescriptor.SLOTS, 4),
                        word(at + ConditionDescriptor.HIGH, 4)),
                group("waiters, each on its slot's futex word", word(at + ConditionDescriptor.SLOT_TABLE,
                        ConditionDescriptor.LENGTH - ConditionDescriptor.SLOT_TABLE)));
    }

    static List<Group> barrierGroups() {
        List<Group> condition = conditionGroups(BarrierDescriptor.CONDITION);
        List<Span> holder = new ArrayList<>(condition.get(0).spans());
        holder.add(word(BarrierDescriptor.STATE, 12));
        return List.of(new Group("the lock's holder, and the barrier's state it guards", holder), condition.get(1));
    }

    /** Each offset the drawing writes is the descriptor's constant, and each is checked. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void drawingMatchesTheConstants(Layout layout) throws IOException {
        List<Row> rows = drawing(layout.descriptor());
        assertTrue(rows.size() >= layout.fields().size(), layout + ": the drawing has " + rows.size() + " rows with offsets");
        List<String> wrong = new ArrayList<>();
        List<Row> unchecked = new ArrayList<>(rows);
        for (Field f : layout.fields()) {
            List<Row> matches = rows.stream().filter(r -> r.text().startsWith(f.label())).toList();
            if (matches.size() != 1) {
                wrong.add("'" + f.label() + "': " + matches.size() + " rows of the drawing");
                continue;
            }
            Row r = matches.getFirst();
            unchecked.remove(r);
            if (!r.offset().equals(Long.toString(f.value()))) {
                wrong.add("'" + f.label() + "' drawn at " + r.offset() + ", the constant is " + f.value());
            }
        }
        layout.named().forEach((label, name) -> {
            List<Row> matches = unchecked.stream().filter(r -> r.text().startsWith(label)).toList();
            if (matches.size() != 1 || !matches.getFirst().offset().equals(name)) {
                wrong.add("'" + label + "' should be drawn at " + name + ": " + matches);
            } else {
                unchecked.remove(matches.getFirst());
            }
        });
        unchecked.forEach(r -> wrong.add("unchecked row '" + r.text() + "' at " + r.offset()));
        assertEquals(List.of(), wrong, layout + "'s drawing");
    }

    /** The words that different parties write lie on different 128-byte pairs, wherever the region lies. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void hotWordsOfDifferentPartiesDoNotSharePairs(Layout layout) {
        Set<String> shared = new LinkedHashSet<>();
        for (long base : layout.bases()) {
            Map<Long, String> owner = new TreeMap<>();
            for (Group g : layout.hot()) {
                for (Span s : g.spans()) {
                    for (long pair = (base + s.from()) / PAIR; pair <= (base + s.from() + s.length() - 1) / PAIR; pair++) {
                        String before = owner.putIfAbsent(pair, g.who());
                        if (before != null && !before.equals(g.who())) {
                            shared.add("at base " + base + ", pair " + pair + " (bytes " + pair * PAIR + " to " + (pair * PAIR + PAIR - 1)
                                    + ") holds words of '" + before + "' and of '" + g.who() + "'");
                        }
                    }
                }
            }
        }
        assertEquals(Set.of(), shared, layout + ": words that different parties write share a pair of cache lines");
    }

    /** A mutex region is one cache line wherever it lies, as its drawing says. */
    @Test
    void mutexRegionsAreOneCacheLine() {
        List<Long> off = mutexBases().stream().filter(b -> b % 64 != 0).toList();
        assertEquals(List.of(), off, "mutex regions that straddle two cache lines");
        assertEquals(64, MutexDescriptor.LENGTH);
    }

    /** Every descriptor of the wings is covered here. */
    @Test
    void everyDescriptorIsChecked() throws IOException {
        TreeSet<String> found = new TreeSet<>();
        for (String wing : List.of("shm", "sync", "ring")) {
            try (Stream<Path> files = Files.list(source(wing))) {
                files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith("Descriptor.java"))
                        .forEach(n -> found.add(n.substring(0, n.length() - ".java".length())));
            }
        }
        TreeSet<String> checked = new TreeSet<>(layouts().map(Layout::toString).toList());
        assertEquals(found, checked);
    }

    private static Path source(String wing) {
        Path p = Path.of("src/main/java/dev/pyconc/ipc/internal", wing);
        assertTrue(Files.isDirectory(p), "the tests run from the ipc module's directory: no " + p.toAbsolutePath());
        return p;
    }

    private static final Pattern OFFSET = Pattern.compile("\\d+|[A-Z][A-Z0-9_]*");

    /** The rows of the class javadoc's drawings that write an offset at their right. */
    static List<Row> drawing(Class<?> descriptor) throws IOException {
        String wing = descriptor.getPackageName().substring(descriptor.getPackageName().lastIndexOf('.') + 1);
        String source = Files.readString(source(wing).resolve(descriptor.getSimpleName() + ".java"));
        int declaration = source.indexOf("public final class " + descriptor.getSimpleName());
        String javadoc = source.substring(source.lastIndexOf("/**", declaration), declaration);
        List<Row> rows = new ArrayList<>();
        Matcher pre = Pattern.compile("(?s)<pre>(.*?)</pre>").matcher(javadoc);
        while (pre.find()) {
            for (String line : pre.group(1).split("\n")) {
                String l = line.replaceFirst("^\\s*\\*", "").strip();
                int first = l.indexOf('|');
                int last = l.lastIndexOf('|');
                if (first != 0 || last == first) {
                    continue;
                }
                String[] after = l.substring(last + 1).strip().split("\\s+");
                if (after.length > 0 && OFFSET.matcher(after[0]).matches()) {
                    rows.add(new Row(l.substring(1, last).strip(), after[0]));
                }
            }
        }
        return rows;
    }
}
