"""CPython counterpart of LockBenchmark: threading.Lock acquire+release and `with lock:`, uncontended
and with two threads contending. Prints ns per operation (median of 5 runs).

    python3 benchmarks/python/lock_bench.py
"""
import statistics
import threading
import time

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
    return (time.perf_counter() - start) / (2 * n) * 1e9


def median(f, *args):
    return statistics.median(f(*args) for _ in range(5))


if __name__ == "__main__":
    print(f"Lock acquire+release, uncontended: {median(acquire_release, threading.Lock()):8.1f} ns/op")
    print(f"RLock acquire+release, uncontended: {median(acquire_release, threading.RLock()):7.1f} ns/op")
    print(f"with lock:, uncontended:           {median(with_lock, threading.Lock()):8.1f} ns/op")
    print(f"with lock:, 2 threads contending:   {median(contended, threading.Lock()):8.1f} ns/op")
