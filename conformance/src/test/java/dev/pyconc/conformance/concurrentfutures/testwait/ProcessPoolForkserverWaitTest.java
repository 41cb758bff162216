package dev.pyconc.conformance.concurrentfutures.testwait;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import dev.pyconc.conformance.concurrentfutures.util.ExecutorMixin;
import dev.pyconc.conformance.concurrentfutures.util.ExecutorMixin.TestEvent;
import dev.pyconc.futures.Executor;

/**
 * test_wait.py's {@code ProcessPoolForkserverWaitTest}: {@link WaitTests} with ipc's ProcessPoolExecutor
 * of five worker JVMs started by the forkserver start method. One executor serves all the methods.
 */
class ProcessPoolForkserverWaitTest extends WaitTests {
    private static Executor pool;

    @BeforeAll
    static void startPool() {
        ExecutorMixin.useStartMethod("forkserver");
        pool = ExecutorMixin.processPool();
    }

    @AfterAll
    static void stopPool() {
        try {
            pool.shutdown(true, false);
        } finally {
            ExecutorMixin.restoreStartMethod();
        }
    }

    @Override
    protected Executor newExecutor() {
        return pool;
    }

    @Override
    protected void tearDownExecutor() {
        // the executor serves the next method too
    }

    @Override
    protected TestEvent createEvent() {
        return ExecutorMixin.processEvent();
    }
}
