package dev.pyconc.conformance.testmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.multiprocessing.Connection;
import dev.pyconc.multiprocessing.Context;
import dev.pyconc.multiprocessing.Multiprocessing;
import dev.pyconc.multiprocessing.Process;
import dev.pyconc.multiprocessing.Queue;

/**
 * _test_multiprocessing.py's {@code TestStartMethod}. pyconc's start methods are spawn and
 * forkserver (a JVM cannot fork); {@code set_forkserver_preload} is not yet, and the parts of the
 * tests that need it or fork are left out. CPython checks a context's class names
 * ({@code SpawnContext}, {@code SpawnProcess}); pyconc has one {@code Context} and one
 * {@code Process} class, and the test checks their start method instead.
 */
class TestStartMethod {
    @BeforeAll
    static void setUpModule() {
        Mp2Support.setUpModule();
    }

    /** CPython's {@code _check_context}. */
    static void checkContextChild(Connection conn) {
        conn.send(Multiprocessing.getStartMethod());
    }

    /** CPython's {@code check_context(ctx)}: a child started by the context reports the context's start method. */
    private static void checkContext(Context ctx) {
        Connection.Pair pair = ctx.pipe(false);
        Connection r = pair.conn1();
        Connection w = pair.conn2();
        Process p = ctx.process(() -> checkContextChild(w));
        p.start();
        w.close();
        Object childMethod = r.recv();
        r.close();
        p.join();
        assertEquals(ctx.getStartMethod(), childMethod);
    }

    /**
     * Each start method that can be set is then the one in force, in the default context and in
     * the children it starts; fork cannot be set (Python's ValueError, where the platform lacks it).
     */
    @Test
    @DisplayName("test_set_get")
    void testSetGet() {
        int count = 0;
        String oldMethod = Multiprocessing.getStartMethod();
        try {
            for (String method : List.of("fork", "spawn", "forkserver")) {
                try {
                    Multiprocessing.setStartMethod(method, true);
                } catch (IllegalArgumentException e) {
                    continue;
                }
                assertEquals(method, Multiprocessing.getStartMethod());
                Context ctx = Multiprocessing.getContext();
                assertEquals(method, ctx.getStartMethod());
                checkContext(Multiprocessing.getContext());
                count++;
            }
        } finally {
            Multiprocessing.setStartMethod(oldMethod, true);
        }
        assertEquals(2, count);
    }

    /**
     * Each context that exists (fork does not: IllegalArgumentException, Python's ValueError) has
     * its start method, is its own context, refuses to change its start method, and starts
     * children that report its start method, whatever the global one.
     */
    @Test
    @DisplayName("test_context")
    void testContext() {
        for (String method : List.of("fork", "spawn", "forkserver")) {
            Context ctx;
            try {
                ctx = Multiprocessing.getContext(method);
            } catch (IllegalArgumentException e) {
                continue;
            }
            assertEquals(method, ctx.getStartMethod());
            assertSame(ctx, ctx.getContext());
            Context c = ctx;
            assertThrows(IllegalArgumentException.class, () -> c.setStartMethod("spawn"));
            assertThrows(IllegalArgumentException.class, () -> c.setStartMethod(null));
            checkContext(ctx);
        }
    }

    /** pyconc's start methods: spawn and forkserver, no fork (CPython's POSIX lists include fork). */
    @Test
    @DisplayName("test_get_all")
    void testGetAll() {
        List<String> methods = Multiprocessing.getAllStartMethods();
        assertEquals(List.of("spawn", "forkserver"), methods);
        assertThrows(IllegalArgumentException.class, () -> Multiprocessing.setStartMethod("fork", true));
    }

    /** CPython's {@code close_queue}. */
    static void closeQueue(Queue<?> queue) {
        queue.close();
        queue.joinThread();
    }

    /**
     * A queue made while one start method is in force serves processes of every start method.
     * CPython's first half (a fork-context lock refused by a spawned process) needs fork.
     */
    @Test
    @DisplayName("test_mixed_startmethod")
    void testMixedStartmethod() {
        String oldMethod = Multiprocessing.getStartMethod();
        try {
            for (String queueMethod : List.of("spawn", "forkserver")) {
                for (String processMethod : Multiprocessing.getAllStartMethods()) {
                    Multiprocessing.setStartMethod(queueMethod, true);
                    Queue<Object> queue = new Queue<>();
                    Multiprocessing.setStartMethod(processMethod, true);
                    Process p = new Process(() -> closeQueue(queue));
                    p.start();
                    p.join();
                    assertEquals(0, p.exitCode(), queueMethod + " queue, " + processMethod + " process");
                    queue.close();
                }
            }
        } finally {
            Multiprocessing.setStartMethod(oldMethod, true);
        }
    }

    /** CPython's {@code _put_one_in_queue}. */
    static void putOneInQueue(Queue<Integer> queue) {
        queue.put(1);
    }

    /** CPython's {@code _put_two_and_nest_once}. */
    static void putTwoAndNestOnce(Queue<Integer> queue) {
        queue.put(2);
        Process process = new Process(() -> putOneInQueue(queue));
        process.start();
        process.join();
    }

    /** gh-108520: a child process can send its arguments on to a process of its own. */
    @Test
    @DisplayName("test_nested_startmethod")
    void testNestedStartmethod() {
        Queue<Integer> queue = new Queue<>();

        Process process = new Process(() -> putTwoAndNestOnce(queue));
        process.start();
        process.join();
        assertEquals(0, process.exitCode());

        Set<Integer> results = new HashSet<>();
        while (!queue.empty()) {
            results.add(queue.get());
        }
        // gh-109706: queue.put(1) can write into the queue before queue.put(2)
        assertEquals(Set.of(2, 1), results);
        queue.close();
    }
}
