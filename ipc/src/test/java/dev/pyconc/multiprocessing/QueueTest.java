package dev.pyconc.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.pyconc.ipc.internal.shm.Shm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.pyconc.testing.queue.BoundedQueueContract;
import dev.pyconc.testing.queue.QueueOps;

/** Queue: core's bounded queue contract, and the process queue's own behaviour in one process. */
@ExtendWith(NoLeaks.class)
class QueueTest extends BoundedQueueContract {

    @Override
    protected QueueOps<Integer> newQueue(int maxsize) {
        return ProcessQueueOps.of(new Queue<>(maxsize));
    }

    @Override
    protected Order order() {
        return Order.FIFO;
    }

    @Override
    protected boolean acceptsNull() {
        return true;
    }

    @Override
    protected Class<?> blockingClass() {
        return ProcessQueueOps.class;
    }

    /** An item the codec refuses throws PicklingError from put and leaves the queue as it was. */
    @Test
    void codecFailureLeavesQueueUsable() {
        Queue<Object> q = new Queue<>();
        q.put("before");
        PicklingError e = assertThrows(PicklingError.class, () -> q.put(new Object()));
        assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
        assertEquals(1, q.qsize());
        q.put("after");
        assertEquals("before", q.get());
        assertEquals("after", q.get());
        assertTrue(q.empty());
    }

    /** Items from 0 B to 3 MiB (inline, wrapping the ring, and in segments of their own) arrive intact, in order. */
    @Test
    void itemsOfEverySize() {
        Queue<byte[]> q = Queue.<byte[]>builder().capacityBytes(64 << 10).build();
        int[] sizes = {0, 1, 7, 8, 9, 1000, 16 << 10, (16 << 10) - 9, (16 << 10) + 1, 40_000, 3 << 20, 5, 12_345};
        for (int round = 0; round < 20; round++) {
            for (int size : sizes) {
                q.put(QueueScenarios.payload(round, size));
                byte[] got = q.get(Duration.ofSeconds(30));
                assertEquals(size, got.length);
                QueueScenarios.check(got);
            }
        }
        assertTrue(q.empty());
    }

    /** A byte[] item over its codec's item limit is refused by put with nothing written; one at the limit travels; mixed items keep their order. */
    @Test
    void byteArrayItemsRespectTheCodecLimit() {
        Queue<Object> q = Queue.builder().codec(Codec.builder().maxItemBytes(100).build()).build();
        PicklingError e = assertThrows(PicklingError.class, () -> q.put(new byte[100]));   // 101 bytes with its tag
        assertTrue(e.getMessage().contains("100"), e.getMessage());
        assertTrue(q.empty());
        q.put(QueueScenarios.payload(1, 99));
        q.put("between");
        q.put(new byte[0]);
        byte[] first = (byte[]) q.get();
        assertEquals(99, first.length);
        QueueScenarios.check(first);
        assertEquals("between", q.get());
        assertArrayEquals(new byte[0], (byte[]) q.get());
        assertTrue(q.empty());
    }

    /** A 256 MiB item (the default codec limit) travels through a segment of its own. */
    @Test
    void itemOf256MiB() {
        Queue<byte[]> q = new Queue<>();
        byte[] big = new byte[(256 << 20) - 1];
        big[0] = 1;
        big[big.length - 1] = 2;
        q.put(big);
        big = null;
        byte[] got = q.get();
        assertEquals((256 << 20) - 1, got.length);
        assertEquals(1, got[0]);
        assertEquals(2, got[got.length - 1]);
    }

    /** close() refuses later calls on that object; joinThread() needs close(); cancelJoinThread() does nothing. */
    @Test
    void closeAndJoinThread() {
        Queue<Integer> q = new Queue<>();
        q.cancelJoinThread();
        assertThrows(IllegalStateException.class, q::joinThread);
        q.close();
        q.joinThread();
        assertEquals("Queue is closed", assertThrows(IllegalStateException.class, () -> q.put(1)).getMessage());
        assertThrows(IllegalStateException.class, q::getNowait);
    }

    /** Bad arguments: a negative capacity or a capacity that is not a power of two is refused with the range. */
    @Test
    void badBuilderArguments() {
        assertEquals("capacity must be a power of two between 4096 and 1099511627776 bytes, not 5000",
                assertThrows(IllegalArgumentException.class, () -> Queue.builder().capacityBytes(5000)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Queue.builder().maxsize(-1));
        assertThrows(IllegalArgumentException.class, () -> Queue.builder().codec(null));
    }

    private static ChildJvm child(Queue<byte[]> q, String role, int id, int count) {
        return ChildJvm.builder().main(QueueChild.class, ChildJvm.encode(q), role, Integer.toString(id), Integer.toString(count));
    }

    /** Every exit path of a producer (return from main, System.exit, kill -9 right after put) delivers every item put. */
    @Test
    void everyExitPathDeliversWhatWasPut() {
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            String[] hows = {"return", "exit", "kill"};
            for (int h = 0; h < hows.length; h++) {
                Queue<byte[]> q = new Queue<>();
                try (ChildJvm producer = child(q, hows[h], h, 500)) {
                    if (hows[h].equals("kill")) {
                        producer.expect("DONE");
                        producer.kill9();
                        assertEquals(137, producer.waitFor());
                    } else {
                        assertEquals(hows[h].equals("exit") ? 3 : 0, producer.waitFor());
                    }
                }
                for (int i = 0; i < 500; i++) {
                    assertEquals(h * 1_000_000 + i, QueueScenarios.check(q.getNowait()), hows[h]);
                }
                assertTrue(q.empty());
            }
        });
    }

    /** A producer that filled a bounded queue exits at once when main returns; its items stay in the queue. */
    @Test
    void fullQueueDoesNotKeepProcessFromExiting() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Queue<byte[]> q = new Queue<>(10);
            try (ChildJvm producer = child(q, "return", 5, 10)) {
                assertEquals(0, producer.waitFor());
            }
            assertTrue(q.full());
            for (int i = 0; i < 10; i++) {
                assertEquals(5_000_000 + i, QueueScenarios.check(q.get()));
            }
        });
    }

    /**
     * A producer killed with kill -9 in the middle of puts of 16 B to 3 MiB into a 64 KiB ring: no
     * partial or duplicated item, its items arrive as a gap-free prefix covering every acknowledged
     * put, and a second producer's 300 items all arrive in order.
     */
    @Test
    void producerKilledMidPut() {
        assertTimeoutPreemptively(Duration.ofSeconds(150), () -> {
            for (int round = 0; round < 2; round++) {
                Set<String> before = NoLeaks.segments();
                Queue<byte[]> q = Queue.<byte[]>builder().capacityBytes(64 << 10).build();
                List<Integer> fromKilled = new ArrayList<>();
                List<Integer> fromOther = new ArrayList<>();
                int acked = -1;
                try (ChildJvm killed = child(q, "produce", 1, -1); ChildJvm other = child(q, "produce", 2, 300)) {
                    int killAt = 40 + round * 37;
                    while (fromKilled.size() < killAt) {
                        sort(q.get(Duration.ofSeconds(60)), fromKilled, fromOther);
                    }
                    killed.kill9();
                    for (String line : killed.readAll()) {
                        acked = Integer.parseInt(line.substring(4));
                    }
                    while (fromOther.size() < 300) {
                        sort(q.get(Duration.ofSeconds(60)), fromKilled, fromOther);
                    }
                    assertEquals(0, other.waitFor());
                }
                while (!q.empty()) {
                    sort(q.getNowait(), fromKilled, fromOther);
                }
                for (int i = 0; i < fromKilled.size(); i++) {
                    assertEquals(1_000_000 + i, fromKilled.get(i), "the killed producer's items are a gap-free prefix");
                }
                assertTrue(fromKilled.size() >= acked + 1, "acknowledged " + (acked + 1) + ", got " + fromKilled.size());
                for (int i = 0; i < 300; i++) {
                    assertEquals(2_000_000 + i, fromOther.get(i));
                }
                // A producer killed between writing a large item's own segment and publishing it leaves
                // that segment for the tracker (at the tree's end): at most one, removed here.
                Set<String> left = new HashSet<>(NoLeaks.segments());
                left.removeAll(before);
                left.removeIf(n -> !n.startsWith("pyconc-item-"));
                assertTrue(left.size() <= 1, "orphaned item segments: " + left);
                for (String n : left) {
                    Files.deleteIfExists(Shm.directory().resolve(n));
                }
            }
        });
    }

    private static void sort(byte[] item, List<Integer> fromKilled, List<Integer> fromOther) {
        int seq = QueueScenarios.check(item);
        (seq >= 2_000_000 ? fromOther : fromKilled).add(seq);
    }

    /** A consumer killed with kill -9 while getting: no item is duplicated and at most the one in its hands is lost. */
    @Test
    void consumerKilledMidGet() {
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            Queue<byte[]> q = Queue.<byte[]>builder().capacityBytes(1 << 20).build();
            int n = 600;
            Set<Integer> got = new HashSet<>();
            try (ChildJvm consumer = child(q, "consume", 0, 0)) {
                for (int i = 0; i < n; i++) {
                    byte[] item = QueueScenarios.payload(i, 16 + (i * 7919) % 200_000);
                    while (true) {
                        try {
                            q.putNowait(item);
                            break;
                        } catch (dev.pyconc.queue.Full full) {
                            if (consumer.isAlive()) {
                                Thread.sleep(1);
                            } else {
                                assertTrue(got.add(QueueScenarios.check(q.getNowait())), "an item was delivered twice");
                            }
                        }
                    }
                    if (i == 300) {
                        consumer.expect("GOT 100");
                        got.add(100);
                        for (int j = 0; j < 100; j++) {
                            got.add(j);
                        }
                        consumer.kill9();
                        for (String line : consumer.readAll()) {
                            assertTrue(got.add(Integer.parseInt(line.substring(4))), "duplicate " + line);
                        }
                    }
                }
            }
            while (!q.empty()) {
                assertTrue(got.add(QueueScenarios.check(q.getNowait())), "an item was delivered twice");
            }
            assertTrue(got.size() >= n - 1 && got.size() <= n, "got " + got.size() + " of " + n);
        });
    }

    /** Garbage written into the ring by another process makes get throw a clear exception, never hang or overrun. */
    @Test
    void hostileRing() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Queue<Integer> q = new Queue<>();
            q.put(1);
            String name = q.q.mapped.name();
            try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                var m = Shm.attach(name, arena);
                long ring = dev.pyconc.ipc.internal.shm.HeaderDescriptor.BODY
                        + dev.pyconc.ipc.internal.ring.QueueDescriptor.RING;
                dev.pyconc.ipc.internal.shm.Words.putInt(m, ring + dev.pyconc.ipc.internal.ring.RingDescriptor.DATA
                        + dev.pyconc.ipc.internal.ring.RingDescriptor.RECORD_TYPE, 77);
            }
            IllegalStateException e = assertThrows(IllegalStateException.class, q::getNowait);
            assertTrue(e.getMessage().startsWith("queue segment '" + name + "' is corrupt"), e.getMessage());
        });
    }
}
