package dev.pyconc.conformance.asyncio.testtasks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.Future;
import dev.pyconc.asyncio.Task;

/** test_asyncio/test_tasks.py's {@code GenericTaskTests}. */
public class GenericTaskTests {

    /** Task is a subclass of Future. */
    @Test
    @DisplayName("test_future_subclass")
    void testFutureSubclass() {
        assertTrue(Future.class.isAssignableFrom(Task.class));
    }
}
