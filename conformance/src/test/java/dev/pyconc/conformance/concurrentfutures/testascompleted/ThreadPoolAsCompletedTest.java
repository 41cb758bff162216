package dev.pyconc.conformance.concurrentfutures.testascompleted;

import dev.pyconc.futures.Executor;
import dev.pyconc.futures.ThreadPoolExecutor;

/** test_as_completed.py's {@code ThreadPoolAsCompletedTest}: {@link AsCompletedTests} with core's {@link ThreadPoolExecutor}. */
class ThreadPoolAsCompletedTest extends AsCompletedTests {
    @Override
    protected Executor newExecutor() {
        return new ThreadPoolExecutor(WORKER_COUNT);
    }
}
