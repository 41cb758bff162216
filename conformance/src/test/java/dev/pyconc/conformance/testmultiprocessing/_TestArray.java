package dev.pyconc.conformance.testmultiprocessing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.multiprocessing.Array;
import dev.pyconc.multiprocessing.Process;

/**
 * _test_multiprocessing.py's {@code _TestArray} (processes only, as in CPython): a shared
 * {@code Array('i', ...)}, {@link Array.OfInt}, changed by a child JVM. Python's slices are
 * {@code toArray()} and element-wise {@code set}: {@code arr[2:7]} is a range of {@code toArray()},
 * {@code arr[4:8] = ...} sets elements 4 to 7.
 */
class _TestArray {
    @BeforeAll
    static void segments() {
        Mp1Support.init();
    }

    /** CPython's {@code f}: prefix sums, in place. */
    private static void f(Array.OfInt seq) {
        for (int i = 1; i < seq.length(); i++) {
            seq.set(i, seq.get(i) + seq.get(i - 1));
        }
    }

    private static void f(int[] seq) {
        for (int i = 1; i < seq.length; i++) {
            seq[i] += seq[i - 1];
        }
    }

    private static void testArray(boolean lock) {
        int[] seq = {680, 626, 934, 821, 150, 233, 548, 982, 714, 831};
        Array.OfInt arr = Array.ofInts(seq, lock);

        assertEquals(seq.length, arr.length());
        assertEquals(seq[3], arr.get(3));
        assertArrayEquals(Arrays.copyOfRange(seq, 2, 7), Arrays.copyOfRange(arr.toArray(), 2, 7));

        int[] slice = {1, 2, 3, 4};
        for (int i = 0; i < slice.length; i++) {
            arr.set(4 + i, slice[i]);
            seq[4 + i] = slice[i];
        }
        assertArrayEquals(seq, arr.toArray());

        f(seq);

        Process p = new Process(() -> f(arr));
        p.setDaemon(true);
        p.start();
        p.join();

        assertArrayEquals(seq, arr.toArray());
    }

    /** A child's changes to a synchronized array are seen by the parent. */
    @Test
    @DisplayName("test_array")
    void testArray() {
        testArray(true);
    }

    /** An array made from a size starts zeroed, three times over (issue #11675). */
    @Test
    @DisplayName("test_array_from_size")
    void testArrayFromSize() {
        int size = 10;
        for (int round = 0; round < 3; round++) {
            Array.OfInt arr = Array.ofInts(size);
            assertEquals(size, arr.length());
            assertArrayEquals(new int[size], arr.toArray());
            for (int i = 0; i < 10; i++) {
                arr.set(i, i);
            }
            assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, arr.toArray());
        }
    }

    /** A child's changes to a raw array (no lock, CPython's RawArray) are seen by the parent. */
    @Test
    @DisplayName("test_rawarray")
    void testRawarray() {
        testArray(false);
    }

    /**
     * An array has its own lock by default; given a lock, getLock() returns that very lock; a raw
     * array has none; a lock that is not a multiprocessing lock is refused (Python's
     * AttributeError for lock='notalock'). pyconc has no {@code get_obj()}.
     */
    @Test
    @DisplayName("test_getobj_getlock_obj")
    void testGetobjGetlockObj() {
        int[] range = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        Array.OfInt arr1 = Array.ofInts(range);
        arr1.getLock();

        Array.OfInt arr2 = Array.ofInts(range, true);   // lock=None: a lock of its own
        arr2.getLock();

        dev.pyconc.multiprocessing.Lock lock = new dev.pyconc.multiprocessing.Lock();
        Array.OfInt arr3 = Array.ofInts(range, lock);
        assertSame(lock, arr3.getLock());
        assertArrayEquals(range, arr3.toArray());

        Array.OfInt arr4 = Array.ofInts(range, false);
        assertThrows(IllegalStateException.class, arr4::getLock);
        assertThrows(IllegalArgumentException.class, () -> Array.ofInts(range, new dev.pyconc.threading.Lock()));

        Array.OfInt arr5 = Array.ofInts(range, false);  // RawArray('i', range(10))
        assertThrows(IllegalStateException.class, arr5::getLock);
    }
}
