package org.example.consumer;

import java.util.List;

import dev.pyconc.futures.ThreadPoolExecutor;
import dev.pyconc.queue.Queue;
import dev.pyconc.threading.Lock;
import dev.pyconc.threading.Thread;

/** Uses pyconc-core as a separate application would, and checks what it gets. */
public class Main {
    private static int counter;

    public static void main(String[] args) {
        var lock = new Lock();
        var threads = new java.util.ArrayList<Thread>();
        for (int i = 0; i < 4; i++) {
            var t = new Thread(() -> {
                for (int j = 0; j < 10_000; j++) {
                    try (var _ = lock.enter()) {
                        counter++;
                    }
                }
            });
            threads.add(t);
            t.start();
        }
        threads.forEach(Thread::join);

        var q = new Queue<String>();
        q.put("hello");
        String got = q.get();

        int sum = 0;
        try (var pool = new ThreadPoolExecutor(2)) {
            for (int n : pool.map(String::length, List.of("py", "conc"))) {
                sum += n;
            }
        }
        System.out.println("consumer-app: counter=" + counter + " queue=" + got + " map-sum=" + sum);
        if (counter != 40_000 || !"hello".equals(got) || sum != 6) {
            System.exit(1);
        }
    }
}
