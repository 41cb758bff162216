package dev.pyconc.benchmarks.multiprocessing;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.pyconc.multiprocessing.Multiprocessing;
import dev.pyconc.multiprocessing.Process;

/**
 * Start+join of a no-op {@link Process}, under the spawn and forkserver start methods, side by
 * side with the JDK's floor: {@link ProcessBuilder} launching a JVM with the same flags and class
 * path that runs an empty {@code main} (no Java serialization, no target). Python:
 * {@code ctx.Process(target=noop); p.start(); p.join()} (benchmarks/python/process_start.py;
 * docs/performance.md has both sides' last figures, from ProcessStartRounds).
 *
 * <p>{@code forkserverReady} waits, outside the measured time, until the spare JVM has booted
 * (as CPython's fork server is always ready); {@code forkserver} starts processes back to back,
 * so each start may find the next spare still booting.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 4, time = 3)
@Fork(1)
public class ProcessBenchmark {
    private List<String> noopJvm;

    /** The JDK floor's child: a JVM that does nothing. */
    public static final class Noop {
        public static void main(String[] args) {}
    }

    @Setup
    public void setUp() {
        noopJvm = new ArrayList<>();
        noopJvm.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        noopJvm.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        noopJvm.add("-cp");
        noopJvm.add(System.getProperty("java.class.path"));
        noopJvm.add(Noop.class.getName());
    }

    @TearDown
    public void tearDown() {
        Multiprocessing.setStartMethod("spawn", true);
    }

    /** Setting the start method before each measured call keeps the benchmarks independent. */
    @State(Scope.Benchmark)
    public static class Spawn {
        @Setup
        public void setUp() {
            Multiprocessing.setStartMethod("spawn", true);
        }
    }

    @State(Scope.Benchmark)
    public static class Forkserver {
        @Setup
        public void setUp() {
            Multiprocessing.setStartMethod("forkserver", true);
        }
    }

    @State(Scope.Benchmark)
    public static class ReadyForkserver {
        @Setup
        public void setUp() {
            Multiprocessing.setStartMethod("forkserver", true);
        }

        /** Gives the spare launched by the previous call time to boot and warm up. */
        @Setup(Level.Invocation)
        public void awaitSpare() throws InterruptedException {
            Thread.sleep(400);
        }
    }

    @Benchmark
    public Integer spawn(Spawn method) {
        return startJoin();
    }

    @Benchmark
    public Integer forkserver(Forkserver method) {
        return startJoin();
    }

    @Benchmark
    public Integer forkserverReady(ReadyForkserver method) {
        return startJoin();
    }

    @Benchmark
    public int jdkProcessBuilderNoopJvm() throws IOException, InterruptedException {
        return new ProcessBuilder(noopJvm).inheritIO().start().waitFor();
    }

    private static Integer startJoin() {
        Process p = new Process(() -> {});
        p.start();
        p.join();
        Integer code = p.exitCode();
        if (code == null || code != 0) {
            throw new IllegalStateException("no-op process ended with " + code);
        }
        return code;
    }
}
