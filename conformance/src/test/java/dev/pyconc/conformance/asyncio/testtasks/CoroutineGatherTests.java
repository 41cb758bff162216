package dev.pyconc.conformance.asyncio.testtasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.CancelledError;
import dev.pyconc.asyncio.Future;
import dev.pyconc.asyncio.Task;

/**
 * test_asyncio/test_tasks.py's {@code CoroutineGatherTests}: gather of bodies, each awaiting one
 * of the futures, made in a task of {@link #oneLoop} as CPython's {@code _gather} does.
 */
public class CoroutineGatherTests extends GatherTestsBase {

    @Override
    protected Future<List<Object>> gather(boolean returnExceptions, List<Future<Object>> futures) {
        return oneLoop.runUntilComplete(() -> {
            List<Future<Object>> tasks = new ArrayList<>();
            for (Future<Object> f : futures) {
                tasks.add(Asyncio.createTask(() -> f.await()));
            }
            return returnExceptions ? Asyncio.gather(true, tasks) : Asyncio.gather(tasks);
        });
    }

    /** gather of bodies with no loop running is IllegalStateException (Python's RuntimeError). */
    @Test
    @DisplayName("test_constructor_without_loop")
    void testConstructorWithoutLoop() {
        Callable<String> gen1 = () -> "abc";
        Callable<String> gen2 = () -> "abc";
        Asyncio.setEventLoop(null);                 // as CPython's test case does in setUp (test_utils)
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Asyncio.gather(gen1, gen2));
        assertTrue(e.getMessage().contains("no current event loop"), e.getMessage());
    }

    /** gather of bodies with no loop running: tasks of the thread's current loop, which runs them. */
    @Test
    @DisplayName("test_constructor_use_global_loop")
    void testConstructorUseGlobalLoop() {
        Callable<String> gen1 = () -> "abc";
        Callable<String> gen2 = () -> "abc";
        Asyncio.setEventLoop(otherLoop);
        try {
            Future<List<String>> fut = Asyncio.gather(gen1, gen2);
            assertSame(otherLoop, fut.getLoop());
            assertEquals(List.of("abc", "abc"), otherLoop.runUntilComplete(fut));
        } finally {
            Asyncio.setEventLoop(null);
        }
    }

    /** gather of bodies in a task: a future of the running loop. */
    @Test
    @DisplayName("test_constructor_use_running_loop")
    void testConstructorUseRunningLoop() {
        Callable<String> gen1 = () -> "abc";
        Callable<String> gen2 = () -> "abc";
        Future<List<String>> fut = oneLoop.runUntilComplete(() -> Asyncio.gather(gen1, gen2));
        assertSame(oneLoop, fut.getLoop());
        assertEquals(List.of("abc", "abc"), oneLoop.runUntilComplete(fut));
    }

    /** One body given several times: its result in each place. */
    @Test
    @DisplayName("test_duplicate_coroutines")
    void testDuplicateCoroutines() {
        Callable<String> c = () -> "abc";
        Future<List<String>> fut = oneLoop.runUntilComplete(() -> Asyncio.gather(c, c, () -> "def", c));
        runLoop(oneLoop);
        assertEquals(List.of("abc", "abc", "def", "abc"), fut.result());
    }

    /** Cancelling the task that awaits a gather cancels every child. */
    @Test
    @DisplayName("test_cancellation_broadcast")
    void testCancellationBroadcast() {
        int[] proof = {0};
        Future<Object> waiter = oneLoop.createFuture();
        Runnable inner = () -> {
            waiter.await();
            proof[0] += 1;
        };
        Task<Void> child1 = oneLoop.createTask(inner);
        Task<Void> child2 = oneLoop.createTask(inner);
        List<Future<List<Void>>> gatherer = new ArrayList<>();
        Task<Void> f = oneLoop.createTask(() -> {
            gatherer.add(Asyncio.gather(child1, child2));
            gatherer.get(0).await();
            proof[0] += 100;
        });
        BaseTaskTests.runBriefly(oneLoop);
        assertTrue(f.cancel());
        assertThrows(CancelledError.class, () -> oneLoop.runUntilComplete(f));
        assertFalse(gatherer.get(0).cancel());
        assertTrue(waiter.cancelled());
        assertTrue(child1.cancelled());
        assertTrue(child2.cancelled());
        BaseTaskTests.runBriefly(oneLoop);
        assertEquals(0, proof[0]);
    }

    /** The first child's exception fails the task awaiting the gather. */
    @Test
    @DisplayName("test_exception_marking")
    void testExceptionMarking() {
        Future<Object> a = oneLoop.createFuture();
        Future<Object> b = oneLoop.createFuture();
        Task<Void> f = oneLoop.createTask(() -> {
            Asyncio.gather(() -> inner(a), () -> inner(b)).await();
        });
        BaseTaskTests.runBriefly(oneLoop);
        a.setResult(null);
        BaseTaskTests.runBriefly(oneLoop);
        b.setResult(null);
        BaseTaskTests.runBriefly(oneLoop);
        assertInstanceOf(IllegalStateException.class, f.exception());
    }

    private static Object inner(Future<Object> f) {
        f.await();
        throw new IllegalStateException("should not be ignored");
    }

    /**
     * gather of a body and what is no awaitable fails at once, and calls no exception handler
     * (bpo-46672); Java's one argument that is no future is null (Python's {} does not compile).
     */
    @Test
    @DisplayName("test_issue46672")
    void testIssue46672() {
        List<Map<String, Object>> calls = new CopyOnWriteArrayList<>();
        oneLoop.setExceptionHandler((l, context) -> calls.add(context));
        assertThrows(IllegalArgumentException.class, () -> oneLoop.runUntilComplete(() -> {
            List<Future<String>> fs = new ArrayList<>();
            fs.add(Asyncio.createTask(() -> "abc"));
            fs.add(null);
            return Asyncio.gather(fs);
        }));
        runLoop(oneLoop);
        assertEquals(List.of(), calls);
    }
}
