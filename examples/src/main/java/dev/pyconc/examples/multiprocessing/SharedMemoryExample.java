package dev.pyconc.examples.multiprocessing;

import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import dev.pyconc.multiprocessing.Value;
import dev.pyconc.multiprocessing.sharedmemory.ShareableList;
import dev.pyconc.multiprocessing.sharedmemory.SharedMemory;

/**
 * Python's shared_memory example, in one process: a segment is created, attached a second time by
 * its name (as another process, Java or Python, would attach it), written through one mapping and
 * read through the other; then a ShareableList and a shared Value. Every segment is closed and
 * unlinked at the end.
 */
public final class SharedMemoryExample {
    private SharedMemoryExample() {}

    public static void main(String[] args) {
        try (var shm = SharedMemory.create(16);                    // shared_memory.SharedMemory(create=True, size=16)
             var other = SharedMemory.attach(shm.name())) {        // shared_memory.SharedMemory(name)
            byte[] hello = "howdy".getBytes(StandardCharsets.US_ASCII);
            shm.buf().asSlice(0, hello.length).copyFrom(java.lang.foreign.MemorySegment.ofArray(hello));
            byte[] seen = other.buf().asSlice(0, hello.length).toArray(ValueLayout.JAVA_BYTE);
            System.out.println(shm + " written, read back through a second mapping: "
                    + new String(seen, StandardCharsets.US_ASCII));
            shm.unlink();                                          // the name goes; both mappings stay valid
            other.buf().set(ValueLayout.JAVA_BYTE, 5, (byte) '!');
            System.out.println("after unlink, still mapped: " + (char) shm.buf().get(ValueLayout.JAVA_BYTE, 5));
        }

        var list = new ShareableList(Arrays.asList("alpha", 2, 3.5, new byte[] {1, 0, 0}, null, true));
        try {
            var view = ShareableList.attach(list.shm().name());
            view.set(0, "héllo");                                  // fits the 8 bytes "alpha" reserved
            System.out.println("ShareableList seen through a second mapping: " + view.get(0) + ", "
                    + Arrays.toString((byte[]) view.get(3)) + " (trailing zeros kept), " + view.subList(4, 6));
            view.shm().close();
        } finally {
            list.shm().close();
            list.shm().unlink();
        }

        var counter = Value.ofLong(0);                             // multiprocessing.Value('q', 0)
        List.of(1, 2, 3).forEach(counter::getAndAdd);
        try (var _ = counter.getLock().enter()) {                  // with counter.get_lock():
            counter.set(counter.get() * 10);
        }
        System.out.println("shared counter: " + counter.get());
    }
}
