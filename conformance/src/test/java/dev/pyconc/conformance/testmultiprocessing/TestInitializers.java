package dev.pyconc.conformance.testmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.multiprocessing.Pool;
import dev.pyconc.multiprocessing.Value;

/**
 * _test_multiprocessing.py's {@code TestInitializers}: a worker runs the pool's initializer with
 * its arguments before anything else. CPython counts in a manager's {@code Namespace} (managers are
 * not yet); the counter here is a shared {@link Value}, which the initializer captures as its
 * {@code initargs}.
 */
class TestInitializers {
    @BeforeAll
    static void setUpModule() {
        Mp2Support.setUpModule();
    }

    /** CPython's {@code initializer(ns)}. */
    static void initializer(Value.OfInt ns) {
        ns.getAndAdd(1);
    }

    /**
     * The initializer of a pool of one runs once, even if no task is submitted before close() and
     * join(). CPython's {@code Pool(initializer=1)} TypeError is a compile-time error in Java.
     */
    @Test
    @DisplayName("test_pool_initializer")
    void testPoolInitializer() {
        Value.OfInt ns = Value.ofInt(0);
        Pool p = Pool.builder().processes(1).initializer(() -> initializer(ns)).build();
        p.close();
        p.join();
        assertEquals(1, ns.get());
    }
}
