package dev.pyconc.conformance.concurrentfutures.testprocesspool;

/** test_process_pool.py's {@code ProcessPoolSpawnProcessPoolExecutorTest}: {@link ProcessPoolExecutorTest} with the spawn start method. */
class ProcessPoolSpawnProcessPoolExecutorTest extends ProcessPoolExecutorTest {
    @Override
    protected String startMethod() {
        return "spawn";
    }
}
