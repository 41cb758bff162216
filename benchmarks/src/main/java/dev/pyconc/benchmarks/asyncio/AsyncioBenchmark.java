package dev.pyconc.benchmarks.asyncio;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.EventLoop;
import dev.pyconc.asyncio.Future;
import dev.pyconc.asyncio.Lock;
import dev.pyconc.asyncio.Queue;
import dev.pyconc.asyncio.Task;

/**
 * pyconc's asyncio against CPython's (benchmarks/python/asyncio_bench.py runs the same programs)
 * and against the JDK doing the same with plain virtual threads. Every benchmark is one whole
 * {@code Asyncio.run} of N operations, loop creation and shutdown included, as the Python script
 * measures; the score is the time per operation.
 *
 * <p>Take CPython's figures in the same session ({@code benchmarks/python/compare_asyncio.sh} runs
 * both sides); docs/performance.md has the last ones.
 *
 * <p>The forks use the Parallel collector: with 100,000 tasks parked at once the heap holds
 * 100,000 virtual-thread stack chunks, and G1 evacuates them about three times slower (gather of
 * sleep(0): about 3.4 us a task with G1, 1.0 us with Parallel, on the 2-vCPU machine). Run with
 * {@code -jvmArgsAppend="-Xmx2g -Xms2g -XX:+UseG1GC"} to see G1.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Xms2g", "-XX:+UseParallelGC"})
public class AsyncioBenchmark {
    static final int N = 100_000;

    /** create_task + await of N tasks whose body returns at once. */
    @Benchmark
    @OperationsPerInvocation(N)
    public long createTaskAwait() {
        return Asyncio.run(() -> {
            List<Task<Integer>> tasks = new ArrayList<>(N);
            for (int i = 0; i < N; i++) {
                int k = i;
                tasks.add(Asyncio.createTask(() -> k));
            }
            long acc = 0;
            for (Task<Integer> t : tasks) {
                acc += t.await();
            }
            return acc;
        });
    }

    /** JDK: start N virtual threads and join them. */
    @Benchmark
    @OperationsPerInvocation(N)
    public long jdkVirtualThreadsStartJoin() throws InterruptedException {
        Thread[] ts = new Thread[N];
        long[] out = new long[N];
        for (int i = 0; i < N; i++) {
            int k = i;
            ts[i] = Thread.ofVirtual().start(() -> out[k] = k);
        }
        long acc = 0;
        for (int i = 0; i < N; i++) {
            ts[i].join();
            acc += out[i];
        }
        return acc;
    }

    /** gather of N tasks that each sleep(0) once. */
    @Benchmark
    @OperationsPerInvocation(N)
    public int gatherSleep0() {
        return Asyncio.run(() -> {
            List<Task<Void>> tasks = new ArrayList<>(N);
            for (int i = 0; i < N; i++) {
                tasks.add(Asyncio.createTask(() -> Asyncio.sleep(Duration.ZERO)));
            }
            return Asyncio.gather(tasks).await().size();
        });
    }

    /** JDK: N virtual threads that each yield once, then joined. */
    @Benchmark
    @OperationsPerInvocation(N)
    public int jdkVirtualThreadsYield() throws InterruptedException {
        Thread[] ts = new Thread[N];
        for (int i = 0; i < N; i++) {
            ts[i] = Thread.ofVirtual().start(Thread::yield);
        }
        for (Thread t : ts) {
            t.join();
        }
        return ts.length;
    }

    /** N items through an asyncio Queue of maxsize 1 between two tasks. */
    @Benchmark
    @OperationsPerInvocation(N)
    public long queueHandoffMaxsize1() {
        return queueHandoff(1);
    }

    /** N items through an unbounded asyncio Queue between two tasks. */
    @Benchmark
    @OperationsPerInvocation(N)
    public long queueHandoffUnbounded() {
        return queueHandoff(0);
    }

    private static long queueHandoff(int maxsize) {
        return Asyncio.run(() -> {
            Queue<Integer> q = new Queue<>(maxsize);
            Task<Void> producer = Asyncio.createTask(() -> {
                for (int i = 0; i < N; i++) {
                    q.put(i);
                }
            });
            long s = 0;
            for (int i = 0; i < N; i++) {
                s += q.get();
            }
            producer.await();
            return s;
        });
    }

    /** JDK: N items through an ArrayBlockingQueue(1) between two virtual threads. */
    @Benchmark
    @OperationsPerInvocation(N)
    public long jdkArrayBlockingQueue1() throws InterruptedException {
        ArrayBlockingQueue<Integer> q = new ArrayBlockingQueue<>(1);
        Thread producer = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < N; i++) {
                    q.put(i);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long s = 0;
        for (int i = 0; i < N; i++) {
            s += q.take();
        }
        producer.join();
        return s;
    }

    /** 10 N callbacks scheduled with callSoon, the last one completing a future. */
    @Benchmark
    @OperationsPerInvocation(10 * N)
    public int callSoon() {
        return Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Future<Void> done = loop.createFuture();
            int[] count = {0};
            Runnable cb = () -> {
                if (++count[0] == 10 * N) {
                    done.setResult(null);
                }
            };
            for (int i = 0; i < 10 * N; i++) {
                loop.callSoon(cb);
            }
            done.await();
            return count[0];
        });
    }

    /** JDK: 10 N tasks given to a single-thread executor, the last one counting down a latch. */
    @Benchmark
    @OperationsPerInvocation(10 * N)
    public int jdkSingleThreadExecutor() throws InterruptedException {
        ExecutorService ex = Executors.newSingleThreadExecutor();
        CountDownLatch done = new CountDownLatch(1);
        int[] count = {0};
        Runnable cb = () -> {
            if (++count[0] == 10 * N) {
                done.countDown();
            }
        };
        for (int i = 0; i < 10 * N; i++) {
            ex.execute(cb);
        }
        done.await();
        ex.shutdown();
        return count[0];
    }

    /** 10 N uncontended acquire/release of an asyncio Lock in one task. */
    @Benchmark
    @OperationsPerInvocation(10 * N)
    public int lockUncontended() {
        return Asyncio.run(() -> {
            Lock lock = new Lock();
            int n = 0;
            for (int i = 0; i < 10 * N; i++) {
                try (var _ = lock.enter()) {
                    n++;
                }
            }
            return n;
        });
    }
}
