package dev.pyconc.examples.asyncio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.Queue;
import dev.pyconc.asyncio.Task;

/**
 * The Stackless "hackysack" benchmark: N players stand in a circle, each with a queue; the sack is
 * kicked to a random other player until K kicks were made, then everyone is told to go home. With
 * threads, each player is a pyconc {@link dev.pyconc.threading.Thread} on a
 * {@link dev.pyconc.queue.Queue}; with tasks, an asyncio task on an asyncio {@link Queue}.
 * benchmarks/python/hackysack.py is the same program for CPython.
 *
 * <pre>
 * java ... HackysackExample              # 1,000 threads then 100,000 tasks, 100,000 kicks
 * java ... HackysackExample tasks 100000 100000
 * </pre>
 *
 * It prints the time and the process's peak resident memory (VmHWM).
 */
public final class HackysackExample {
    private HackysackExample() {}

    private static final Object EXIT = new Object();
    private static final Object SACK = new Object();

    /** The players as asyncio tasks; returns the number of kicks made. */
    static long withTasks(int players, long kicks) {
        return Asyncio.run(() -> {
            List<Queue<Object>> circle = new ArrayList<>(players);
            for (int i = 0; i < players; i++) {
                circle.add(new Queue<>());
            }
            long[] count = {0};
            SplittableRandom random = new SplittableRandom(42);
            List<Task<Void>> tasks = new ArrayList<>(players);
            for (int i = 0; i < players; i++) {
                Queue<Object> mine = circle.get(i);
                tasks.add(Asyncio.createTask(() -> {
                    while (true) {
                        Object msg = mine.get();
                        if (msg == EXIT) {
                            return;
                        }
                        if (++count[0] >= kicks) {
                            for (Queue<Object> q : circle) {
                                q.putNowait(EXIT);
                            }
                            continue;
                        }
                        Queue<Object> to = mine;
                        while (to == mine) {
                            to = circle.get(random.nextInt(players));
                        }
                        to.put(SACK);
                    }
                }));
            }
            circle.getFirst().put(SACK);
            Asyncio.gather(tasks).await();
            return count[0];
        });
    }

    /** The players as threads on thread-safe queues; returns the number of kicks made. */
    static long withThreads(int players, long kicks) {
        List<dev.pyconc.queue.Queue<Object>> circle = new ArrayList<>(players);
        for (int i = 0; i < players; i++) {
            circle.add(new dev.pyconc.queue.Queue<>());
        }
        java.util.concurrent.atomic.AtomicLong count = new java.util.concurrent.atomic.AtomicLong();
        List<dev.pyconc.threading.Thread> threads = new ArrayList<>(players);
        for (int i = 0; i < players; i++) {
            dev.pyconc.queue.Queue<Object> mine = circle.get(i);
            threads.add(new dev.pyconc.threading.Thread(() -> {
                SplittableRandom random = new SplittableRandom(mine.hashCode());
                while (true) {
                    Object msg = mine.get();
                    if (msg == EXIT) {
                        return;
                    }
                    if (count.incrementAndGet() == kicks) {
                        for (var q : circle) {
                            q.put(EXIT);
                        }
                        continue;
                    }
                    if (count.get() > kicks) {
                        continue;
                    }
                    var to = mine;
                    while (to == mine) {
                        to = circle.get(random.nextInt(players));
                    }
                    to.put(SACK);
                }
            }, "hackysacker-" + i));
        }
        threads.forEach(dev.pyconc.threading.Thread::start);
        circle.getFirst().put(SACK);
        threads.forEach(dev.pyconc.threading.Thread::join);
        return Math.min(count.get(), kicks);
    }

    static long peakRssKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: no figure
        }
        return -1;
    }

    static void run(String mode, int players, long kicks) {
        long start = System.nanoTime();
        long made = mode.equals("threads") ? withThreads(players, kicks) : withTasks(players, kicks);
        double s = (System.nanoTime() - start) / 1e9;
        System.out.printf("hackysack %s: %,d players, %,d kicks in %.2f s, peak RSS %.0f MiB%n",
                mode, players, made, s, peakRssKiB() / 1024.0);
    }

    public static void main(String[] args) {
        if (args.length >= 1) {
            String mode = args[0];
            int players = args.length > 1 ? Integer.parseInt(args[1]) : (mode.equals("threads") ? 1_000 : 100_000);
            long kicks = args.length > 2 ? Long.parseLong(args[2]) : 100_000;
            run(mode, players, kicks);
            return;
        }
        run("threads", 1_000, 100_000);
        run("tasks", 100_000, 100_000);
    }
}
