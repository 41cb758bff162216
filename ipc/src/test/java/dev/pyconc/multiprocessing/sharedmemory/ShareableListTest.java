package dev.pyconc.multiprocessing.sharedmemory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.pyconc.ipc.internal.shm.ShareableListDescriptor;
import dev.pyconc.multiprocessing.ChildJvm;
import dev.pyconc.multiprocessing.NoLeaks;

@ExtendWith(NoLeaks.class)
class ShareableListTest {
    private static final byte[] TRAILING_ZEROS = {1, 2, 0, 0};

    private static List<Object> sample() {
        return Arrays.asList(7, 1L << 40, 2.5, true, "ab\0\0", "héllo 🎉", "", TRAILING_ZEROS, new byte[0], null);
    }

    private static void assertSample(ShareableList list) {
        assertEquals(10, list.size());
        assertEquals(7, list.get(0));
        assertEquals(1L << 40, list.get(1));
        assertEquals(2.5, list.get(2));
        assertEquals(true, list.get(3));
        assertEquals("ab\0\0", list.get(4));
        assertEquals("héllo 🎉", list.get(5));
        assertEquals("", list.get(6));
        assertArrayEquals(TRAILING_ZEROS, (byte[]) list.get(7));
        assertArrayEquals(new byte[0], (byte[]) list.get(8));
        assertNull(list.get(9));
    }

    /** Every type round-trips exactly, trailing NULs and multi-byte UTF-8 included; Integer and Long stay apart. */
    @Test
    void itemsRoundTripExactly() {
        var list = new ShareableList(sample());
        try {
            assertSample(list);
            assertEquals(Integer.class, list.get(0).getClass());
            assertEquals(Long.class, list.get(1).getClass());
            var attached = ShareableList.attach(list.shm().name());
            assertSample(attached);
            attached.shm().close();
        } finally {
            list.shm().close();
            list.shm().unlink();
        }
    }

    /** An item takes any type that fits its storage; a longer one is refused and leaves the item as it was. */
    @Test
    void setWithinStorage() {
        var list = new ShareableList(List.of("12345678", 1));
        try {
            assertEquals("12345678", list.set(0, "abc\0"));
            assertEquals("abc\0", list.get(0));
            list.set(0, 3.0);
            assertEquals(3.0, list.get(0));
            list.set(1, "eight!!!");
            assertEquals("eight!!!", list.get(1));
            var e = assertThrows(IllegalArgumentException.class, () -> list.set(1, "nine!!!!!"));
            assertEquals("item 1 has room for 8 bytes; the string \"nine!!!!!\" needs 9", e.getMessage());
            assertEquals("eight!!!", list.get(1));
            assertThrows(IllegalArgumentException.class, () -> list.set(0, new Object()));
            assertThrows(IllegalArgumentException.class, () -> list.set(0, "\ud800"));
            assertThrows(IndexOutOfBoundsException.class, () -> list.get(2));
            assertThrows(UnsupportedOperationException.class, () -> list.add(1));
            list.set(1, null);
            assertNull(list.get(1));
        } finally {
            list.shm().close();
            list.shm().unlink();
        }
    }

    /** count, index and indexOf follow Python's count and index (byte arrays compare by content). */
    @Test
    void countAndIndex() {
        var list = new ShareableList(Arrays.asList(1, 2, 1, new byte[] {5}, null));
        try {
            assertEquals(2, list.count(1));
            assertEquals(1, list.count(new byte[] {5}));
            assertEquals(1, list.count(null));
            assertEquals(3, list.index(new byte[] {5}));
            assertEquals(-1, list.indexOf(3));
            assertTrue(list.contains(2));
            assertEquals("3 is not in the ShareableList", assertThrows(IllegalArgumentException.class, () -> list.index(3)).getMessage());
        } finally {
            list.shm().close();
            list.shm().unlink();
        }
    }

    /** A segment that does not hold a ShareableList, or holds a corrupt one, is refused on attach. */
    @Test
    void corruptSegmentsAreRefused() {
        try (var junk = SharedMemory.create(4096)) {
            var e = assertThrows(IllegalStateException.class, () -> ShareableList.attach(junk.name()));
            assertTrue(e.getMessage().endsWith("does not hold a ShareableList"), e.getMessage());
            junk.unlink();
        }
        var list = new ShareableList(List.of(1, 2));
        try {
            list.shm().buf().set(ValueLayout.JAVA_LONG, ShareableListDescriptor.entry(1) + ShareableListDescriptor.ENTRY_OFFSET,
                    1L << 40);
            var e = assertThrows(IllegalStateException.class, () -> ShareableList.attach(list.shm().name()));
            assertTrue(e.getMessage().contains("corrupt ShareableList: item 1"), e.getMessage());
        } finally {
            list.shm().close();
            list.shm().unlink();
        }
    }

    /** A list sent to a child attaches there; the child's changes are seen here. */
    @Test
    void travelsToAChild() {
        var list = new ShareableList(sample());
        try (var child = ChildJvm.start(ShareableListTest.class, "change", list)) {
            assertEquals(0, child.waitFor());
            assertEquals("xy\0", list.get(4));
            assertEquals(8, list.get(0));
        } finally {
            list.shm().close();
            list.shm().unlink();
        }
    }

    /** Child: checks the sample and changes two items. */
    public static void change(Object[] args) {
        var list = (ShareableList) args[0];
        assertSample(list);
        list.set(4, "xy\0");
        list.set(0, (Integer) list.get(0) + 1);
    }
}
