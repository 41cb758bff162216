package dev.pyconc.conformance.asyncio.testtasks;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.EventLoop;

/**
 * test_asyncio/test_tasks.py's {@code BaseCurrentLoopTests}, run once by
 * {@link PyCurrentLoopTests} (pyconc has one Task; CPython runs it for its C module too).
 * {@code current_task(loop=...)} waits for an API (not-yet.tsv).
 */
public abstract class BaseCurrentLoopTests {
    protected EventLoop loop;

    @BeforeEach
    void setUp() {
        loop = Asyncio.newEventLoop();
    }

    @AfterEach
    void tearDown() {
        loop.close();
    }

    /** currentTask() with no loop running is IllegalStateException (Python's RuntimeError). */
    @Test
    @DisplayName("test_current_task_no_running_loop_implicit")
    void testCurrentTaskNoRunningLoopImplicit() {
        IllegalStateException e = assertThrows(IllegalStateException.class, Asyncio::currentTask);
        assertTrue(e.getMessage().contains("no running event loop"), e.getMessage());
    }
}
