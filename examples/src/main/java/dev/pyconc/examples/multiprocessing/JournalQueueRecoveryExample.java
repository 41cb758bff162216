package dev.pyconc.examples.multiprocessing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

import dev.pyconc.multiprocessing.JournalQueue;
import dev.pyconc.queue.Empty;

/**
 * A {@link JournalQueue} read after its writer was killed and restarted: a writer process puts
 * items and prints the number of each one {@code put} returned for; it is killed with kill -9
 * while it writes; a second writer process continues; then two consumer groups read the journal
 * and find every acknowledged item exactly once.
 */
public class JournalQueueRecoveryExample {
    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.log.net.openhft", "warn");   // Chronicle's start-up notes
        if (args.length == 3 && args[0].equals("writer")) {
            writer(Path.of(args[1]), Integer.parseInt(args[2]));
            return;
        }
        Path dir = Files.createTempDirectory("journal-example");
        try {
            // 1. A writer that would run forever, killed with kill -9 after 2,000 acknowledgements.
            Process first = startWriter(dir, 1);
            List<Long> acked = new ArrayList<>();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(first.getInputStream()))) {
                while (acked.size() < 2_000) {
                    acked.add(Long.parseLong(out.readLine()));
                }
                Runtime.getRuntime().exec(new String[] {"kill", "-9", Long.toString(first.pid())}).waitFor();
                first.waitFor();
                for (String line; (line = out.readLine()) != null; ) {    // what it printed before it died
                    acked.add(Long.parseLong(line));
                }
            }
            System.out.println("writer 1 (pid " + first.pid() + ") killed with kill -9 after acknowledging "
                    + acked.size() + " items; exit code " + first.exitValue());

            // 2. A new writer process appends 500 more and exits normally.
            Process second = startWriter(dir, 2);
            second.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            System.out.println("writer 2 (pid " + second.pid() + ") appended 500 items; exit code " + second.waitFor());

            // 3. Two consumer groups each read the whole journal.
            for (String group : List.of("billing", "audit")) {
                try (JournalQueue<String> q = JournalQueue.open(dir, group)) {
                    TreeSet<Long> run1 = new TreeSet<>();
                    int run2 = 0;
                    int total = 0;
                    try {
                        for (;;) {
                            String item = q.getNowait();
                            total++;
                            if (item.startsWith("1:")) {
                                run1.add(Long.parseLong(item.substring(2)));
                            } else {
                                run2++;
                            }
                        }
                    } catch (Empty drained) {
                        // the group has read everything
                    }
                    boolean allAcked = run1.containsAll(acked);
                    System.out.printf("group %-7s read %d items: %d from writer 1 (every acknowledged one: %s, "
                            + "duplicates: %d), %d from writer 2%n", group, total, run1.size(), allAcked,
                            total - run2 - run1.size(), run2);
                }
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The writer process: puts "run:n" items, printing n after each put returned. */
    static void writer(Path dir, int run) {
        try (JournalQueue<String> q = JournalQueue.open(dir)) {
            long count = run == 1 ? Long.MAX_VALUE : 500;
            for (long n = 0; n < count; n++) {
                q.put(run + ":" + n);
                System.out.println(n);
                System.out.flush();
            }
        }
    }

    private static Process startWriter(Path dir, int run) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());   // incl. Chronicle's flags
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                JournalQueueRecoveryExample.class.getName(), "writer", dir.toString(), Integer.toString(run)));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }
}
