"""CPython counterpart of LockBenchmark: threading.Lock acquire+release and `with lock:`, uncontended
and with two threads contending. Prints ns per operation (median of 5 runs); with two threads, the
time per operation of each thread (what JMH reports for @Threads(2)) and the time per operation of
both together.

    python3 benchmarks/python/lock_bench.py [--json FILE]
"""
import statistics
import threading
import time

import benchjson

N = 1_000_000


def acquire_release(lock, n=N):
    acquire, release = lock.acquire, lock.release
    start = time.perf_counter()
    for _ in range(n):
        acquire()
        release()
    return (time.perf_counter() - start) / n * 1e9


def with_lock(lock, n=N):
    start = time.perf_counter()
    for _ in range(n):
        with lock:
            pass
    return (time.perf_counter() - start) / n * 1e9


def contended(lock, n=N // 4):
    """The time per operation of each of two threads: each does n, in the elapsed time."""
    def work():
        for _ in range(n):
            with lock:
                pass
    threads = [threading.Thread(target=work) for _ in range(2)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return (time.perf_counter() - start) / n * 1e9


def median(f, *args):
    return statistics.median(f(*args) for _ in range(5))


if __name__ == "__main__":
    out = benchjson.results("lock_bench")
    lock, rlock, with_ = (median(acquire_release, threading.Lock()), median(acquire_release, threading.RLock()),
                          median(with_lock, threading.Lock()))
    per_thread = median(contended, threading.Lock())
    print(f"Lock acquire+release, uncontended: {lock:8.1f} ns/op")
    print(f"RLock acquire+release, uncontended: {rlock:7.1f} ns/op")
    print(f"with lock:, uncontended:           {with_:8.1f} ns/op")
    print(f"with lock:, 2 threads contending:   {per_thread:8.1f} ns/op of each thread, {per_thread / 2:.1f} ns/op of both")
    out.add("lock_acquire_release", lock, "ns")
    out.add("rlock_acquire_release", rlock, "ns")
    out.add("with_lock", with_, "ns")
    out.add("lock_contended_2_threads", per_thread, "ns")
    out.write()
