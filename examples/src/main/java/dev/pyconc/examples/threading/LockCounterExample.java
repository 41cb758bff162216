package dev.pyconc.examples.threading;

import java.util.ArrayList;
import java.util.List;

import dev.pyconc.threading.Lock;
import dev.pyconc.threading.Thread;

/**
 * 100 threads each add 1,000 to a shared counter under a {@link Lock}; without the lock, some
 * increments would be lost. Python:
 * <pre>
 * with lock:
 *     counter += 1
 * </pre>
 */
public class LockCounterExample {
    private static int counter;

    public static void main(String[] args) {
        var lock = new Lock();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            var t = new Thread(() -> {
                for (int j = 0; j < 1_000; j++) {
                    try (var _ = lock.enter()) {
                        counter++;
                    }
                }
            });
            threads.add(t);
            t.start();
        }
        for (var t : threads) {
            t.join();
        }
        System.out.println("100 threads x 1,000 increments under a Lock: counter = " + counter + " (expected 100000)");
        if (counter != 100_000) {
            throw new AssertionError("lost increments: " + counter);
        }
    }
}
