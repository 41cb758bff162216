package dev.pyconc.benchmarks.gil;

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

import dev.pyconc.gil.Gil;

/**
 * {@link Gil#checkpoint()} with nothing pending, with GIL mode off and with it on (the benchmark
 * thread holds the GIL alone), side by side with a plain volatile read, its floor.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GilBenchmark {

    /** GIL mode on for the trial; the benchmark thread enables it and so holds it. */
    @State(Scope.Thread)
    public static class On {
        @Setup(Level.Trial)
        public void enable() {
            Gil.enable();
        }

        @TearDown(Level.Trial)
        public void disable() {
            Gil.disable();
        }
    }

    @State(Scope.Thread)
    public static class Field {
        volatile int value;
    }

    @Benchmark
    public void checkpointOff() {
        Gil.checkpoint();
    }

    @Benchmark
    public void checkpointOnNothingPending(On on) {
        Gil.checkpoint();
    }

    @Benchmark
    public int volatileRead(Field f) {
        return f.value;
    }
}
