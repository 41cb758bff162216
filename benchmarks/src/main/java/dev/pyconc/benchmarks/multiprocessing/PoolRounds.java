package dev.pyconc.benchmarks.multiprocessing;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

import dev.pyconc.benchmarks.Results;
import dev.pyconc.multiprocessing.Multiprocessing;
import dev.pyconc.multiprocessing.Pool;
import dev.pyconc.multiprocessing.SerializableFunction;

/**
 * A bounded whole-process benchmark of {@link Pool}, side by side with CPython's
 * {@code multiprocessing.Pool} ({@code benchmarks/python/mp_pool.py}) in the same run, both with
 * the spawn start method and two workers:
 * <ul>
 *   <li>{@code map_tiny_with_start_ms}: a new pool of two workers and its first {@code map} of
 *       100,000 tiny tasks ({@code x -> 2 * x}): pool start-up included;</li>
 *   <li>{@code map_tiny_ms}: the median of five such maps on the started pool (start-up not
 *       included; pyconc's workers first run up to 200 maps or 2 s, for their JIT). Both sides
 *       use one function object for every map (CPython: the module-level {@code tiny}).</li>
 *   <li>{@code cpu_1_workers_ms}, {@code cpu_2_workers_ms}: a CPU-bound map (32 calls of the
 *       trial-division prime check of Python's concurrent.futures docs, chunks of one; the median of
 *       five) over a started and warmed pool of one worker and of two, whose ratio is the speed-up.
 *       Each side checks a prime that takes it about 10 ms (pyconc 112272535095293, CPython
 *       112000000003, by default): the same number would take CPython about 30 times longer. Not a
 *       recursive fib: the JIT compiles that differently from one JVM to the next (7.5 to 13.5 ms for
 *       fib(32) in fresh JVMs here), which would make the two pools' workers unequal.</li>
 * </ul>
 * Rounds alternate CPython and pyconc; each prints the load average it ran under, its figures and
 * the ratios, then the median ratios over the rounds. With {@code --json FILE}, the figures of
 * every round and the ratios are written there too ({@link Results}).
 *
 * <p>Run from the repository root: {@code java --enable-native-access=ALL-UNNAMED -cp
 * benchmarks/target/benchmarks.jar dev.pyconc.benchmarks.multiprocessing.PoolRounds [rounds]
 * [python] [prime, pyconc] [prime, CPython] [--json FILE]}.
 */
public final class PoolRounds {
    private static final int TINY = 100_000;
    private static final int CPU_TASKS = 32;
    private static final int REPEATS = 5;
    /** The tiny task: one function object for every map, as CPython's module-level {@code tiny}. */
    private static final SerializableFunction<Integer, Integer> TINY_TASK = x -> 2 * x;
    private static final SerializableFunction<Long, Boolean> CPU_TASK = PoolRounds::isPrime;

    private PoolRounds() {}

    public static void main(String[] args) throws Exception {
        Results results = Results.fromArgs("PoolRounds", args);
        int rounds = Integer.parseInt(results.arg(0, "3"));
        String python = results.arg(1, "python3");
        long primeJava = Long.parseLong(results.arg(2, "112272535095293"));
        long primePython = Long.parseLong(results.arg(3, "112000000003"));
        Path script = Path.of("benchmarks", "python", "mp_pool.py");
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException("run from the repository root: " + script + " not found");
        }
        results.python(Results.pythonVersion(python));
        Multiprocessing.setStartMethod("spawn", true);
        pyconc(primeJava);      // warm-up (and a first AOT cache training of child JVMs)
        Map<String, List<Double>> ratios = new LinkedHashMap<>();
        for (int r = 1; r <= rounds; r++) {
            String load = results.recordLoad();
            Map<String, Double> py = python(python, script, primePython);
            Map<String, Double> pc = pyconc(primeJava);
            System.out.println("round " + r + " (load average " + load + ")");
            for (String k : pc.keySet()) {
                results.add(k, "pyconc", "ms", pc.get(k));
                results.add(k, "CPython", "ms", py.get(k));
                if (k.startsWith("cpu_")) {
                    System.out.printf(Locale.ROOT, "  %-24s CPython %10.2f ms   pyconc %10.2f ms (%d prime checks each)%n",
                            k, py.get(k), pc.get(k), CPU_TASKS);
                } else {
                    double ratio = py.get(k) / pc.get(k);
                    ratios.computeIfAbsent(k, x -> new ArrayList<>()).add(ratio);
                    results.addRatio(k, "CPython / pyconc", "higher", ratio);
                    System.out.printf(Locale.ROOT, "  %-24s CPython %10.2f ms   pyconc %10.2f ms   pyconc %6.2fx faster%n",
                            k, py.get(k), pc.get(k), ratio);
                }
            }
            double pySpeedUp = py.get("cpu_1_workers_ms") / py.get("cpu_2_workers_ms");
            double pcSpeedUp = pc.get("cpu_1_workers_ms") / pc.get("cpu_2_workers_ms");
            ratios.computeIfAbsent("speed-up 2 workers / 1, CPython", x -> new ArrayList<>()).add(pySpeedUp);
            ratios.computeIfAbsent("speed-up 2 workers / 1, pyconc", x -> new ArrayList<>()).add(pcSpeedUp);
            results.addRatio("cpu_speed_up_2_workers", "CPython 1 worker / 2 workers", "higher", pySpeedUp);
            results.addRatio("cpu_speed_up_2_workers", "pyconc 1 worker / 2 workers", "higher", pcSpeedUp);
            System.out.printf(Locale.ROOT, "  speed-up of 2 workers over 1: CPython %.2fx, pyconc %.2fx%n", pySpeedUp, pcSpeedUp);
        }
        System.out.println("medians over " + rounds + " rounds:");
        ratios.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-34s %6.2fx%n", k, Results.median(v)));
        results.write();
    }

    private static Map<String, Double> python(String python, Path script, long prime) throws Exception {
        java.lang.Process p = new ProcessBuilder(python, script.toString(), Integer.toString(REPEATS), Long.toString(prime),
                Integer.toString(CPU_TASKS)).redirectErrorStream(true).start();
        Map<String, Double> out = new LinkedHashMap<>();
        List<String> lines = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                lines.add(line);
                String[] f = line.trim().split("\\s+");
                if (f.length >= 2) {
                    try {
                        out.put(f[0], Double.parseDouble(f[1]));
                    } catch (NumberFormatException notAFigure) {
                        // a line of a traceback
                    }
                }
            }
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException("python benchmark failed: " + String.join("\n", lines));
        }
        return out;
    }

    private static Map<String, Double> pyconc(long prime) {
        Map<String, Double> out = new LinkedHashMap<>();
        List<Integer> items = IntStream.range(0, TINY).boxed().toList();
        List<Integer> expected = items.stream().map(x -> 2 * x).toList();

        long t0 = System.nanoTime();
        Pool pool = new Pool(2);
        try {
            check(expected, pool.map(TINY_TASK, items));
            out.put("map_tiny_with_start_ms", (System.nanoTime() - t0) / 1e6);
            // warm-up: the workers' JIT compiles their loop after some hundred thousand items; then
            // pyconc runs at its steady state, which a long-lived pool sees (CPython has no JIT to warm)
            long warm = System.nanoTime() + 2_000_000_000L;
            for (int i = 0; i < 200 && System.nanoTime() - warm < 0; i++) {
                pool.map(TINY_TASK, items);
            }
            double[] times = new double[REPEATS];
            for (int i = 0; i < REPEATS; i++) {
                long t = System.nanoTime();
                List<Integer> r = pool.map(TINY_TASK, items);
                times[i] = (System.nanoTime() - t) / 1e6;
                check(expected, r);
            }
            out.put("map_tiny_ms", median(times));
        } finally {
            pool.terminate();
        }

        List<Long> work = java.util.Collections.nCopies(CPU_TASKS, prime);
        for (int workers = 1; workers <= 2; workers++) {
            Pool p = new Pool(workers);
            try {
                p.map(CPU_TASK, java.util.Collections.nCopies(4 * workers, prime), 1);   // warm the JIT
                double[] times = new double[REPEATS];
                for (int i = 0; i < times.length; i++) {
                    long t = System.nanoTime();
                    p.map(CPU_TASK, work, 1);
                    times[i] = (System.nanoTime() - t) / 1e6;
                }
                out.put("cpu_" + workers + "_workers_ms", median(times));
            } finally {
                p.terminate();
            }
        }
        return out;
    }

    /** The prime check of Python's concurrent.futures docs, by trial division. */
    static boolean isPrime(long n) {
        if (n < 2) {
            return false;
        }
        if (n % 2 == 0) {
            return n == 2;
        }
        long sqrt = (long) Math.floor(Math.sqrt(n));
        for (long i = 3; i <= sqrt; i += 2) {
            if (n % i == 0) {
                return false;
            }
        }
        return true;
    }

    private static void check(List<Integer> expected, List<Integer> got) {
        if (!expected.equals(got)) {
            throw new AssertionError("Pool.map returned wrong results");
        }
    }

    private static double median(double[] v) {
        double[] a = v.clone();
        java.util.Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }
}
