package dev.pyconc.examples.multiprocessing;

import java.util.ArrayList;
import java.util.List;

import dev.pyconc.multiprocessing.JoinableQueue;
import dev.pyconc.multiprocessing.Multiprocessing;
import dev.pyconc.multiprocessing.Process;
import dev.pyconc.multiprocessing.Queue;

/**
 * The worker pattern of the classic multiprocessing article: a {@link JoinableQueue} of tasks, a
 * {@link Queue} of results, one daemon worker process per CPU that takes tasks until it is
 * stopped, and {@code join()} on the task queue to wait until every task is done.
 *
 * <pre>
 * Python:  tasks = JoinableQueue(); results = Queue()
 *          workers = [Process(target=worker, args=(tasks, results), daemon=True) for _ in range(cpu_count())]
 *          for n in numbers: tasks.put(n)
 *          tasks.join()
 * </pre>
 */
public class WorkerQueuesExample {
    public static void main(String[] args) {
        JoinableQueue<Integer> tasks = new JoinableQueue<>();
        Queue<String> results = new Queue<>();
        int workers = Multiprocessing.cpuCount();
        List<Process> processes = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            Process p = Process.builder().name("worker-" + w).daemon(true).target(() -> {
                String me = Multiprocessing.currentProcess().name();
                for (;;) {
                    int n = tasks.get();
                    results.put(me + ": fib(" + n + ") = " + fib(n));
                    tasks.taskDone();
                }
            }).build();
            p.start();
            processes.add(p);
        }
        System.out.println("started " + workers + " daemon worker processes");
        int[] numbers = {20, 25, 18, 27, 22, 24, 26, 21};
        for (int n : numbers) {
            tasks.put(n);
        }
        tasks.join();
        System.out.println("tasks.join() returned: all " + numbers.length + " tasks are done");
        for (int i = 0; i < numbers.length; i++) {
            System.out.println("  " + results.get());
        }
        System.out.println("main ends: the daemon workers are terminated");
    }

    static long fib(int n) {
        return n < 2 ? n : fib(n - 1) + fib(n - 2);
    }
}
