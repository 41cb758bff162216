package dev.pyconc.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pyconc.queue.Empty;
import dev.pyconc.builtins.InterruptedError;

class JournalQueueTest {
    record Order(String id, long cents) implements Serializable {}

    @TempDir
    Path dir;

    /** Items come out in the order they were put, with their exact values, and an empty group throws Empty. */
    @Test
    void putThenGetInOrder() {
        try (JournalQueue<Object> q = JournalQueue.open(dir)) {
            List<Object> items = new ArrayList<>(List.of("a", 1, 2L, 3.5, true, new byte[] {1, 2}, "\u4e2d\0", List.of(1, 2)));
            items.add(null);
            for (Object item : items) {
                q.put(item);
            }
            assertEquals(items.size(), q.qsize());
            for (Object item : items) {
                Object got = q.getNowait();
                if (item instanceof byte[] b) {
                    assertArrayEquals(b, (byte[]) got);
                } else {
                    assertEquals(item, got);
                }
            }
            assertEquals(0, q.qsize());
            assertTrue(q.empty());
            assertThrows(Empty.class, q::getNowait);
            assertThrows(Empty.class, () -> q.get(Duration.ofMillis(20)));
            assertThrows(Empty.class, () -> q.get(Duration.ZERO));
            assertThrows(IllegalArgumentException.class, () -> q.get(Duration.ofMillis(-1)));
        }
    }

    /** A blocked get returns the item another thread puts later. */
    @Test
    void blockedGetReceivesLaterPut() throws Exception {
        try (JournalQueue<String> q = JournalQueue.open(dir)) {
            AtomicReference<String> got = new AtomicReference<>();
            Thread t = Thread.ofPlatform().start(() -> got.set(q.get(Duration.ofSeconds(30))));
            Thread.sleep(50);
            q.put("late");
            t.join(30_000);
            assertFalse(t.isAlive());
            assertEquals("late", got.get());
        }
    }

    /** Every group sees every item; items of one group are not taken from another. */
    @Test
    void everyGroupSeesEveryItem() {
        try (JournalQueue<Integer> a = JournalQueue.open(dir, "a"); JournalQueue<Integer> b = JournalQueue.open(dir, "b")) {
            for (int i = 0; i < 100; i++) {
                a.put(i);
            }
            for (int i = 0; i < 100; i++) {
                assertEquals(i, a.getNowait());
            }
            assertEquals(100, b.qsize());
            for (int i = 0; i < 100; i++) {
                assertEquals(i, b.getNowait());
            }
            assertThrows(Empty.class, a::getNowait);
            assertThrows(Empty.class, b::getNowait);
        }
    }

    /** Four threads on two handles of one group take 20,000 items with no loss and no duplicate. */
    @Test
    void oneGroupSplitsItemsAmongThreads() throws Exception {
        int n = 20_000;
        try (JournalQueue<Integer> h1 = JournalQueue.open(dir, "g"); JournalQueue<Integer> h2 = JournalQueue.open(dir, "g")) {
            Set<Integer> seen = ConcurrentHashMap.newKeySet();
            List<Integer> dups = Collections.synchronizedList(new ArrayList<>());
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                JournalQueue<Integer> h = t % 2 == 0 ? h1 : h2;
                threads.add(Thread.ofPlatform().start(() -> {
                    for (;;) {
                        Integer v = h.get(Duration.ofSeconds(30));
                        if (v < 0) {
                            return;
                        }
                        if (!seen.add(v)) {
                            dups.add(v);
                        }
                    }
                }));
            }
            for (int i = 0; i < n; i++) {
                h1.put(i);
            }
            for (int t = 0; t < 4; t++) {
                h1.put(-1);
            }
            for (Thread t : threads) {
                t.join(60_000);
                assertFalse(t.isAlive());
            }
            assertEquals(List.of(), dups);
            assertEquals(n, seen.size());
        }
    }

    /** seek replays from an index that append returned; seekToEnd skips the backlog; bad indexes are rejected. */
    @Test
    void seekReplaysFromAnIndex() {
        try (JournalQueue<String> q = JournalQueue.open(dir)) {
            assertEquals(-1, q.firstIndex());
            assertEquals(-1, q.lastIndex());
            long[] index = new long[10];
            for (int i = 0; i < 10; i++) {
                index[i] = q.append("item" + i);
            }
            assertEquals(index[0], q.firstIndex());
            assertEquals(index[9], q.lastIndex());
            for (int i = 0; i < 10; i++) {
                assertEquals("item" + i, q.getNowait());
                assertEquals(index[i], q.lastGetIndex());
            }
            q.seek(index[6]);
            assertEquals(index[6], q.position());
            assertEquals(4, q.qsize());
            assertEquals("item6", q.getNowait());
            q.seek(index[0]);
            assertEquals("item0", q.getNowait());
            q.seekToEnd();
            assertThrows(Empty.class, q::getNowait);
            q.put("after");
            assertEquals("after", q.getNowait());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> q.seek(index[0] - 1));
            assertTrue(e.getMessage().startsWith("index " + (index[0] - 1) + " is not in the journal"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> q.seek(q.lastIndex() + 2));
        }
    }

    /** A group's position and the items survive closing and reopening the journal. */
    @Test
    void positionsSurviveReopen() {
        try (JournalQueue<Integer> q = JournalQueue.open(dir, "g")) {
            for (int i = 0; i < 10; i++) {
                q.put(i);
            }
            assertEquals(0, q.getNowait());
            assertEquals(1, q.getNowait());
        }
        try (JournalQueue<Integer> q = JournalQueue.open(dir, "g"); JournalQueue<Integer> other = JournalQueue.open(dir, "h")) {
            assertEquals(8, q.qsize());
            assertEquals(2, q.getNowait());
            assertEquals(0, other.getNowait());
        }
    }

    /** A put that cannot encode its item throws PicklingError and writes nothing; the journal stays usable. */
    @Test
    void picklingErrorWritesNothing() {
        try (JournalQueue<Object> q = JournalQueue.open(dir)) {
            q.put("first");
            long last = q.lastIndex();
            assertThrows(PicklingError.class, () -> q.put(new Object()));
            assertEquals(last, q.lastIndex());
            q.put("second");
            assertEquals("first", q.getNowait());
            assertEquals("second", q.getNowait());
        }
    }

    /** An item the reader's codec rejects is taken and reported with its class; the next get continues. */
    @Test
    void undecodableItemIsReportedAndSkipped() {
        Codec<Object> orders = Codec.builder().allowClass(Order.class).build();
        try (JournalQueue<Object> writer = JournalQueue.<Object>builder(dir).codec(orders).build();
                JournalQueue<Object> reader = JournalQueue.open(dir, "strict")) {
            writer.put(new Order("o1", 250));
            writer.put("plain");
            UnpicklingError e = assertThrows(UnpicklingError.class, reader::getNowait);
            assertEquals(Order.class.getName(), e.rejectedClass());
            assertTrue(e.getMessage().startsWith("journal item at index "), e.getMessage());
            assertEquals("plain", reader.getNowait());
            assertEquals(new Order("o1", 250), writer.getNowait());
        }
    }

    /** Items of 8 MiB round-trip. */
    @Test
    void largeItemsRoundTrip() {
        try (JournalQueue<byte[]> q = JournalQueue.open(dir)) {
            byte[] big = new byte[8 << 20];
            new java.util.Random(3).nextBytes(big);
            q.put(big);
            q.put(new byte[0]);
            assertArrayEquals(big, q.getNowait());
            assertEquals(0, q.getNowait().length);
        }
    }

    /** An item larger than a quarter of the block size is refused with PicklingError before anything is written. */
    @Test
    void tooLargeItemWritesNothing() {
        try (JournalQueue<byte[]> q = JournalQueue.<byte[]>builder(dir).blockSize(1 << 20).build()) {
            q.put(new byte[1]);
            long last = q.lastIndex();
            PicklingError e = assertThrows(PicklingError.class, () -> q.put(new byte[(1 << 18) + 10]));
            assertEquals("cannot put an item of 262155 bytes: this journal stores items of up to 262144 bytes "
                    + "(a quarter of its block size, 1048576); open it with JournalQueue.builder(dir).blockSize(...) of at least 2097152",
                    e.getMessage());
            assertEquals(last, q.lastIndex());
            q.put(new byte[(1 << 18) - 1]);
            assertEquals(1, q.getNowait().length);
            assertEquals((1 << 18) - 1, q.getNowait().length);
            assertThrows(Empty.class, q::getNowait);
        }
    }

    /** Closing makes calls throw IllegalStateException, including a get blocked in another thread. */
    @Test
    void closeEndsBlockedGet() throws Exception {
        JournalQueue<String> q = JournalQueue.open(dir);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                q.get();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        Thread.sleep(50);
        q.close();
        t.join(30_000);
        assertFalse(t.isAlive());
        assertEquals(IllegalStateException.class, failure.get().getClass());
        assertEquals("journal queue " + dir + " is closed", failure.get().getMessage());
        assertThrows(IllegalStateException.class, () -> q.put("x"));
        assertTrue(q.closed());
        q.close();
    }

    /** An interrupted get throws InterruptedError with the interrupt flag set, and takes nothing. */
    @Test
    void interruptedGet() throws Exception {
        try (JournalQueue<String> q = JournalQueue.open(dir)) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicReference<Boolean> flag = new AtomicReference<>();
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    q.get();
                } catch (Throwable e) {
                    failure.set(e);
                    flag.set(Thread.currentThread().isInterrupted());
                }
            });
            Thread.sleep(50);
            t.interrupt();
            t.join(30_000);
            assertEquals(InterruptedError.class, failure.get().getClass());
            assertTrue(flag.get());
            q.put("kept");
            assertEquals("kept", q.getNowait());
        }
    }

    /** Bad builder arguments throw IllegalArgumentException with a message. */
    @Test
    void builderValidatesArguments() throws IOException {
        assertThrows(IllegalArgumentException.class, () -> JournalQueue.builder(null));
        assertThrows(IllegalArgumentException.class, () -> JournalQueue.builder(dir).group("a b"));
        assertThrows(IllegalArgumentException.class, () -> JournalQueue.builder(dir).group(""));
        assertThrows(IllegalArgumentException.class, () -> JournalQueue.builder(dir).codec(null));
        assertThrows(IllegalArgumentException.class, () -> JournalQueue.builder(dir).blockSize(1000));
        Path file = Files.createFile(dir.resolve("file"));
        assertEquals(file + " is a file, not a journal directory",
                assertThrows(IllegalArgumentException.class, () -> JournalQueue.open(file)).getMessage());
    }

    // ------------------------------------------------------------------ child JVMs

    /** Child: puts items "run:seq:padding" forever (or count of them), printing "ACK run:seq" after each put returned. */
    public static final class Writer {
        public static void main(String[] args) {
            Path path = Path.of(args[0]);
            int run = Integer.parseInt(args[1]);
            long count = Long.parseLong(args[2]);
            try (JournalQueue<String> q = JournalQueue.open(path, "writer")) {
                for (long seq = 0; seq < count; seq++) {
                    q.put(run + ":" + seq + ":" + "x".repeat((int) (seq % 13) * 700));
                    System.out.println("ACK " + run + ":" + seq);
                    System.out.flush();
                }
            }
        }
    }

    /** Child: takes items of a group until a null, printing "GOT run:seq" for each. */
    public static final class Consumer {
        public static void main(String[] args) {
            try (JournalQueue<String> q = JournalQueue.open(Path.of(args[0]), args[1])) {
                System.out.println("READY");
                System.out.flush();
                for (;;) {
                    String item = q.get(Duration.ofSeconds(120));
                    if (item == null) {
                        break;
                    }
                    System.out.println("GOT " + key(item) + "@" + Long.toHexString(q.lastGetIndex()));
                }
                System.out.flush();
            }
        }
    }

    private static String key(String item) {
        return item.substring(0, item.lastIndexOf(':'));
    }

    /**
     * A writer JVM killed with kill -9 while writing, then a second writer: every acknowledged item
     * is read exactly once by group "a" (two consumer JVMs running throughout) and by group "b";
     * each run's items are read as a gap-free prefix, in order.
     */
    @Test
    void killedWriterLosesNoAcknowledgedItem() {
        assertTimeoutPreemptively(Duration.ofMinutes(3), () -> {
            String path = dir.resolve("journal").toString();
            try (ChildJvm c1 = ChildJvm.startMain(Consumer.class, path, "a");
                    ChildJvm c2 = ChildJvm.startMain(Consumer.class, path, "a")) {
                assertEquals("READY", c1.readLine());
                assertEquals("READY", c2.readLine());
                List<String> acks1 = new ArrayList<>();
                try (ChildJvm w1 = ChildJvm.startMain(Writer.class, path, "1", Long.toString(Long.MAX_VALUE))) {
                    while (acks1.size() < 3000) {
                        String line = w1.readLine();
                        assertTrue(line != null && line.startsWith("ACK "), "writer output: " + line);
                        acks1.add(line.substring(4));
                    }
                    w1.kill9();
                    for (String line : w1.readAll(Duration.ofSeconds(30))) {
                        acks1.add(line.substring(4));
                    }
                }
                List<String> acks2;
                try (ChildJvm w2 = ChildJvm.startMain(Writer.class, path, "2", "1000")) {
                    acks2 = w2.readAll(Duration.ofSeconds(120)).stream().map(l -> l.substring(4)).toList();
                    assertEquals(0, w2.waitFor());
                }
                assertEquals(1000, acks2.size());
                try (JournalQueue<String> q = JournalQueue.open(Path.of(path), "b")) {
                    q.put(null);            // one end marker for each consumer of group "a"
                    q.put(null);
                    List<String> groupB = new ArrayList<>();
                    for (;;) {
                        String item = q.getNowait();
                        if (item == null) {
                            break;
                        }
                        groupB.add(key(item));
                    }
                    List<String> groupA = new ArrayList<>();
                    for (ChildJvm c : List.of(c1, c2)) {
                        List<String> lines = c.readAll(Duration.ofSeconds(120));
                        assertTrue(lines.size() > 0, "consumer " + c.pid() + " of group a took no item");
                        for (String line : lines) {
                            groupA.add(line.substring(4, line.indexOf('@')));
                        }
                        assertEquals(0, c.waitFor());
                    }
                    checkExactlyOnce("b", groupB, acks1, acks2, true);
                    checkExactlyOnce("a", groupA, acks1, acks2, false);
                }
            }
        });
    }

    /** Every acknowledged item once; no duplicates; each run a gap-free prefix (in order if {@code ordered}). */
    private static void checkExactlyOnce(String group, List<String> got, List<String> acks1, List<String> acks2, boolean ordered) {
        Map<Integer, List<Long>> byRun = new HashMap<>();
        for (String k : got) {
            String[] parts = k.split(":");
            byRun.computeIfAbsent(Integer.parseInt(parts[0]), r -> new ArrayList<>()).add(Long.parseLong(parts[1]));
        }
        assertEquals(Set.of(1, 2), byRun.keySet(), "group " + group + " runs");
        for (var e : byRun.entrySet()) {
            List<Long> seqs = e.getValue();
            TreeSet<Long> distinct = new TreeSet<>(seqs);
            if (seqs.size() != distinct.size()) {
                Map<Long, Integer> counts = new java.util.TreeMap<>();
                seqs.forEach(x -> counts.merge(x, 1, Integer::sum));
                counts.values().removeIf(v -> v == 1);
                org.junit.jupiter.api.Assertions.fail("group " + group + " run " + e.getKey() + " has duplicates: " + counts
                        + " (" + (got.size()) + " items)");
            }
            assertEquals(distinct.size() - 1, distinct.last(), "group " + group + " run " + e.getKey() + " has a gap");
            if (ordered) {
                assertEquals(new ArrayList<>(distinct), seqs, "group " + group + " run " + e.getKey() + " out of order");
            }
        }
        long acked1 = acks1.size();
        assertTrue(byRun.get(1).size() >= acked1, "group " + group + ": " + byRun.get(1).size() + " items of run 1 < " + acked1 + " acknowledged");
        assertTrue(byRun.get(1).size() <= acked1 + 1, "group " + group + ": at most the one unacknowledged put may be present: " + byRun.get(1).size() + " > " + acked1 + " + 1; last ack " + acks1.get(acks1.size() - 1));
        assertEquals(acks2.size(), byRun.get(2).size(), "group " + group + " run 2");
    }
}
