package dev.pyconc.examples.multiprocessing;

import java.util.ArrayList;
import java.util.List;

import dev.pyconc.multiprocessing.Lock;
import dev.pyconc.multiprocessing.Process;
import dev.pyconc.multiprocessing.Value;

/**
 * Four processes (child JVMs) each add 10,000 to a counter in shared memory: once guarded by a
 * cross-process {@link Lock}, which gives exactly 40,000, and once without it, which loses
 * updates. Python:
 * <pre>
 * def work(lock, counter):
 *     for _ in range(10_000):
 *         with lock:
 *             counter.value += 1
 * </pre>
 */
public final class LockCounterProcessesExample {
    private LockCounterProcessesExample() {}

    static int count(boolean locked) {
        var lock = new Lock();
        var counter = Value.ofInt(0, false);       // a raw shared int: Value('i', 0, lock=False)
        List<Process> workers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            var p = new Process(() -> {
                for (int n = 0; n < 10_000; n++) {
                    if (locked) {
                        try (var _ = lock.enter()) {
                            counter.set(counter.get() + 1);
                        }
                    } else {
                        counter.set(counter.get() + 1);
                    }
                }
            });
            workers.add(p);
            p.start();
        }
        for (var p : workers) {
            p.join();
        }
        return counter.get();
    }

    public static void main(String[] args) {
        int withLock = count(true);
        System.out.println("4 processes x 10,000 increments with a cross-process Lock: " + withLock + " (expected 40000)");
        int without = count(false);
        System.out.println("the same without the lock: " + without + " (updates lost: " + (40_000 - without) + ")");
        if (withLock != 40_000) {
            throw new AssertionError("the lock lost updates: " + withLock);
        }
    }
}
