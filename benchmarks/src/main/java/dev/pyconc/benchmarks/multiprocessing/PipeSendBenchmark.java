package dev.pyconc.benchmarks.multiprocessing;

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

import dev.pyconc.multiprocessing.Connection;
import dev.pyconc.multiprocessing.Multiprocessing;
import dev.pyconc.multiprocessing.Process;

/**
 * One-way sends of small raw messages ({@code sendBytes}) through a one-way pipe whose reader is
 * another process (a child JVM taking them with {@code recvBytesInto}): the send path as a user
 * sees it, including the check of the reader's liveness that every send makes. The figure is
 * the rate of the slower side: once the ring is full the sender waits for the reader.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar PipeSendBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class PipeSendBenchmark {
    @Param({"64", "1024"})
    public int size;

    private Connection reader;
    private Connection writer;
    private Process child;
    private byte[] message;

    @Setup(Level.Trial)
    public void start() {
        Multiprocessing.setStartMethod("spawn", true);
        var pipe = Multiprocessing.pipe(false);
        reader = pipe.conn1();
        writer = pipe.conn2();
        message = new byte[size];
        Connection r = reader;
        int n = size;
        child = new Process(() -> {
            byte[] buf = new byte[n];
            while (r.recvBytesInto(buf) != 0) {
                // an empty message ends the run
            }
        });
        child.start();
        reader.close();
    }

    @Benchmark
    public void sendBytes() {
        writer.sendBytes(message);
    }

    @TearDown(Level.Trial)
    public void stop() {
        writer.sendBytes(new byte[0]);
        child.join();
        writer.close();
    }
}
