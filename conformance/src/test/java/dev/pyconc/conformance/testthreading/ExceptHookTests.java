package dev.pyconc.conformance.testthreading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.threading.ExceptHookArgs;
import dev.pyconc.threading.Thread;
import dev.pyconc.threading.Threading;

/**
 * test_threading's {@code ExceptHookTests}: the hook that handles an exception ending a thread.
 * Python's ValueError is an IllegalArgumentException here; the default hook logs through SLF4J,
 * which the tests' slf4j-simple writes to stderr. ({@code test_system_exit} is not applicable:
 * Java has no SystemExit.)
 */
class ExceptHookTests extends BaseTestCase {

    /** test_threading's {@code ThreadRunFail}. */
    static final class ThreadRunFail extends Thread {
        ThreadRunFail() {
            super();
        }

        ThreadRunFail(String name) {
            super(null, name);
        }

        @Override
        public void run() {
            throw new IllegalArgumentException("run failed");
        }
    }

    @BeforeEach
    @AfterEach
    void restoreDefaultExcepthook() {
        Threading.setExcepthook(Threading::defaultExcepthook);
    }

    /** What {@code body} writes to stderr: CPython's {@code support.captured_output("stderr")}. */
    private static String capturedStderr(Runnable body) {
        PrintStream saved = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(saved);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    private static String runThreadRunFail() {
        return capturedStderr(() -> {
            Thread thread = new ThreadRunFail("excepthook thread");
            thread.start();
            thread.join();
        });
    }

    /** The default hook reports the thread's name, the exception and where it was thrown. */
    @Test
    @DisplayName("test_excepthook")
    void testExcepthook() {
        String stderr = runThreadRunFail();
        assertTrue(stderr.contains("Exception in thread excepthook thread\n"), stderr);
        assertTrue(stderr.contains("java.lang.IllegalArgumentException: run failed\n"), stderr);
        assertTrue(stderr.contains("\tat " + ThreadRunFail.class.getName() + ".run("), stderr);     // the raise
    }

    /** Called with no thread, the default hook reports the caller's thread identifier. */
    @Test
    @DisplayName("test_excepthook_thread_None")
    void testExcepthookThreadNone() {
        String stderr = capturedStderr(() -> {
            try {
                throw new IllegalArgumentException("bug");
            } catch (IllegalArgumentException exc) {
                Threading.getExcepthook().accept(new ExceptHookArgs(exc.getClass(), exc, null));
            }
        });
        assertTrue(stderr.contains("Exception in thread " + Threading.getIdent() + "\n"), stderr);
        assertTrue(stderr.contains("java.lang.IllegalArgumentException: bug\n"), stderr);
        assertTrue(stderr.contains("\tat " + ExceptHookTests.class.getName() + "."), stderr);
    }

    /** A hook set with setExcepthook gets the exception's type and value and the thread. */
    @Test
    @DisplayName("test_custom_excepthook")
    void testCustomExcepthook() {
        AtomicReference<ExceptHookArgs> args = new AtomicReference<>();
        Threading.setExcepthook(args::set);
        Thread thread = new ThreadRunFail();
        thread.start();
        thread.join();
        assertEquals(IllegalArgumentException.class, args.get().excType());
        assertEquals("run failed", args.get().excValue().getMessage());
        // Python's exc_traceback is the exception's own: a Java exception carries its stack trace
        assertEquals(ThreadRunFail.class.getName(), args.get().excValue().getStackTrace()[0].getClassName());
        assertSame(thread, args.get().thread());
    }

    /**
     * A hook that fails is reported with its own exception, and the thread still ends: CPython
     * prints "Exception in threading.excepthook:" and passes the hook's exception to sys.excepthook,
     * whose default prints it; pyconc logs both in one record.
     */
    @Test
    @DisplayName("test_custom_excepthook_fail")
    void testCustomExcepthookFail() {
        Threading.setExcepthook(args -> {
            throw new IllegalArgumentException("threading_hook failed");
        });
        Thread[] thread = new Thread[1];
        String stderr = capturedStderr(() -> {
            thread[0] = new ThreadRunFail();
            thread[0].start();
            thread[0].join();
        });
        assertTrue(stderr.contains("Exception in the thread exception hook"), stderr);
        assertTrue(stderr.contains("java.lang.IllegalArgumentException: threading_hook failed\n"), stderr);
        assertTrue(!thread[0].isAlive());
    }

    /** The default hook, restored after a custom one, reports as it did before. */
    @Test
    @DisplayName("test_original_excepthook")
    void testOriginalExcepthook() {
        String defaultOutput = runThreadRunFail();
        Threading.setExcepthook(args -> System.err.println("Running a thread failed"));
        String customHookOutput = runThreadRunFail();
        Threading.setExcepthook(Threading::defaultExcepthook);
        String recoveredOutput = runThreadRunFail();
        assertEquals(defaultOutput, recoveredOutput);
        assertNotEquals(defaultOutput, customHookOutput);
        assertEquals("Running a thread failed\n", customHookOutput);
    }
}
