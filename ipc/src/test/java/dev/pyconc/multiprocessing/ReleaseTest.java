package dev.pyconc.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.pyconc.ipc.internal.shm.Shm;
import dev.pyconc.queue.Full;

/**
 * Queues and pipes are released by close(), in the process that closes the last object, not by
 * the garbage collector: their segment files go at once, and a handle in flight, a holder process
 * that ended, and an item that did not go out are accounted for.
 */
@ExtendWith(NoLeaks.class)
class ReleaseTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);

    private static Path file(Queue<?> q) {
        return Shm.directory().resolve(q.q.mapped.name());
    }

    private static Path file(SimpleQueue<?> q) {
        return Shm.directory().resolve(q.q.mapped.name());
    }

    private static Path file(Connection c) {
        String s = c.toString();     // Connection[<segment>, end ...]
        return Shm.directory().resolve(s.substring("Connection[".length(), s.indexOf(',')));
    }

    /** Closing a queue, a joinable queue and a simple queue removes its segment at once. */
    @Test
    void closeRemovesTheQueuesSegment() {
        Queue<String> q = new Queue<>();
        q.put("left unread");
        JoinableQueue<String> j = new JoinableQueue<>();
        SimpleQueue<String> s = new SimpleQueue<>();
        for (Path p : List.of(file(q), file(j), file(s))) {
            assertTrue(Files.exists(p), p + " exists while open");
        }
        Path qf = file(q), jf = file(j), sf = file(s);
        q.close();
        j.close();
        s.close();
        assertFalse(Files.exists(qf), "closed Queue's segment is gone");
        assertFalse(Files.exists(jf), "closed JoinableQueue's segment is gone");
        assertFalse(Files.exists(sf), "closed SimpleQueue's segment is gone");
        assertEquals("Queue is closed", assertThrows(IllegalStateException.class, q::qsize).getMessage());
        assertTrue(q.toString().endsWith(", closed]"), q.toString());
        Reference.reachabilityFence(q);
    }

    /** A large item nobody took goes with its queue: its segment of its own is removed by the close. */
    @Test
    void closeRemovesTheSegmentsOfItemsLeft() {
        java.util.Set<String> before = NoLeaks.segments();
        Queue<byte[]> q = new Queue<>();
        q.put(new byte[600 * 1024]);        // more than a quarter of the ring: a segment of its own
        java.util.Set<String> made = new java.util.HashSet<>(NoLeaks.segments());
        made.removeAll(before);
        assertEquals(2, made.size(), "the queue's segment and the item's: " + made);
        assertTrue(made.stream().anyMatch(n -> n.startsWith("pyconc-item-")), made.toString());
        q.close();
        made.retainAll(NoLeaks.segments());
        assertEquals(java.util.Set.of(), made);
    }

    /** A pipe's segment stays while either end is open, and goes when the second end is closed. */
    @Test
    void closingBothEndsRemovesThePipesSegment() {
        for (boolean duplex : new boolean[] {true, false}) {
            var pipe = Multiprocessing.pipe(duplex);
            Path f = file(pipe.conn1());
            pipe.conn2().send("unread");
            pipe.conn1().close();
            assertTrue(Files.exists(f), "one end open: the segment stays");
            pipe.conn2().close();
            assertFalse(Files.exists(f), "both ends closed: the segment is gone");
        }
    }

    /**
     * 10,000 queues and pipes created and closed leave no segment file, with the garbage collector
     * unable to help: every object stays strongly reachable until the end, and each file is
     * checked right after its close.
     */
    @Test
    void tenThousandQueuesAndPipesLeaveNoFile() {
        List<Object> all = new ArrayList<>(10_000);
        for (int i = 0; i < 5_000; i++) {
            Queue<Integer> q = Queue.<Integer>builder().capacityBytes(4096).build();
            q.put(i);
            Path qf = file(q);
            q.close();
            assertFalse(Files.exists(qf), "queue " + i + " left " + qf);
            var pipe = Multiprocessing.pipe(false);
            Path pf = file(pipe.conn1());
            pipe.conn2().send(i);
            pipe.conn2().close();
            pipe.conn1().close();
            assertFalse(Files.exists(pf), "pipe " + i + " left " + pf);
            all.add(q);
            all.add(pipe);
        }
        assertEquals(10_000, all.size());
        assertEquals(java.util.Set.of(), NoLeaks.segments().stream().filter(n -> n.startsWith("pyconc-queue-")
                || n.startsWith("pyconc-pipe-")).collect(java.util.stream.Collectors.toSet()));
        Reference.reachabilityFence(all);
    }

    /**
     * A queue sent inside an item is in flight: closing it in the sender keeps its segment until
     * the object made of the handle is closed in the receiver.
     */
    @Test
    void aHandleInFlightKeepsTheQueue() {
        Queue<Object> carrier = new Queue<>();
        Queue<String> sent = new Queue<>();
        Path f = file(sent);
        carrier.put(sent);
        sent.close();
        assertTrue(Files.exists(f), "in flight: the segment stays");
        @SuppressWarnings("unchecked")
        Queue<String> received = (Queue<String>) carrier.get(LIMIT);
        received.put("works");
        assertEquals("works", received.get(LIMIT));
        received.close();
        assertFalse(Files.exists(f), "received and closed: the segment is gone");
        carrier.close();
    }

    /**
     * A handle inside an item that does not go out gives its reference back: an item the codec
     * refuses, and a put on a full queue, leave the handle's queue released by its own close.
     */
    @Test
    void aHandleThatDoesNotGoOutIsGivenBack() {
        Queue<Object> carrier = new Queue<>(1);
        carrier.put("fills it");
        Queue<String> q = new Queue<>();
        Path f = file(q);
        assertThrows(Full.class, () -> carrier.putNowait(q));
        PicklingError refused = assertThrows(PicklingError.class,
                () -> carrier.put(new ArrayList<>(List.of(q, new NotAdmitted())), Duration.ZERO));
        assertEquals(NotAdmitted.class.getName(), refused.rejectedClass());
        q.close();
        assertFalse(Files.exists(f), "nothing in flight: the close removed the segment");
        assertEquals("fills it", carrier.get(LIMIT));
        carrier.close();
    }

    /**
     * A handle inside an item that nobody receives gives its reference back when the queue or pipe
     * that holds the item goes: the items left are decoded then, and what their handles opened is
     * closed.
     */
    @Test
    void aHandleNeverReceivedIsGivenBack() {
        Queue<String> q = new Queue<>();
        Path f = file(q);
        Queue<Object> carrier = new Queue<>();
        carrier.put(new ArrayList<>(List.of("with a handle", q)));
        var pipe = Multiprocessing.pipe();
        var other = Multiprocessing.pipe();
        Path otherFile = file(other.conn1());
        pipe.conn2().send(q);
        pipe.conn2().send(other.conn1());
        other.conn1().close();
        other.conn2().close();
        q.close();
        assertTrue(Files.exists(f), "in flight twice: the segment stays");
        assertTrue(Files.exists(otherFile), "an end in flight: the other pipe's segment stays");
        carrier.close();
        assertTrue(Files.exists(f), "in flight once more: the segment stays");
        pipe.conn1().close();
        pipe.conn2().close();
        assertFalse(Files.exists(f), "the items left gave their handles back: the segment is gone");
        assertFalse(Files.exists(otherFile), "the end left in the pipe was given back: the other pipe is gone");
    }

    /** A class of the test that no codec admits by default. */
    record NotAdmitted() implements Serializable {}

    /**
     * A process that held a queue and was killed with SIGKILL holds it no more: the parent's close
     * removes the segment, though the child never closed its object.
     */
    @Test
    void aKilledHolderDoesNotKeepTheQueue() throws Exception {
        Queue<String> q = new Queue<>();
        Path f = file(q);
        Process child = new Process(() -> {
            q.put("attached");
            try {
                Thread.sleep(Duration.ofMinutes(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        child.start();
        assertEquals("attached", q.get(LIMIT));
        child.kill();
        child.join(LIMIT);
        assertEquals(-9, child.exitCode());
        assertTrue(Files.exists(f));
        q.close();
        assertFalse(Files.exists(f), "the killed child held nothing: the close removed the segment");
    }

    /** A pipe whose other end's process was killed is removed by the close of this end. */
    @Test
    void aKilledPeerDoesNotKeepThePipe() {
        var pipe = Multiprocessing.pipe();
        Connection mine = pipe.conn1();
        Connection theirs = pipe.conn2();
        Path f = file(mine);
        Process child = new Process(() -> {
            theirs.send("attached");
            try {
                Thread.sleep(Duration.ofMinutes(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        child.start();
        theirs.close();
        assertEquals("attached", mine.recv());
        child.kill();
        child.join(LIMIT);
        assertTrue(Files.exists(f));
        mine.close();
        assertFalse(Files.exists(f), "the killed peer held nothing: the close removed the segment");
    }
}
