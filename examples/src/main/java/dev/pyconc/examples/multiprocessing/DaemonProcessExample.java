package dev.pyconc.examples.multiprocessing;

import java.time.Duration;

import dev.pyconc.multiprocessing.Multiprocessing;
import dev.pyconc.multiprocessing.Process;

/**
 * A daemon {@link Process} next to an ordinary one, as in Python: the daemon (a heartbeat that
 * would run for ever) is terminated when the main program ends, while the main program's exit
 * waits for the ordinary worker, which it does not even join.
 */
public class DaemonProcessExample {
    public static void main(String[] args) {
        Process heartbeat = Process.builder()
                .name("heartbeat")
                .daemon(true)
                .target(() -> {
                    for (int beat = 1; ; beat++) {
                        System.out.println("  [" + Multiprocessing.currentProcess().name() + "] beat " + beat);
                        sleep(150);
                    }
                })
                .build();
        Process worker = new Process(() -> {
            Process me = Multiprocessing.currentProcess();
            sleep(400);
            long sum = 0;
            for (int i = 1; i <= 1_000_000; i++) {
                sum += i;
            }
            System.out.println("  [" + me.name() + "] sum of 1..1000000 = " + sum + " (pid " + me.pid()
                    + ", parent " + Multiprocessing.parentProcess().name() + ")");
        }, "worker");

        heartbeat.start();
        worker.start();
        System.out.println("started " + heartbeat + " and " + worker);
        heartbeat.join(Duration.ofMillis(500));
        System.out.println("after 0.5 s: heartbeat alive = " + heartbeat.isAlive()
                + ", active children = " + Multiprocessing.activeChildren().size());
        System.out.println("main ends without joining: the worker is waited for, the daemon terminated");
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
