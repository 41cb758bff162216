package dev.pyconc.conformance.testmultiprocessing;

import static dev.pyconc.conformance.testmultiprocessing.Mp2Support.LONG_TIMEOUT;
import static dev.pyconc.conformance.testmultiprocessing.Mp2Support.SHORT_TIMEOUT;
import static dev.pyconc.conformance.testmultiprocessing.Mp2Support.TIMEOUT1;
import static dev.pyconc.conformance.testmultiprocessing.Mp2Support.TIMEOUT2;
import static dev.pyconc.conformance.testmultiprocessing.Mp2Support.exceptionThrowingGenerator;
import static dev.pyconc.conformance.testmultiprocessing.Mp2Support.range;
import static dev.pyconc.conformance.testmultiprocessing.Mp2Support.squares;
import static dev.pyconc.testing.Threads.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.PrintStream;
import java.io.Serializable;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.conformance.testmultiprocessing.Mp2Support.SayWhenError;
import dev.pyconc.multiprocessing.AsyncResult;
import dev.pyconc.multiprocessing.BrokenProcessPool;
import dev.pyconc.multiprocessing.IMapIterator;
import dev.pyconc.multiprocessing.Multiprocessing;
import dev.pyconc.multiprocessing.PicklingError;
import dev.pyconc.multiprocessing.Pool;
import dev.pyconc.multiprocessing.RemoteTraceback;
import dev.pyconc.multiprocessing.TimeoutError;
import dev.pyconc.multiprocessing.Value;

/**
 * _test_multiprocessing.py's {@code _TestPool}, in the form CPython runs as
 * {@code WithProcessesTestPool}: pyconc's one form of a pool is worker processes (child JVMs); CPython
 * also runs it on threads ({@code ThreadPool}, not yet) and through a manager (not yet), each with the
 * fork, forkserver and spawn start methods, of which this is spawn, the default. As CPython's
 * {@code setUpClass}, one pool of four workers serves the class's methods; the methods that make a
 * pool of their own make one of CPython's size. The pools admit this package's classes (Python
 * pickles any class), so that {@link SayWhenError} and the test objects travel.
 */
class _TestPool {
    private static Pool pool;

    @BeforeAll
    static void setUpClass() {
        pool = Mp2Support.pool(4);
    }

    @AfterAll
    static void tearDownClass() {
        pool.terminate();
        pool.join();
        pool = null;
    }

    @Test
    @DisplayName("test_apply")
    void testApply() {
        assertEquals(Mp2Support.sqr(5), (int) pool.apply(() -> Mp2Support.sqr(5)));
        int x = 3;                                    // papply(sqr, (), {'x': 3})
        assertEquals(Mp2Support.sqr(3), (int) pool.apply(() -> Mp2Support.sqr(x)));
    }

    @Test
    @DisplayName("test_map")
    void testMap() {
        assertEquals(squares(10), pool.map(Mp2Support::sqr, range(10)));
        assertEquals(squares(100), pool.map(Mp2Support::sqr, range(100), 20));
    }

    /** {@code list(zip(range(n), range(n - 1, -1, -1)))}. */
    private static List<Map.Entry<Integer, Integer>> tuples(int n) {
        return IntStream.range(0, n).mapToObj(i -> Map.entry(i, n - 1 - i)).toList();
    }

    /** {@code list(itertools.starmap(mul, tuples))}. */
    private static List<Integer> products(List<Map.Entry<Integer, Integer>> tuples) {
        return tuples.stream().map(t -> Mp2Support.mul(t.getKey(), t.getValue())).toList();
    }

    @Test
    @DisplayName("test_starmap")
    void testStarmap() {
        List<Map.Entry<Integer, Integer>> tuples = tuples(10);
        assertEquals(products(tuples), pool.starmap(Mp2Support::mul, tuples));
        tuples = tuples(100);
        assertEquals(products(tuples), pool.starmap(Mp2Support::mul, tuples, 20));
    }

    @Test
    @DisplayName("test_starmap_async")
    void testStarmapAsync() {
        List<Map.Entry<Integer, Integer>> tuples = tuples(100);
        assertEquals(products(tuples), pool.starmapAsync(Mp2Support::mul, tuples).get());
    }

    @Test
    @DisplayName("test_map_async")
    void testMapAsync() {
        assertEquals(squares(10), pool.mapAsync(Mp2Support::sqr, range(10)).get());
    }

    /**
     * The callback gets the list, the error callback the exception ({@code int('a')}'s ValueError is
     * {@code Integer.parseInt}'s NumberFormatException, an IllegalArgumentException), before
     * {@code await()} returns.
     */
    @Test
    @DisplayName("test_map_async_callbacks")
    void testMapAsyncCallbacks() {
        List<Object> callArgs = Collections.synchronizedList(new ArrayList<>());
        pool.<String, Integer>mapAsync(Integer::parseInt, List.of("1"), 0, callArgs::add, callArgs::add).await();
        assertEquals(1, callArgs.size());
        assertEquals(List.of(1), callArgs.get(0));
        pool.<String, Integer>mapAsync(Integer::parseInt, List.of("a"), 0, callArgs::add, callArgs::add).await();
        assertEquals(2, callArgs.size());
        assertInstanceOf(IllegalArgumentException.class, callArgs.get(1));
    }

    /** CPython's {@code A}, whose {@code __reduce__} raises. */
    static final class Unpicklable implements Serializable {
        private static final long serialVersionUID = 1L;

        private void writeObject(ObjectOutputStream out) throws IOException {
            throw new IllegalStateException("cannot pickle");
        }
    }

    /** Issue #19425: an item that cannot be pickled fails map at once instead of hanging it. */
    @Test
    @DisplayName("test_map_unplicklable")
    void testMapUnplicklable() {
        List<Object> items = Collections.nCopies(10, new Unpicklable());
        PicklingError e = assertThrows(PicklingError.class, () -> pool.map(o -> Mp2Support.sqr(3), items));
        assertTrue(e.toString().contains("cannot pickle") || String.valueOf(e.getCause()).contains("cannot pickle"),
                e::toString);
        assertEquals(squares(3), pool.map(Mp2Support::sqr, range(3)));
    }

    @Test
    @DisplayName("test_map_chunksize")
    void testMapChunksize() {
        try {
            pool.mapAsync(Mp2Support::sqr, List.<Integer>of(), 1).get(TIMEOUT1);
        } catch (TimeoutError e) {
            fail("pool.map_async with chunksize stalled on null list");
        }
    }

    /** CPython's {@code SpecialIterable}, whose {@code __next__} raises. */
    private static Iterable<Integer> specialIterable() {
        return () -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                throw new SayWhenError(null);
            }
        };
    }

    @Test
    @DisplayName("test_map_handle_iterable_exception")
    void testMapHandleIterableException() {
        // SayWhenError seen at the very first of the iterable
        assertThrows(SayWhenError.class, () -> pool.map(Mp2Support::sqr, exceptionThrowingGenerator(1, -1), 1));
        // again, make sure it's reentrant
        assertThrows(SayWhenError.class, () -> pool.map(Mp2Support::sqr, exceptionThrowingGenerator(1, -1), 1));
        assertThrows(SayWhenError.class, () -> pool.map(Mp2Support::sqr, exceptionThrowingGenerator(10, 3), 1));
        assertThrows(SayWhenError.class, () -> pool.map(Mp2Support::sqr, specialIterable(), 1));
        assertThrows(SayWhenError.class, () -> pool.map(Mp2Support::sqr, specialIterable(), 1));
    }

    /** The result of a task that sleeps TIMEOUT1 comes no earlier than TIMEOUT1 after it was submitted. */
    @Test
    @DisplayName("test_async")
    void testAsync() {
        long start = System.nanoTime();
        AsyncResult<Integer> res = pool.applyAsync(() -> Mp2Support.sqr(7, TIMEOUT1));
        assertEquals(49, res.get());
        assertTrue(System.nanoTime() - start >= TIMEOUT1.toNanos());
    }

    @Test
    @DisplayName("test_async_timeout")
    void testAsyncTimeout() {
        Pool p = Pool.builder().processes(3).build();
        try {
            AsyncResult<Integer> res = p.applyAsync(() -> Mp2Support.sqr(6, TIMEOUT2.plus(SHORT_TIMEOUT)));
            long start = System.nanoTime();
            assertThrows(TimeoutError.class, () -> res.get(TIMEOUT2));
            assertTrue(System.nanoTime() - start >= TIMEOUT2.toNanos());
        } finally {
            p.terminate();
            p.join();
        }
    }

    @Test
    @DisplayName("test_imap")
    void testImap() {
        IMapIterator<Integer> it = pool.imap(Mp2Support::sqr, range(10));
        List<Integer> all = new ArrayList<>();
        it.forEach(all::add);
        assertEquals(squares(10), all);

        it = pool.imap(Mp2Support::sqr, range(10));
        for (int i = 0; i < 10; i++) {
            assertEquals(i * i, it.next());
        }
        assertThrows(NoSuchElementException.class, it::next);

        it = pool.imap(Mp2Support::sqr, range(1000), 100);
        for (int i = 0; i < 1000; i++) {
            assertEquals(i * i, it.next());
        }
        assertThrows(NoSuchElementException.class, it::next);
    }

    /**
     * An exception of the iterable comes from the iterator's {@code next()}, after the results of
     * the whole chunks read before it, as Python's task generator raises it at that position.
     */
    @Test
    @DisplayName("test_imap_handle_iterable_exception")
    void testImapHandleIterableException() {
        // SayWhenError seen at the very first of the iterable
        IMapIterator<Integer> it = pool.imap(Mp2Support::sqr, exceptionThrowingGenerator(1, -1), 1);
        assertThrows(SayWhenError.class, it::next);
        // again, make sure it's reentrant
        IMapIterator<Integer> again = pool.imap(Mp2Support::sqr, exceptionThrowingGenerator(1, -1), 1);
        assertThrows(SayWhenError.class, again::next);

        IMapIterator<Integer> it3 = pool.imap(Mp2Support::sqr, exceptionThrowingGenerator(10, 3), 1);
        for (int i = 0; i < 3; i++) {
            assertEquals(i * i, it3.next());
        }
        assertThrows(SayWhenError.class, it3::next);

        // SayWhenError seen at start of problematic chunk's results
        IMapIterator<Integer> it2 = pool.imap(Mp2Support::sqr, exceptionThrowingGenerator(20, 7), 2);
        for (int i = 0; i < 6; i++) {
            assertEquals(i * i, it2.next());
        }
        assertThrows(SayWhenError.class, it2::next);
        IMapIterator<Integer> it4 = pool.imap(Mp2Support::sqr, exceptionThrowingGenerator(20, 7), 4);
        for (int i = 0; i < 4; i++) {
            assertEquals(i * i, it4.next());
        }
        assertThrows(SayWhenError.class, it4::next);
    }

    @Test
    @DisplayName("test_imap_unordered")
    void testImapUnordered() {
        List<Integer> got = new ArrayList<>();
        pool.imapUnordered(Mp2Support::sqr, range(10)).forEach(got::add);
        Collections.sort(got);
        assertEquals(squares(10), got);

        got.clear();
        pool.imapUnordered(Mp2Support::sqr, range(1000), 100).forEach(got::add);
        Collections.sort(got);
        assertEquals(squares(1000), got);
    }

    /** Takes values from {@code it}, each one expected and taken once, until it throws. */
    private static void drain(IMapIterator<Integer> it, int total) {
        List<Integer> expected = new ArrayList<>(squares(total));
        for (int i = 0; i < total; i++) {
            Integer value = it.next();
            assertTrue(expected.remove(value), "unexpected " + value);
        }
    }

    @Test
    @DisplayName("test_imap_unordered_handle_iterable_exception")
    void testImapUnorderedHandleIterableException() {
        // SayWhenError seen at the very first of the iterable
        IMapIterator<Integer> it = pool.imapUnordered(Mp2Support::sqr, exceptionThrowingGenerator(1, -1), 1);
        assertThrows(SayWhenError.class, it::next);
        // again, make sure it's reentrant
        IMapIterator<Integer> again = pool.imapUnordered(Mp2Support::sqr, exceptionThrowingGenerator(1, -1), 1);
        assertThrows(SayWhenError.class, again::next);

        // imap_unordered makes it difficult to anticipate the SayWhenError
        IMapIterator<Integer> it10 = pool.imapUnordered(Mp2Support::sqr, exceptionThrowingGenerator(10, 3), 1);
        assertThrows(SayWhenError.class, () -> drain(it10, 10));

        IMapIterator<Integer> it20 = pool.imapUnordered(Mp2Support::sqr, exceptionThrowingGenerator(20, 7), 2);
        assertThrows(SayWhenError.class, () -> drain(it20, 20));
    }

    /** A pool of fewer than one process is a ValueError; a pool of three has three workers. */
    @Test
    @DisplayName("test_make_pool")
    void testMakePool() {
        assertThrows(IllegalArgumentException.class, () -> new Pool(-1));
        assertThrows(IllegalArgumentException.class, () -> new Pool(0));

        List<Long> before = Mp2Support.childPids();
        Pool p = new Pool(3);
        try {
            until("three workers started", () -> Mp2Support.childPids().size() == before.size() + 3);
            assertEquals(before.size() + 3, Mp2Support.childPids().size());
        } finally {
            p.close();
            p.join();
        }
    }

    /**
     * terminate() ends workers busy with tasks that would run "forever" and join() returns; the
     * tasks count themselves in, where CPython sleeps 0.2 s to let some start.
     */
    @Test
    @DisplayName("test_terminate")
    void testTerminate() {
        Duration sleepTime = LONG_TIMEOUT;
        Value.OfInt started = Value.ofInt(0);
        Pool p = new Pool(3);
        List<Duration> args = Collections.nCopies(10_000, sleepTime);
        AsyncResult<List<Object>> result = p.mapAsync(d -> {
            started.getAndAdd(1);
            Mp2Support.sleep(d);
            return null;
        }, args, 1);
        until("some tasks started", () -> started.get() > 0);
        p.terminate();
        p.join();
        assertThrows(BrokenProcessPool.class, result::get);
    }

    @Test
    @DisplayName("test_empty_iterable")
    void testEmptyIterable() {
        // See Issue 12157
        Pool p = new Pool(1);
        List<Integer> none = List.of();
        assertEquals(List.of(), p.map(Mp2Support::sqr, none));
        List<Integer> got = new ArrayList<>();
        p.imap(Mp2Support::sqr, none).forEach(got::add);
        assertEquals(List.of(), got);
        p.imapUnordered(Mp2Support::sqr, none).forEach(got::add);
        assertEquals(List.of(), got);
        assertEquals(List.of(), p.mapAsync(Mp2Support::sqr, none).get());
        p.close();
        p.join();
    }

    /**
     * A pool used in a try-with-resources block, whose end is Python's {@code close()} (Java has one
     * {@code close()}; see the Pool class comment): join() then returns, and the pool refuses new
     * work with IllegalStateException (Python's ValueError).
     */
    @Test
    @DisplayName("test_context")
    void testContext() {
        List<Integer> l = range(10);
        List<Integer> expected = squares(10);
        Pool p;
        try (Pool q = new Pool(2)) {
            p = q;
            AsyncResult<List<Integer>> r = q.mapAsync(Mp2Support::sqr, l);
            assertEquals(expected, r.get());
        }
        p.join();
        assertThrows(IllegalStateException.class, () -> p.mapAsync(Mp2Support::sqr, l));
    }

    /** CPython's {@code _test_traceback}. */
    static Object raiseTraceback() {
        throw new RuntimeException("123"); // some comment
    }

    /**
     * The exception of a task is raised again in the parent with the worker's stack trace as its
     * cause, a RemoteTraceback, which printing the exception shows (a Java stack trace names the
     * method and line, not the source text); an exception of the iterable is no remote exception.
     */
    @Test
    @DisplayName("test_traceback")
    void testTraceback() {
        RuntimeException exc = null;
        Pool p = Mp2Support.pool(1);
        try (p) {
            p.apply(_TestPool::raiseTraceback);
            fail("expected RuntimeError");
        } catch (RuntimeException e) {
            exc = e;
        }
        p.join();
        assertSame(RuntimeException.class, exc.getClass());
        assertEquals("123", exc.getMessage());
        RemoteTraceback cause = assertInstanceOf(RemoteTraceback.class, exc.getCause());
        assertTrue(cause.traceback().contains("_TestPool.raiseTraceback(_TestPool.java:"), cause.traceback());

        ByteArrayOutputStream f1 = new ByteArrayOutputStream();
        exc.printStackTrace(new PrintStream(f1, true, StandardCharsets.UTF_8));
        assertTrue(f1.toString(StandardCharsets.UTF_8).contains("_TestPool.raiseTraceback(_TestPool.java:"), f1::toString);

        // an exception of the iterable should not become a remote exception
        Pool p2 = Mp2Support.pool(1);
        try (p2) {
            try {
                p2.map(Mp2Support::sqr, exceptionThrowingGenerator(1, -1), 1);
                fail("expected SayWhenError");
            } catch (RuntimeException e) {
                exc = e;
            }
            assertSame(SayWhenError.class, exc.getClass());
            assertNull(exc.getCause());
        }
        p2.join();
    }

    /** CPython's {@code _test_wrapped_exception}. */
    static Object raiseFoo() {
        throw new RuntimeException("foo");
    }

    @Test
    @DisplayName("test_wrapped_exception")
    void testWrappedException() {
        // Issue #20980: Should not wrap exception when using thread pool
        Pool p = new Pool(1);
        try (p) {
            RuntimeException e = assertThrows(RuntimeException.class, () -> p.apply(_TestPool::raiseFoo));
            assertSame(RuntimeException.class, e.getClass());
        }
        p.join();
    }

    /** CPython's {@code raise_large_valuerror(wait)}. */
    static Object raiseLargeValueError(int waitSeconds) {
        Mp2Support.sleep(Duration.ofSeconds(waitSeconds));
        throw new IllegalArgumentException("x".repeat(1024 * 1024));
    }

    /**
     * Issue #23992: map fails on the first exception, and close() and join() then wait for the other
     * task (which sleeps a second) instead of deadlocking on its large result.
     */
    @Test
    @DisplayName("test_map_no_failfast")
    void testMapNoFailfast() {
        long start = System.nanoTime();
        assertThrows(IllegalArgumentException.class, () -> {
            Pool p = new Pool(2);
            try (p) {
                try {
                    p.map(_TestPool::raiseLargeValueError, List.of(0, 1));
                } finally {
                    p.close();
                    p.join();
                }
            }
        });
        // check that we indeed waited for all jobs
        assertTrue(System.nanoTime() - start > Duration.ofMillis(900).toNanos());
    }

    /** CPython's {@code CountedObject}. */
    static final class CountedObject implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /**
     * Issue #29861: the pool keeps neither the items of a task nor the copies it returned once they
     * are done with: both can be collected.
     */
    @Test
    @DisplayName("test_release_task_refs")
    void testReleaseTaskRefs() {
        List<CountedObject> objs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            objs.add(new CountedObject());
        }
        List<WeakReference<Object>> refs = new ArrayList<>();
        objs.forEach(o -> refs.add(new WeakReference<>(o)));
        List<CountedObject> copies = pool.map(Mp2Support::identity, objs);
        assertEquals(10, copies.size());
        copies.forEach(o -> refs.add(new WeakReference<>(o)));
        assertFalse(refs.stream().anyMatch(r -> r.get() == null));

        objs = null;
        copies = null;
        until("the items and the results were collected", () -> {
            System.gc();
            return refs.stream().allMatch(r -> r.get() == null);
        });
    }
}
