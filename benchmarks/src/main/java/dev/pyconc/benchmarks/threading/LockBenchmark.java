package dev.pyconc.benchmarks.threading;

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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import dev.pyconc.threading.Lock;
import dev.pyconc.threading.RLock;

/**
 * Lock and RLock acquire+release, uncontended and with two contending threads, side by side with
 * {@link ReentrantLock}. Python: {@code benchmarks/python/lock_bench.py}. With two threads, JMH reports
 * the time per operation of each thread (docs/performance.md has both sides' last figures).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LockBenchmark {
    private final Lock lock = new Lock();
    private final RLock rlock = new RLock();
    private final ReentrantLock jdk = new ReentrantLock();
    private int counter;

    @Benchmark
    public void pyconcLock() {
        lock.acquire();
        counter++;
        lock.release();
    }

    @Benchmark
    public void pyconcLockWith() {
        try (var _ = lock.enter()) {
            counter++;
        }
    }

    @Benchmark
    public void pyconcRLock() {
        rlock.acquire();
        counter++;
        rlock.release();
    }

    @Benchmark
    public void jdkReentrantLock() {
        jdk.lock();
        counter++;
        jdk.unlock();
    }

    @Benchmark
    @Threads(2)
    public void contendedPyconcLock() {
        lock.acquire();
        counter++;
        lock.release();
    }

    @Benchmark
    @Threads(2)
    public void contendedJdkReentrantLock() {
        jdk.lock();
        counter++;
        jdk.unlock();
    }
}
