package dev.pyconc.conformance.asyncio.testtasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.CancelledError;
import dev.pyconc.asyncio.Future;

/** test_asyncio/test_tasks.py's {@code FutureGatherTests}: gather of futures. */
public class FutureGatherTests extends GatherTestsBase {

    @Override
    protected Future<List<Object>> gather(boolean returnExceptions, List<Future<Object>> futures) {
        return returnExceptions ? Asyncio.gather(true, futures) : Asyncio.gather(futures);
    }

    /** gather of nothing with no loop running is IllegalStateException (Python's RuntimeError). */
    @Test
    @DisplayName("test_constructor_empty_sequence_without_loop")
    void testConstructorEmptySequenceWithoutLoop() {
        Asyncio.setEventLoop(null);                 // as CPython's test case does in setUp (test_utils)
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Asyncio.gather(List.<Future<Object>>of()));
        assertTrue(e.getMessage().contains("no current event loop"), e.getMessage());
    }

    /** gather of nothing with no loop running: a future of the thread's current loop, done with an empty list. */
    @Test
    @DisplayName("test_constructor_empty_sequence_use_global_loop")
    void testConstructorEmptySequenceUseGlobalLoop() {
        Asyncio.setEventLoop(oneLoop);
        try {
            Future<List<Object>> fut = Asyncio.gather(List.<Future<Object>>of());
            assertInstanceOf(Future.class, fut);
            assertSame(oneLoop, fut.getLoop());
            runLoop(oneLoop);
            assertTrue(fut.done());
            assertEquals(List.of(), fut.result());
        } finally {
            Asyncio.setEventLoop(null);
        }
    }

    /** gather of nothing in a task: a future of the running loop, done with an empty list. */
    @Test
    @DisplayName("test_constructor_empty_sequence_use_running_loop")
    void testConstructorEmptySequenceUseRunningLoop() {
        Future<List<Object>> fut = oneLoop.runUntilComplete(() -> Asyncio.gather(List.<Future<Object>>of()));
        assertInstanceOf(Future.class, fut);
        assertSame(oneLoop, fut.getLoop());
        runLoop(oneLoop);
        assertTrue(fut.done());
        assertEquals(List.of(), fut.result());
    }

    /** Futures of two loops: IllegalArgumentException (Python's ValueError). */
    @Test
    @DisplayName("test_constructor_heterogenous_futures")
    void testConstructorHeterogenousFutures() {
        Future<Object> fut1 = oneLoop.createFuture();
        Future<Object> fut2 = otherLoop.createFuture();
        assertThrows(IllegalArgumentException.class, () -> Asyncio.gather(fut1, fut2));
    }

    /** The gather belongs to its children's loop. */
    @Test
    @DisplayName("test_constructor_homogenous_futures")
    void testConstructorHomogenousFutures() {
        List<Future<Object>> children = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            children.add(otherLoop.createFuture());
        }
        Future<List<Object>> fut = Asyncio.gather(children);
        assertSame(otherLoop, fut.getLoop());
        runLoop(otherLoop);
        assertFalse(fut.done());
        fut = Asyncio.gather(children);
        assertSame(otherLoop, fut.getLoop());
        runLoop(otherLoop);
        assertFalse(fut.done());
    }

    /** A child cancelled: the gather fails with CancelledError, and is not cancelled. */
    @Test
    @DisplayName("test_one_cancellation")
    void testOneCancellation() {
        List<Future<Object>> fs = futures(5);
        Future<List<Object>> fut = Asyncio.gather(fs);
        MockCallback cb = new MockCallback();
        fut.addDoneCallback(cb);
        fs.get(0).setResult(1);
        fs.get(1).cancel();
        runLoop(oneLoop);
        assertTrue(fut.done());
        cb.assertCalledOnceWith(fut);
        assertFalse(fut.cancelled());
        assertInstanceOf(CancelledError.class, fut.exception());
        fs.get(2).setResult(3);
        fs.get(3).cancel();
        fs.get(4).setException(new IllegalStateException());
        fs.get(4).exception();
    }

    /** With returnExceptions, cancelled children give CancelledErrors in the results. */
    @Test
    @DisplayName("test_result_exception_one_cancellation")
    void testResultExceptionOneCancellation() {
        List<Future<Object>> fs = futures(6);
        Future<List<Object>> fut = Asyncio.gather(true, fs);
        MockCallback cb = new MockCallback();
        fut.addDoneCallback(cb);
        fs.get(0).setResult(1);
        ArithmeticException zde = new ArithmeticException();
        fs.get(1).setException(zde);
        fs.get(2).cancel();
        runLoop(oneLoop);
        assertFalse(fut.done());
        fs.get(3).setResult(3);
        fs.get(4).cancel();
        IllegalStateException rte = new IllegalStateException();
        fs.get(5).setException(rte);
        List<Object> res = new ArrayList<>(oneLoop.runUntilComplete(fut));
        assertInstanceOf(CancelledError.class, res.get(2));
        assertInstanceOf(CancelledError.class, res.get(4));
        res.set(2, null);
        res.set(4, null);
        assertEquals(Arrays.asList(1, zde, null, 3, null, rte), res);
        cb.assertCalledOnceWith(fut);
    }
}
