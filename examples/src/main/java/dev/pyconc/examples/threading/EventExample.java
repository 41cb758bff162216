package dev.pyconc.examples.threading;

import java.util.ArrayList;
import java.util.List;

import dev.pyconc.threading.Event;
import dev.pyconc.threading.Lock;
import dev.pyconc.threading.Thread;

/**
 * An {@link Event} as a start signal: five workers get ready and wait; the main thread sets the
 * event once all are ready, and they all start at once.
 */
public class EventExample {
    public static void main(String[] args) {
        var go = new Event();
        var printLock = new Lock();
        var ready = new dev.pyconc.threading.Semaphore(0);
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int id = i;
            var t = new Thread(() -> {
                ready.release();
                go.await();
                try (var _ = printLock.enter()) {
                    System.out.println("  worker " + id + " started after the signal");
                }
            });
            workers.add(t);
            t.start();
        }
        for (int i = 0; i < 5; i++) {
            ready.acquire();
        }
        System.out.println("all 5 workers wait on the event; go.isSet() = " + go.isSet() + "; setting it");
        go.set();
        for (var t : workers) {
            t.join();
        }
        System.out.println("all workers done");
    }
}
