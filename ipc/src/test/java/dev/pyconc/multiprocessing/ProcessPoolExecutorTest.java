package dev.pyconc.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.pyconc.futures.CancelledError;
import dev.pyconc.futures.DoneAndNotDone;
import dev.pyconc.futures.Executor;
import dev.pyconc.futures.Future;
import dev.pyconc.futures.Futures;
import dev.pyconc.futures.ReturnWhen;

/**
 * ProcessPoolExecutor with real worker JVMs. One executor of two workers serves the tests that do
 * not break or shut it down; the others make executors of their own.
 */
@ExtendWith(NoLeaks.class)
class ProcessPoolExecutorTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);

    /** Counts the initializer's runs in this JVM: in a worker, 1 once it started. */
    static final AtomicInteger INITS = new AtomicInteger();

    private static ProcessPoolExecutor executor;

    static long pid() {
        return ProcessHandle.current().pid();
    }

    @BeforeAll
    static void start() {
        executor = ProcessPoolExecutor.builder().maxWorkers(2).initializer(() -> INITS.incrementAndGet()).build();
        // both workers up before the first test, so that no test sees one start
        Event gate = new Event();
        Future<Integer> a = executor.submit(() -> gate.await() ? 1 : 0);
        Future<Integer> b = executor.submit(() -> 2);
        b.result(LIMIT);
        gate.set();
        a.result(LIMIT);
    }

    @AfterAll
    static void stop() {
        executor.shutdown();
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    private static <T> List<T> list(Iterable<T> items) {
        List<T> all = new ArrayList<>();
        items.forEach(all::add);
        return all;
    }

    /** submit runs the call in a worker whose initializer ran once; a Runnable's future holds null. */
    @Test
    void submitRunsInAWorker() {
        Future<Long> worker = executor.submit(ProcessPoolExecutorTest::pid);
        assertTrue(worker.result(LIMIT) != pid());
        assertEquals(1, executor.submit(() -> INITS.get()).result(LIMIT));
        Future<Void> nothing = executor.submit(() -> {
            INITS.get();
        });
        assertNull(nothing.result(LIMIT));
        assertTrue(nothing.done());
        assertFalse(nothing.cancelled());
        Executor asInterface = executor;     // through the interface a lambda is a plain Callable: typed so, it travels
        assertEquals(42, asInterface.submit((SerializableCallable<Integer>) () -> 6 * 7).result(LIMIT));
        assertThrows(PicklingError.class, () -> asInterface.submit(() -> 6 * 7));
    }

    /** map returns results in order for chunk sizes 1, 7 and larger than the input, and nothing for no input. */
    @Test
    void mapInOrder() {
        List<Integer> squares = range(300).stream().map(x -> x * x).toList();
        assertEquals(squares, list(executor.map(x -> x * x, range(300))));
        assertEquals(squares, list(executor.map(x -> x * x, range(300), 7)));
        assertEquals(squares, list(executor.map(x -> x * x, range(300), 1000)));
        assertEquals(squares, list(executor.map(x -> x * x, range(300), LIMIT, 13)));
        assertEquals(List.of(), list(executor.map(x -> x * x, List.<Integer>of(), 5)));
        Function<Integer, Integer> serializable = (Function<Integer, Integer> & java.io.Serializable) x -> -x;
        assertEquals(List.of(0, -1, -2), list(executor.map(serializable, range(3))));
        assertEquals(List.of(0, -1, -2), list(executor.map(serializable, range(3), LIMIT)));
    }

    /** map's iteration throws the first exception and TimeoutError once its timeout has passed. */
    @Test
    void mapExceptionsAndTimeout() {
        Iterable<Integer> failing = executor.map(x -> {
            if (x == 5) {
                throw new ArithmeticException("five");
            }
            return x;
        }, range(10), 3);
        List<Integer> seen = new ArrayList<>();
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> failing.forEach(seen::add));
        assertEquals("five", e.getMessage());
        assertEquals(List.of(0, 1, 2), seen, "the chunk [3, 4, 5] failed as a whole");

        Event gate = new Event();
        Iterable<Integer> slow = executor.map(x -> gate.await() ? x : -1, range(2), Duration.ofMillis(50), 1);
        assertThrows(dev.pyconc.builtins.TimeoutError.class, () -> slow.iterator().next());
        gate.set();
    }

    /** Futures.asCompleted yields the futures as they finish: the one held back by a gate comes last. */
    @Test
    void asCompletedAndWait() {
        Event gate = new Event();
        Future<Integer> held = executor.submit(() -> gate.await() ? -1 : 0);
        List<Future<Integer>> quick = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int n = i;
            quick.add(executor.submit(() -> n * 10));
        }
        List<Future<Integer>> all = new ArrayList<>(quick);
        all.add(0, held);

        // a quick call queued behind the held one moves to the other worker once that one is idle
        DoneAndNotDone<Integer> first = Futures.wait(all, LIMIT, ReturnWhen.FIRST_COMPLETED);
        assertFalse(first.done().isEmpty());
        assertTrue(first.notDone().contains(held));
        DoneAndNotDone<Integer> some = Futures.wait(quick, LIMIT, ReturnWhen.ALL_COMPLETED);
        assertEquals(new HashSet<>(quick), some.done());
        DoneAndNotDone<Integer> timedOut = Futures.wait(all, Duration.ofMillis(20), ReturnWhen.ALL_COMPLETED);
        assertEquals(Set.of(held), timedOut.notDone());

        List<Future<Integer>> order = new ArrayList<>();
        try {
            for (Future<Integer> f : Futures.asCompleted(all, LIMIT)) {
                order.add(f);
                if (order.size() == 4) {
                    gate.set();
                }
            }
        } finally {
            gate.set();
        }
        assertEquals(5, order.size());
        assertSame(held, order.get(4));
        assertEquals(Set.of(0, 10, 20, 30), Set.copyOf(order.subList(0, 4).stream().map(Future::result).toList()));
        assertEquals(-1, held.result());
    }

    /** A call's exception is what result() throws and exception() returns, with the RemoteTraceback attached. */
    @Test
    void exceptionsPropagate() {
        Future<Integer> f = executor.submit(() -> {
            throw new UnsupportedOperationException("not here");
        });
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> f.result(LIMIT));
        assertEquals("not here", e.getMessage());
        assertInstanceOf(RemoteTraceback.class, e.getCause());
        assertSame(e, f.exception());
    }

    /** A done-callback (run by the thread that delivers results) that waits for a future not done yet gets IllegalStateException. */
    @Test
    void doneCallbackCannotWaitForAnotherFuture() {
        Event first = new Event();
        Event second = new Event();
        Future<Integer> later = executor.submit(() -> second.await() ? 1 : 0);
        Future<Integer> now = executor.submit(() -> first.await() ? 2 : 0);
        java.util.concurrent.CompletableFuture<Throwable> seen = new java.util.concurrent.CompletableFuture<>();
        now.addDoneCallback(f -> {
            try {
                later.result();
                seen.complete(null);
            } catch (IllegalStateException e) {
                seen.complete(e);
            }
        });
        first.set();
        assertEquals(2, now.result(LIMIT));
        assertInstanceOf(IllegalStateException.class, seen.join());
        second.set();
        assertEquals(1, later.result(LIMIT));
    }

    /** What is not Serializable is refused with a PicklingError naming its class; the executor stays usable. */
    @Test
    void notSerializableIsRefused() {
        Callable<Integer> callable = () -> 1;
        PicklingError c = assertThrows(PicklingError.class, () -> executor.submit(callable));
        assertTrue(c.getMessage().contains(callable.getClass().getName()), c.getMessage());
        Runnable runnable = () -> {};
        assertThrows(PicklingError.class, () -> executor.submit(runnable));
        Function<Integer, Integer> fn = x -> x;
        PicklingError m = assertThrows(PicklingError.class, () -> executor.map(fn, range(2)));
        assertTrue(m.getMessage().contains(fn.getClass().getName()), m.getMessage());
        Object captured = new Object();
        assertThrows(PicklingError.class, () -> executor.submit(() -> captured.hashCode()));
        assertThrows(IllegalArgumentException.class, () -> executor.submit((Callable<Integer>) null));
        assertThrows(IllegalArgumentException.class, () -> new ProcessPoolExecutor(0));
        assertThrows(IllegalArgumentException.class, () -> ProcessPoolExecutor.builder().maxTasksPerChild(-1));
        assertThrows(IllegalArgumentException.class, () -> executor.map(x -> x, range(2), 0));
        assertThrows(IllegalArgumentException.class, () -> executor.map(x -> x, range(2), Duration.ofSeconds(-1), 1));
        assertEquals(3, executor.submit(() -> 3).result(LIMIT));
    }

    /** A future not yet sent to a worker can be cancelled; the others complete. */
    @Test
    void cancelAPendingFuture() {
        Event gate = new Event();
        List<Future<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {      // two workers, two chunks each at most: the sixth waits
            int n = i;
            fs.add(executor.submit(() -> gate.await() ? n : -1));
        }
        Future<Integer> last = fs.getLast();
        assertFalse(last.running());
        assertTrue(last.cancel());
        assertTrue(last.cancelled());
        gate.set();
        for (int i = 0; i < 5; i++) {
            assertEquals(i, fs.get(i).result(LIMIT));
        }
        assertThrows(CancelledError.class, last::result);
    }

    /**
     * shutdown(wait=false, cancelFutures=true) cancels what no worker has, refuses new calls, and
     * lets the running ones finish; shutdown(true) then waits for them and the workers.
     */
    @Test
    void shutdownCancelsPendingFutures() {
        ProcessPoolExecutor one = new ProcessPoolExecutor(1);
        Event gate = new Event();
        List<Future<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int n = i;
            fs.add(one.submit(() -> gate.await() ? n : -1));
        }
        one.shutdown(false, true);
        assertThrows(IllegalStateException.class, () -> one.submit(() -> 9));
        assertTrue(fs.get(2).cancelled() && fs.get(3).cancelled(), "one worker holds two calls; the others wait");
        gate.set();
        assertEquals(0, fs.get(0).result(LIMIT));
        assertEquals(1, fs.get(1).result(LIMIT));
        one.shutdown(true);
    }

    /**
     * kill -9 of a worker breaks the executor, as in Python: every pending and running future fails
     * with BrokenProcessPool, the finished one keeps its result, submit throws it from then on.
     */
    @Test
    void killedWorkerBreaksTheExecutor() {
        ProcessPoolExecutor ex = new ProcessPoolExecutor(2);
        Value.OfLong running = Value.ofLong(0);
        Event never = new Event();
        Future<Integer> finished = ex.submit(() -> 1);
        assertEquals(1, finished.result(LIMIT));
        List<Future<Integer>> fs = new ArrayList<>();
        fs.add(ex.submit(() -> {
            running.set(pid());
            return never.await() ? 0 : 0;
        }));
        for (int i = 0; i < 5; i++) {
            fs.add(ex.submit(() -> never.await() ? 0 : 0));
        }
        ChildJvm.eventually("the call runs", () -> running.get() != 0);
        long killed = running.get();
        assertTrue(ProcessHandle.of(killed).orElseThrow().destroyForcibly());
        for (Future<Integer> f : fs) {
            BrokenProcessPool e = assertThrows(BrokenProcessPool.class, () -> f.result(LIMIT));
            assertTrue(e.getMessage().startsWith("A process in the process pool was terminated abruptly"), e.getMessage());
        }
        assertEquals(1, finished.result());
        assertThrows(BrokenProcessPool.class, () -> ex.submit(() -> 2));
        ex.shutdown(true);
        assertTrue(ChildJvm.awaitGone(killed, LIMIT));
    }

    /** maxTasksPerChild(1): every call runs in a new worker; the try-with-resources end waits for the calls. */
    @Test
    void maxTasksPerChildAndTryWithResources() {
        List<Future<Long>> fs = new ArrayList<>();
        try (var ex = ProcessPoolExecutor.builder().maxWorkers(1).maxTasksPerChild(1).build()) {
            for (int i = 0; i < 3; i++) {
                fs.add(ex.submit(ProcessPoolExecutorTest::pid));
            }
        }
        Set<Long> pids = new HashSet<>();
        for (Future<Long> f : fs) {
            assertTrue(f.done(), "the end of the block waits for the calls");
            pids.add(f.result());
        }
        assertEquals(3, pids.size(), pids.toString());
    }

    /** A JVM that returns from main without shutting its executor down first lets the submitted calls finish. */
    @Test
    void exitWaitsForSubmittedCalls() {
        try (ChildJvm parent = ChildJvm.builder().asProcessLauncher().main(PoolScenarios.class, "executor-exit")) {
            List<String> lines = parent.readAll();
            assertEquals(0, parent.waitFor());
            assertEquals(Set.of("done 0", "done 1", "done 2", "done 3"),
                    Set.copyOf(lines.stream().filter(l -> l.startsWith("done ")).toList()), lines.toString());
            for (String line : lines) {
                if (line.startsWith("worker=")) {
                    assertTrue(ChildJvm.awaitGone(Long.parseLong(line.substring(7)), LIMIT));
                }
            }
        }
    }
}
