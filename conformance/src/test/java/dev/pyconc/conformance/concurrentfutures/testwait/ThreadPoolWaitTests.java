package dev.pyconc.conformance.concurrentfutures.testwait;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.conformance.concurrentfutures.util.ExecutorMixin;
import dev.pyconc.conformance.concurrentfutures.util.ExecutorMixin.TestEvent;
import dev.pyconc.futures.Executor;
import dev.pyconc.futures.Future;
import dev.pyconc.futures.Futures;
import dev.pyconc.futures.ReturnWhen;
import dev.pyconc.threading.Event;

/** test_wait.py's {@code ThreadPoolWaitTests}: {@link WaitTests} with core's {@code ThreadPoolExecutor} of five threads. */
class ThreadPoolWaitTests extends WaitTests {
    @Override
    protected Executor newExecutor() {
        return ExecutorMixin.threadPool();
    }

    @Override
    protected TestEvent createEvent() {
        return ExecutorMixin.threadEvent();
    }

    /**
     * Waiting for 100 futures that complete together from five threads (bpo-14406). CPython
     * shrinks its switch interval to 1 µs to make the GIL hand over often; the JVM's threads
     * run truly in parallel, so the race is there without it.
     */
    @Test
    @DisplayName("test_pending_calls_race")
    void testPendingCallsRace() {
        Event event = new Event();
        Set<Future<Object>> fs = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            fs.add(executor.submit(() -> event.await()));
        }
        event.set();
        Futures.wait(fs, ReturnWhen.ALL_COMPLETED);
        assertTrue(fs.stream().allMatch(Future::done), "every future done");
    }
}
