package dev.pyconc.conformance.concurrentfutures.testascompleted;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import dev.pyconc.conformance.concurrentfutures.util.ExecutorMixin;
import dev.pyconc.futures.Executor;

/**
 * test_as_completed.py's {@code ProcessPoolForkserverAsCompletedTest}: {@link AsCompletedTests} with ipc's
 * ProcessPoolExecutor of five worker JVMs started by the forkserver start method. One executor serves
 * all the methods.
 */
class ProcessPoolForkserverAsCompletedTest extends AsCompletedTests {
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
}
