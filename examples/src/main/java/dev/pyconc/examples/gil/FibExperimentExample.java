package dev.pyconc.examples.gil;

import dev.pyconc.gil.Gil;
import dev.pyconc.threading.Thread;

/**
 * The GIL experiment of David Beazley's talks: a CPU-bound fib in one thread, then the same work
 * twice in two threads, with the GIL off and with it on. On 2 cores, two threads take about the
 * same time as one with the GIL off (they run in parallel), and about twice as long with it on
 * (they take turns), as in CPython (2.01x there).
 */
public class FibExperimentExample {
    static int fib(int n) {
        Gil.checkpoint();                      // where CPython's eval loop checks its eval breaker
        return n < 2 ? n : fib(n - 1) + fib(n - 2);
    }

    static long timeTwoThreads(int n) {
        long start = System.nanoTime();
        var other = new Thread(() -> fib(n), "fib-2");
        other.start();
        fib(n);
        other.join();
        return System.nanoTime() - start;
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 36;
        for (int i = 0; i < 3; i++) {          // warm up the JIT first
            fib(n - 4);
            timeTwoThreads(n - 4);
        }
        long start = System.nanoTime();
        fib(n);
        long one = System.nanoTime() - start;
        long twoOff = timeTwoThreads(n);
        Gil.enable();
        var before = Gil.stats();
        long twoOn = timeTwoThreads(n);
        var after = Gil.stats();
        Gil.disable();
        System.out.printf("fib(%d) in 1 thread:                     %6.1f ms%n", n, one / 1e6);
        System.out.printf("fib(%d) in 2 threads, GIL off:           %6.1f ms = %.2fx one thread%n", n, twoOff / 1e6, (double) twoOff / one);
        System.out.printf("fib(%d) in 2 threads, GIL on:            %6.1f ms = %.2fx one thread (CPython: 2.01x)%n", n, twoOn / 1e6, (double) twoOn / one);
        System.out.printf("GIL during the run: %d switches, %d drop requests, %d forced drops%n",
                after.switches() - before.switches(), after.dropRequests() - before.dropRequests(),
                after.forcedDrops() - before.forcedDrops());
    }
}
