package dev.pyconc.testing.queue;

import static dev.pyconc.testing.Threads.untilParkedIn;
import static dev.pyconc.testing.Timing.SHORT;
import static dev.pyconc.testing.Timing.assertRejectsBadTimeouts;
import static dev.pyconc.testing.Timing.assertThrowsNoEarlierThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.pyconc.testing.Threads;

/** The contract of a queue with a {@code maxsize}: Full, full(), blocking and timed put. */
public abstract class BoundedQueueContract extends QueueContract {

    /** The exception of put on a full queue (Python's queue.Full). */
    protected Class<? extends RuntimeException> fullType() {
        return dev.pyconc.queue.Full.class;
    }

    /** A queue of maxsize n holds n items: then full() is true and put without waiting throws Full. */
    @Test
    void maxsize() {
        QueueOps<Integer> q = newQueue(3);
        q.put(2);
        q.putNowait(3);
        assertFalse(q.full());
        q.put(1, Duration.ZERO);
        assertTrue(q.full());
        assertEquals(3, q.qsize());
        assertThrows(fullType(), () -> q.putNowait(4));
        assertThrows(fullType(), () -> q.put(4, Duration.ZERO));
        assertEquals(3, q.qsize());
        assertEquals(expectedOrder(List.of(2, 3, 1)), drain(q, 3));
        assertFalse(q.full());
    }

    /** An unbounded queue (maxsize 0) is never full. */
    @Test
    void unboundedNeverFull() {
        QueueOps<Integer> q = newQueue(0);
        for (int i = 0; i < 1_000; i++) {
            q.putNowait(i);
        }
        assertFalse(q.full());
        assertEquals(1_000, q.qsize());
    }

    /** A timed put on a full queue throws Full, no earlier than its timeout, and leaves the items as they were. */
    @Test
    void timedPutTimesOut() {
        QueueOps<Integer> q = newQueue(1);
        q.put(1);
        assertThrowsNoEarlierThan(fullType(), SHORT, () -> q.put(2, SHORT));
        assertEquals(1, q.qsize());
        assertEquals(1, q.get());
    }

    /** A blocked put proceeds once a get frees a slot. */
    @Test
    void blockedPutWakesOnGet() {
        QueueOps<Integer> q = newQueue(1);
        q.put(1);
        var putter = Threads.run("putter", () -> q.put(2));
        untilParkedIn(putter.thread(), blockingClass());
        var timedPutter = Threads.run("timed-putter", () -> q.put(3, Duration.ofSeconds(30)));
        untilParkedIn(timedPutter.thread(), blockingClass());
        assertEquals(1, q.get());
        int second = q.get();
        int third = q.get();
        putter.get();
        timedPutter.get();
        assertEquals(5, second + third);
        assertTrue(q.empty());
    }

    /** An interrupted put throws InterruptedError with the flag set and adds nothing. */
    @Test
    void interruptedPut() {
        QueueOps<Integer> q = newQueue(1);
        q.put(1);
        Threads.assertInterruptible(blockingClass(), () -> q.put(2));
        Threads.assertInterruptible(blockingClass(), () -> q.put(2, Duration.ofSeconds(30)));
        assertEquals(1, q.qsize());
        assertEquals(1, q.get());
    }

    /** Null and negative timeouts of put are refused with IllegalArgumentException. */
    @Test
    void badPutTimeouts() {
        QueueOps<Integer> q = newQueue(1);
        assertRejectsBadTimeouts(t -> q.put(1, t));
        assertEquals(0, q.qsize());
    }

    /** Producers blocked on a small bounded queue lose and duplicate nothing. */
    @Test
    void noLossThroughSmallBound() {
        QueueOps<Integer> q = newQueue(2);
        int n = 5_000;
        var producer = Threads.run("producer", () -> {
            for (int i = 0; i < n; i++) {
                q.put(i);
            }
        });
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += q.get();
        }
        producer.get();
        assertEquals((long) n * (n - 1) / 2, sum);
        assertTrue(q.empty());
    }
}
