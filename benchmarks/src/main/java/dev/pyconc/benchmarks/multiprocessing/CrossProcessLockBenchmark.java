package dev.pyconc.benchmarks.multiprocessing;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import dev.pyconc.multiprocessing.Lock;
import dev.pyconc.multiprocessing.RLock;
import dev.pyconc.multiprocessing.Semaphore;
import dev.pyconc.multiprocessing.Value;

/**
 * Uncontended acquire+release of the cross-process Lock, RLock and Semaphore (in shared memory),
 * side by side with {@link ReentrantLock}. Target: the Lock within 3x ReentrantLock's time. Python:
 * {@code multiprocessing.Lock} acquire+release, see benchmarks/python/sharedmemory_bench.py.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class CrossProcessLockBenchmark {
    private final Lock lock = new Lock();
    private final RLock rlock = new RLock();
    private final Semaphore semaphore = new Semaphore(1);
    private final Value.OfLong value = Value.ofLong(0);
    private final ReentrantLock jdk = new ReentrantLock();
    private int counter;

    @Benchmark
    public void jdkReentrantLock() {
        jdk.lock();
        counter++;
        jdk.unlock();
    }

    @Benchmark
    public void crossProcessLock() {
        lock.acquire();
        counter++;
        lock.release();
    }

    @Benchmark
    public void crossProcessLockWith() {
        try (var _ = lock.enter()) {
            counter++;
        }
    }

    @Benchmark
    public void crossProcessRLock() {
        rlock.acquire();
        counter++;
        rlock.release();
    }

    @Benchmark
    public void crossProcessSemaphore() {
        semaphore.acquire();
        counter++;
        semaphore.release();
    }

    @Benchmark
    public long sharedValueGetAndAdd() {
        return value.getAndAdd(1);
    }
}
