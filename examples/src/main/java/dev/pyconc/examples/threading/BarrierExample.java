package dev.pyconc.examples.threading;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.pyconc.threading.Barrier;
import dev.pyconc.threading.Thread;

/**
 * Three workers meet at a {@link Barrier} after each of three phases; the barrier's action runs
 * once per phase, in one thread, before any worker goes on. Each worker gets a distinct arrival
 * index, 0 to 2.
 */
public class BarrierExample {
    public static void main(String[] args) {
        int[] phase = {0};
        var barrier = new Barrier(3, () -> System.out.println("-- all 3 workers finished phase " + phase[0]++ + " --"),
                Duration.ofSeconds(10));
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            String name = "worker-" + w;
            var t = new Thread(() -> {
                for (int p = 0; p < 3; p++) {
                    int index = barrier.await();
                    if (index == 0) {
                        System.out.println("  " + name + " arrived first-indexed (0) in this round");
                    }
                }
            }, name);
            workers.add(t);
            t.start();
        }
        for (var t : workers) {
            t.join();
        }
        System.out.println("phases completed: " + phase[0] + ", barrier broken: " + barrier.broken());
    }
}
