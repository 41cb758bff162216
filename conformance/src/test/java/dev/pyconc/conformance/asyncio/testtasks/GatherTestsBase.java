package dev.pyconc.conformance.asyncio.testtasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.EventLoop;
import dev.pyconc.asyncio.Future;
import dev.pyconc.conformance.asyncio.IsolatedAsyncioTestCase;

/**
 * test_asyncio/test_tasks.py's {@code GatherTestsBase}: gather of futures
 * ({@link FutureGatherTests}) or of bodies that await them ({@link CoroutineGatherTests}), on
 * {@link #oneLoop}, with {@link #otherLoop} beside it. CPython's {@code _run_loop} runs the loop
 * while callbacks are ready: {@link #runLoop} runs it for a few empty tasks, each of which lets
 * every callback and task step ready before it run.
 */
public abstract class GatherTestsBase extends IsolatedAsyncioTestCase {
    protected EventLoop oneLoop;
    protected EventLoop otherLoop;

    @BeforeEach
    void setUpLoops() {
        oneLoop = Asyncio.newEventLoop();
        otherLoop = Asyncio.newEventLoop();
    }

    @AfterEach
    void tearDownLoops() {
        oneLoop.close();
        otherLoop.close();
    }

    /** What a child JVM prints: the debug mode of a new loop with the property unset, false, true. */
    private static final String PRINT_DEBUG = """
            public class Main {
                public static void main(String[] args) {
                    for (String p : new String[] {null, "false", "true"}) {
                        if (p == null) {
                            System.clearProperty("pyconc.asyncio.debug");
                        } else {
                            System.setProperty("pyconc.asyncio.debug", p);
                        }
                        try (var loop = dev.pyconc.asyncio.Asyncio.newEventLoop()) {
                            System.out.println(p + " " + loop.getDebug());
                        }
                    }
                }
            }
            """;

    /**
     * A new loop's debug mode comes from the environment, as Python's
     * {@code coroutines._is_debug_mode()}: PYTHONASYNCIODEBUG not empty turns it on; the system
     * property pyconc.asyncio.debug, read when a loop is made, is Java's {@code -E} ({@code false}:
     * the environment is not read) and {@code -X dev} ({@code true}). Child JVMs with the variable
     * empty and set.
     */
    @Test
    @DisplayName("test_env_var_debug")
    void testEnvVarDebug(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.util.Map<String, String> env = new java.util.HashMap<>();
        env.put("PYTHONASYNCIODEBUG", "");
        env.put("PYTHONDEVMODE", "");
        dev.pyconc.asyncio.ChildJava.Result r = dev.pyconc.asyncio.ChildJava.run(dir, PRINT_DEBUG, List.of(), env);
        assertEquals(0, r.exitCode(), r.out());
        assertEquals("null false\nfalse false\ntrue true\n", r.out());

        env.put("PYTHONASYNCIODEBUG", "1");
        r = dev.pyconc.asyncio.ChildJava.run(dir, PRINT_DEBUG, List.of(), env);
        assertEquals(0, r.exitCode(), r.out());
        assertEquals("null true\nfalse false\ntrue true\n", r.out());
    }

    /** CPython's {@code self._gather(*self.wrap_futures(...), return_exceptions=...)}. */
    protected abstract Future<List<Object>> gather(boolean returnExceptions, List<Future<Object>> futures);

    /** Runs {@code loop} until what was ready, and what that made ready, has run. */
    static void runLoop(EventLoop loop) {
        for (int i = 0; i < 4; i++) {
            loop.runUntilComplete(() -> null);
        }
    }

    /** CPython's test_utils.MockCallback: records each call's argument. */
    static final class MockCallback implements Consumer<Future<List<Object>>> {
        final List<Future<List<Object>>> calls = new ArrayList<>();

        @Override
        public void accept(Future<List<Object>> f) {
            calls.add(f);
        }

        void assertCalledOnceWith(Future<List<Object>> f) {
            assertEquals(1, calls.size(), calls.toString());
            assertSame(f, calls.get(0));
        }
    }

    List<Future<Object>> futures(int n) {
        List<Future<Object>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            fs.add(oneLoop.createFuture());
        }
        return fs;
    }

    private void checkSuccess(boolean returnExceptions) {
        List<Future<Object>> abc = futures(3);
        Future<List<Object>> fut = gather(returnExceptions, abc);
        MockCallback cb = new MockCallback();
        fut.addDoneCallback(cb);
        abc.get(1).setResult(1);
        abc.get(0).setResult(2);
        runLoop(oneLoop);
        assertEquals(0, cb.calls.size());
        assertFalse(fut.done());
        abc.get(2).setResult(3);
        runLoop(oneLoop);
        cb.assertCalledOnceWith(fut);
        assertEquals(List.of(2, 1, 3), fut.result());
    }

    /** The results in the children's order, once all are done. */
    @Test
    @DisplayName("test_success")
    void testSuccess() {
        checkSuccess(false);
    }

    /** As test_success, with returnExceptions. */
    @Test
    @DisplayName("test_result_exception_success")
    void testResultExceptionSuccess() {
        checkSuccess(true);
    }

    /** A child's exception fails the gather at once; what the others do later changes nothing. */
    @Test
    @DisplayName("test_one_exception")
    void testOneException() {
        List<Future<Object>> fs = futures(5);
        Future<List<Object>> fut = gather(false, fs);
        MockCallback cb = new MockCallback();
        fut.addDoneCallback(cb);
        ArithmeticException exc = new ArithmeticException();      // Python's ZeroDivisionError
        fs.get(0).setResult(1);
        fs.get(1).setException(exc);
        runLoop(oneLoop);
        assertTrue(fut.done());
        cb.assertCalledOnceWith(fut);
        assertSame(exc, fut.exception());
        fs.get(2).setResult(3);
        fs.get(3).cancel();
        fs.get(4).setException(new IllegalStateException());
        fs.get(4).exception();
    }

    /** With returnExceptions the exceptions take their children's places in the results. */
    @Test
    @DisplayName("test_return_exceptions")
    void testReturnExceptions() {
        List<Future<Object>> fs = futures(4);
        Future<List<Object>> fut = gather(true, fs);
        MockCallback cb = new MockCallback();
        fut.addDoneCallback(cb);
        ArithmeticException exc = new ArithmeticException();
        IllegalStateException exc2 = new IllegalStateException();
        fs.get(1).setResult(1);
        fs.get(2).setException(exc);
        fs.get(0).setResult(3);
        runLoop(oneLoop);
        assertFalse(fut.done());
        fs.get(3).setException(exc2);
        runLoop(oneLoop);
        assertTrue(fut.done());
        cb.assertCalledOnceWith(fut);
        assertEquals(Arrays.asList(3, 1, exc, exc2), fut.result());
    }
}
