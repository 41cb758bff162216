package dev.pyconc.examples.queue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import dev.pyconc.queue.Queue;
import dev.pyconc.threading.Thread;

/**
 * The worker pattern of Python's queue docs: a bounded {@link Queue} of jobs, three consumer
 * threads that call {@code taskDone()} for each job, a producer that {@code join()}s until every
 * job is done, then one sentinel ({@code null}, Python's None) per worker to stop them.
 */
public class ProducerConsumerExample {
    public static void main(String[] args) {
        var jobs = new Queue<Integer>(10);
        var total = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            var t = new Thread(() -> {
                int handled = 0;
                for (;;) {
                    Integer job = jobs.get();
                    if (job == null) {
                        jobs.taskDone();
                        break;
                    }
                    total.addAndGet(job);
                    handled++;
                    jobs.taskDone();
                }
                System.out.println("  " + dev.pyconc.threading.Threading.currentThread().name() + " handled " + handled + " jobs");
            }, "worker-" + w);
            workers.add(t);
            t.start();
        }
        for (int job = 1; job <= 1_000; job++) {
            jobs.put(job);
        }
        jobs.join();
        System.out.println("all 1000 jobs done (join returned); sum = " + total.get() + " (expected 500500)");
        for (int w = 0; w < workers.size(); w++) {
            jobs.put(null);
        }
        for (var t : workers) {
            t.join();
        }
        System.out.println("workers stopped by sentinels; queue empty: " + jobs.empty());
    }
}
