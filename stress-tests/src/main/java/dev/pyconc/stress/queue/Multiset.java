package dev.pyconc.stress.queue;

import java.util.function.IntSupplier;
import java.util.function.Supplier;

import org.openjdk.jcstress.infra.results.II_Result;

import dev.pyconc.queue.Empty;

/**
 * The multiset check of the queue tests: counts how often the items 1 and 2 came out of a queue
 * (0 stands for "nothing"). Actors add what they got; the arbiter drains the rest and reports the
 * two counts, which must both be 1.
 */
final class Multiset {
    private final int[] counts = new int[3];   // index 0: nothing; 1 and 2: the items; guarded by this

    /** The item {@code get} returns, or 0 if it throws Empty. */
    static int poll(Supplier<Integer> get) {
        try {
            Integer item = get.get();
            return item == null ? -1 : item;
        } catch (Empty e) {
            return 0;
        }
    }

    synchronized void add(int item) {
        if (item >= 0 && item <= 2) {
            counts[item]++;
        } else {
            counts[0] += 1_000;     // an item nobody put: makes the outcome forbidden
        }
    }

    /** Drains what is left, checking that qsize agrees with what was drained. */
    synchronized void drain(Supplier<Integer> get, IntSupplier qsize) {
        int left = qsize.getAsInt();
        int drained = 0;
        for (int item; (item = poll(get)) != 0; drained++) {
            add(item);
        }
        if (drained != left) {
            counts[1] += 100;       // qsize disagreed with the contents
        }
    }

    synchronized void report(II_Result r) {
        r.r1 = counts[1];
        r.r2 = counts[2];
    }
}
