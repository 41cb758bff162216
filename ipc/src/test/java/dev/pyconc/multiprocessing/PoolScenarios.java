package dev.pyconc.multiprocessing;

import java.util.List;

/**
 * A parent JVM for the pool tests that need one other than the test JVM: runs the scenario named
 * by its first argument and reports on its standard output in lines "key=value".
 */
public final class PoolScenarios {
    private PoolScenarios() {}

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "pool-exit" -> poolExit(args[1].equals("System.exit"));
            case "executor-exit" -> executorExit();
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    /** A pool of two workers, one blocked in a task; then main returns, or System.exit(5). */
    private static void poolExit(boolean systemExit) {
        Pool pool = new Pool(2);
        pool.map(x -> x, List.of(1, 2, 3, 4), 1);
        pool.applyAsync(() -> {
            Thread.sleep(Long.MAX_VALUE);       // blocked (no shared primitive: this JVM leaves no segment)
            return null;
        });
        printWorkers();
        if (systemExit) {
            System.exit(5);
        }
    }

    /**
     * An executor of two workers given four calls that each print "done i" from the worker, then
     * main returns without shutdown(): the exit waits for the calls, as Python's does.
     */
    private static void executorExit() {
        ProcessPoolExecutor executor = new ProcessPoolExecutor(2);
        for (int i = 0; i < 4; i++) {
            int n = i;
            executor.submit(() -> {
                Thread.sleep(200);
                System.out.println("done " + n);
                System.out.flush();
                return n;
            });
        }
        printWorkers();
    }

    /** The pids of this JVM's child processes: the pool's workers. */
    private static void printWorkers() {
        for (Process p : Multiprocessing.activeChildren()) {
            System.out.println("worker=" + p.pid());
        }
        System.out.flush();
    }
}
