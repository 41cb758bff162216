"""CPython counterpart of PoolRounds: multiprocessing.Pool.map of many tiny tasks, and a CPU-bound
map (the prime check of the concurrent.futures docs) over one and over two workers, on pools
started with the spawn method.

Prints one line per measurement: "<name> <value> <unit>" (PoolRounds reads them). Bounded: a few
seconds in all.
Usage: python3 mp_pool.py [repeats] [prime] [cpu_tasks] [--json FILE]
"""
import math
import multiprocessing as mp
import statistics
import sys
import time

import benchjson

JSON = benchjson.take_json_option()     # before the arguments are read; spawned children see them without it
REPEATS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
PRIME = int(sys.argv[2]) if len(sys.argv) > 2 else 112_000_000_003     # about 10 ms a check here
CPU_TASKS = int(sys.argv[3]) if len(sys.argv) > 3 else 32
TINY = 100_000


def tiny(x):
    return x * 2


def is_prime(n):
    if n < 2:
        return False
    if n == 2:
        return True
    if n % 2 == 0:
        return False
    sqrt_n = int(math.floor(math.sqrt(n)))
    for i in range(3, sqrt_n + 1, 2):
        if n % i == 0:
            return False
    return True


def timed(fn):
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000.0


def main():
    mp.set_start_method("spawn")
    out = benchjson.Results("mp_pool", JSON)
    items = list(range(TINY))
    expected = [tiny(x) for x in items]

    # start-up included: Pool(2) created, then its first map of 100k tiny tasks
    t0 = time.perf_counter()
    pool = mp.Pool(2)
    assert pool.map(tiny, items) == expected
    with_start = (time.perf_counter() - t0) * 1000.0
    print("map_tiny_with_start_ms %.2f ms" % with_start)
    out.add("map_tiny_with_start_ms", with_start, "ms")

    # on the started pool: median of REPEATS maps
    times = []
    for _ in range(REPEATS):
        times.append(timed(lambda: pool.map(tiny, items)))
    print("map_tiny_ms %.2f ms" % statistics.median(times))
    out.add("map_tiny_ms", statistics.median(times), "ms")
    pool.terminate()
    pool.join()

    # CPU-bound: CPU_TASKS prime checks over 1 and over 2 workers (started and warmed)
    work = [PRIME] * CPU_TASKS
    for workers in (1, 2):
        with mp.Pool(workers) as p:
            p.map(is_prime, [PRIME] * (2 * workers), chunksize=1)
            times = [timed(lambda: p.map(is_prime, work, chunksize=1)) for _ in range(REPEATS)]
        print("cpu_%d_workers_ms %.2f ms" % (workers, statistics.median(times)))
        out.add("cpu_%d_workers_ms" % workers, statistics.median(times), "ms")
    out.write()


if __name__ == "__main__":
    main()
