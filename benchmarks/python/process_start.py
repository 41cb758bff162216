"""Start+join of a no-op multiprocessing.Process under each start method (CPython side of
dev.pyconc.benchmarks.multiprocessing.ProcessBenchmark and ProcessStartRounds).

    python3 benchmarks/python/process_start.py [seconds-per-method] [method ...] [--json FILE]
    python3 benchmarks/python/process_start.py n=COUNT method    # exactly COUNT runs, no warm-up

Prints one line per method: name, number of runs, median, mean and p90 in milliseconds
(ProcessStartRounds reads them).
"""
import multiprocessing as mp
import statistics
import sys
import time

import benchjson

JSON = benchjson.take_json_option()     # before the arguments are read; spawned children see them without it


def noop():
    pass


def measure(method, seconds):
    ctx = mp.get_context(method)
    for _ in range(3):                      # warm-up (starts the fork server)
        p = ctx.Process(target=noop)
        p.start()
        p.join()
    times = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end or len(times) < 5:
        t = time.perf_counter()
        p = ctx.Process(target=noop)
        p.start()
        p.join()
        times.append(time.perf_counter() - t)
        assert p.exitcode == 0
    return times


if __name__ == '__main__':
    if len(sys.argv) > 1 and sys.argv[1].startswith('n='):
        ctx = mp.get_context(sys.argv[2])
        for _ in range(int(sys.argv[1][2:])):
            p = ctx.Process(target=noop)
            p.start()
            p.join()
        sys.exit(0)
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10
    methods = sys.argv[2:] or ['fork', 'forkserver', 'spawn']
    out = benchjson.Results("process_start", JSON)
    for method in methods:
        ts = measure(method, seconds)
        print('%-10s n=%4d  median %6.2f ms  mean %6.2f ms  p90 %6.2f ms'
              % (method, len(ts), statistics.median(ts) * 1e3, statistics.mean(ts) * 1e3,
                 statistics.quantiles(ts, n=10)[-1] * 1e3), flush=True)
        out.add(method, statistics.median(ts) * 1e3, "ms")
    out.write()
