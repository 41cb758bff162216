package dev.pyconc.examples.multiprocessing;

import java.util.List;

import dev.pyconc.multiprocessing.Multiprocessing;
import dev.pyconc.multiprocessing.Process;
import dev.pyconc.multiprocessing.SerializableRunnable;

/**
 * Python docs' first {@code multiprocessing} example: a target with its arguments runs in another
 * process (here a JVM), which reports its name, its pid and its parent's; then the exit codes a
 * parent sees: 0, 1 for an exception (whose stack trace the child prints), n for
 * {@code System.exit(n)}, -9 for {@code kill()}.
 */
public class ProcessExample {
    static void info(String title) {
        Process me = Multiprocessing.currentProcess();
        Process parent = Multiprocessing.parentProcess();
        System.out.println("  " + title + ": process " + me.name() + ", pid " + me.pid()
                + ", parent " + (parent == null ? "none" : parent.name() + " (pid " + parent.pid() + ")"));
    }

    static void greet(String name) {
        info("function greet");
        System.out.println("  hello " + name);
    }

    public static void main(String[] args) {
        info("main line");
        String name = "bob";
        Process p = new Process(() -> greet(name));      // the lambda captures its argument
        p.start();
        p.join();
        System.out.println("exit code " + p.exitCode());

        List<SerializableRunnable> targets = List.of(
                () -> {},
                () -> {
                    throw new IllegalStateException("this exception is expected: its stack trace goes to stderr");
                },
                () -> System.exit(3),
                () -> sleepForever());
        for (int i = 0; i < targets.size(); i++) {
            Process q = new Process(targets.get(i));
            q.start();
            if (i == targets.size() - 1) {
                q.kill();
            }
            q.join();
            System.out.println(q + " -> exit code " + q.exitCode());
        }
    }

    static void sleepForever() {
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
