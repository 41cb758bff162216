package dev.pyconc.multiprocessing.sharedmemory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.pyconc.ipc.internal.shm.Shm;
import dev.pyconc.multiprocessing.ChildJvm;
import dev.pyconc.multiprocessing.NoLeaks;

@ExtendWith(NoLeaks.class)
class SharedMemoryTest {

    /** create(size) picks a psm_ name with 130 random bits; attach by name sees the same bytes. */
    @Test
    void createAndAttach() {
        try (var shm = SharedMemory.create(100_000); var view = SharedMemory.attach(shm.name())) {
            assertTrue(shm.name().matches("psm_[a-z2-7]{26}"), shm.name());
            assertEquals(100_000, shm.size());
            assertEquals(100_000, view.size());
            shm.buf().set(ValueLayout.JAVA_INT, 400, 77);
            assertEquals(77, view.buf().get(ValueLayout.JAVA_INT, 400));
            assertEquals("SharedMemory('" + shm.name() + "', size=100000)", shm.toString());
            try (var slash = new SharedMemory("/" + shm.name(), false, 0)) {
                assertEquals(shm.name(), slash.name());
            }
            shm.unlink();
        }
    }

    /** Python's argument errors: size 0 when creating, negative sizes, attaching without a name. */
    @Test
    void argumentErrors() {
        assertEquals("size must be a positive number of bytes when creating a segment",
                assertThrows(IllegalArgumentException.class, () -> new SharedMemory(null, true, 0)).getMessage());
        assertEquals("size must not be negative: -1",
                assertThrows(IllegalArgumentException.class, () -> new SharedMemory(null, true, -1)).getMessage());
        assertEquals("a name is needed to attach to an existing segment",
                assertThrows(IllegalArgumentException.class, () -> new SharedMemory(null, false, 0)).getMessage());
    }

    /**
     * CPython's test_shared_memory_basics: attaching "but specify a new size" of 20 times the
     * segment's ignores it ("Size was ignored"): the attached object's size is the segment's, and
     * so it is for a smaller size or 0. A negative size is refused when attaching too, as Python
     * 3.13's ValueError ("'size' must be a positive integer") is raised before {@code create} is
     * looked at.
     */
    @Test
    @DisplayName("test_shared_memory_basics: attaching ignores the size")
    void sharedMemoryBasicsAttachIgnoresTheSize() {
        try (var shm = SharedMemory.create(512)) {
            shm.buf().set(ValueLayout.JAVA_BYTE, 0, (byte) 42);
            for (long size : new long[] {20 * shm.size(), 513, 1, 0}) {
                try (var same = new SharedMemory(shm.name(), false, size)) {
                    assertEquals(512, same.size(), "attached with size " + size);
                    assertEquals(512, same.buf().byteSize());
                    assertEquals(42, same.buf().get(ValueLayout.JAVA_BYTE, 0));
                }
            }
            assertEquals("size must not be negative: -2",
                    assertThrows(IllegalArgumentException.class, () -> new SharedMemory(shm.name(), false, -2)).getMessage());
            shm.unlink();
        }
    }

    /** Bad names are rejected before any file is touched (no directory "a" appears for "a/b"). */
    @Test
    void badNamesTouchNothing() {
        Set<String> before = NoLeaks.segments();
        for (String bad : new String[] {"", "/", ".", "..", "a/b", "nul\0", "x".repeat(256), "tab\t"}) {
            assertThrows(IllegalArgumentException.class, () -> new SharedMemory(bad, true, 4096), bad);
            assertThrows(IllegalArgumentException.class, () -> SharedMemory.attach(bad), bad);
        }
        assertEquals(before, NoLeaks.segments());
    }

    /** Creating an existing name fails (FileAlreadyExistsException); attaching a missing one too (NoSuchFileException). */
    @Test
    void existingAndMissingNames() {
        try (var shm = SharedMemory.create(4096)) {
            var e = assertThrows(UncheckedIOException.class, () -> new SharedMemory(shm.name(), true, 4096));
            assertEquals(FileAlreadyExistsException.class, e.getCause().getClass());
            shm.unlink();
            var again = assertThrows(UncheckedIOException.class, shm::unlink);
            assertEquals(NoSuchFileException.class, again.getCause().getClass());
            var missing = assertThrows(UncheckedIOException.class, () -> SharedMemory.attach(shm.name()));
            assertEquals(NoSuchFileException.class, missing.getCause().getClass());
        }
    }

    /** close() unmaps at once: buf() and earlier views throw IllegalStateException; close is idempotent; unlink still works. */
    @Test
    void closeUnmapsAtOnce() {
        var shm = SharedMemory.create(4096);
        var buf = shm.buf();
        shm.close();
        shm.close();
        assertEquals("SharedMemory '" + shm.name() + "' is closed",
                assertThrows(IllegalStateException.class, shm::buf).getMessage());
        assertThrows(IllegalStateException.class, () -> buf.get(ValueLayout.JAVA_BYTE, 0));
        shm.unlink();
        assertTrue(Files.notExists(Shm.directory().resolve(shm.name())));
    }

    /** A segment sent to a child attaches there: the child reads what this process wrote and writes back. */
    @Test
    void travelsToAChildAsAHandle() {
        try (var shm = SharedMemory.create(1 << 16)) {
            shm.buf().set(ValueLayout.JAVA_LONG, 0, 1234L);
            try (var child = ChildJvm.start(SharedMemoryTest.class, "readAndWrite", shm)) {
                assertEquals(0, child.waitFor());
            }
            assertEquals(1235L, shm.buf().get(ValueLayout.JAVA_LONG, 8));
            shm.unlink();
        }
    }

    /** CPython attaches to a Java segment by name and writes to it; Java attaches to one CPython created. */
    @Test
    void interoperatesWithCPython() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "needs python3");
        String configured = System.clearProperty("pyconc.shm.dir");      // both sides in /dev/shm
        try {
            try (var shm = new SharedMemory(null, true, 4096, false)) {
                try {
                    shm.buf().set(ValueLayout.JAVA_BYTE, 0, (byte) 41);
                    String out = python("import sys\n"
                            + "from multiprocessing import shared_memory, resource_tracker\n"
                            + "s = shared_memory.SharedMemory(name=sys.argv[1])\n"
                            + "resource_tracker.unregister(s._name, 'shared_memory')\n"   // gh-82300
                            + "s.buf[1] = s.buf[0] + 1\n"
                            + "print(s.buf[0])\n", shm.name());
                    assertEquals("41", out);
                    assertEquals(42, shm.buf().get(ValueLayout.JAVA_BYTE, 1));
                } finally {
                    shm.unlink();
                }
            }
            String name = Shm.randomName("psm_");
            String created = python("import sys\n"
                    + "from multiprocessing import shared_memory, resource_tracker\n"
                    + "s = shared_memory.SharedMemory(name=sys.argv[1], create=True, size=8192)\n"
                    + "resource_tracker.unregister(s._name, 'shared_memory')\n"
                    + "s.buf[100] = 7\n"
                    + "print(s.size)\n", name);
            assertEquals("8192", created);
            try (var view = SharedMemory.attach(name)) {
                assertEquals(7, view.buf().get(ValueLayout.JAVA_BYTE, 100));
                view.unlink();
            }
        } finally {
            System.setProperty("pyconc.shm.dir", configured);
        }
    }

    private static String python(String program, String arg) throws Exception {
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", program, arg).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    /** Child: reads long 0 of the segment, writes it plus one at 8. */
    public static void readAndWrite(Object[] args) {
        try (var shm = (SharedMemory) args[0]) {
            shm.buf().set(ValueLayout.JAVA_LONG, 8, shm.buf().get(ValueLayout.JAVA_LONG, 0) + 1);
        }
    }
}
