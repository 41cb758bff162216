package dev.pyconc.conformance.testmultiprocessing;

import static dev.pyconc.testing.Threads.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.multiprocessing.AsyncResult;
import dev.pyconc.multiprocessing.Pool;
import dev.pyconc.testing.ChildJvm;

/**
 * _test_multiprocessing.py's {@code _TestPoolWorkerLifetime}, which CPython runs for processes only
 * ({@code ALLOWED_TYPES}), as pyconc's workers are. CPython's {@code p._pool}, the workers, are this
 * JVM's {@link dev.pyconc.multiprocessing.Multiprocessing#activeChildren()}: the class starts no
 * other child.
 */
class _TestPoolWorkerLifetime {
    @BeforeAll
    static void setUpModule() {
        Mp2Support.setUpModule();
    }

    /** Each worker runs ten tasks, then a fresh process replaces it: the pids change. */
    @Test
    @DisplayName("test_pool_worker_lifetime")
    void testPoolWorkerLifetime() {
        Pool p = Pool.builder().processes(3).maxtasksperchild(10).build();
        try {
            until("three workers started", () -> Mp2Support.childPids().size() == 3);
            List<Long> origworkerpids = Mp2Support.childPids();
            // Run many tasks so each worker gets replaced (hopefully)
            List<AsyncResult<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                int x = i;
                results.add(p.applyAsync(() -> Mp2Support.sqr(x)));
            }
            // Fetch the results and verify we got the right answers,
            // also ensuring all the tasks have completed.
            for (int j = 0; j < results.size(); j++) {
                assertEquals(Mp2Support.sqr(j), results.get(j).get());
            }
            // Wait until all workers are alive (the pool refills itself)
            until("three workers alive", () -> Mp2Support.childPids().size() == 3);
            List<Long> finalworkerpids = Mp2Support.childPids();
            // All pids should be assigned.  See issue #7805.
            assertFalse(origworkerpids.contains(null));
            assertFalse(finalworkerpids.contains(null));
            // Finally, check that the worker pids have changed
            assertNotEquals(origworkerpids, finalworkerpids);
        } finally {
            p.close();
            p.join();
        }
    }

    /** Issue #10332: closing a pool of one-task workers before its tasks completed must not hang join(). */
    @Test
    @DisplayName("test_pool_worker_lifetime_early_close")
    void testPoolWorkerLifetimeEarlyClose() {
        Pool p = Pool.builder().processes(3).maxtasksperchild(1).build();
        List<AsyncResult<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int x = i;
            results.add(p.applyAsync(() -> Mp2Support.sqr(x, Duration.ofMillis(300))));
        }
        p.close();
        p.join();
        // check the results
        for (int j = 0; j < results.size(); j++) {
            assertEquals(Mp2Support.sqr(j), results.get(j).get());
        }
    }

    /**
     * A limit below 1 is a ValueError. Java's {@code int} parameter admits no 0.5 or "12", and 0 is
     * Python's None (no limit), so the invalid values here are the negative ones.
     */
    @Test
    @DisplayName("test_pool_maxtasksperchild_invalid")
    void testPoolMaxtasksperchildInvalid() {
        for (int value : new int[] {-1, -12, Integer.MIN_VALUE}) {
            assertThrows(IllegalArgumentException.class, () -> Pool.builder().processes(3).maxtasksperchild(value));
        }
    }

    /**
     * bpo-38744 and bpo-39360: a program whose pool is still referenced (and running) when it ends
     * exits normally, with status 0.
     */
    @Test
    @DisplayName("test_worker_finalization_via_atexit_handler_of_multiprocessing")
    void testWorkerFinalizationViaAtexitHandlerOfMultiprocessing() {
        ChildJvm.Result r = Mp2Child.run("pool_in_global");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]", r.out().strip(), r::toString);
    }
}
