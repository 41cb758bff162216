package dev.pyconc.examples.multiprocessing;

import java.util.ArrayList;
import java.util.List;

import dev.pyconc.multiprocessing.Event;
import dev.pyconc.multiprocessing.Multiprocessing;
import dev.pyconc.multiprocessing.Process;
import dev.pyconc.multiprocessing.Semaphore;

/**
 * A cross-process {@link Event} as a start signal: three worker processes report that they are
 * ready, then wait on the event; the parent sets it once all are ready and they all go.
 */
public final class EventProcessesExample {
    private EventProcessesExample() {}

    public static void main(String[] args) {
        var go = new Event();
        var ready = new Semaphore(0);
        List<Process> workers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            var p = new Process(() -> {
                String me = Multiprocessing.currentProcess().name();
                ready.release();
                go.await();
                System.out.println("  " + me + " (pid " + ProcessHandle.current().pid() + ") started after the signal");
            }, "worker-" + i);
            workers.add(p);
            p.start();
        }
        for (int i = 0; i < 3; i++) {
            ready.acquire();
        }
        System.out.println("3 worker processes are ready and wait on the event; setting it");
        go.set();
        for (var p : workers) {
            p.join();
            System.out.println(p.name() + " exit code " + p.exitCode());
        }
    }
}
