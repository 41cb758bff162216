package dev.pyconc.examples.gil;

import dev.pyconc.gil.Gil;
import dev.pyconc.threading.Thread;

/**
 * The GIL experiment of David Beazley's talks: a CPU-bound fib in one thread, then the same work
 * twice in two threads, with the GIL off and with it on. On 2 cores, two threads take about the
 * same time as one with the GIL off (they run in parallel), and about twice as long with it on
 * (they take turns), as in CPython (2.01x there). Each figure is the median of five rounds that
 * alternate the three runs. On a virtual machine a lone busy thread may run at a higher clock
 * than two, which shrinks the one-thread time; the on/off ratio of two threads does not depend
 * on that.
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

    static long timeOneThread(int n) {
        long start = System.nanoTime();
        fib(n);
        return System.nanoTime() - start;
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 36;
        for (int i = 0; i < 3; i++) {          // warm up the JIT first
            fib(n - 4);
            timeTwoThreads(n - 4);
        }
        int rounds = 5;                        // the three runs alternate; each figure is the median of its rounds
        long[] one = new long[rounds], twoOff = new long[rounds], twoOn = new long[rounds];
        var before = Gil.stats();
        for (int r = 0; r < rounds; r++) {
            one[r] = timeOneThread(n);
            twoOff[r] = timeTwoThreads(n);
            Gil.enable();
            twoOn[r] = timeTwoThreads(n);
            Gil.disable();
        }
        var after = Gil.stats();
        double m1 = median(one), mOff = median(twoOff), mOn = median(twoOn);
        System.out.printf("fib(%d) in 1 thread:                     %6.1f ms (median of %d)%n", n, m1 / 1e6, rounds);
        System.out.printf("fib(%d) in 2 threads, GIL off:           %6.1f ms = %.2fx one thread%n", n, mOff / 1e6, mOff / m1);
        System.out.printf("fib(%d) in 2 threads, GIL on:            %6.1f ms = %.2fx one thread (CPython: 2.01x)%n", n, mOn / 1e6, mOn / m1);
        System.out.printf("two threads with the GIL on take %.2fx the time they take with it off%n", mOn / mOff);
        System.out.printf("GIL during the %d runs with it on: %d switches, %d drop requests, %d forced drops%n", rounds,
                after.switches() - before.switches(), after.dropRequests() - before.dropRequests(),
                after.forcedDrops() - before.forcedDrops());
    }

    private static double median(long[] values) {
        long[] v = values.clone();
        java.util.Arrays.sort(v);
        return v[v.length / 2];
    }
}
