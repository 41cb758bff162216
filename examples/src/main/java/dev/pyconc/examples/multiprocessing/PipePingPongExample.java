package dev.pyconc.examples.multiprocessing;

import dev.pyconc.multiprocessing.Connection;
import dev.pyconc.multiprocessing.Multiprocessing;
import dev.pyconc.multiprocessing.Process;
import dev.pyconc.builtins.EOFError;

/**
 * Ping-pong between two processes over a {@link Multiprocessing#pipe()}: the child receives one
 * end as an argument, answers each "ping" with "pong", and closes its end when told to stop,
 * which the parent sees as {@link EOFError}.
 *
 * <pre>
 * Python:  parent, child = Pipe()
 *          p = Process(target=pong, args=(child,)); p.start()
 *          parent.send("ping"); parent.recv()
 * </pre>
 */
public class PipePingPongExample {
    public static void main(String[] args) {
        var pipe = Multiprocessing.pipe();
        Connection parent = pipe.conn1();
        Connection child = pipe.conn2();
        Process p = new Process(() -> {
            try (child) {
                for (Object msg; !"stop".equals(msg = child.recv()); ) {
                    child.send("pong " + msg.toString().substring(5));
                }
            }
        }, "ponger");
        p.start();
        child.close();                 // the child has its own handle on that end
        long t0 = System.nanoTime();
        int rounds = 10_000;
        for (int i = 1; i <= rounds; i++) {
            parent.send("ping " + i);
            String answer = (String) parent.recv();
            if (i <= 3 || i == rounds) {
                System.out.println("  sent ping " + i + ", got " + answer);
            }
        }
        double us = (System.nanoTime() - t0) / 1e3 / rounds;
        System.out.printf("%d round trips, %.1f us each on average%n", rounds, us);
        parent.send("stop");
        try {
            parent.recv();
        } catch (EOFError e) {
            System.out.println("the child closed its end: EOFError (" + e.getMessage() + ")");
        }
        p.join();
        parent.close();
        System.out.println("child exit code " + p.exitCode());
    }
}
