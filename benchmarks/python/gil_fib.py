"""CPython counterpart of the GIL experiment (examples' FibExperimentExample, David Beazley's talks):
a CPU-bound fib in one thread, then the same work twice in two threads. Under CPython's GIL the two
threads take turns, so they take about twice the time of one. Prints the median of five rounds
that alternate the two runs, and the ratio.

    python3 benchmarks/python/gil_fib.py [n] [--json FILE]
"""
import statistics
import sys
import threading
import time

import benchjson


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def one_thread(n):
    t0 = time.perf_counter()
    fib(n)
    return time.perf_counter() - t0


def two_threads(n):
    t0 = time.perf_counter()
    other = threading.Thread(target=fib, args=(n,))
    other.start()
    fib(n)
    other.join()
    return time.perf_counter() - t0


if __name__ == "__main__":
    out = benchjson.results("gil_fib")
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 27
    one, two = [], []
    for _ in range(5):
        one.append(one_thread(n))
        two.append(two_threads(n))
    m1, m2 = statistics.median(one), statistics.median(two)
    print(f"fib({n}) in 1 thread:  {m1 * 1e3:8.1f} ms (median of 5)")
    print(f"fib({n}) in 2 threads: {m2 * 1e3:8.1f} ms = {m2 / m1:.2f}x one thread")
    out.add("fib_1_thread", m1 * 1e3, "ms")
    out.add("fib_2_threads", m2 * 1e3, "ms")
    out.add_ratio("fib_2_threads", "2 threads / 1 thread", "lower", m2 / m1)
    out.write()
