package dev.pyconc.benchmarks.multiprocessing;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.pyconc.benchmarks.Results;
import dev.pyconc.multiprocessing.Connection;
import dev.pyconc.multiprocessing.Event;
import dev.pyconc.multiprocessing.Multiprocessing;
import dev.pyconc.multiprocessing.Process;
import dev.pyconc.multiprocessing.Queue;

/**
 * A bounded whole-process benchmark of Pipe and Queue between two processes, side by side with
 * CPython's {@code multiprocessing.Pipe} and {@code multiprocessing.Queue}
 * ({@code benchmarks/python/mp_pipe_queue.py}) in the same run: round trip (median) of a small
 * object (the string "ping") and of a small list ({@code List.of(1, "x")}; CPython: the tuple
 * {@code (1, "x")}), both written natively by the standard codec, one-way 1 KiB and 64 KiB
 * messages after a warm-up, Queue 1 producer / 1 consumer with int, 1 KiB and 64 KiB
 * items, and 4 producers / 4 consumers with ints. Each measurement runs about a second; the
 * whole is repeated for {@code rounds} rounds, alternating CPython and pyconc, and the median
 * ratio is printed; with {@code --json FILE}, both sides' figures of every round and the ratios are
 * written there too ({@link Results}).
 *
 * <p>Run from the repository root: {@code java --enable-native-access=ALL-UNNAMED -cp
 * benchmarks/target/benchmarks.jar dev.pyconc.benchmarks.multiprocessing.PipeQueueRounds [rounds]
 * [python] [--json FILE]}.
 */
public final class PipeQueueRounds {
    private PipeQueueRounds() {}

    public static void main(String[] args) throws Exception {
        Results results = Results.fromArgs("PipeQueueRounds", args);
        int rounds = Integer.parseInt(results.arg(0, "3"));
        String python = results.arg(1, "python3");
        Path script = Path.of("benchmarks", "python", "mp_pipe_queue.py");
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException("run from the repository root: " + script + " not found");
        }
        results.python(Results.pythonVersion(python));
        Multiprocessing.setStartMethod("spawn", true);
        pyconc(0.3);        // warm-up (and a first AOT cache training of child JVMs)
        Map<String, List<Double>> ratios = new LinkedHashMap<>();
        for (int r = 1; r <= rounds; r++) {
            String load = results.recordLoad();
            Map<String, Double> py = python(python, script);
            Map<String, Double> pc = pyconc(1.0);
            System.out.println("round " + r + " (load average " + load + ")");
            for (String k : pc.keySet()) {
                boolean time = k.endsWith("_us");
                double ratio = time ? py.get(k) / pc.get(k) : pc.get(k) / py.get(k);
                ratios.computeIfAbsent(k, x -> new ArrayList<>()).add(ratio);
                results.add(k, "pyconc", unit(k), pc.get(k));
                results.add(k, "CPython", unit(k), py.get(k));
                results.addRatio(k, time ? "CPython / pyconc" : "pyconc / CPython", "higher", ratio);
                System.out.printf(Locale.ROOT, "  %-18s CPython %14.2f   pyconc %14.2f   %7.2fx%n", k, py.get(k), pc.get(k), ratio);
            }
        }
        System.out.println("median ratio over " + rounds + " rounds (pyconc better when > 1):");
        ratios.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-18s %7.2fx%n", k, Results.median(v)));
        results.write();
    }

    /** The unit of measurement {@code key}: a time, bytes per second or a rate. */
    private static String unit(String key) {
        if (key.endsWith("_us")) {
            return "us";
        }
        if (key.endsWith("_bytes")) {
            return "B/s";
        }
        return key.endsWith("_msgs") ? "msg/s" : "items/s";
    }

    private static Map<String, Double> python(String python, Path script) throws Exception {
        java.lang.Process p = new ProcessBuilder(python, script.toString(), "1").redirectErrorStream(true).start();
        Map<String, Double> out = new LinkedHashMap<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 2) {
                    out.put(f[0], Double.parseDouble(f[1]));
                }
            }
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException("python benchmark failed: " + out);
        }
        return out;
    }

    private static Map<String, Double> pyconc(double seconds) throws Exception {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("pipe_rtt_small_us", pipeRoundTrip("ping", seconds));
        out.put("pipe_rtt_tuple_us", pipeRoundTrip(List.of(1, "x"), seconds));
        out.put("pipe_1k_msgs", pipeOneWay(1024, (int) (3_000_000 * seconds)));
        out.put("pipe_64k_bytes", pipeOneWay(65536, (int) (60_000 * seconds)) * 65536);
        out.put("queue_int", queueRate(12345, (int) (4_000_000 * seconds), 1, 1));
        out.put("queue_1k", queueRate(new byte[1024], (int) (2_000_000 * seconds), 1, 1));
        out.put("queue_64k", queueRate(new byte[65536], (int) (60_000 * seconds), 1, 1));
        out.put("queue_4p4c_int", queueRate(12345, (int) (2_000_000 * seconds), 4, 4));
        return out;
    }

    private static double pipeRoundTrip(Object obj, double seconds) {
        var pipe = Multiprocessing.pipe();
        Connection a = pipe.conn1();
        Connection b = pipe.conn2();
        Process p = new Process(() -> {
            for (;;) {
                Object o = b.recv();
                if (o == null) {
                    return;
                }
                b.send(o);
            }
        });
        p.start();
        for (int i = 0; i < 100_000; i++) {
            a.send(obj);
            a.recv();
        }
        long[] samples = new long[2_000_000];
        int n = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (n < samples.length) {
            long t0 = System.nanoTime();
            a.send(obj);
            a.recv();
            long t1 = System.nanoTime();
            samples[n++] = t1 - t0;
            if (t1 > end) {
                break;
            }
        }
        a.send(null);
        p.join();
        a.close();
        b.close();
        long[] s = Arrays.copyOf(samples, n);
        Arrays.sort(s);
        return s[n / 2] / 1000.0;
    }

    /**
     * Messages per second through a pipe into the receiver's buffer ({@code recvBytesInto}): the
     * receiver first takes a warm-up of {@code n / 4} messages (its JVM's start and JIT warm-up,
     * not timed) and says so, then the clock runs while {@code n} more are sent.
     * benchmarks/python/mp_pipe_queue.py does the same with {@code recv_bytes_into}.
     */
    private static double pipeOneWay(int size, int n) {
        var pipe = Multiprocessing.pipe();
        Connection a = pipe.conn1();
        Connection b = pipe.conn2();
        int warm = n / 4;
        Process p = new Process(() -> {
            byte[] buf = new byte[size];
            for (int i = 0; i < warm; i++) {
                b.recvBytesInto(buf);
            }
            b.send(Boolean.TRUE);
            for (int i = 0; i < n; i++) {
                b.recvBytesInto(buf);
            }
            b.send(Boolean.TRUE);
        });
        p.start();
        byte[] msg = new byte[size];
        for (int i = 0; i < warm; i++) {
            a.sendBytes(msg);
        }
        a.recv();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            a.sendBytes(msg);
        }
        a.recv();
        double rate = n / ((System.nanoTime() - t0) / 1e9);
        p.join();
        a.close();
        b.close();
        return rate;
    }

    /**
     * Items per second through a queue: the consumers first take a warm-up of {@code n / 4} items
     * each (their JVM's start and JIT warm-up, not timed), say so and wait for all, then the clock runs while the
     * producers put {@code n} more and the consumers take them. benchmarks/python/mp_pipe_queue.py
     * does the same.
     */
    private static double queueRate(Object item, int n, int producers, int consumers) {
        Queue<Object> q = new Queue<>();
        Queue<Integer> warmed = new Queue<>();
        Event go = new Event();
        int warm = n / 4;
        List<Process> cs = new ArrayList<>();
        for (int c = 0; c < consumers; c++) {
            int share = n / consumers;
            Process p = new Process(() -> {
                for (int i = 0; i < warm; i++) {
                    q.get();
                }
                warmed.put(1);
                go.await();                 // no consumer takes another's warm-up items
                for (int i = 0; i < share; i++) {
                    q.get();
                }
            });
            p.start();
            cs.add(p);
        }
        for (int i = 0; i < warm * consumers; i++) {
            q.put(item);
        }
        for (int c = 0; c < consumers; c++) {
            warmed.get();
        }
        go.set();
        long t0;
        if (producers == 1) {
            t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                q.put(item);
            }
        } else {
            List<Process> ps = new ArrayList<>();
            for (int k = 0; k < producers; k++) {
                int share = n / producers;
                ps.add(new Process(() -> {
                    for (int i = 0; i < share; i++) {
                        q.put(item);
                    }
                }));
            }
            t0 = System.nanoTime();
            ps.forEach(Process::start);
            ps.forEach(Process::join);
        }
        cs.forEach(Process::join);
        return n / ((System.nanoTime() - t0) / 1e9);
    }
}
