package dev.pyconc.examples;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs every example program of this module, each in a JVM of its own with the same class path
 * and flags, in the order of Python's docs: threading, queue, concurrent.futures, the GIL,
 * multiprocessing, asyncio. Each example prints what it shows; the tour stops with exit code 1
 * if one fails. Arguments, if any, select areas or examples by substring.
 *
 * <pre>
 * mvn -B -q install -DskipTests -Ptour
 * java -cp ... dev.pyconc.examples.Tour threading asyncio
 * </pre>
 */
public final class Tour {
    private static final List<String> AREAS = List.of("threading", "queue", "futures", "gil", "multiprocessing", "asyncio");
    private static final long TIME_LIMIT_SECONDS = 180;

    private Tour() {}

    public static void main(String[] args) throws Exception {
        List<String> examples = discover();
        if (args.length > 0) {
            examples = examples.stream().filter(e -> Stream.of(args).anyMatch(e::contains)).toList();
        }
        List<String> failed = new ArrayList<>();
        long start = System.nanoTime();
        for (String example : examples) {
            String shortName = example.substring("dev.pyconc.examples.".length());
            System.out.println();
            System.out.println("=== " + shortName + " ===");
            System.out.flush();
            long t0 = System.nanoTime();
            int exit = run(example);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            if (exit != 0) {
                failed.add(shortName);
                System.out.println("=== " + shortName + " FAILED with exit code " + exit + " ===");
            } else {
                System.out.println("--- " + shortName + " done in " + millis + " ms");
            }
        }
        System.out.println();
        System.out.printf("Tour: %d examples in %.1f s, %d failed%s%n", examples.size(),
                (System.nanoTime() - start) / 1e9, failed.size(), failed.isEmpty() ? "" : ": " + failed);
        if (!failed.isEmpty()) {
            System.exit(1);
        }
    }

    /** The example classes, named {@code *Example}, ordered by area as in Python's docs, then by name. */
    static List<String> discover() throws IOException, URISyntaxException {
        Path root = Path.of(Tour.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> found = new ArrayList<>();
        if (Files.isDirectory(root)) {
            collect(root, found);
        } else {
            try (FileSystem jar = FileSystems.newFileSystem(root)) {
                collect(jar.getPath("/"), found);
            }
        }
        found.sort(Comparator.comparingInt(Tour::areaRank).thenComparing(Comparator.naturalOrder()));
        return found;
    }

    private static void collect(Path root, List<String> found) throws IOException {
        Path base = root.resolve("dev/pyconc/examples");
        try (Stream<Path> files = Files.walk(base)) {
            files.map(p -> root.relativize(p).toString())
                    .filter(name -> name.endsWith("Example.class") && !name.contains("$"))
                    .map(name -> name.substring(0, name.length() - ".class".length()).replace('/', '.').replace('\\', '.'))
                    .forEach(found::add);
        }
    }

    private static int areaRank(String className) {
        String area = className.substring("dev.pyconc.examples.".length()).split("\\.")[0];
        int rank = AREAS.indexOf(area);
        return rank < 0 ? AREAS.size() : rank;
    }

    private static int run(String className) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(className);
        Process process = new ProcessBuilder(command).inheritIO().start();
        if (!process.waitFor(TIME_LIMIT_SECONDS, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
            System.out.println("(stopped after " + TIME_LIMIT_SECONDS + " s)");
            return -1;
        }
        return process.exitValue();
    }
}
