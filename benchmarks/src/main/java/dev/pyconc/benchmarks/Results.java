package dev.pyconc.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The machine-readable output of the benchmarks that are programs of their own (the rounds
 * programs and the whole-process benchmarks), which {@code benchmarks/charts.py} reads beside
 * JMH's JSON output. Given {@code --json FILE} anywhere on its command line, a program writes its
 * figures to FILE when it ends; without it, it only prints them. The CPython scripts of
 * {@code benchmarks/python} write the same format ({@code benchmarks/python/benchjson.py}):
 *
 * <pre>
 * {"source": "PipeQueueRounds", "date": "2026-12-08T10:00:00Z",
 *  "machine": {"cpus": 2, "cpu": "...", "memory_kib": 24567348, "os": "Linux 6.8.0", "arch": "amd64"},
 *  "runtime": {"java": "25+36-LTS", "jvm_args": ["-Xmx1g"], "python": "3.11.7"},
 *  "load_average": ["1.02 0.95 0.80 2/300 1234", ...],
 *  "results": [
 *    {"name": "queue_int", "impl": "pyconc", "unit": "items/s", "value": 1.3E7, "rounds": [1.29E7, 1.3E7, 1.57E7]},
 *    {"name": "queue_int", "impl": "CPython", "unit": "items/s", "value": 2.1E5, "rounds": [...]}],
 *  "ratios": [
 *    {"name": "queue_int", "of": "pyconc / CPython", "better": "higher", "value": 60.1, "rounds": [...]}]}
 * </pre>
 *
 * A figure's {@code value} is the median of its {@code rounds} when it has rounds. Units are
 * {@code ns}, {@code us}, {@code ms} and {@code s} for a time per operation, {@code op/s},
 * {@code items/s} and {@code msg/s} for a rate, {@code B/s} and {@code GB/s} for bytes per
 * second, {@code MiB} for memory. A ratio is the median of the per-round ratios, as the programs
 * print it.
 */
public final class Results {
    /*
     * Overview. Figures are kept in the order they were first added, each with its rounds;
     * write() renders them by hand (no JSON library on the benchmarks' class path), and does
     * nothing when no --json option was given.
     */

    private final String source;
    private final Path file;                        // null: print only
    private final List<String> args;                // the command line without --json FILE
    private final Map<String, Figure> figures = new LinkedHashMap<>();
    private final Map<String, Figure> ratios = new LinkedHashMap<>();
    private final List<String> loads = new ArrayList<>();
    private String python;

    private record Figure(String name, String impl, String unit, List<Double> rounds) {}

    private Results(String source, Path file, List<String> args) {
        this.source = source;
        this.file = file;
        this.args = args;
    }

    /**
     * The results of program {@code source} run with {@code args}: takes {@code --json FILE} out
     * of them (see {@link #args()}).
     *
     * @throws IllegalArgumentException if {@code --json} is the last argument
     */
    public static Results fromArgs(String source, String[] args) {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        Path file = null;
        int i = rest.indexOf("--json");
        if (i >= 0) {
            if (i + 1 >= rest.size()) {
                throw new IllegalArgumentException("--json needs a file name");
            }
            file = Path.of(rest.get(i + 1));
            rest.subList(i, i + 2).clear();
        }
        return new Results(source, file, List.copyOf(rest));
    }

    /** The command line without {@code --json FILE}: the program's own positional arguments. */
    public String[] args() {
        return args.toArray(String[]::new);
    }

    /** The positional argument {@code i}, or {@code otherwise} when there are fewer. */
    public String arg(int i, String otherwise) {
        return i < args.size() ? args.get(i) : otherwise;
    }

    /** Adds one round's figure (or the only one) of {@code name} measured on {@code impl}. */
    public void add(String name, String impl, String unit, double value) {
        figures.computeIfAbsent(name + "\0" + impl, k -> new Figure(name, impl, unit, new ArrayList<>())).rounds().add(value);
    }

    /** Adds one round's ratio {@code of} (e.g. "pyconc / CPython") for {@code name}; {@code better}: "higher" or "lower". */
    public void addRatio(String name, String of, String better, double value) {
        ratios.computeIfAbsent(name + "\0" + of, k -> new Figure(name, of, better, new ArrayList<>())).rounds().add(value);
    }

    /** Records the load average as a round starts, from /proc/loadavg; returns it. */
    public String recordLoad() {
        try {
            String load = Files.readString(Path.of("/proc/loadavg")).trim();
            loads.add(load);
            return load;
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Notes the version of the CPython the program compared with. */
    public void python(String version) {
        this.python = version;
    }

    /** The version of {@code python} ({@code sys.version}'s first word), or "unknown". */
    public static String pythonVersion(String python) {
        try {
            Process p = new ProcessBuilder(python, "-c", "import sys; print(sys.version.split()[0])")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor() == 0 ? out : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    /** The median of {@code values}. */
    public static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** Writes the figures to the {@code --json} file, if one was given, and says so. */
    public void write() {
        if (file == null) {
            return;
        }
        StringBuilder b = new StringBuilder();
        b.append("{\"source\": ").append(str(source));
        b.append(",\n \"date\": ").append(str(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()));
        b.append(",\n \"machine\": {\"cpus\": ").append(Runtime.getRuntime().availableProcessors());
        b.append(", \"cpu\": ").append(str(cpuModel()));
        b.append(", \"memory_kib\": ").append(memoryKib());
        b.append(", \"os\": ").append(str(System.getProperty("os.name") + " " + System.getProperty("os.version")));
        b.append(", \"arch\": ").append(str(System.getProperty("os.arch"))).append('}');
        b.append(",\n \"runtime\": {\"java\": ").append(str(System.getProperty("java.runtime.version")));
        b.append(", \"jvm_args\": [");
        List<String> jvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (int i = 0; i < jvmArgs.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(str(jvmArgs.get(i)));
        }
        b.append(']');
        if (python != null) {
            b.append(", \"python\": ").append(str(python));
        }
        b.append('}');
        b.append(",\n \"load_average\": [");
        for (int i = 0; i < loads.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(str(loads.get(i)));
        }
        b.append(']');
        b.append(",\n \"results\": [");
        String sep = "\n  ";
        for (Figure f : figures.values()) {
            b.append(sep).append("{\"name\": ").append(str(f.name())).append(", \"impl\": ").append(str(f.impl()))
                    .append(", \"unit\": ").append(str(f.unit()));
            values(b, f.rounds());
            sep = ",\n  ";
        }
        b.append("]");
        b.append(",\n \"ratios\": [");
        sep = "\n  ";
        for (Figure r : ratios.values()) {
            b.append(sep).append("{\"name\": ").append(str(r.name())).append(", \"of\": ").append(str(r.impl()))
                    .append(", \"better\": ").append(str(r.unit()));
            values(b, r.rounds());
            sep = ",\n  ";
        }
        b.append("]}\n");
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        System.out.println("results written to " + file);
    }

    private static void values(StringBuilder b, List<Double> rounds) {
        b.append(", \"value\": ").append(num(median(rounds)));
        if (rounds.size() > 1) {
            b.append(", \"rounds\": [");
            for (int i = 0; i < rounds.size(); i++) {
                b.append(i == 0 ? "" : ", ").append(num(rounds.get(i)));
            }
            b.append(']');
        }
        b.append('}');
    }

    private static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "null";
        }
        return String.format(Locale.ROOT, "%.6g", v).replaceFirst("(\\.\\d*?)0+($|e)", "$1$2").replaceFirst("\\.($|e)", "$1");
    }

    private static String str(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: unknown
        }
        return "unknown";
    }

    private static long memoryKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: unknown
        }
        return -1;
    }
}
