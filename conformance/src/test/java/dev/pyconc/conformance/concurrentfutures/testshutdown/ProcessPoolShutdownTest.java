package dev.pyconc.conformance.concurrentfutures.testshutdown;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.conformance.concurrentfutures.util.ExecutorMixin;
import dev.pyconc.futures.Executor;
import dev.pyconc.multiprocessing.Multiprocessing;
import dev.pyconc.multiprocessing.Process;
import dev.pyconc.multiprocessing.ProcessPoolExecutor;
import dev.pyconc.multiprocessing.Semaphore;

/**
 * test_shutdown.py's {@code ProcessPoolShutdownTest}: {@link ExecutorShutdownTest} with ipc's
 * {@link ProcessPoolExecutor} (worker JVMs), and the pool's processes, applied by a concrete class
 * per start method. CPython's {@code executor._processes} is {@link Multiprocessing#activeChildren()}
 * (the tests start no other child). CPython's {@code del executor} and its {@code gc_collect} are
 * {@code test_del_shutdown}, not applicable; {@code shutdown(wait=False)} is
 * {@code test_shutdown_no_wait}.
 */
public abstract class ProcessPoolShutdownTest extends ExecutorShutdownTest {

    @Override
    protected Executor newExecutor(int maxWorkers) {
        return ExecutorMixin.processPool(maxWorkers);
    }

    @Override
    protected String executorType() {
        return "ProcessPoolExecutor";
    }

    /** The workers start by the class's start method (CPython's {@code mp_context}). */
    @BeforeEach
    void useStartMethod() {
        ExecutorMixin.useStartMethod(startMethod());
    }

    @AfterEach
    void restoreStartMethod() {
        ExecutorMixin.restoreStartMethod();
    }

    private static List<Integer> range(int from, int to) {
        return IntStream.range(from, to).boxed().toList();
    }

    private static void joinAll(List<Process> processes) {
        for (Process p : processes) {
            p.join();
        }
    }

    /** Three blocked calls start three worker processes (on demand), which end after shutdown. */
    @Test
    @DisplayName("test_processes_terminate")
    void testProcessesTerminate() {
        int expectedNumProcesses = 3;
        Semaphore sem = new Semaphore(0);
        for (int i = 0; i < 3; i++) {
            submit(executor, () -> {
                sem.acquire();
                return null;
            });
        }
        assertEquals(expectedNumProcesses, Multiprocessing.activeChildren().size());
        for (int i = 0; i < 3; i++) {
            sem.release();
        }
        List<Process> processes = Multiprocessing.activeChildren();
        executor.shutdown();
        joinAll(processes);
    }

    /** The end of a try-with-resources block shuts the pool down: its processes end. */
    @Test
    @DisplayName("test_context_manager_shutdown")
    void testContextManagerShutdown() {
        List<Process> processes;
        try (ProcessPoolExecutor e = new ProcessPoolExecutor(5)) {
            List<Integer> abs = new ArrayList<>();
            e.map(Math::abs, range(-5, 5)).forEach(abs::add);
            processes = Multiprocessing.activeChildren();
            assertEquals(List.of(5, 4, 3, 2, 1, 0, 1, 2, 3, 4), abs);
        }
        joinAll(processes);
    }

    /**
     * shutdown(wait=false) lets the calls already submitted finish, and the pool's processes end
     * by themselves; the results are all there.
     */
    @Test
    @DisplayName("test_shutdown_no_wait")
    void testShutdownNoWait() {
        ProcessPoolExecutor e = new ProcessPoolExecutor(5);
        Iterable<Integer> res = e.map(Math::abs, range(-5, 5));
        List<Process> processes = Multiprocessing.activeChildren();
        e.shutdown(false, false);
        // every resource of the executor is cleaned up by the shutdown
        joinAll(processes);
        List<Integer> abs = new ArrayList<>();
        res.forEach(abs::add);
        assertEquals(List.of(5, 4, 3, 2, 1, 0, 1, 2, 3, 4), abs);
    }
}
