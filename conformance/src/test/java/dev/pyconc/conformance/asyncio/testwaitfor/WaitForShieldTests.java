package dev.pyconc.conformance.asyncio.testwaitfor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.Future;
import dev.pyconc.asyncio.Task;
import dev.pyconc.builtins.TimeoutError;
import dev.pyconc.conformance.asyncio.IsolatedAsyncioTestCase;

/** test_asyncio/test_waitfor.py's {@code WaitForShieldTests}. */
public class WaitForShieldTests extends IsolatedAsyncioTestCase {

    private static Task<String> coro(double sleepSeconds) {
        return Asyncio.createTask(() -> {
            sleep(sleepSeconds);
            return "done";
        });
    }

    /** waitFor(shield(task), 0) cancels the shield at once; the task runs on to its end. */
    @Test
    @DisplayName("test_zero_timeout")
    void testZeroTimeout() {
        run(() -> {
            Task<String> task = coro(0.01);
            @SuppressWarnings("unchecked")
            Future<String>[] shieldedTask = new Future[1];
            assertThrows(TimeoutError.class, () -> {
                shieldedTask[0] = Asyncio.shield(task);
                Asyncio.waitFor(shieldedTask[0], Duration.ZERO);
            });
            assertFalse(task.done());
            assertFalse(task.cancelled());
            assertTrue(shieldedTask[0].cancelled());
            sleep(0.1);
            assertTrue(task.done());
        });
    }

    /** waitFor(shield(task)) without a timeout runs the task to its end. */
    @Test
    @DisplayName("test_none_timeout")
    void testNoneTimeout() {
        run(() -> {
            Task<String> task = coro(0.1);
            Asyncio.waitFor(Asyncio.shield(task));
            assertTrue(task.done());
            assertEquals("done", task.await());
        });
    }

    /** A timed-out waitFor(shield(task)) leaves the task running. */
    @Test
    @DisplayName("test_shielded_timeout")
    void testShieldedTimeout() {
        run(() -> {
            Task<String> task = coro(0.1);
            assertThrows(TimeoutError.class, () -> Asyncio.waitFor(Asyncio.shield(task), Duration.ofMillis(10)));
            assertFalse(task.done());
            assertFalse(task.cancelled());
            assertEquals("done", task.await());
        });
    }
}
