package dev.pyconc.conformance.asyncio.testtasks;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.EventLoop;
import dev.pyconc.asyncio.Task;

/**
 * test_asyncio/test_tasks.py's {@code BaseCurrentLoopTests}, run once by
 * {@link PyCurrentLoopTests} (pyconc has one Task; CPython runs it for its C module too).
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

    /** The current task of a loop that runs nothing is null. */
    @Test
    @DisplayName("test_current_task_no_running_loop")
    void testCurrentTaskNoRunningLoop() {
        assertNull(Asyncio.currentTask(loop));
    }

    /** In a body, currentTask(loop), currentTask(null) and currentTask() are its task; after, null. */
    @Test
    @DisplayName("test_current_task_with_implicit_loop")
    void testCurrentTaskWithImplicitLoop() {
        @SuppressWarnings("unchecked")
        Task<Object>[] task = new Task[1];
        task[0] = loop.createTask(() -> {
            assertSame(task[0], Asyncio.currentTask(loop));
            assertSame(task[0], Asyncio.currentTask(null));
            assertSame(task[0], Asyncio.currentTask());
            return null;
        });
        loop.runUntilComplete(task[0]);
        assertNull(Asyncio.currentTask(loop));
    }
}
