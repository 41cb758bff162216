package dev.pyconc.examples.threading;

import java.util.ArrayDeque;
import java.util.Deque;

import dev.pyconc.threading.Condition;
import dev.pyconc.threading.Thread;

/**
 * The producer/consumer of Python's threading docs, on a {@link Condition}: the consumer waits
 * until an item is available ({@code cv.wait_for(an_item_is_available)}), the producer adds one
 * and notifies.
 */
public class ConditionExample {
    public static void main(String[] args) {
        var cv = new Condition();
        Deque<Integer> items = new ArrayDeque<>();
        int[] consumed = new int[1];
        var consumer = new Thread(() -> {
            for (int i = 0; i < 5; i++) {
                int item;
                try (var _ = cv.enter()) {
                    cv.waitFor(() -> !items.isEmpty());
                    item = items.removeFirst();
                }
                System.out.println("  consumed " + item);
                consumed[0] += item;
            }
        }, "consumer");
        consumer.start();
        for (int i = 1; i <= 5; i++) {
            try (var _ = cv.enter()) {
                items.addLast(i * 10);
                System.out.println("produced " + i * 10);
                cv.signal();
            }
        }
        consumer.join();
        System.out.println("sum consumed = " + consumed[0] + " (expected 150)");
    }
}
