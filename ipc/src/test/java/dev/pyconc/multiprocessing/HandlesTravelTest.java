package dev.pyconc.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.pyconc.multiprocessing.sharedmemory.ShareableList;
import dev.pyconc.multiprocessing.sharedmemory.SharedMemory;

/**
 * Every pyconc shared object travels through every channel - a process's arguments, a Queue, a
 * Pipe, a Pool's arguments and its results - and attaches in the receiving process to the same
 * shared state: the receiver sees what the sender did, and the sender sees what the receiver does.
 */
@ExtendWith(NoLeaks.class)
class HandlesTravelTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);

    /** The objects, in the order exercise() takes them; the parent holds the locks and one permit each. */
    private Lock lock;
    private RLock rlock;
    private Semaphore semaphore;
    private BoundedSemaphore bounded;
    private Condition condition;
    private Event event;
    private Barrier barrier;
    private Value.OfInt value;
    private Array.OfInt array;
    private SharedMemory shm;
    private ShareableList slist;
    private Queue<String> queue;
    private SimpleQueue<String> simple;
    private JoinableQueue<String> joinable;
    private Connection.Pair pipe;

    @BeforeEach
    void make() {
        lock = new Lock();
        rlock = new RLock();
        semaphore = new Semaphore(2);
        bounded = new BoundedSemaphore(1);
        condition = new Condition();
        event = new Event();
        barrier = new Barrier(2);
        value = Value.ofInt(0);
        array = Array.ofInts(3);
        shm = SharedMemory.create(16);
        slist = new ShareableList(List.of("parent", 1));
        queue = new Queue<>();
        simple = new SimpleQueue<>();
        joinable = new JoinableQueue<>();
        pipe = Multiprocessing.pipe();
        lock.acquire();
        rlock.acquire();
        semaphore.acquire();
        bounded.acquire();
        condition.acquire();
    }

    @AfterEach
    void close() {
        rlock.release();
        condition.release();
        queue.close();
        simple.close();
        joinable.close();
        pipe.conn1().close();
        pipe.conn2().close();
        shm.close();
        shm.unlink();
        slist.shm().close();
        slist.shm().unlink();
        // the primitives' segments go when their creator drops them: let the leak check see that
        lock = null;
        rlock = null;
        semaphore = null;
        bounded = null;
        condition = null;
        event = null;
        barrier = null;
        value = null;
        array = null;
        shm = null;
        slist = null;
        queue = null;
        simple = null;
        joinable = null;
        pipe = null;
    }

    /** The objects as one list: what travels. */
    private ArrayList<Object> objects() {
        return new ArrayList<>(List.of(lock, rlock, semaphore, bounded, condition, event, barrier, value, array, shm,
                slist, queue, simple, joinable, pipe.conn2()));
    }

    /** In the receiving process: uses each object, and says what it saw, one line per object. */
    static ArrayList<String> exercise(List<?> o) {
        ArrayList<String> seen = new ArrayList<>();
        seen.add("Lock locked=" + ((Lock) o.get(0)).locked() + " tryAcquire=" + ((Lock) o.get(0)).tryAcquire());
        seen.add("RLock tryAcquire=" + ((RLock) o.get(1)).tryAcquire());
        Semaphore s = (Semaphore) o.get(2);
        seen.add("Semaphore value=" + s.getValue());
        s.release();
        BoundedSemaphore b = (BoundedSemaphore) o.get(3);
        seen.add("BoundedSemaphore value=" + b.getValue());
        b.release();
        seen.add("Condition tryAcquire=" + ((Condition) o.get(4)).tryAcquire());
        ((Event) o.get(5)).set();
        seen.add("Barrier passed=" + (((Barrier) o.get(6)).await(LIMIT) >= 0));
        ((Value.OfInt) o.get(7)).set(42);
        ((Array.OfInt) o.get(8)).set(1, 7);
        ((SharedMemory) o.get(9)).buf().set(ValueLayout.JAVA_BYTE, 0, (byte) 9);
        ShareableList l = (ShareableList) o.get(10);
        seen.add("ShareableList [0]=" + l.get(0));
        l.set(0, "child");
        @SuppressWarnings("unchecked")
        Queue<String> q = (Queue<String>) o.get(11);
        q.put("queue");
        @SuppressWarnings("unchecked")
        SimpleQueue<String> sq = (SimpleQueue<String>) o.get(12);
        sq.put("simple");
        @SuppressWarnings("unchecked")
        JoinableQueue<String> jq = (JoinableQueue<String>) o.get(13);
        jq.put("joinable");
        Connection c = (Connection) o.get(14);
        c.send("pipe");
        return seen;
    }

    /** What exercise() must have seen, and what the parent then sees through {@code mine}, the objects on its side. */
    private void check(List<String> seen, List<?> mine) throws Exception {
        assertEquals(List.of("Lock locked=true tryAcquire=false", "RLock tryAcquire=false", "Semaphore value=1",
                "BoundedSemaphore value=0", "Condition tryAcquire=false", "Barrier passed=true",
                "ShareableList [0]=parent"), seen);
        @SuppressWarnings("unchecked")
        Queue<String> q = (Queue<String>) mine.get(11);
        @SuppressWarnings("unchecked")
        SimpleQueue<String> sq = (SimpleQueue<String>) mine.get(12);
        @SuppressWarnings("unchecked")
        JoinableQueue<String> jq = (JoinableQueue<String>) mine.get(13);
        assertAll(
                () -> assertTrue(((Lock) mine.get(0)).locked(), "Lock"),
                () -> assertEquals(2, ((Semaphore) mine.get(2)).getValue(), "Semaphore"),
                () -> assertEquals(1, ((BoundedSemaphore) mine.get(3)).getValue(), "BoundedSemaphore"),
                () -> assertTrue(((Event) mine.get(5)).isSet(), "Event"),
                () -> assertEquals(42, ((Value.OfInt) mine.get(7)).get(), "Value"),
                () -> assertEquals(7, ((Array.OfInt) mine.get(8)).get(1), "Array"),
                () -> assertEquals(9, ((SharedMemory) mine.get(9)).buf().get(ValueLayout.JAVA_BYTE, 0), "SharedMemory"),
                () -> assertEquals("child", ((ShareableList) mine.get(10)).get(0), "ShareableList"),
                () -> assertEquals("queue", q.get(LIMIT), "Queue"),
                () -> assertEquals("simple", sq.get(LIMIT), "SimpleQueue"),
                () -> assertEquals("joinable", jq.get(LIMIT), "JoinableQueue"),
                () -> assertEquals("pipe", pipe.conn1().recv(), "Connection"));
        jq.taskDone();
        lock.release();
    }

    /** Runs {@code body} in a child process while this process waits at the barrier. */
    private void inChild(SerializableRunnable body) throws Exception {
        CompletableFuture<Integer> parentAtBarrier = CompletableFuture.supplyAsync(() -> barrier.await(LIMIT));
        Process p = new Process(body);
        p.start();
        p.join(LIMIT);
        assertEquals(0, p.exitCode(), "the child ended normally");
        assertTrue(parentAtBarrier.get() >= 0);
    }

    /** The objects are a process's arguments: captured by its target. */
    @Test
    void asProcessArguments() throws Exception {
        ArrayList<Object> objects = objects();
        Queue<Object> report = new Queue<>();
        inChild(() -> report.put(exercise(objects)));
        @SuppressWarnings("unchecked")
        List<String> seen = (List<String>) report.get(LIMIT);
        check(seen, objects);
        report.close();
    }

    /** The objects are an item of a Queue. */
    @Test
    void inAQueue() throws Exception {
        Queue<Object> carrier = new Queue<>();
        Queue<Object> report = new Queue<>();
        carrier.put(objects());
        inChild(() -> report.put(exercise((List<?>) carrier.get(LIMIT))));
        @SuppressWarnings("unchecked")
        List<String> seen = (List<String>) report.get(LIMIT);
        check(seen, objects());
        carrier.close();
        report.close();
    }

    /** The objects are a message of a Pipe. */
    @Test
    void inAPipe() throws Exception {
        var carrier = Multiprocessing.pipe();
        Connection in = carrier.conn1();
        Connection out = carrier.conn2();
        out.send(objects());
        inChild(() -> in.send(exercise((List<?>) in.recv())));
        @SuppressWarnings("unchecked")
        List<String> seen = (List<String>) out.recv();
        check(seen, objects());
        in.close();
        out.close();
    }

    /** The objects are the argument of a Pool's task, and come back as its result. */
    @Test
    void asPoolArgumentsAndResults() throws Exception {
        try (Pool pool = new Pool(1)) {
            CompletableFuture<Integer> parentAtBarrier = CompletableFuture.supplyAsync(() -> barrier.await(LIMIT));
            SerializableFunction<List<?>, List<Object>> task = o -> {
                List<Object> back = new ArrayList<>(o);
                back.add(exercise(o));
                return back;
            };
            List<List<Object>> results = pool.map(task, List.of(objects()));
            assertTrue(parentAtBarrier.get() >= 0);
            List<Object> back = results.getFirst();
            @SuppressWarnings("unchecked")
            List<String> seen = (List<String>) back.removeLast();
            check(seen, back);     // the objects that came back are the same shared objects
            for (Object o : back) {
                if (o instanceof Queue<?> q) {
                    q.close();
                } else if (o instanceof SimpleQueue<?> q) {
                    q.close();
                } else if (o instanceof Connection c) {
                    c.close();
                }
            }
            pool.close();
            pool.join();
        }
    }
}
