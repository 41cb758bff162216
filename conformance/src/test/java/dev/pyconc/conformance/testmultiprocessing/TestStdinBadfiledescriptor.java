package dev.pyconc.conformance.testmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.multiprocessing.Pool;
import dev.pyconc.multiprocessing.Process;
import dev.pyconc.multiprocessing.Queue;

/**
 * _test_multiprocessing.py's {@code TestStdinBadfiledescriptor}: a child, whose standard input is
 * not the parent's (CPython's child closes its stdin; a pyconc child's is empty), starts a process
 * with a queue, and a pool, of its own. A child's failure is its exit code, which CPython's test
 * leaves unchecked and this one checks.
 */
class TestStdinBadfiledescriptor {
    @BeforeAll
    static void segments() {
        Mp1Support.init();
    }

    private static void thisSubProcess(Queue<Object> q) {
        try {
            q.get(java.time.Duration.ZERO);
        } catch (dev.pyconc.queue.Empty expected) {
            // CPython's _this_sub_process: get(block=False) of an empty queue
        }
    }

    private static void testProcess() {
        Queue<Object> queue = new Queue<>();
        Process subProc = new Process(() -> thisSubProcess(queue));
        subProc.setDaemon(true);
        subProc.start();
        subProc.join();
        if (subProc.exitCode() != 0) {
            throw new AssertionError("the sub-process failed: " + subProc.exitCode());
        }
        queue.close();
    }

    /** A child starts a process of its own that uses a queue. */
    @Test
    @DisplayName("test_queue_in_process")
    void testQueueInProcess() {
        Process proc = new Process(TestStdinBadfiledescriptor::testProcess);
        proc.start();
        proc.join();
        assertEquals(0, proc.exitCode());
    }

    private static void poolInProcess() {
        Pool pool = new Pool(4);
        List<Integer> x = pool.map((Integer i) -> i * i, List.of(1, 2, 3, 4, 5, 6, 7));
        pool.close();
        pool.join();
        if (!x.equals(List.of(1, 4, 9, 16, 25, 36, 49))) {
            throw new AssertionError(x.toString());
        }
    }

    /** A child makes a pool of four workers of its own and maps over it. */
    @Test
    @DisplayName("test_pool_in_process")
    void testPoolInProcess() {
        Process p = new Process(TestStdinBadfiledescriptor::poolInProcess);
        p.start();
        p.join();
        assertEquals(0, p.exitCode());
    }
}
