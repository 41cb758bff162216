package dev.pyconc.benchmarks.asyncio;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.Server;
import dev.pyconc.asyncio.Streams;
import dev.pyconc.asyncio.Task;

/**
 * Echo over loopback with pyconc's streams, as benchmarks/python/asyncio_bench.py does it with
 * CPython's: one whole {@code Asyncio.run} per invocation (server start, connections and shutdown
 * included), 64-byte lines echoed by a {@code startServer} handler that reads lines and writes them
 * back with {@code drain}. The score is the time per round trip.
 *
 * <ul>
 * <li>{@code echoRoundTrips}: one client, {@value #ROUND_TRIPS} round trips one after another
 *     (latency bound: every message is one send and one receive each way);
 * <li>{@code echoManyClients}: {@value #CLIENTS} clients at once, {@value #PER_CLIENT} round trips
 *     each (throughput).
 * </ul>
 *
 * {@code transport} is the loop's Netty transport ({@code -Dpyconc.asyncio.transport}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-Xms1g"})
public class StreamsBenchmark {
    static final int ROUND_TRIPS = 20_000;
    static final int CLIENTS = 100;
    static final int PER_CLIENT = 500;
    static final byte[] LINE = line();

    @Param({"epoll", "nio"})
    public String transport;

    static byte[] line() {
        byte[] b = new byte[64];
        Arrays.fill(b, (byte) 'x');
        b[63] = '\n';
        return b;
    }

    @org.openjdk.jmh.annotations.Setup
    public void setTransport() {
        System.setProperty("pyconc.asyncio.transport", transport);
    }

    static Server echoServer() {
        return Asyncio.startServer((r, w) -> {
            for (byte[] line : r) {
                w.write(line);
                w.drain();
            }
            w.close();
        }, "127.0.0.1", 0);
    }

    static void client(int port, int n) {
        Streams s = Asyncio.openConnection("127.0.0.1", port);
        for (int i = 0; i < n; i++) {
            s.writer().write(LINE);
            s.writer().drain();
            s.reader().readexactly(LINE.length);
        }
        s.writer().close();
        s.writer().waitClosed();
    }

    /** One client: ROUND_TRIPS echoes of a 64-byte line, one after another. */
    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public int echoRoundTrips() {
        return Asyncio.run(() -> {
            Server server = echoServer();
            client(server.sockets().get(0).getPort(), ROUND_TRIPS);
            server.close();
            server.waitClosed();
            return ROUND_TRIPS;
        });
    }

    /** CLIENTS clients at once, PER_CLIENT echoes each. */
    @Benchmark
    @OperationsPerInvocation(CLIENTS * PER_CLIENT)
    public int echoManyClients() {
        return Asyncio.run(() -> {
            Server server = echoServer();
            int port = server.sockets().get(0).getPort();
            List<Task<Void>> ts = new ArrayList<>(CLIENTS);
            for (int i = 0; i < CLIENTS; i++) {
                ts.add(Asyncio.createTask(() -> client(port, PER_CLIENT)));
            }
            Asyncio.gather(ts).await();
            server.close();
            server.waitClosed();
            return CLIENTS * PER_CLIENT;
        });
    }
}
