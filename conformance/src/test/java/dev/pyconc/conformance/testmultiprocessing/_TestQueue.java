package dev.pyconc.conformance.testmultiprocessing;

import static dev.pyconc.conformance.testmultiprocessing.Mp1Support.DELTA;
import static dev.pyconc.conformance.testmultiprocessing.Mp1Support.TIMEOUT1;
import static dev.pyconc.conformance.testmultiprocessing.Mp1Support.TIMEOUT2;
import static dev.pyconc.conformance.testmultiprocessing.Mp1Support.TIMEOUT3;
import static dev.pyconc.conformance.testmultiprocessing.Mp1Support.sleep;
import static dev.pyconc.testing.Timing.assertThrowsNoEarlierThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.multiprocessing.Codec;
import dev.pyconc.multiprocessing.Event;
import dev.pyconc.multiprocessing.JoinableQueue;
import dev.pyconc.multiprocessing.PicklingError;
import dev.pyconc.multiprocessing.Process;
import dev.pyconc.multiprocessing.Queue;
import dev.pyconc.queue.Empty;
import dev.pyconc.queue.Full;

/**
 * _test_multiprocessing.py's {@code _TestQueue} in its processes form ({@code WithProcessesTestQueue}):
 * {@link Queue} and {@link JoinableQueue} shared with child JVMs. CPython's threads form is
 * covered by the queue suites, its manager form waits for managers. Python's
 * {@code put(x, False)} is {@code putNowait(x)}, {@code get(False)} is {@code getNowait()}, and
 * a {@code Duration} is the timeout. pyconc's {@code put} writes the item to shared memory before
 * it returns (there is no feeder thread), so CPython's {@code sleep(DELTA)} "the values may be in
 * buffer" is not needed.
 */
class _TestQueue {
    @BeforeAll
    static void segments() {
        Mp1Support.init();
    }

    private static void testPutChild(Queue<Integer> queue, Event childCanStart, Event parentCanContinue) {
        childCanStart.await();
        for (int i = 0; i < 6; i++) {
            queue.get();
        }
        parentCanContinue.set();
    }

    /** put until full: every form of put then throws Full, the timed ones after their timeout. */
    @Test
    @DisplayName("test_put")
    void testPut() {
        int maxsize = 6;
        Queue<Integer> queue = new Queue<>(maxsize);
        Event childCanStart = new Event();
        Event parentCanContinue = new Event();
        Process proc = new Process(() -> testPutChild(queue, childCanStart, parentCanContinue));
        proc.setDaemon(true);
        proc.start();

        assertTrue(queue.empty());
        assertFalse(queue.full());

        queue.put(1);
        queue.put(2);
        queue.put(3);
        queue.putNowait(4);
        queue.putNowait(5);
        queue.putNowait(6);

        assertFalse(queue.empty());
        assertTrue(queue.full());

        assertThrows(Full.class, () -> queue.putNowait(7));
        assertThrows(Full.class, () -> queue.put(7, Duration.ZERO));
        assertThrowsNoEarlierThan(Full.class, TIMEOUT1, () -> queue.put(7, TIMEOUT1));
        assertThrows(Full.class, () -> queue.putNowait(7));
        assertThrowsNoEarlierThan(Full.class, TIMEOUT3, () -> queue.put(7, TIMEOUT3));

        childCanStart.set();
        parentCanContinue.await();

        assertTrue(queue.empty());
        assertFalse(queue.full());

        proc.join();
        queue.close();
    }

    private static void testGetChild(Queue<Integer> queue, Event childCanStart, Event parentCanContinue) {
        childCanStart.await();
        queue.put(2);
        queue.put(3);
        queue.put(4);
        queue.put(5);
        parentCanContinue.set();
    }

    /** get what a child put, in order; then every form of get throws Empty, the timed ones after their timeout. */
    @Test
    @DisplayName("test_get")
    void testGet() {
        Queue<Integer> queue = new Queue<>();
        Event childCanStart = new Event();
        Event parentCanContinue = new Event();
        Process proc = new Process(() -> testGetChild(queue, childCanStart, parentCanContinue));
        proc.setDaemon(true);
        proc.start();

        assertTrue(queue.empty());

        childCanStart.set();
        parentCanContinue.await();

        assertFalse(queue.empty());

        assertEquals(2, queue.get());
        assertEquals(3, queue.get());
        assertEquals(4, queue.get(Duration.ofSeconds(1)));
        assertEquals(5, queue.getNowait());

        assertTrue(queue.empty());

        assertThrows(Empty.class, queue::getNowait);
        assertThrows(Empty.class, () -> queue.get(Duration.ZERO));
        assertThrowsNoEarlierThan(Empty.class, TIMEOUT1, () -> queue.get(TIMEOUT1));
        assertThrows(Empty.class, queue::getNowait);
        assertThrowsNoEarlierThan(Empty.class, TIMEOUT3, () -> queue.get(TIMEOUT3));

        proc.join();
        queue.close();
    }

    /** Items put before a child starts and by the child arrive in order, and nothing more. */
    @Test
    @DisplayName("test_fork")
    void testFork() {
        Queue<Integer> queue = new Queue<>();
        for (int i = 0; i < 10; i++) {
            queue.put(i);
        }
        Process p = new Process(() -> {
            for (int i = 10; i < 20; i++) {
                queue.put(i);
            }
        });
        p.setDaemon(true);
        p.start();

        for (int i = 0; i < 20; i++) {
            assertEquals(i, queue.get());
        }
        assertThrows(Empty.class, queue::getNowait);

        p.join();
        queue.close();
    }

    /** qsize() counts the items. */
    @Test
    @DisplayName("test_qsize")
    void testQsize() {
        Queue<Integer> q = new Queue<>();
        assertEquals(0, q.qsize());
        q.put(1);
        assertEquals(1, q.qsize());
        q.put(5);
        assertEquals(2, q.qsize());
        q.get();
        assertEquals(1, q.qsize());
        q.get();
        assertEquals(0, q.qsize());
        q.close();
    }

    private static void taskDoneChild(JoinableQueue<Integer> q) {
        for (Integer obj = q.get(); obj != null; obj = q.get()) {
            sleep(DELTA);
            q.taskDone();
        }
    }

    /** join() returns once four worker processes have marked the ten items done. */
    @Test
    @DisplayName("test_task_done")
    void testTaskDone() {
        JoinableQueue<Integer> queue = new JoinableQueue<>();
        List<Process> workers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            workers.add(new Process(() -> taskDoneChild(queue)));
        }
        for (Process p : workers) {
            p.setDaemon(true);
            p.start();
        }
        for (int i = 0; i < 10; i++) {
            queue.put(i);
        }
        queue.join();
        for (int i = 0; i < workers.size(); i++) {
            queue.put(null);
        }
        for (Process p : workers) {
            p.join();
        }
        queue.close();
    }

    /**
     * CPython's module imported by an imported module: a class whose initializer puts to a queue
     * and gets the item back within 3 s, as the module's top level does.
     */
    static final class ImportedByAnImportedModule {
        static final Object RESULT;

        static {
            Queue<String> q = new Queue<>();
            q.put("knock knock");
            RESULT = q.get(Duration.ofSeconds(3));
            q.close();
        }
    }

    /** A queue works while its user's class is being initialized (CPython: while a module is imported, bpo-22853). */
    @Test
    @DisplayName("test_no_import_lock_contention")
    void testNoImportLockContention() {
        assertEquals("knock knock", ImportedByAnImportedModule.RESULT);
    }

    /** get(200 ms) on an empty queue throws Empty after at least 100 ms. */
    @Test
    @DisplayName("test_timeout")
    void testTimeout() {
        Queue<Object> q = new Queue<>();
        long start = System.nanoTime();
        assertThrows(Empty.class, () -> q.get(Duration.ofMillis(200)));
        long delta = System.nanoTime() - start;
        assertTrue(delta >= Duration.ofMillis(100).toNanos(), delta + " ns");
        q.close();
    }

    /** An object that cannot be serialized (CPython's NotSerializable). */
    static final class NotSerializable {}

    /**
     * A put that cannot serialize its item (CPython's feeder thread, bpo-30414) leaves the queue
     * working and its size right (bpo-33078): pyconc's put throws PicklingError in the caller and
     * queues nothing.
     */
    @Test
    @DisplayName("test_queue_feeder_donot_stop_onexc")
    void testQueueFeederDonotStopOnexc() {
        Queue<Object> q = new Queue<>();
        assertThrows(PicklingError.class, () -> q.put(new NotSerializable()));
        q.put(true);
        assertEquals(true, q.get(Duration.ofSeconds(30)));
        q.close();

        Queue<Object> bounded = new Queue<>(1);
        assertThrows(PicklingError.class, () -> bounded.put(new NotSerializable()));
        bounded.put(true);
        assertEquals(1, bounded.qsize());
        assertEquals(true, bounded.get(Duration.ofSeconds(30)));
        assertTrue(bounded.empty());
        bounded.close();
    }

    /** CPython's NotSerializable mock: records that its serialization was tried, then fails it. */
    static final class FailingSerializable implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        transient boolean reduceWasCalled;
        transient boolean onQueueFeederErrorWasCalled;

        @Serial
        private void writeObject(ObjectOutputStream out) throws IOException {
            reduceWasCalled = true;
            throw new IOException("AttributeError");
        }
    }

    /**
     * The error of an item that cannot be serialized reaches the code that can handle it with the
     * item (CPython's {@code _on_queue_feeder_error(e, obj)} hook of a Queue subclass; pyconc's
     * put throws it to its caller), and the queue keeps working.
     */
    @Test
    @DisplayName("test_queue_feeder_on_queue_feeder_error")
    void testQueueFeederOnQueueFeederError() {
        FailingSerializable notSerializableObj = new FailingSerializable();
        Queue<Object> q = Queue.builder()
                .codec(Codec.builder().allowClass(FailingSerializable.class).build())
                .build();
        try {
            q.put(notSerializableObj);
        } catch (PicklingError e) {
            if (e.getCause() instanceof IOException && "AttributeError".equals(e.getCause().getMessage())) {
                notSerializableObj.onQueueFeederErrorWasCalled = true;
            } else {
                throw e;
            }
        }
        q.put(true);
        assertEquals(true, q.get(Duration.ofSeconds(30)));
        q.close();

        assertTrue(notSerializableObj.reduceWasCalled);
        assertTrue(notSerializableObj.onQueueFeederErrorWasCalled);
    }

    /** After close(), put and get of a Queue and a JoinableQueue throw "is closed" (CPython's ValueError). */
    @Test
    @DisplayName("test_closed_queue_put_get_exceptions")
    void testClosedQueuePutGetExceptions() {
        for (Queue<Object> q : List.<Queue<Object>>of(new Queue<>(), new JoinableQueue<>())) {
            q.close();
            IllegalStateException put = assertThrows(IllegalStateException.class, () -> q.put("foo"));
            assertTrue(put.getMessage().contains("is closed"), put.getMessage());
            IllegalStateException get = assertThrows(IllegalStateException.class, q::get);
            assertTrue(get.getMessage().contains("is closed"), get.getMessage());
        }
    }
}
