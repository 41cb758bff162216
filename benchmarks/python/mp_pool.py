"""CPython counterpart of PoolRounds: multiprocessing.Pool.map of many tiny tasks, and a CPU-bound
map over one and over two workers, on pools started with the spawn method.

Prints one line per measurement: "<name> <value> <unit>". Bounded: a few seconds in all.
Usage: python3 mp_pool.py [repeats] [fib_n] [fib_tasks]
"""
import multiprocessing as mp
import statistics
import sys
import time

REPEATS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
FIB_N = int(sys.argv[2]) if len(sys.argv) > 2 else 24
FIB_TASKS = int(sys.argv[3]) if len(sys.argv) > 3 else 32
TINY = 100_000


def tiny(x):
    return x * 2


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def timed(fn):
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000.0


def main():
    mp.set_start_method("spawn")
    items = list(range(TINY))
    expected = [tiny(x) for x in items]

    # start-up included: Pool(2) created, then its first map of 100k tiny tasks
    t0 = time.perf_counter()
    pool = mp.Pool(2)
    assert pool.map(tiny, items) == expected
    print("map_tiny_with_start_ms %.2f ms" % ((time.perf_counter() - t0) * 1000.0))

    # on the started pool: median of REPEATS maps
    times = []
    for _ in range(REPEATS):
        times.append(timed(lambda: pool.map(tiny, items)))
    print("map_tiny_ms %.2f ms" % statistics.median(times))
    pool.terminate()
    pool.join()

    # CPU-bound: FIB_TASKS x fib(FIB_N) over 1 and over 2 workers (started and warmed)
    work = [FIB_N] * FIB_TASKS
    for workers in (1, 2):
        with mp.Pool(workers) as p:
            p.map(fib, [FIB_N - 4] * 4, chunksize=1)
            times = [timed(lambda: p.map(fib, work, chunksize=1)) for _ in range(REPEATS)]
        print("fib_%d_workers_ms %.2f ms" % (workers, statistics.median(times)))


if __name__ == "__main__":
    main()
