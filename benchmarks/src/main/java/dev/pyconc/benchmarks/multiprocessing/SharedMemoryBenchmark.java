package dev.pyconc.benchmarks.multiprocessing;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.pyconc.multiprocessing.sharedmemory.SharedMemory;

/**
 * SharedMemory against plain in-process memory: copying 256 MiB into the segment ("write") and out
 * of it ("read"), side by side with the same copies into and out of plain native memory; and the
 * life cycle create+attach+close+unlink of a 4 KiB segment. Targets: bandwidth at least 0.8x the
 * plain copy; the life cycle faster than CPython's (benchmarks/python/sharedmemory_bench.py).
 */
@BenchmarkMode(Mode.AverageTime)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx1g"})
public class SharedMemoryBenchmark {
    private static final long SIZE = 256L << 20;

    /** 256 MiB of shared memory, 256 MiB of plain memory, and a source/destination buffer. */
    @State(Scope.Benchmark)
    public static class Buffers {
        SharedMemory shm;
        Arena arena;
        MemorySegment plain;
        MemorySegment data;

        @Setup(Level.Trial)
        public void setUp() {
            shm = SharedMemory.create(SIZE);
            arena = Arena.ofShared();
            plain = arena.allocate(SIZE, 4096);
            data = arena.allocate(SIZE, 4096);
            for (long i = 0; i < SIZE; i += 8) {
                data.set(java.lang.foreign.ValueLayout.JAVA_LONG, i, i * 0x9E3779B97F4A7C15L);
            }
            shm.buf().fill((byte) 1);         // touch every page once, as the plain buffer below
            plain.fill((byte) 1);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            shm.close();
            shm.unlink();
            arena.close();
        }
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    public MemorySegment writeSharedMemory(Buffers b) {
        MemorySegment.copy(b.data, 0, b.shm.buf(), 0, SIZE);
        return b.shm.buf();
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    public MemorySegment writePlainMemory(Buffers b) {
        MemorySegment.copy(b.data, 0, b.plain, 0, SIZE);
        return b.plain;
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    public MemorySegment readSharedMemory(Buffers b) {
        MemorySegment.copy(b.shm.buf(), 0, b.data, 0, SIZE);
        return b.data;
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    public MemorySegment readPlainMemory(Buffers b) {
        MemorySegment.copy(b.plain, 0, b.data, 0, SIZE);
        return b.data;
    }

    /** create (tracked, the default) + attach + close both + unlink, 4 KiB. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    public long createAttachCloseUnlink() {
        var created = SharedMemory.create(4096);
        var attached = SharedMemory.attach(created.name());
        long size = attached.size();
        attached.close();
        created.close();
        created.unlink();
        return size;
    }

    /**
     * As above, mapped into confined arenas (usable by this thread only), whose close does not hand
     * shake with every thread of the JVM as a shared arena's does.
     */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    public long createAttachCloseUnlinkConfined() {
        SharedMemory created;
        long size;
        try (Arena a = Arena.ofConfined(); Arena b = Arena.ofConfined()) {
            created = SharedMemory.create(4096, a);
            size = SharedMemory.attach(created.name(), b).size();
        }
        created.unlink();
        return size;
    }

    /** As {@link #createAttachCloseUnlink()}, untracked (Python 3.13's track=False). */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    public long createAttachCloseUnlinkUntracked() {
        var created = new SharedMemory(null, true, 4096, false);
        var attached = SharedMemory.attach(created.name());
        long size = attached.size();
        attached.close();
        created.close();
        created.unlink();
        return size;
    }

    /** The kind of arena {@link #arenaClose} opens and closes. */
    @State(Scope.Thread)
    public static class ArenaKind {
        @Param({"shared", "confined"})
        public String kind;
    }

    /**
     * The JDK's floor under the life cycle: an arena with one small allocation, closed. A shared
     * arena's close hands shake with every thread of the JVM (the default
     * {@link #createAttachCloseUnlink()} closes two); a confined arena's does not.
     */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    public long arenaClose(ArenaKind k) {
        try (Arena a = k.kind.equals("shared") ? Arena.ofShared() : Arena.ofConfined()) {
            return a.allocate(64).byteSize();
        }
    }
}
