package dev.pyconc.conformance.testmultiprocessing;

import static dev.pyconc.testing.Threads.until;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.pyconc.multiprocessing.Process;
import dev.pyconc.multiprocessing.sharedmemory.ShareableList;
import dev.pyconc.multiprocessing.sharedmemory.SharedMemory;
import dev.pyconc.testing.ChildJvm;

/**
 * _test_multiprocessing.py's {@code _TestSharedMemory}, which CPython runs for processes only, as
 * pyconc's are (child JVMs). Python's FileNotFoundError and FileExistsError are an
 * {@link UncheckedIOException} caused by {@link NoSuchFileException} and
 * {@link FileAlreadyExistsException}; pickling is Java serialization, by which a segment travels as
 * its name and attaches where it is read. CPython's {@code addCleanup(sms.unlink)} is
 * {@link #unlinkLater}.
 */
class _TestSharedMemory {
    private final List<Runnable> cleanups = new ArrayList<>();

    @BeforeAll
    static void setUpModule() {
        Mp2Support.setUpModule();
    }

    @AfterEach
    void doCleanups() {
        for (Runnable r : cleanups.reversed()) {
            r.run();
        }
    }

    /** CPython's {@code addCleanup(sms.unlink)}. */
    private void unlinkLater(SharedMemory sms) {
        cleanups.add(sms::unlink);
    }

    /** CPython's {@code _attach_existing_shmem_then_write}, by name. */
    static void attachExistingShmemThenWrite(String name, byte[] binaryData) {
        attachExistingShmemThenWrite(SharedMemory.attach(name), binaryData);
    }

    /** CPython's {@code _attach_existing_shmem_then_write}, with a segment that traveled. */
    static void attachExistingShmemThenWrite(SharedMemory localSms, byte[] binaryData) {
        MemorySegment.copy(binaryData, 0, localSms.buf(), ValueLayout.JAVA_BYTE, 0, binaryData.length);
        localSms.close();
    }

    /** CPython's {@code _new_shm_name}: the pid keeps parallel runs apart. */
    private static String newShmName(String prefix) {
        return prefix + ProcessHandle.current().pid();
    }

    private static byte[] bytes(SharedMemory sms, int n) {
        return sms.buf().asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
    }

    private static void put(SharedMemory sms, String ascii) {
        byte[] b = ascii.getBytes(StandardCharsets.US_ASCII);
        MemorySegment.copy(b, 0, sms.buf(), ValueLayout.JAVA_BYTE, 0, b.length);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Asserts that {@code call} throws Python's FileNotFoundError. */
    private static void assertFileNotFound(Runnable call) {
        UncheckedIOException e = assertThrows(UncheckedIOException.class, call::run);
        assertInstanceOf(NoSuchFileException.class, e.getCause());
    }

    @SuppressWarnings("unchecked")
    private static <T> T pickleRoundTrip(Object o) {
        return (T) loads(dumps(o));
    }

    private static byte[] dumps(Object o) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static Object loads(byte[] b) {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b))) {
            return in.readObject();
        } catch (IOException | ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A name with an embedded NUL is a ValueError. CPython's second half patches the private
     * {@code _name} of an object to check unlink(); a Java object's name cannot be changed.
     */
    @Test
    @DisplayName("test_shared_memory_name_with_embedded_null")
    void testSharedMemoryNameWithEmbeddedNull() {
        String nameTsmb = newShmName("test01_null");
        SharedMemory sms = new SharedMemory(nameTsmb, true, 512);
        unlinkLater(sms);
        assertThrows(IllegalArgumentException.class, () -> new SharedMemory(nameTsmb + "\0a", false, 512));
        sms.close();
    }

    /**
     * CPython's basics. Its parts that patch the private {@code _make_filename} (a random name that is
     * taken: see test_shared_memory_recreate) and subclass the private {@code _flags} (create or
     * attach) have no Java form and are left out.
     */
    @Test
    @DisplayName("test_shared_memory_basics")
    void testSharedMemoryBasics() {
        String nameTsmb = newShmName("test01_tsmb");
        SharedMemory sms = new SharedMemory(nameTsmb, true, 512);
        unlinkLater(sms);

        // Verify attributes are readable.
        assertEquals(nameTsmb, sms.name());
        assertTrue(sms.size() >= 512);
        assertTrue(sms.buf().byteSize() >= sms.size());

        // Verify __repr__
        assertTrue(sms.toString().contains(sms.name()), sms::toString);
        assertTrue(sms.toString().contains(String.valueOf(sms.size())), sms::toString);

        // Modify contents of shared memory segment through memoryview.
        sms.buf().set(ValueLayout.JAVA_BYTE, 0, (byte) 42);
        assertEquals(42, sms.buf().get(ValueLayout.JAVA_BYTE, 0));

        // Attach to existing shared memory segment.
        SharedMemory alsoSms = SharedMemory.attach(nameTsmb);
        assertEquals(42, alsoSms.buf().get(ValueLayout.JAVA_BYTE, 0));
        alsoSms.close();

        // Attach to existing shared memory segment but specify a new size.
        SharedMemory sameSms = new SharedMemory(nameTsmb, false, 20 * sms.size());
        assertTrue(sameSms.size() < 20 * sms.size());   // Size was ignored.
        sameSms.close();

        // Creating Shared Memory Segment with -ve size
        assertThrows(IllegalArgumentException.class, () -> new SharedMemory(null, true, -2));

        // Attaching Shared Memory Segment without a name
        assertThrows(IllegalArgumentException.class, () -> new SharedMemory(null, false, 0));

        // Posix Shared Memory can only be unlinked once.
        String nameDblunlink = newShmName("test01_dblunlink");
        SharedMemory smsUno = new SharedMemory(nameDblunlink, true, 5000);
        assertFileNotFound(() -> {
            try {
                assertTrue(smsUno.size() >= 5000);
                SharedMemory smsDuo = SharedMemory.attach(nameDblunlink);
                smsDuo.unlink();    // First shm_unlink() call.
                smsDuo.close();
                smsUno.close();
            } finally {
                smsUno.unlink();    // A second shm_unlink() call is bad.
            }
        });

        // Attempting to create a new shared memory segment with a
        // name that is already in use triggers an exception.
        UncheckedIOException exists = assertThrows(UncheckedIOException.class, () -> new SharedMemory(nameTsmb, true, 512));
        assertInstanceOf(FileAlreadyExistsException.class, exists.getCause());

        // Attempting to attach to an existing shared memory segment when
        // no segment exists with the supplied name triggers an exception.
        assertFileNotFound(() -> {
            SharedMemory nonexisting = SharedMemory.attach("test01_notthere");
            nonexisting.unlink();   // Error should occur on prior line.
        });

        sms.close();
    }

    @Test
    @DisplayName("test_invalid_shared_memory_creation")
    void testInvalidSharedMemoryCreation() {
        // Test creating a shared memory segment with negative size
        assertThrows(IllegalArgumentException.class, () -> new SharedMemory(null, true, -1));
        // Test creating a shared memory segment with size 0
        assertThrows(IllegalArgumentException.class, () -> new SharedMemory(null, true, 0));
        // Test creating a shared memory segment without size argument (Python's default size=0)
        assertThrows(IllegalArgumentException.class, () -> new SharedMemory(null, true, 0, true));
    }

    /** A segment that is serialized and read back is the same segment (Java has one serialization format). */
    @Test
    @DisplayName("test_shared_memory_pickle_unpickle")
    void testSharedMemoryPickleUnpickle() {
        SharedMemory sms = SharedMemory.create(512);
        unlinkLater(sms);
        put(sms, "pickle");

        // Test pickling
        byte[] pickledSms = dumps(sms);

        // Test unpickling
        SharedMemory sms2 = assertInstanceOf(SharedMemory.class, loads(pickledSms));
        assertEquals(sms.name(), sms2.name());
        assertArrayEquals(ascii("pickle"), bytes(sms, 6));
        assertArrayEquals(ascii("pickle"), bytes(sms2, 6));

        // Test that unpickled version is still the same SharedMemory
        put(sms, "newval");
        assertArrayEquals(ascii("newval"), bytes(sms, 6));
        assertArrayEquals(ascii("newval"), bytes(sms2, 6));

        put(sms2, "oldval");
        assertArrayEquals(ascii("oldval"), bytes(sms, 6));
        assertArrayEquals(ascii("oldval"), bytes(sms2, 6));
        sms2.close();
        sms.close();
    }

    @Test
    @DisplayName("test_shared_memory_pickle_unpickle_dead_object")
    void testSharedMemoryPickleUnpickleDeadObject() {
        SharedMemory sms = SharedMemory.create(512);
        put(sms, "pickle");
        byte[] pickledSms = dumps(sms);

        // Now, we are going to kill the original object.
        // So, unpickled one won't be able to attach to it.
        sms.close();
        sms.unlink();

        assertFileNotFound(() -> loads(pickledSms));
    }

    @Test
    @DisplayName("test_shared_memory_across_processes")
    void testSharedMemoryAcrossProcesses() {
        SharedMemory sms = SharedMemory.create(512);
        unlinkLater(sms);

        // Verify remote attachment to existing block by name is working.
        String name = sms.name();
        Process p = new Process(() -> attachExistingShmemThenWrite(name, ascii("howdy")));
        p.setDaemon(true);
        p.start();
        p.join();
        assertEquals(0, p.exitCode());
        assertArrayEquals(ascii("howdy"), bytes(sms, 5));

        // Verify pickling of SharedMemory instance also works.
        p = new Process(() -> attachExistingShmemThenWrite(sms, ascii("HELLO")));
        p.setDaemon(true);
        p.start();
        p.join();
        assertEquals(0, p.exitCode());
        assertArrayEquals(ascii("HELLO"), bytes(sms, 5));

        sms.close();
    }

    /**
     * Python's {@code ShareableList} basics. Its {@code format} (the items' struct format string, and
     * the private {@code _get_packing_format}) is not yet in pyconc, whose layout is its own: those
     * assertions are left out; Python's negative indexes are {@code size() - k}; the ValueError of an
     * item too long for its storage is an IllegalArgumentException, which here names the bytes it
     * needs where Python's says "exceeds available storage".
     */
    @Test
    @DisplayName("test_shared_memory_ShareableList_basics")
    void testSharedMemoryShareableListBasics() {
        List<Object> items = new ArrayList<>();
        items.add("howdy");
        items.add(ascii("HoWdY"));
        items.add(-273.154);
        items.add(100);
        items.add(null);
        items.add(true);
        items.add(42);
        ShareableList sl = new ShareableList(items);
        unlinkLater(sl.shm());
        ShareableList l = sl;

        // Verify __repr__
        assertTrue(sl.toString().contains(sl.shm().name()), sl::toString);
        assertTrue(sl.toString().contains("howdy, [72, 111, 87, 100, 89], -273.154, 100, null, true, 42"), sl::toString);

        // Index Out of Range (get)
        assertThrows(IndexOutOfBoundsException.class, () -> l.get(7));

        // Index Out of Range (set)
        assertThrows(IndexOutOfBoundsException.class, () -> l.set(7, 2));

        // Assign value without format change (str -> str)
        sl.set(0, "howdy");

        // Exercise len().
        assertEquals(7, sl.size());

        // Exercise index().
        assertThrows(IllegalArgumentException.class, () -> l.index("100"));
        assertEquals(3, sl.index(100));

        // Exercise retrieving individual values.
        assertEquals("howdy", sl.get(0));
        assertEquals(true, sl.get(sl.size() - 2));

        // Exercise iterability.
        List<Object> seen = new ArrayList<>();
        for (Object o : sl) {
            seen.add(o);
        }
        assertEquals(7, seen.size());
        assertEquals("howdy", seen.get(0));
        assertArrayEquals(ascii("HoWdY"), (byte[]) seen.get(1));
        assertEquals(List.of(-273.154, 100), seen.subList(2, 4));
        assertNull(seen.get(4));
        assertEquals(List.of(true, 42), seen.subList(5, 7));

        // Exercise modifying individual values.
        sl.set(3, 42);
        assertEquals(42, sl.get(3));
        sl.set(4, "some");   // Change type at a given position.
        assertEquals("some", sl.get(4));
        assertThrows(IllegalArgumentException.class, () -> l.set(4, "far too many"));
        assertEquals("some", sl.get(4));
        sl.set(0, "encodés");   // Exactly 8 bytes of UTF-8 data
        assertEquals("encodés", sl.get(0));
        assertArrayEquals(ascii("HoWdY"), (byte[]) sl.get(1));   // no spillage
        assertThrows(IllegalArgumentException.class, () -> l.set(0, "encodées"));   // Exactly 9 bytes of UTF-8 data
        assertArrayEquals(ascii("HoWdY"), (byte[]) sl.get(1));
        assertThrows(IllegalArgumentException.class, () -> l.set(1, ascii("123456789")));
        assertArrayEquals(ascii("HoWdY"), (byte[]) sl.get(1));

        // Exercise count().
        assertEquals(2, sl.count(42));
        assertEquals(1, sl.count(ascii("HoWdY")));
        assertEquals(0, sl.count(ascii("adios")));

        // Exercise creating a duplicate.
        String nameDuplicate = newShmName("test03_duplicate");
        ShareableList slCopy = new ShareableList(sl, nameDuplicate);
        try {
            assertNotEquals(sl.shm().name(), slCopy.shm().name());
            assertEquals(nameDuplicate, slCopy.shm().name());
            assertEquals(sl.toString().replace(sl.shm().name(), ""), slCopy.toString().replace(nameDuplicate, ""));
            slCopy.set(slCopy.size() - 1, 77);
            assertEquals(77, slCopy.get(slCopy.size() - 1));
            assertNotEquals(77, sl.get(sl.size() - 1));
            slCopy.shm().close();
        } finally {
            slCopy.shm().unlink();
        }

        // Obtain a second handle on the same ShareableList.
        ShareableList slTethered = ShareableList.attach(sl.shm().name());
        assertEquals(sl.shm().name(), slTethered.shm().name());
        slTethered.set(slTethered.size() - 1, 880);
        assertEquals(880, sl.get(sl.size() - 1));
        slTethered.shm().close();

        sl.shm().close();

        // Exercise creating an empty ShareableList.
        ShareableList emptySl = new ShareableList(List.of());
        try {
            assertEquals(0, emptySl.size());
            assertEquals(0, emptySl.count("any"));
            assertThrows(IllegalArgumentException.class, () -> emptySl.index(null));
            emptySl.shm().close();
        } finally {
            emptySl.shm().unlink();
        }
    }

    @Test
    @DisplayName("test_shared_memory_ShareableList_pickling")
    void testSharedMemoryShareableListPickling() {
        ShareableList sl = new ShareableList(Mp2Support.range(10));
        unlinkLater(sl.shm());

        byte[] serializedSl = dumps(sl);
        ShareableList deserializedSl = assertInstanceOf(ShareableList.class, loads(serializedSl));
        assertEquals(9, deserializedSl.get(deserializedSl.size() - 1));
        assertNotSame(sl, deserializedSl);

        deserializedSl.set(4, "changed");
        assertEquals("changed", sl.get(4));
        sl.set(3, "newvalue");
        assertEquals("newvalue", deserializedSl.get(3));

        ShareableList largerSl = new ShareableList(Mp2Support.range(400));
        unlinkLater(largerSl.shm());
        byte[] serializedLargerSl = dumps(largerSl);
        assertEquals(serializedSl.length, serializedLargerSl.length);
        largerSl.shm().close();

        deserializedSl.shm().close();
        sl.shm().close();
    }

    @Test
    @DisplayName("test_shared_memory_ShareableList_pickling_dead_object")
    void testSharedMemoryShareableListPicklingDeadObject() {
        ShareableList sl = new ShareableList(Mp2Support.range(10));
        byte[] serializedSl = dumps(sl);

        // Now, we are going to kill the original object.
        // So, unpickled one won't be able to attach to it.
        sl.shm().close();
        sl.shm().unlink();

        assertFileNotFound(() -> loads(serializedSl));
    }

    /**
     * A program (a JVM of its own, as CPython's is a Python of its own) that created a segment and is
     * killed abruptly leaks no segment: its resource tracker removes it. CPython's tracker also warns
     * on stderr about the leak; pyconc's removes it without a warning, so the check is the removal.
     */
    @Test
    @DisplayName("test_shared_memory_cleaned_after_process_termination")
    void testSharedMemoryCleanedAfterProcessTermination() throws Exception {
        java.lang.Process p = Mp2Child.start("create_shared_memory_and_sleep");
        try {
            String name = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8)).readLine();
            assertTrue(name != null && !name.isBlank(), "the child printed no name");
            SharedMemory.attach(name).close();     // it exists while the child lives

            // killing abruptly processes holding reference to a shared memory
            // segment should not leak the given memory segment.
            p.destroyForcibly();
            p.waitFor();

            until("A SharedMemory segment was leaked after a process was abruptly terminated", () -> {
                try {
                    SharedMemory.attach(name).close();
                    return false;
                } catch (UncheckedIOException e) {
                    assertInstanceOf(NoSuchFileException.class, e.getCause());
                    return true;
                }
            });
        } finally {
            p.destroyForcibly();
        }
    }

    /**
     * gh-82300: a separate program that attaches with track=False and ends leaves the segment alone.
     * (pyconc's {@code track} applies to the segments a process creates: attaching never tracks.)
     */
    @Test
    @DisplayName("test_shared_memory_untracking")
    void testSharedMemoryUntracking() {
        SharedMemory mem = SharedMemory.create(10);
        try {
            ChildJvm.Result r = Mp2Child.run("attach_untracked_and_close", mem.name());
            assertEquals(0, r.exitCode(), r::toString);
            SharedMemory mem2 = SharedMemory.attach(mem.name());
            mem2.close();
        } finally {
            try {
                mem.unlink();
            } catch (UncheckedIOException e) {
                // as CPython's test: already gone is the failure above
            }
            mem.close();
        }
    }
}
