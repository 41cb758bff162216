package dev.pyconc.benchmarks.multiprocessing;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.pyconc.benchmarks.Results;
import dev.pyconc.multiprocessing.Multiprocessing;
import dev.pyconc.multiprocessing.Process;

/**
 * A bounded whole-process benchmark of start+join of a no-op {@link Process}, in rounds that
 * alternate with CPython (benchmarks/python/process_start.py) in the same run, so that each ratio
 * is taken under the same load of a shared machine: per round, CPython spawn, pyconc spawn,
 * CPython forkserver, pyconc forkserver with its spare ready. Prints each round's medians and
 * ratios, then the median ratio over the rounds; then the CPU time (user + system, parent and
 * children) that one start+join costs, which a loaded machine disturbs less than the elapsed time.
 * With {@code --json FILE}, the figures of every round and the ratios are written there too
 * ({@link Results}).
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar \
 *      dev.pyconc.benchmarks.multiprocessing.ProcessStartRounds [rounds] [python3] [--json FILE]
 * </pre>
 */
public final class ProcessStartRounds {
    private static final Pattern MEDIAN = Pattern.compile("^(\\S+)\\s+n=\\s*\\d+\\s+median\\s+([0-9.]+) ms");

    private ProcessStartRounds() {}

    public static void main(String[] args) throws Exception {
        Results results = Results.fromArgs("ProcessStartRounds", args);
        int rounds = Integer.parseInt(results.arg(0, "5"));
        String python = results.arg(1, "python3");
        Path script = Path.of("benchmarks", "python", "process_start.py");
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException("run from the repository root: " + script + " not found");
        }
        results.python(Results.pythonVersion(python));
        warmUp();
        List<Double> spawnRatios = new ArrayList<>();
        List<Double> forkserverRatios = new ArrayList<>();
        System.out.println("round  load  | CPython spawn  pyconc spawn  ratio | CPython forkserver  pyconc forkserver (ready)  ratio");
        for (int r = 1; r <= rounds; r++) {
            String load = results.recordLoad().split(" ")[0];
            double pySpawn = python(python, script, "spawn");
            double spawn = pyconc("spawn", 15, 0);
            double pyForkserver = python(python, script, "forkserver");
            double forkserver = pyconc("forkserver", 10, 400);
            spawnRatios.add(spawn / pySpawn);
            forkserverRatios.add(forkserver / pyForkserver);
            results.add("spawn", "pyconc", "ms", spawn);
            results.add("spawn", "CPython", "ms", pySpawn);
            results.add("forkserver_ready", "pyconc", "ms", forkserver);
            results.add("forkserver_ready", "CPython", "ms", pyForkserver);
            results.addRatio("spawn", "pyconc / CPython", "lower", spawn / pySpawn);
            results.addRatio("forkserver_ready", "pyconc / CPython", "lower", forkserver / pyForkserver);
            System.out.printf(Locale.ROOT, "%5d  %5s | %10.1f ms  %9.1f ms  %5.2fx | %15.1f ms  %20.1f ms  %10.2fx%n",
                    r, load, pySpawn, spawn, spawn / pySpawn, pyForkserver, forkserver, forkserver / pyForkserver);
        }
        System.out.printf(Locale.ROOT, "median ratio over %d rounds: spawn %.2fx CPython spawn, forkserver (ready) %.2fx CPython forkserver%n",
                rounds, Results.median(spawnRatios), Results.median(forkserverRatios));
        double pyconcCpu = pyconcCpuMillis(30);
        double pythonCpu = pythonCpuMillis(python, script, 30);
        System.out.printf(Locale.ROOT, "CPU time per start+join (parent and child, user+system, 30 runs): pyconc spawn %.0f ms,"
                + " CPython spawn %.0f ms: %.2fx%n", pyconcCpu, pythonCpu, pyconcCpu / pythonCpu);
        results.add("cpu_per_spawn", "pyconc", "ms", pyconcCpu);
        results.add("cpu_per_spawn", "CPython", "ms", pythonCpu);
        results.addRatio("cpu_per_spawn", "pyconc / CPython", "lower", pyconcCpu / pythonCpu);
        Multiprocessing.setStartMethod("spawn", true);
        results.write();
    }

    /** A few processes, then 8 s for a first training of the AOT cache of child JVMs (on a new machine or after a rebuild). */
    private static void warmUp() throws InterruptedException {
        Multiprocessing.setStartMethod("spawn", true);
        for (int i = 0; i < 3; i++) {
            startJoin();
        }
        Thread.sleep(8_000);
        startJoin();
    }

    /** The median start+join time in ms of {@code n} no-op processes under {@code method}, pausing {@code pauseMillis} before each. */
    private static double pyconc(String method, int n, long pauseMillis) throws InterruptedException {
        Multiprocessing.setStartMethod(method, true);
        if (method.equals("forkserver")) {
            startJoin();                    // launches the first spare
        }
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            if (pauseMillis > 0) {
                Thread.sleep(pauseMillis);
            }
            long t0 = System.nanoTime();
            startJoin();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Multiprocessing.setStartMethod("spawn", true);
        Arrays.sort(ms);
        return n % 2 == 1 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
    }

    private static void startJoin() {
        Process p = new Process(() -> {});
        p.start();
        p.join();
        if (p.exitCode() == null || p.exitCode() != 0) {
            throw new IllegalStateException("no-op process ended with " + p.exitCode());
        }
    }

    /** CPython's median start+join time in ms under {@code method}, measured for 3 s. */
    private static double python(String python, Path script, String method) throws Exception {
        java.lang.Process p = new ProcessBuilder(python, script.toString(), "3", method).redirectErrorStream(true).start();
        String line;
        double median = Double.NaN;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            while ((line = out.readLine()) != null) {
                Matcher m = MEDIAN.matcher(line);
                if (m.find() && m.group(1).equals(method)) {
                    median = Double.parseDouble(m.group(2));
                }
            }
        }
        if (p.waitFor() != 0 || Double.isNaN(median)) {
            throw new IllegalStateException(python + " " + script + " failed with exit code " + p.exitValue());
        }
        return median;
    }

    /** CPU time (user + system) of this JVM and of its ended children, in ms, from /proc/self/stat. */
    private static double cpuMillis() throws java.io.IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        return ticks * 10.0;        // USER_HZ is 100 on Linux
    }

    private static double pyconcCpuMillis(int n) throws java.io.IOException {
        Multiprocessing.setStartMethod("spawn", true);
        startJoin();
        double before = cpuMillis();
        for (int i = 0; i < n; i++) {
            startJoin();
        }
        return (cpuMillis() - before) / n;
    }

    private static double pythonCpuMillis(String python, Path script, int n) throws Exception {
        double before = cpuMillis();
        runPython(python, script, "n=0");
        double baseline = cpuMillis() - before;
        before = cpuMillis();
        runPython(python, script, "n=" + n);
        return (cpuMillis() - before - baseline) / n;
    }

    private static void runPython(String python, Path script, String count) throws Exception {
        java.lang.Process p = new ProcessBuilder(python, script.toString(), count, "spawn").inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(python + " " + script + " failed with exit code " + p.exitValue());
        }
    }
}
