package dev.pyconc.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class ArrayTest {

    /** Arrays are made from a length or from values, copied, and index-checked with a clear message. */
    @Test
    void creationAndBounds() {
        int[] source = {1, 2, 3};
        var a = Array.ofInts(source);
        source[0] = 99;
        assertArrayEquals(new int[] {1, 2, 3}, a.toArray());
        assertEquals(3, a.length());
        assertEquals("i", a.typecode());
        var e = assertThrows(IndexOutOfBoundsException.class, () -> a.get(3));
        assertEquals("array index 3 out of range for length 3", e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> a.set(-1, 0));
        assertArrayEquals(new long[4], Array.ofLongs(4).toArray());
        assertArrayEquals(new double[] {0.5, 1.5}, Array.ofDoubles(new double[] {0.5, 1.5}).toArray());
        assertEquals(0, Array.ofDoubles(0).length());
        assertThrows(IllegalArgumentException.class, () -> Array.ofInts(-1));
        assertThrows(IllegalArgumentException.class, () -> Array.ofInts((int[]) null));
        assertEquals("Array('i', [1, 2, 3])", a.toString());
        assertThrows(IllegalStateException.class, () -> Array.ofInts(1, false).getLock());
    }

    /** Element operations, atomic ones included, for each type. */
    @Test
    void elementOperations() {
        var i = Array.ofInts(2);
        i.set(1, 5);
        assertEquals(5, i.getAndAdd(1, 2));
        assertTrue(i.compareAndSet(1, 7, 8));
        assertEquals(8, i.getAndSet(1, 0));
        var l = Array.ofLongs(new long[] {1L << 50});
        assertEquals(1L << 50, l.getAndAdd(0, 1));
        assertEquals((1L << 50) + 1, l.get(0));
        var d = Array.ofDoubles(1);
        d.getAndAdd(0, 2.5);
        assertEquals(2.5, d.get(0));
    }

    /** Four processes each increment every element 1000 times, atomically and under the lock: exact totals. */
    @Test
    void elementsAcrossProcesses() {
        var counts = Array.ofLongs(8);
        var locked = Array.ofInts(8);
        ChildJvm[] children = new ChildJvm[4];
        try {
            for (int i = 0; i < 4; i++) {
                children[i] = ChildJvm.start(ArrayTest.class, "add", counts, locked, 1000);
            }
            for (ChildJvm c : children) {
                assertEquals(0, c.waitFor());
            }
        } finally {
            for (ChildJvm c : children) {
                if (c != null) {
                    c.close();
                }
            }
        }
        long[] expected = new long[8];
        java.util.Arrays.fill(expected, 4000);
        assertArrayEquals(expected, counts.toArray());
        int[] expectedInts = new int[8];
        java.util.Arrays.fill(expectedInts, 4000);
        assertArrayEquals(expectedInts, locked.toArray());
    }

    /** Child: args[2] rounds over every element of args[0] (atomic) and args[1] (locked). */
    public static void add(Object[] args) {
        var counts = (Array.OfLong) args[0];
        var locked = (Array.OfInt) args[1];
        for (int n = 0; n < (int) args[2]; n++) {
            for (int i = 0; i < counts.length(); i++) {
                counts.getAndAdd(i, 1);
                try (var _ = locked.getLock().enter()) {
                    locked.set(i, locked.get(i) + 1);
                }
            }
        }
    }
}
