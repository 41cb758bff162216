package dev.pyconc.conformance.concurrentfutures.testascompleted;

import dev.pyconc.conformance.concurrentfutures.util.ExecutorMixin;
import dev.pyconc.futures.Executor;

/** test_as_completed.py's {@code ThreadPoolAsCompletedTest}: {@link AsCompletedTests} with core's {@code ThreadPoolExecutor}. */
class ThreadPoolAsCompletedTest extends AsCompletedTests {
    @Override
    protected Executor newExecutor() {
        return ExecutorMixin.threadPool();
    }
}
