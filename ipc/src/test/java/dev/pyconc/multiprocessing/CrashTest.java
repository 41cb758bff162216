package dev.pyconc.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.pyconc.builtins.EOFError;
import dev.pyconc.ipc.internal.shm.Shm;
import dev.pyconc.queue.Empty;

/**
 * Writers killed with kill -9 in the middle of {@code put} (Queue, SimpleQueue, JoinableQueue) and
 * {@code send} (a Pipe's Connection), with items that wrap the ring and items larger than a
 * quarter of it (which travel in a segment of their own). The writer is a child JVM that prints
 * "ACK seq" after each call returned; the test reads the channel, kills the writer at a random
 * item, and checks that every acknowledged item arrives exactly once, in order, intact (each
 * carries a CRC32), that no read outlives its timeout, and that the other producers and this
 * process go on using the channel.
 *
 * <p>Holders of locks, semaphores and conditions killed with kill -9 are the rounds of
 * {@link KillRounds}, run by each primitive's own test (LockTest, RLockTest, SemaphoreTest,
 * BoundedSemaphoreTest, ConditionTest), which hold waiters to the 100 ms liveness bound.
 */
@ExtendWith(NoLeaks.class)
class CrashTest {
    /** A queue's ring: items above 16 KiB travel in a segment of their own. */
    private static final long QUEUE_RING = 64 << 10;
    /** How long a read may outlive its timeout before it counts as hung. */
    private static final Duration HANG_SLACK = Duration.ofSeconds(3);
    /** The timeout of each read. */
    private static final Duration READ = Duration.ofSeconds(2);

    /** A producer of a Queue killed mid-put: acknowledged items arrive once each, another producer and this process go on. */
    @Test
    void queueWriterKilledMidPut() {
        var q = Queue.<byte[]>builder().capacityBytes(QUEUE_RING).build();
        writerKilled(q, q, QUEUE_RING);
    }

    /** A producer of a SimpleQueue killed mid-put: as for Queue. */
    @Test
    void simpleQueueWriterKilledMidPut() {
        var q = Queue.<byte[]>builder().capacityBytes(QUEUE_RING).buildSimple();
        writerKilled(q, q, QUEUE_RING);
    }

    /**
     * A producer of a JoinableQueue killed mid-put: as for Queue, and the task count stays exact:
     * join returns once every item received is done, and one more taskDone is refused.
     */
    @Test
    void joinableQueueWriterKilledMidPut() {
        JoinableQueue<byte[]> q = Queue.<byte[]>builder().capacityBytes(QUEUE_RING).buildJoinable();
        int received = writerKilled(q, q, QUEUE_RING);
        for (int i = 0; i < received; i++) {
            q.taskDone();
        }
        assertTimeoutPreemptively(Duration.ofSeconds(10), q::join);
        assertEquals("taskDone() called too many times", assertThrows(IllegalStateException.class, q::taskDone).getMessage());
    }

    /**
     * The sender of a pipe killed mid-send: every acknowledged message arrives once, intact, in
     * order; then the receiver gets EOFError, and poll(timeout) returns within its timeout.
     */
    @Test
    void pipeWriterKilledMidSend() {
        var pipe = Multiprocessing.pipe(false);
        try (Connection in = pipe.conn1()) {
            writerKilled(pipe.conn2(), in, Connection.CAPACITY);
            assertTrue(in.poll(READ), "end of file is readable");
            assertThrows(EOFError.class, in::recv);
        }
    }

    /**
     * The scenario: producer 1 (a child) is killed once at least a random 15 to 45 of its items
     * arrived; for a queue, producer 2 (another child) must then deliver 40 more items, is killed
     * in turn, and this process puts and gets one more item. The children write into
     * {@code writer} (a queue, or a pipe's sending end, which they take over), this process reads
     * {@code channel}. Returns how many items arrived.
     */
    private static int writerKilled(Object writer, Object channel, long capacity) {
        return assertTimeoutPreemptively(Duration.ofSeconds(150), () -> {
            boolean pipe = channel instanceof Connection;
            Set<String> before = NoLeaks.segments();
            List<List<Integer>> got = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            int killAt = 15 + ThreadLocalRandom.current().nextInt(31);
            int[] acked = {-1, -1, -1};
            ChildJvm second = null;
            try (ChildJvm first = ChildJvm.start(CrashTest.class, "produce", writer, 1, capacity)) {
                if (pipe) {
                    ((Connection) writer).close();      // the child holds the sending end now
                } else {
                    second = ChildJvm.start(CrashTest.class, "produce", writer, 2, capacity);
                }
                readUntil(channel, got, () -> got.get(1).size() >= killAt && (pipe || got.get(2).size() >= 5));
                first.kill9();
                acked[1] = lastAck(first.readAll());
                if (!pipe) {
                    int atKill = got.get(2).size();
                    readUntil(channel, got, () -> got.get(2).size() >= atKill + 40);    // the other producer goes on
                    second.kill9();
                    acked[2] = lastAck(second.readAll());
                }
                drain(channel, got);
            } finally {
                if (second != null) {
                    second.close();
                }
            }
            int producers = pipe ? 1 : 2;
            for (int p = 1; p <= producers; p++) {
                assertDelivered(channel.getClass().getSimpleName() + " producer " + p, got.get(p), p, acked[p]);
            }
            int received = got.get(1).size() + got.get(2).size();
            if (!pipe) {
                byte[] last = QueueScenarios.payload(3_000_000, 100_000);
                sink(channel).accept(last);                     // takes over a lock a killed producer held
                assertArrayEquals(last, read(channel, READ));
                assertEquals(null, read(channel, Duration.ZERO));
                received++;
            }
            removeOrphanedItemSegments(before, producers);
            return received;
        });
    }

    /** Reads items into {@code got} (by producer) until {@code done}; fails if none arrives for 60 s. */
    private static void readUntil(Object channel, List<List<Integer>> got, BooleanSupplier done) {
        long quiet = System.nanoTime();
        while (!done.getAsBoolean()) {
            byte[] item = read(channel, READ);
            if (item != null) {
                sort(item, got);
                quiet = System.nanoTime();
            } else if (System.nanoTime() - quiet > Duration.ofSeconds(60).toNanos()) {
                fail("no item arrived for 60 s; got " + got.get(1).size() + " and " + got.get(2).size());
            }
        }
    }

    /** Reads what is left: a queue until a read times out, a pipe until end of file. */
    private static void drain(Object channel, List<List<Integer>> got) {
        if (channel instanceof Connection) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            for (;;) {
                byte[] item;
                try {
                    item = read(channel, READ);
                } catch (EOFError e) {
                    return;
                }
                if (item != null) {
                    sort(item, got);
                } else if (System.nanoTime() - deadline > 0) {
                    fail("no end of file within 60 s of the sender's death");
                }
            }
        }
        for (byte[] item; (item = read(channel, Duration.ofMillis(300))) != null; ) {
            sort(item, got);
        }
    }

    /**
     * One read of at most {@code timeout}: the item, or null if none came (Empty, or poll timed
     * out); EOFError at a pipe's end of file. Fails if the call outlives its timeout (a hang).
     */
    private static byte[] read(Object channel, Duration timeout) {
        long start = System.nanoTime();
        try {
            return switch (channel) {
                case Queue<?> q -> (byte[]) q.get(timeout);
                case SimpleQueue<?> q -> (byte[]) q.get(timeout);
                case Connection c -> c.poll(timeout) ? (byte[]) c.recv() : null;
                default -> throw new IllegalArgumentException(channel.toString());
            };
        } catch (Empty e) {
            return null;
        } finally {
            long took = System.nanoTime() - start;
            if (took > timeout.plus(HANG_SLACK).toNanos()) {
                fail("a read with a timeout of " + timeout + " took " + took / 1_000_000 + " ms");
            }
        }
    }

    /** Checks the item's CRC and files its seq under its producer. */
    private static void sort(byte[] item, List<List<Integer>> got) {
        int seq = QueueScenarios.check(item);
        got.get(seq / 1_000_000).add(seq);
    }

    /**
     * Producer {@code p}'s items arrived once each, in order, without a gap, and cover every
     * acknowledged put: all up to {@code acked}, and at most the one whose acknowledgement the
     * kill cut off.
     */
    private static void assertDelivered(String what, List<Integer> seqs, int p, int acked) {
        for (int i = 0; i < seqs.size(); i++) {
            assertEquals(p * 1_000_000 + i, seqs.get(i), what + ": items arrive once each, in order, without a gap");
        }
        assertTrue(seqs.size() >= acked + 1 && seqs.size() <= acked + 2,
                what + ": " + (acked + 1) + " puts acknowledged, " + seqs.size() + " items arrived");
    }

    private static int lastAck(List<String> lines) {
        int acked = -1;
        for (String line : lines) {
            int seq = Integer.parseInt(line.substring("ACK ".length()));
            assertEquals(acked + 1, seq, "acknowledgements in order");
            acked = seq;
        }
        return acked;
    }

    /**
     * A producer killed between writing a large item's own segment and publishing it leaves that
     * segment for the tracker (at the tree's end): at most one per killed producer, removed here.
     */
    private static void removeOrphanedItemSegments(Set<String> before, int killed) throws Exception {
        Set<String> left = new HashSet<>(NoLeaks.segments());
        left.removeAll(before);
        left.removeIf(n -> !n.startsWith("pyconc-item-"));
        assertTrue(left.size() <= killed, "orphaned item segments: " + left);
        for (String n : left) {
            Files.deleteIfExists(Shm.directory().resolve(n));
        }
    }

    @SuppressWarnings("unchecked")
    private static Consumer<byte[]> sink(Object channel) {
        return switch (channel) {
            case Queue<?> q -> ((Queue<byte[]>) q)::put;
            case SimpleQueue<?> q -> ((SimpleQueue<byte[]>) q)::put;
            case Connection c -> c::send;
            default -> throw new IllegalArgumentException(channel.toString());
        };
    }

    // ---------------------------------------------------------------- children

    /**
     * Child: puts (or sends) items of producer args[1] into channel args[0] for ever, printing
     * "ACK seq" once each call returned. Sizes, for a ring of args[2] bytes: a quarter small, half
     * up to a quarter of the ring (they wrap it), a quarter larger (a segment of their own).
     */
    public static void produce(Object[] args) {
        Consumer<byte[]> put = sink(args[0]);
        int p = (int) args[1];
        int quarter = (int) ((long) args[2] / 4);
        Random r = new Random(p);
        for (int i = 0; ; i++) {
            int size = switch (r.nextInt(4)) {
                case 0 -> 16 + r.nextInt(240);
                case 1, 2 -> 256 + r.nextInt(quarter - 512);
                default -> quarter + 1 + r.nextInt(2 * quarter);
            };
            put.accept(QueueScenarios.payload(p * 1_000_000 + i, size));
            ChildJvm.say("ACK " + i);
        }
    }
}
