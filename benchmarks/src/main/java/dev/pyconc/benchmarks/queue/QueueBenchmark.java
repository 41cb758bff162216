package dev.pyconc.benchmarks.queue;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import dev.pyconc.queue.Queue;
import dev.pyconc.queue.SimpleQueue;

/**
 * One producer thread, one consumer thread: throughput in items per second, side by side with
 * {@link ArrayBlockingQueue} (bounded, 1000) and {@link LinkedBlockingQueue} (unbounded). Each
 * invocation moves a batch of {@value #BATCH} Integer items from a producer thread to the
 * benchmark thread, which consumes them. Python: {@code benchmarks/python/queue_bench.py}
 * (docs/performance.md has both sides' last figures).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class QueueBenchmark {
    static final int BATCH = 10_000;
    private static final Integer[] ITEMS = new Integer[BATCH];

    static {
        for (int i = 0; i < BATCH; i++) {
            ITEMS[i] = i;
        }
    }

    /** Which queue: pyconc's bounded or unbounded Queue, SimpleQueue, or the JDK's peers. */
    @Param({"pyconcBounded", "jdkArrayBlocking", "pyconcUnbounded", "jdkLinkedBlocking", "pyconcSimple"})
    public String kind;

    private Channel channel;
    private final java.util.concurrent.Semaphore go = new java.util.concurrent.Semaphore(0);
    private volatile boolean stop;
    private java.lang.Thread producer;

    /** The two operations the benchmark needs, over each queue. */
    interface Channel {
        void put(Integer item) throws InterruptedException;

        Integer get() throws InterruptedException;
    }

    record Jdk(BlockingQueue<Integer> q) implements Channel {
        @Override public void put(Integer item) throws InterruptedException { q.put(item); }
        @Override public Integer get() throws InterruptedException { return q.take(); }
    }

    record Pyconc(Queue<Integer> q) implements Channel {
        @Override public void put(Integer item) { q.put(item); }
        @Override public Integer get() { return q.get(); }
    }

    record Simple(SimpleQueue<Integer> q) implements Channel {
        @Override public void put(Integer item) { q.put(item); }
        @Override public Integer get() { return q.get(); }
    }

    @Setup(Level.Trial)
    public void start() {
        channel = switch (kind) {
            case "pyconcBounded" -> new Pyconc(new Queue<>(1000));
            case "jdkArrayBlocking" -> new Jdk(new ArrayBlockingQueue<>(1000));
            case "pyconcUnbounded" -> new Pyconc(new Queue<>());
            case "jdkLinkedBlocking" -> new Jdk(new LinkedBlockingQueue<>());
            case "pyconcSimple" -> new Simple(new SimpleQueue<>());
            default -> throw new IllegalArgumentException(kind);
        };
        producer = java.lang.Thread.ofPlatform().daemon(true).name("producer").start(() -> {
            try {
                while (true) {
                    go.acquire();
                    if (stop) {
                        return;
                    }
                    for (int i = 0; i < BATCH; i++) {
                        channel.put(ITEMS[i]);
                    }
                }
            } catch (InterruptedException e) {
                java.lang.Thread.currentThread().interrupt();
            }
        });
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        stop = true;
        go.release();
        producer.join();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void oneProducerOneConsumer(Blackhole bh) throws InterruptedException {
        go.release();
        for (int i = 0; i < BATCH; i++) {
            bh.consume(channel.get());
        }
    }
}
