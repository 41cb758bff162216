package dev.pyconc.stress.multiprocessing;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import dev.pyconc.ipc.internal.shm.Shm;

/**
 * Fresh regions of shared memory, each mapped twice: the two actors of a test use different
 * addresses for the same memory, as two processes would. Regions are cut from 64 MiB files
 * (created in the segment directory, mapped twice, then unlinked at once, so that nothing is left
 * behind); a file's mappings go when the states that use them have been collected.
 */
final class TwoMappings {
    private static final long SLAB = 64L << 20;
    private static MemorySegment a, b;
    private static long next = SLAB;

    /** One region, seen through two mappings. */
    record Region(MemorySegment a, MemorySegment b) {}

    private TwoMappings() {}

    /** A zeroed region of {@code length} bytes (rounded up to a cache line). */
    static synchronized Region region(long length) {
        long size = (length + 63) & ~63L;
        if (next + size > SLAB) {
            String name = Shm.randomName("pyconc-jcstress-");
            a = Shm.create(name, SLAB, Arena.ofAuto(), false);
            b = Shm.attach(name, Arena.ofAuto());
            Shm.unlink(name);
            next = 0;
        }
        Region r = new Region(a.asSlice(next, size), b.asSlice(next, size));
        next += size;
        return r;
    }
}
