package dev.pyconc.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

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
}
