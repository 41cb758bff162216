package dev.pyconc.conformance.concurrentfutures.testdeadlock;

/**
 * test_deadlock.py's {@code ProcessPoolSpawnExecutorDeadlockTest}: {@link ExecutorDeadlockTest}
 * with the spawn start method (each test starts one or two worker JVMs; forkserver's twin of this
 * class would double that and test the same recovery).
 */
class ProcessPoolSpawnExecutorDeadlockTest extends ExecutorDeadlockTest {
    @Override
    protected String startMethod() {
        return "spawn";
    }
}
