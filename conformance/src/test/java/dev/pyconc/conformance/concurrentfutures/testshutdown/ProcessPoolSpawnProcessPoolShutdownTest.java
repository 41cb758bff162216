package dev.pyconc.conformance.concurrentfutures.testshutdown;

/** test_shutdown.py's {@code ProcessPoolSpawnProcessPoolShutdownTest}: {@link ProcessPoolShutdownTest} with the spawn start method. */
class ProcessPoolSpawnProcessPoolShutdownTest extends ProcessPoolShutdownTest {
    @Override
    protected String startMethod() {
        return "spawn";
    }
}
