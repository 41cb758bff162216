package dev.pyconc.benchmarks.multiprocessing;

import java.util.Objects;
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

import dev.pyconc.multiprocessing.Connection;
import dev.pyconc.multiprocessing.Event;
import dev.pyconc.multiprocessing.Multiprocessing;
import dev.pyconc.multiprocessing.Process;

/**
 * One-way sends of small raw messages ({@code sendBytes}) through a one-way pipe whose reading
 * end belongs to another process (a child JVM), so that every send checks a live reader, as
 * users' sends do:
 * <ul>
 *   <li>{@code sendBytes}: the child takes the messages ({@code recvBytesInto}); the figure is the
 *       rate of the slower side, with both processes' scheduling in it;</li>
 *   <li>{@code sendThenReceiveHere}: the child only holds the end, and this thread receives its
 *       own batch of 256 messages through an object it kept for the reading end; per message, the
 *       CPU cost of one send and one receive, without waits or wake-ups, which shows a change of
 *       the send path even on a loaded machine.</li>
 * </ul>
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar PipeSendBenchmark
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class PipeSendBenchmark {
    private static final int BATCH = 256;

    /** A pipe whose reader, a child process, takes every message. */
    @State(Scope.Benchmark)
    public static class Drained {
        @Param({"64", "1024"})
        public int size;

        Connection writer;
        Process child;
        byte[] message;

        @Setup(Level.Trial)
        public void start() {
            Multiprocessing.setStartMethod("spawn", true);
            var pipe = Multiprocessing.pipe(false);
            Connection reader = pipe.conn1();
            writer = pipe.conn2();
            message = new byte[size];
            int n = size;
            child = new Process(() -> {
                byte[] buf = new byte[n];
                while (reader.recvBytesInto(buf) != 0) {
                    // an empty message ends the run
                }
            });
            child.start();
            reader.close();
        }

        @TearDown(Level.Trial)
        public void stop() {
            writer.sendBytes(new byte[0]);
            child.join();
            writer.close();
        }
    }

    /** A pipe whose reading end a child process holds without reading; this process kept an object for it. */
    @State(Scope.Thread)
    public static class Held {
        @Param({"64", "1024"})
        public int size;

        Connection reader;
        Connection writer;
        Process child;
        Event done;
        byte[] message;
        byte[] buffer;

        @Setup(Level.Trial)
        public void start() {
            Multiprocessing.setStartMethod("spawn", true);
            var pipe = Multiprocessing.pipe(false);
            reader = pipe.conn1();
            writer = pipe.conn2();
            message = new byte[size];
            buffer = new byte[size];
            Event ready = new Event();
            done = new Event();
            Connection held = reader;
            Event finish = done;
            child = new Process(() -> {
                Objects.requireNonNull(held);     // the end arrived with the target: this process owns it
                ready.set();
                finish.await();
            });
            child.start();
            ready.await();
        }

        @TearDown(Level.Trial)
        public void stop() {
            done.set();
            child.join();
            writer.close();
            reader.close();
        }
    }

    @Benchmark
    public void sendBytes(Drained p) {
        p.writer.sendBytes(p.message);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int sendThenReceiveHere(Held p) {
        for (int i = 0; i < BATCH; i++) {
            p.writer.sendBytes(p.message);
        }
        int n = 0;
        for (int i = 0; i < BATCH; i++) {
            n += p.reader.recvBytesInto(p.buffer);
        }
        return n;
    }
}
