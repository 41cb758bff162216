package dev.pyconc.examples.multiprocessing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.pyconc.futures.Future;
import dev.pyconc.futures.Futures;
import dev.pyconc.multiprocessing.ProcessPoolExecutor;

/**
 * The {@code ProcessPoolExecutor} example of Python's concurrent.futures docs (which numbers are
 * prime), with the results taken by {@link Futures#asCompleted} in the order the worker processes
 * finish them, not the order they were submitted. Each call runs in a worker JVM; the lambdas that
 * {@code submit} receives travel there by Java serialization with the number they capture.
 *
 * <pre>
 * Python:  with concurrent.futures.ProcessPoolExecutor() as executor:
 *              futures = {executor.submit(is_prime, n): n for n in PRIMES}
 *              for future in concurrent.futures.as_completed(futures):
 *                  print('%d is prime: %s' % (futures[future], future.result()))
 * </pre>
 */
public class ProcessPoolAsCompletedExample {
    static final List<Long> PRIMES = List.of(112272535095293L, 112582705942171L, 112272535095293L,
            115280095190773L, 115797848077099L, 1099726899285419L, 7L, 1_000_000_007L * 3);

    static boolean isPrime(long n) {
        if (n < 2) {
            return false;
        }
        if (n == 2) {
            return true;
        }
        if (n % 2 == 0) {
            return false;
        }
        long sqrt = (long) Math.floor(Math.sqrt(n));
        for (long i = 3; i <= sqrt; i += 2) {
            if (n % i == 0) {
                return false;
            }
        }
        return true;
    }

    public static void main(String[] args) {
        try (var executor = new ProcessPoolExecutor(2)) {
            Map<Future<String>, Long> futures = new LinkedHashMap<>();
            for (long n : PRIMES) {
                futures.put(executor.submit(() -> isPrime(n) + " (worker pid " + ProcessHandle.current().pid() + ")"), n);
            }
            System.out.println("submitted " + futures.size() + " numbers; results as they complete:");
            for (Future<String> f : Futures.asCompleted(futures.keySet())) {
                System.out.printf("  %d is prime: %s%n", futures.get(f), f.result());
            }
        }   // shutdown(wait=true): the workers exit
        System.out.println("executor shut down at the end of the try block");
    }
}
