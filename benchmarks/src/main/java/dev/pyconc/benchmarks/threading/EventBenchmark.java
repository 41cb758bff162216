package dev.pyconc.benchmarks.threading;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

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

import dev.pyconc.threading.Event;

/**
 * Event handoff between two threads: one operation is two one-way handoffs (set -> await to an
 * echo thread and back), side by side with the same handoff on a volatile flag and
 * {@link LockSupport} park/unpark. Python: {@code benchmarks/python/event_handoff.py}
 * (docs/performance.md has both sides' last figures).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EventBenchmark {

    /** pyconc: two Events, ping and pong. */
    @State(Scope.Benchmark)
    public static class Pyconc {
        final Event ping = new Event();
        final Event pong = new Event();
        volatile boolean stop;
        java.lang.Thread echo;

        @Setup(Level.Trial)
        public void start() {
            echo = java.lang.Thread.ofPlatform().daemon(true).name("echo").start(() -> {
                while (true) {
                    ping.await();
                    ping.clear();
                    if (stop) {
                        return;
                    }
                    pong.set();
                }
            });
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            stop = true;
            ping.set();
            echo.join();
        }
    }

    /** The JDK: a volatile turn and park/unpark, the cheapest blocking handoff. */
    @State(Scope.Benchmark)
    public static class Jdk {
        volatile int turn;          // 1: the echo thread's, 0: the benchmark thread's
        volatile boolean stop;
        volatile java.lang.Thread caller;
        java.lang.Thread echo;

        @Setup(Level.Trial)
        public void start() {
            echo = java.lang.Thread.ofPlatform().daemon(true).name("echo").start(() -> {
                while (true) {
                    while (turn != 1 && !stop) {
                        LockSupport.park(this);
                    }
                    if (stop) {
                        return;
                    }
                    turn = 0;
                    LockSupport.unpark(caller);
                }
            });
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            stop = true;
            LockSupport.unpark(echo);
            echo.join();
        }
    }

    @Benchmark
    public void pyconcEvent(Pyconc s) {
        s.ping.set();
        s.pong.await();
        s.pong.clear();
    }

    @Benchmark
    public void jdkParkUnpark(Jdk s) {
        s.caller = java.lang.Thread.currentThread();
        s.turn = 1;
        LockSupport.unpark(s.echo);
        while (s.turn != 0) {
            LockSupport.park(s);
        }
    }
}
