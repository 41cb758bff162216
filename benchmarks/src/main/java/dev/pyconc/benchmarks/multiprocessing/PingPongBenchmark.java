package dev.pyconc.benchmarks.multiprocessing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.pyconc.benchmarks.Results;
import dev.pyconc.multiprocessing.Condition;
import dev.pyconc.multiprocessing.Event;
import dev.pyconc.multiprocessing.Value;

/**
 * Round trips between two processes (this JVM and a child JVM it starts), a bounded
 * whole-process benchmark: with two cross-process {@link Event}s (set / await / clear, each way)
 * and with a {@link Condition} and a shared turn. Prints the median, 90th and 99th percentile
 * round trip. Target: median at most 5 us. CPython: benchmarks/python/sharedmemory_bench.py
 * (multiprocessing.Event ping-pong). With {@code --json FILE}, the medians and percentiles are
 * written there too ({@link Results}).
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar \
 *      dev.pyconc.benchmarks.multiprocessing.PingPongBenchmark [round trips] [--json FILE]
 * </pre>
 */
public final class PingPongBenchmark {
    private PingPongBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(args);
            return;
        }
        Results results = Results.fromArgs("PingPongBenchmark", args);
        results.recordLoad();
        int rounds = Integer.parseInt(results.arg(0, "200000"));
        int warmup = rounds / 5;
        var ping = new Event();
        var pong = new Event();
        var cv = new Condition();
        var turn = Value.ofInt(0, false);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED"));
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("pyconc.")) {       // pyconc.shm.dir above all: the child must find the segments
                command.add("-D" + name + "=" + System.getProperty(name));
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), PingPongBenchmark.class.getName(), "child",
                encode(ping), encode(pong), encode(cv), encode(turn), Integer.toString(rounds + warmup)));
        Process child = new ProcessBuilder(command).inheritIO().start();
        try {
            long[] events = new long[rounds];
            for (int i = -warmup; i < rounds; i++) {
                long t0 = System.nanoTime();
                ping.set();
                pong.await();
                pong.clear();
                if (i >= 0) {
                    events[i] = System.nanoTime() - t0;
                }
            }
            report("Event ping-pong", "event_round_trip", events, results);
            long[] conditions = new long[rounds];
            for (int i = -warmup; i < rounds; i++) {
                long t0 = System.nanoTime();
                try (var _ = cv.enter()) {
                    turn.set(1);
                    cv.signal();
                    cv.waitFor(() -> turn.get() == 0);
                }
                if (i >= 0) {
                    conditions[i] = System.nanoTime() - t0;
                }
            }
            report("Condition ping-pong", "condition_round_trip", conditions, results);
            if (!child.waitFor(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the child did not finish");
            }
            results.write();
        } finally {
            child.destroyForcibly();
        }
    }

    private static void child(String[] args) {
        var ping = (Event) decode(args[1]);
        var pong = (Event) decode(args[2]);
        var cv = (Condition) decode(args[3]);
        var turn = (Value.OfInt) decode(args[4]);
        int n = Integer.parseInt(args[5]);
        for (int i = 0; i < n; i++) {
            ping.await();
            ping.clear();
            pong.set();
        }
        for (int i = 0; i < n; i++) {
            try (var _ = cv.enter()) {
                cv.waitFor(() -> turn.get() == 1);
                turn.set(0);
                cv.signal();
            }
        }
    }

    private static void report(String what, String name, long[] nanos, Results results) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2] / 1e3;
        double p90 = sorted[sorted.length * 9 / 10] / 1e3;
        double p99 = sorted[sorted.length * 99 / 100] / 1e3;
        System.out.printf("%s, %d round trips between 2 processes: median %.2f us, p90 %.2f us, p99 %.2f us%n", what,
                sorted.length, median, p90, p99);
        results.add(name, "pyconc", "us", median);
        results.add(name + "_p90", "pyconc", "us", p90);
        results.add(name + "_p99", "pyconc", "us", p99);
    }

    private static String encode(Object value) {
        var bytes = new ByteArrayOutputStream();
        try (var oos = new ObjectOutputStream(bytes)) {
            oos.writeObject(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    private static Object decode(String text) {
        try (var ois = new ObjectInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(text)))) {
            return ois.readObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}
