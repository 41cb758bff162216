package dev.pyconc.benchmarks.multiprocessing;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import dev.pyconc.benchmarks.Results;
import dev.pyconc.multiprocessing.sharedmemory.SharedMemory;

/**
 * The comparisons of {@link SharedMemoryBenchmark}, interleaved in one loop and reported as the
 * best of many rounds, so that the load of other programs on a shared machine hits both sides of
 * each ratio alike: 256 MiB copied into and out of a SharedMemory segment and plain native memory,
 * and the create+attach+close+unlink life cycle with shared and with confined arenas. With
 * {@code --json FILE}, the best figures are written there too ({@link Results}); the plain
 * native memory copy is the JDK's peer.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar \
 *      dev.pyconc.benchmarks.multiprocessing.SharedMemoryInterleaved [--json FILE]
 * </pre>
 */
public final class SharedMemoryInterleaved {
    private SharedMemoryInterleaved() {}

    public static void main(String[] args) {
        Results results = Results.fromArgs("SharedMemoryInterleaved", args);
        results.recordLoad();
        long size = 256L << 20;
        long[] best = new long[6];
        java.util.Arrays.fill(best, Long.MAX_VALUE);
        try (var shm = SharedMemory.create(size); Arena arena = Arena.ofShared()) {
            MemorySegment plain = arena.allocate(size, 4096);
            MemorySegment data = arena.allocate(size, 4096);
            data.fill((byte) 3);
            shm.buf().fill((byte) 1);
            plain.fill((byte) 1);
            for (int round = 0; round < 30; round++) {
                best[0] = Math.min(best[0], copy(data, shm.buf(), size));
                best[1] = Math.min(best[1], copy(data, plain, size));
                best[2] = Math.min(best[2], copy(shm.buf(), data, size));
                best[3] = Math.min(best[3], copy(plain, data, size));
            }
            shm.unlink();
        }
        for (int round = 0; round < 20; round++) {
            best[4] = Math.min(best[4], lifecycle(false));
            best[5] = Math.min(best[5], lifecycle(true));
        }
        System.out.printf("SharedMemory 256 MiB: write %.1f GB/s vs plain %.1f GB/s (%.2fx), read %.1f GB/s vs plain %.1f GB/s (%.2fx)%n",
                size / (double) best[0], size / (double) best[1], best[1] / (double) best[0],
                size / (double) best[2], size / (double) best[3], best[3] / (double) best[2]);
        System.out.printf("SharedMemory create+attach+close+unlink (4 KiB): %.1f us with shared arenas, %.1f us with confined arenas%n",
                best[4] / 1e3, best[5] / 1e3);
        results.add("shm_write_256m", "pyconc", "GB/s", size / (double) best[0]);
        results.add("shm_write_256m", "JDK", "GB/s", size / (double) best[1]);
        results.add("shm_read_256m", "pyconc", "GB/s", size / (double) best[2]);
        results.add("shm_read_256m", "JDK", "GB/s", size / (double) best[3]);
        results.add("lifecycle_4k", "pyconc", "us", best[4] / 1e3);
        results.add("lifecycle_4k_confined", "pyconc", "us", best[5] / 1e3);
        results.write();
    }

    private static long copy(MemorySegment from, MemorySegment to, long size) {
        long t = System.nanoTime();
        MemorySegment.copy(from, 0, to, 0, size);
        return System.nanoTime() - t;
    }

    /** The mean time of 1000 life cycles. */
    private static long lifecycle(boolean confined) {
        long t = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            if (confined) {
                SharedMemory created;
                try (Arena a = Arena.ofConfined(); Arena b = Arena.ofConfined()) {
                    created = SharedMemory.create(4096, a);
                    SharedMemory.attach(created.name(), b);
                }
                created.unlink();
            } else {
                var created = SharedMemory.create(4096);
                SharedMemory.attach(created.name()).close();
                created.close();
                created.unlink();
            }
        }
        return (System.nanoTime() - t) / 1000;
    }
}
