package dev.pyconc.examples.multiprocessing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import dev.pyconc.multiprocessing.AsyncResult;
import dev.pyconc.multiprocessing.BrokenProcessPool;
import dev.pyconc.multiprocessing.Pool;
import dev.pyconc.multiprocessing.TimeoutError;

/**
 * The {@code Pool} example of Python's multiprocessing docs, with two worker processes (JVMs):
 * {@code map} in order, {@code imapUnordered} as results come, {@code applyAsync} with
 * {@code get(timeout)}, a {@code TimeoutError} from a worker that sleeps, then {@code terminate()},
 * which ends the sleeping worker at once and fails its task, as leaving Python's {@code with}
 * block does.
 *
 * <pre>
 * Python:  with Pool(processes=4) as pool:
 *              print(pool.map(f, range(10)))
 *              for i in pool.imap_unordered(f, range(10)): print(i)
 *              res = pool.apply_async(f, (20,)); print(res.get(timeout=1))
 * </pre>
 */
public class PoolExample {
    static int f(int x) {
        return x * x;
    }

    static long pid() {
        return ProcessHandle.current().pid();
    }

    public static void main(String[] args) {
        List<Integer> range10 = IntStream.range(0, 10).boxed().toList();
        Pool pool = new Pool(2);                          // start 2 worker processes
        try {
            System.out.println("map:            " + pool.map(PoolExample::f, range10));   // in order

            List<Integer> unordered = new ArrayList<>();
            for (int i : pool.imapUnordered(PoolExample::f, range10)) {                   // as they arrive
                unordered.add(i);
            }
            System.out.println("imapUnordered:  " + unordered);

            AsyncResult<Integer> res = pool.applyAsync(() -> f(20));                     // runs in one worker
            System.out.println("applyAsync:     " + res.get(Duration.ofSeconds(5)));

            System.out.println("this JVM:       pid " + pid());
            AsyncResult<Long> where = pool.applyAsync(PoolExample::pid);
            System.out.println("a worker:       pid " + where.get(Duration.ofSeconds(5)));
            List<AsyncResult<Long>> several = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                several.add(pool.applyAsync(PoolExample::pid));    // several calls may use several workers
            }
            List<Long> pids = new ArrayList<>();
            for (AsyncResult<Long> r : several) {
                pids.add(r.get(Duration.ofSeconds(5)));
            }
            System.out.println("four calls ran in: " + pids);

            AsyncResult<Object> sleeping = pool.applyAsync(() -> {       // make a single worker sleep for 10 s
                Thread.sleep(10_000);
                return null;
            });
            try {
                System.out.println(sleeping.get(Duration.ofSeconds(1)));
            } catch (TimeoutError e) {
                System.out.println("We lacked patience and got a multiprocessing.TimeoutError");
            }
            System.out.println("For the moment, the pool remains available for more work: " + pool.apply(() -> f(7)));

            pool.terminate();       // Python's with-block exit: the sleeping worker ends now
            try {
                sleeping.get();
            } catch (BrokenProcessPool e) {
                System.out.println("the sleeping task: " + e.getMessage());
            }
        } finally {
            pool.terminate();
        }
        pool.join();
        System.out.println("Now the pool is terminated and no longer available");
    }
}
