package dev.pyconc.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pool with real worker JVMs. One pool of two workers serves the tests that do not break it;
 * the tests of replacement, death, termination and exit make pools of their own.
 */
@ExtendWith(NoLeaks.class)
class PoolTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);

    /** Counts the initializer's runs in this JVM: in a worker, it is 1 once the worker started. */
    static final AtomicInteger INITS = new AtomicInteger();

    private static Pool pool;

    /** A value of the application's own class: outside the standard codec's allow-list. */
    record Point(int x, int y) implements Serializable {}

    /** An exception of the application's own class. */
    static final class AppError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        AppError(String message) {
            super(message);
        }
    }

    /** An exception that cannot be serialized: it holds a plain Object. */
    static final class Unsendable extends RuntimeException {
        private static final long serialVersionUID = 1L;
        @SuppressWarnings({"unused", "serial"})
        private final Object payload = new Object();

        Unsendable(String message) {
            super(message);
        }
    }

    static void init() {
        INITS.incrementAndGet();
    }

    static long pid() {
        return ProcessHandle.current().pid();
    }

    @BeforeAll
    static void startPool() {
        pool = Pool.builder().processes(2).initializer(PoolTest::init).build();
    }

    @AfterAll
    static void stopPool() {
        pool.close();
        pool.join();
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    /** apply runs the call in another JVM, after that worker's initializer ran exactly once. */
    @Test
    void applyRunsInAWorker() {
        long me = pid();
        long worker = pool.apply(PoolTest::pid);
        assertNotEquals(me, worker);
        assertEquals(1, (int) pool.apply(() -> INITS.get()));
        assertEquals(0, INITS.get(), "the initializer does not run in the parent");
    }

    /** The initializer runs once per worker: every task sees the count 1, in at most two worker pids. */
    @Test
    void initializerRunsOncePerWorker() {
        List<String> seen = pool.map(x -> INITS.get() + "@" + pid(), range(40), 1);
        Set<String> pids = new HashSet<>();
        for (String s : seen) {
            assertTrue(s.startsWith("1@"), s);
            pids.add(s.substring(2));
        }
        assertTrue(pids.size() >= 1 && pids.size() <= 2, pids.toString());
    }

    /** map returns the results in the order of the items for every chunk size, and [] for no items. */
    @Test
    void mapKeepsOrderForEveryChunksize() {
        List<Integer> items = range(1000);
        List<Integer> doubled = items.stream().map(x -> 2 * x).toList();
        assertEquals(doubled, pool.map(x -> 2 * x, items));
        assertEquals(doubled, pool.map(x -> 2 * x, items, 1));
        assertEquals(doubled, pool.map(x -> 2 * x, items, 7));
        assertEquals(doubled, pool.map(x -> 2 * x, items, 5000));
        assertEquals(List.of(), pool.map(x -> 2 * x, List.<Integer>of()));
        assertEquals(List.of(), pool.map(x -> 2 * x, List.<Integer>of(), 3));
        assertEquals(List.of("a!", "b!"), pool.map(s -> s + "!", new java.util.LinkedHashSet<>(List.of("a", "b"))));
        assertEquals(Arrays.asList(null, "x"), pool.map(s -> s == null ? null : s, Arrays.asList(null, "x")));
    }

    /** AsyncResult of a task that waits for a gate: not ready, successful() refuses, get(timeout) times out; then the value. */
    @Test
    void asyncResultStates() {
        Event gate = new Event();
        AsyncResult<Integer> r = pool.applyAsync(() -> {
            gate.await();
            return 7;
        });
        assertFalse(r.ready());
        assertThrows(IllegalStateException.class, r::successful);
        assertThrows(TimeoutError.class, () -> r.get(Duration.ofMillis(30)));
        TimeoutError zero = assertThrows(TimeoutError.class, () -> r.get(Duration.ZERO));
        assertInstanceOf(ProcessError.class, zero);      // multiprocessing.TimeoutError, not the built-in one
        assertFalse(r.await(Duration.ofMillis(10)));
        assertThrows(IllegalArgumentException.class, () -> r.get(Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> r.await(Duration.ofMillis(-1)));
        gate.set();
        assertEquals(7, r.get(LIMIT));
        assertTrue(r.await());
        assertTrue(r.await(Duration.ZERO));
        assertTrue(r.ready());
        assertTrue(r.successful());
        assertEquals(7, r.get());
    }

    /**
     * The callback runs before get() returns, with the result; the error callback with the
     * exception; a callback that waits for a result not ready yet gets IllegalStateException.
     */
    @Test
    void callbacksRunBeforeGetReturns() {
        CompletableFuture<Integer> seen = new CompletableFuture<>();
        AsyncResult<Integer> r = pool.applyAsync(() -> 6 * 7, seen::complete, seen::completeExceptionally);
        assertEquals(42, r.get(LIMIT));
        assertEquals(42, seen.getNow(-1));

        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        AsyncResult<Integer> bad = pool.applyAsync(() -> {
            throw new AppError("no");
        }, v -> failure.complete(null), failure::complete);
        assertThrows(AppError.class, () -> bad.get(LIMIT));
        assertFalse(bad.successful());
        assertInstanceOf(AppError.class, failure.getNow(null));

        CompletableFuture<Throwable> waited = new CompletableFuture<>();
        AsyncResult<Integer> inner = pool.applyAsync(() -> 1);
        inner.get(LIMIT);
        AsyncResult<Integer> pending = pool.applyAsync(() -> 2);
        pool.applyAsync(() -> 3, v -> {
            try {
                inner.get();                        // a ready result may be read in a callback ...
                pool.applyAsync(() -> 4).get();     // ... a wait for another may not: it would never end
                waited.complete(null);
            } catch (IllegalStateException e) {
                waited.complete(e);
            }
        }, null).get(LIMIT);
        assertInstanceOf(IllegalStateException.class, waited.getNow(null));
        assertEquals(2, pending.get(LIMIT));

        CompletableFuture<List<Integer>> all = new CompletableFuture<>();
        AsyncResult<List<Integer>> m = pool.mapAsync(x -> x + 1, range(10), 3, all::complete, all::completeExceptionally);
        assertEquals(range(11).subList(1, 11), m.get(LIMIT));
        assertEquals(range(11).subList(1, 11), all.getNow(null));
    }

    /**
     * Chunks and results of only Integers, only Longs or only Doubles travel packed; mixed ones, and
     * ones with nulls, value by value: every value comes back exactly (edge values, NaN payloads,
     * -0.0), whether a chunk's results are of one type or change type midway.
     */
    @Test
    void valuesRoundTripPackedOrNot() {
        List<Integer> ints = List.of(Integer.MIN_VALUE, -1, 0, 127, 128, Integer.MAX_VALUE);
        assertEquals(ints, pool.map(x -> x, ints, 3));
        List<Long> longs = List.of(Long.MIN_VALUE, -1L, 0L, 1L << 40, Long.MAX_VALUE);
        assertEquals(longs, pool.map(x -> x, longs));
        double nanWithPayload = Double.longBitsToDouble(0x7ff8_0000_0000_1234L);
        List<Double> doubles = List.of(-0.0, 0.0, Double.MIN_VALUE, Double.MAX_VALUE, Double.NEGATIVE_INFINITY, nanWithPayload);
        List<Double> back = pool.map(x -> x, doubles);
        for (int i = 0; i < doubles.size(); i++) {
            assertEquals(Double.doubleToRawLongBits(doubles.get(i)), Double.doubleToRawLongBits(back.get(i)));
        }
        List<Object> mixed = Arrays.asList(1, 2L, 3.0, "four", null, (short) 5, 6);
        assertEquals(mixed, pool.map(x -> x, mixed));
        assertEquals(mixed, pool.map(x -> x, mixed, 2));
        assertEquals(Arrays.asList(1, 2, null, 4), pool.map(x -> x, Arrays.asList(1, 2, null, 4)));
        // results that are Integers, then not: the worker falls back within the chunk
        assertEquals(Arrays.asList(0, 1, "2", 3L), pool.map(x -> x == 2 ? (Object) "2" : x == 3 ? (Object) 3L : (Object) x, range(4)));
        assertEquals(List.of(0L, 2L, 4L), pool.map(x -> 2L * x, range(3)), "Integers in, Longs out");
    }

    /** mapAsync and starmap/starmapAsync keep the order; starmap unpacks each pair into two arguments. */
    @Test
    void mapAsyncAndStarmap() {
        assertEquals(List.of(0, 1, 4, 9), pool.mapAsync(x -> x * x, range(4)).get(LIMIT));
        assertEquals(List.of(0, 1, 4, 9), pool.mapAsync(x -> x * x, range(4), 1).get(LIMIT));
        List<Map.Entry<Integer, Integer>> pairs = List.of(Map.entry(2, 5), Map.entry(3, 2), Map.entry(10, 0), Map.entry(0, 3));
        List<Integer> powers = List.of(32, 9, 1, 0);
        assertEquals(powers, pool.starmap((Integer b, Integer e) -> (int) Math.pow(b, e), pairs));
        assertEquals(powers, pool.starmap((Integer b, Integer e) -> (int) Math.pow(b, e), pairs, 1));
        assertEquals(powers, pool.starmapAsync((Integer b, Integer e) -> (int) Math.pow(b, e), pairs).get(LIMIT));
        assertEquals(List.of("a1", "b2"), pool.starmap((String s, Long n) -> s + n,
                List.of(new java.util.AbstractMap.SimpleEntry<>("a", 1L), Map.entry("b", 2L))));
        assertEquals(List.of(), pool.starmap((Integer b, Integer e) -> b + e, List.<Map.Entry<Integer, Integer>>of()));
    }

    /** imap yields in item order (chunks of 1 and of 7), imapUnordered the same multiset; an empty one ends at once. */
    @Test
    void imapOrderedAndUnordered() {
        List<Integer> squares = range(100).stream().map(x -> x * x).toList();
        List<Integer> got = new ArrayList<>();
        for (int v : pool.imap((Integer x) -> x * x, range(100))) {
            got.add(v);
        }
        assertEquals(squares, got);
        got.clear();
        pool.<Integer, Integer>imap(x -> x * x, range(100), 7).forEachRemaining(got::add);
        assertEquals(squares, got);
        got.clear();
        for (int v : pool.imapUnordered((Integer x) -> x * x, range(100))) {
            got.add(v);
        }
        got.sort(null);
        assertEquals(squares, got);
        got.clear();
        pool.<Integer, Integer>imapUnordered(x -> x * x, range(100), 9).forEachRemaining(got::add);
        got.sort(null);
        assertEquals(squares, got);

        IMapIterator<Integer> empty = pool.imap(x -> x, List.<Integer>of());
        assertFalse(empty.hasNext());
        assertThrows(NoSuchElementException.class, empty::next);
        assertSame(empty, empty.iterator());
    }

    /** next(timeout) throws TimeoutError while the result is not ready, and returns it once it is. */
    @Test
    void imapNextWithTimeout() {
        Event gate = new Event();
        IMapIterator<Integer> it = pool.imap(x -> {
            gate.await();
            return x + 1;
        }, List.of(1, 2));
        assertThrows(TimeoutError.class, () -> it.next(Duration.ofMillis(30)));
        assertThrows(IllegalArgumentException.class, () -> it.next(Duration.ofMillis(-1)));
        assertTrue(it.hasNext());
        gate.set();
        assertEquals(2, it.next(LIMIT));
        assertEquals(3, it.next(LIMIT));
        assertFalse(it.hasNext());
        assertThrows(NoSuchElementException.class, () -> it.next(Duration.ZERO));
    }

    /** A task's exception is thrown as is, with the worker's stack trace as its RemoteTraceback cause. */
    @Test
    void exceptionsPropagateWithTheRemoteTrace() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> pool.apply(() -> Integer.parseInt("not a number")));
        assertTrue(e.getMessage().contains("not a number"), e.getMessage());
        RemoteTraceback trace = assertInstanceOf(RemoteTraceback.class, e.getCause());
        assertTrue(trace.traceback().contains("PoolWorker-"), trace.traceback());
        assertTrue(trace.traceback().contains("java.lang.NumberFormatException: For input string: \"not a number\""),
                trace.traceback());
        assertTrue(trace.getMessage().startsWith("\n\"\"\"\n"), trace.getMessage());
        assertTrue(Arrays.stream(e.getStackTrace()).anyMatch(f -> f.getClassName().equals(PoolWorker.class.getName())),
                "the exception keeps the worker's frames");

        AppError app = assertThrows(AppError.class, () -> pool.apply(() -> {
            throw new AppError("the application's own exception class travels");
        }));
        assertEquals("the application's own exception class travels", app.getMessage());

        IllegalStateException withCause = assertThrows(IllegalStateException.class, () -> pool.apply(() -> {
            throw new IllegalStateException("outer", new ArithmeticException("inner"));
        }));
        assertInstanceOf(ArithmeticException.class, withCause.getCause());
        assertInstanceOf(RemoteTraceback.class, withCause.getSuppressed()[0]);

        CompletionException checked = assertThrows(CompletionException.class, () -> pool.apply(() -> {
            throw new IOException("checked");
        }));
        assertInstanceOf(IOException.class, checked.getCause());
        assertEquals("checked", checked.getCause().getMessage());
    }

    /** map throws the exception of the failing item; imap throws it at that position and goes on. */
    @Test
    void exceptionsOfMapAndImap() {
        SerializableFunction<Integer, Integer> failAt3 = x -> {
            if (x == 3) {
                throw new AppError("item " + x);
            }
            return x;
        };
        assertEquals("item 3", assertThrows(AppError.class, () -> pool.map(failAt3, range(6))).getMessage());
        IMapIterator<Integer> it = pool.imap(failAt3, range(6));
        List<Object> seen = new ArrayList<>();
        while (it.hasNext()) {
            try {
                seen.add(it.next());
            } catch (AppError e) {
                seen.add(e.getMessage());
            }
        }
        assertEquals(List.of(0, 1, 2, "item 3", 4, 5), seen);
    }

    /**
     * What cannot travel fails with a clear error and leaves the pool usable: a function capturing
     * a non-serializable value (PicklingError in the caller), an item that cannot be encoded (the
     * same), a result that cannot be (PicklingError from get), a result of a class outside the
     * allow-list (UnpicklingError naming it), an exception that cannot be serialized.
     */
    @Test
    void whatCannotTravelFailsClearly() {
        Object notSerializable = new Object();
        PicklingError fn = assertThrows(PicklingError.class, () -> pool.apply(() -> notSerializable.hashCode()));
        assertTrue(fn.getMessage().contains("java.lang.Object"), fn.getMessage());

        PicklingError item = assertThrows(PicklingError.class, () -> pool.map(Object::toString, List.of(new Object())));
        assertTrue(item.getMessage().contains("java.lang.Object"), item.getMessage());

        PicklingError result = assertThrows(PicklingError.class, () -> pool.apply(() -> new Object()));
        assertTrue(result.getMessage().contains("java.lang.Object") && result.getMessage().contains("result 0"),
                result.getMessage());

        // a result the parent's codec would refuse is refused in the worker, where it is encoded
        PicklingError rejected = assertThrows(PicklingError.class, () -> pool.apply(() -> new Point(1, 2)));
        assertEquals(Point.class.getName(), rejected.rejectedClass());
        assertTrue(rejected.getMessage().contains("allowClass"), rejected.getMessage());

        PicklingError unsendable = assertThrows(PicklingError.class, () -> pool.apply(() -> {
            throw new Unsendable("cannot be serialized");
        }));
        assertTrue(unsendable.getMessage().contains(Unsendable.class.getName())
                && unsendable.getMessage().contains("cannot be serialized"), unsendable.getMessage());
        assertInstanceOf(RemoteTraceback.class, unsendable.getCause());

        assertEquals(List.of(1, 2, 3), pool.map(x -> x + 1, range(3)), "the pool still works");
    }

    /** Bad arguments throw IllegalArgumentException; join() of a running pool IllegalStateException. */
    @Test
    void badArguments() {
        assertThrows(IllegalArgumentException.class, () -> new Pool(0));
        assertThrows(IllegalArgumentException.class, () -> Pool.builder().processes(-1));
        assertThrows(IllegalArgumentException.class, () -> Pool.builder().maxtasksperchild(-1));
        assertThrows(IllegalArgumentException.class, () -> Pool.builder().codec(null));
        assertThrows(IllegalArgumentException.class, () -> Pool.builder().codec(new Codec<>() {
            public void encode(Object item, Codec.Output out) {}

            public Object decode(java.lang.foreign.MemorySegment in) {
                return null;
            }
        }));
        assertThrows(IllegalArgumentException.class, () -> pool.map(x -> x, range(3), 0));
        assertThrows(IllegalArgumentException.class, () -> pool.mapAsync(x -> x, range(3), -1));
        assertThrows(IllegalArgumentException.class, () -> pool.imap(x -> x, range(3), 0));
        assertThrows(IllegalArgumentException.class, () -> pool.imapUnordered(x -> x, range(3), 0));
        assertThrows(IllegalArgumentException.class, () -> pool.starmap((Integer a, Integer b) -> a, List.of(), 0));
        assertThrows(IllegalArgumentException.class, () -> pool.apply(null));
        assertThrows(IllegalArgumentException.class, () -> pool.applyAsync(null));
        assertThrows(IllegalArgumentException.class, () -> pool.map(null, range(3)));
        assertThrows(IllegalArgumentException.class, () -> pool.map(x -> x, null));
        assertThrows(IllegalArgumentException.class, () -> pool.starmap((Integer a, Integer b) -> a,
                Arrays.asList(Map.entry(1, 2), null)));
        assertEquals("Pool is still running: call close() or terminate() before join()",
                assertThrows(IllegalStateException.class, pool::join).getMessage());
    }

    /** A pool whose initializer throws is broken: its work fails with BrokenProcessPool caused by it, later calls throw it. */
    @Test
    void failingInitializerBreaksThePool() {
        Pool broken = Pool.builder().processes(1).initializer(() -> {
            throw new IllegalStateException("no database");
        }).build();
        try {
            AsyncResult<Integer> r = broken.applyAsync(() -> 1);
            BrokenProcessPool e = assertThrows(BrokenProcessPool.class, () -> r.get(LIMIT));
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertEquals("no database", e.getCause().getMessage());
            assertInstanceOf(RemoteTraceback.class, e.getCause().getCause());
            assertThrows(BrokenProcessPool.class, () -> broken.apply(() -> 2));
        } finally {
            broken.terminate();
        }
        broken.join();
    }

    /**
     * Workers that die before they are ready (here: halted in the initializer, so that no error
     * report is sent) are replaced twice, then the pool is broken instead of starting JVMs for ever.
     */
    @Test
    void workersThatNeverStartBreakThePool() {
        Pool dying = Pool.builder().processes(1).initializer(() -> Runtime.getRuntime().halt(7)).build();
        try {
            AsyncResult<Integer> r = dying.applyAsync(() -> 1);
            BrokenProcessPool e = assertThrows(BrokenProcessPool.class, () -> r.get(LIMIT));
            assertTrue(e.getMessage().contains("keep ending before they are ready") && e.getMessage().contains("exit code 7"),
                    e.getMessage());
            assertThrows(BrokenProcessPool.class, () -> dying.applyAsync(() -> 2));
        } finally {
            dying.terminate();
        }
        dying.join();
    }

    /**
     * maxtasksperchild: each worker runs that many tasks, then a new one takes over (distinct pids);
     * close() refuses new work at once and join() returns once everything submitted is done; a
     * codec of the builder admits the application's classes.
     */
    @Test
    void maxtasksperchildReplacesWorkersAndCloseJoinWaitsForAll() {
        Pool small = Pool.builder().processes(1).maxtasksperchild(2)
                .codec(Codec.builder().allowClass(Point.class).build()).build();
        List<AsyncResult<Point>> results = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                int x = i;
                results.add(small.applyAsync(() -> new Point(x, (int) pid())));
            }
            small.close();
            assertThrows(IllegalStateException.class, () -> small.applyAsync(() -> 1));
            assertThrows(IllegalStateException.class, () -> small.map(x -> x, range(2)));
            small.join();
            for (AsyncResult<Point> r : results) {
                assertTrue(r.ready(), "join() returned before a task was done");
            }
        } finally {
            small.terminate();
        }
        List<Integer> pids = results.stream().map(r -> r.get().y()).toList();
        assertEquals(List.of(0, 1, 2, 3, 4, 5), results.stream().map(r -> r.get().x()).toList());
        assertEquals(pids.get(0), pids.get(1));
        assertEquals(pids.get(2), pids.get(3));
        assertEquals(pids.get(4), pids.get(5));
        assertEquals(3, new HashSet<>(pids).size(), "three workers of two tasks each: " + pids);
        small.join();
        small.close();
    }

    /**
     * kill -9 of a worker in the middle of a task fails exactly that task with BrokenProcessPool;
     * the chunk queued behind it and a map running meanwhile complete; a task that calls
     * System.exit fails the same way; the pool replaces the workers and goes on serving.
     */
    @Test
    void killedWorkerFailsOnlyTheWorkItHeld() {
        Pool p = new Pool(2);
        Value.OfLong running = Value.ofLong(0);
        Event never = new Event();
        try {
            AsyncResult<String> victim = p.applyAsync(() -> {
                running.set(pid());
                never.await();
                return "never";
            });
            AsyncResult<List<Integer>> survivor = p.mapAsync(x -> x + 1, range(100), 10);
            ChildJvm.eventually("the task runs", () -> running.get() != 0);
            long killed = running.get();
            assertTrue(ProcessHandle.of(killed).orElseThrow().destroyForcibly());
            BrokenProcessPool e = assertThrows(BrokenProcessPool.class, () -> victim.get(LIMIT));
            assertTrue(e.getMessage().contains("pid " + killed) && e.getMessage().contains("exit code -9"), e.getMessage());
            assertEquals(range(101).subList(1, 101), survivor.get(LIMIT));
            assertTrue(ChildJvm.awaitGone(killed, LIMIT));

            BrokenProcessPool exit = assertThrows(BrokenProcessPool.class, () -> p.apply(() -> {
                System.exit(3);
                return 0;
            }));
            assertTrue(exit.getMessage().contains("exit code 3"), exit.getMessage());

            Set<Long> pids = new HashSet<>(p.map(x -> pid(), range(20), 1));
            assertFalse(pids.contains(killed));
            assertEquals(List.of(1, 2, 3), p.map(x -> x + 1, range(3)));
        } finally {
            p.terminate();
        }
        p.join();
    }

    /**
     * terminate() with one worker blocked and one busy in an endless loop returns promptly, fails
     * the outstanding work (running, queued for a worker, and pending) with BrokenProcessPool, and
     * leaves no worker.
     */
    @Test
    void terminateWithBlockedAndBusyWorkers() {
        Pool p = new Pool(2);
        Value.OfLong blocked = Value.ofLong(0);
        Value.OfLong busy = Value.ofLong(0);
        Event never = new Event();
        AsyncResult<Integer> a = p.applyAsync(() -> {
            blocked.set(pid());
            never.await();
            return 1;
        });
        AsyncResult<Integer> b = p.applyAsync(() -> {
            busy.set(pid());
            for (long i = 0; ; i++) {
                if (i == Long.MIN_VALUE) {
                    return 2;
                }
            }
        });
        List<AsyncResult<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            queued.add(p.applyAsync(() -> 3));
        }
        ChildJvm.eventually("both tasks run", () -> blocked.get() != 0 && busy.get() != 0);
        assertTimeoutPreemptively(Duration.ofSeconds(20), p::terminate);
        assertThrows(BrokenProcessPool.class, () -> a.get(LIMIT));
        assertThrows(BrokenProcessPool.class, () -> b.get(LIMIT));
        for (AsyncResult<Integer> r : queued) {      // behind the two stuck tasks: none could run
            assertThrows(BrokenProcessPool.class, () -> r.get(Duration.ZERO));
        }
        assertFalse(ChildJvm.isRunning(blocked.get()));
        assertFalse(ChildJvm.isRunning(busy.get()));
        assertThrows(IllegalStateException.class, () -> p.apply(() -> 1));
        assertTimeoutPreemptively(Duration.ofSeconds(20), p::join);
        p.terminate();
        never.set();
    }

    /**
     * A parent JVM that returns from main, or calls System.exit, while its pool has a task blocked
     * exits with its own code and leaves no worker behind: workers are daemon processes.
     */
    @Test
    void parentExitLeavesNoWorker() {
        for (String how : List.of("return", "System.exit")) {
            try (ChildJvm parent = ChildJvm.builder().asProcessLauncher().main(PoolScenarios.class, "pool-exit", how)) {
                List<Long> workers = new ArrayList<>();
                for (String line : parent.readAll()) {
                    if (line.startsWith("worker=")) {
                        workers.add(Long.parseLong(line.substring("worker=".length())));
                    }
                }
                assertEquals(how.equals("return") ? 0 : 5, parent.waitFor());
                assertEquals(2, workers.size(), workers.toString());
                for (long w : workers) {
                    assertTrue(ChildJvm.awaitGone(w, LIMIT), "worker " + w + " outlived its parent");
                }
            }
        }
    }

    /**
     * GIL mode: the waits of apply, of an imap iteration and of join drop the GIL, so another
     * attached thread runs meanwhile: here the thread that lets the task finish (without the drop,
     * the wait would never end).
     */
    @Test
    void waitsDropTheGil() {
        assertTimeoutPreemptively(LIMIT, () -> {
            dev.pyconc.gil.Gil.enable();
            try {
                for (int round = 0; round < 2; round++) {
                    Event gate = new Event();
                    dev.pyconc.threading.Thread opener = new dev.pyconc.threading.Thread(() -> {
                        dev.pyconc.gil.Gil.checkpoint();
                        gate.set();
                    });
                    if (round == 0) {
                        opener.start();
                        assertEquals(5, pool.apply(() -> gate.await() ? 5 : 0));
                    } else {
                        IMapIterator<Integer> it = pool.imap(x -> gate.await() ? x : 0, List.of(6));
                        opener.start();
                        assertEquals(6, it.next());
                    }
                    opener.join();
                }
            } finally {
                dev.pyconc.gil.Gil.disable();
            }
        });
    }
}
