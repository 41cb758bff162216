"""CPython counterparts of pyconc's shared-memory benchmarks, to run side by side with them.

    python3 benchmarks/python/sharedmemory_bench.py [--json FILE]

- SharedMemory create+attach+close+unlink of 4 KiB (SharedMemoryBenchmark.createAttachCloseUnlink)
- SharedMemory write / read of 256 MiB against a plain in-process copy (SharedMemoryBenchmark.*Memory)
- multiprocessing.Lock acquire+release, uncontended (CrossProcessLockBenchmark.crossProcessLock)
- multiprocessing.Event ping-pong between 2 processes (PingPongBenchmark)

CPython 3.11's resource tracker registers a segment on attach too (gh-82300), so it may print
warnings about "leaked" segments at exit; they are an artefact of that bug, not of this script.
"""
import multiprocessing as mp
import statistics
import sys
import time
from multiprocessing import shared_memory

import benchjson

JSON = benchjson.take_json_option()
MiB = 1 << 20


def best_of(runs, fn):
    return min(fn() for _ in range(runs))


def lifecycle(n=20_000, size=4096):
    def run():
        t = time.perf_counter()
        for _ in range(n):
            a = shared_memory.SharedMemory(create=True, size=size)
            b = shared_memory.SharedMemory(name=a.name)
            b.close()
            a.close()
            a.unlink()
        return (time.perf_counter() - t) / n
    return best_of(3, run)


def bandwidth(size=256 * MiB):
    shm = shared_memory.SharedMemory(create=True, size=size)
    src = bytearray(size)
    for i in range(0, size, 4096):
        src[i] = i & 0xFF
    dst = bytearray(size)
    shm.buf[:] = src          # touch every page once
    view, srcv, dstv = shm.buf, memoryview(src), memoryview(dst)

    def timed(f):
        t = time.perf_counter()
        f()
        return time.perf_counter() - t

    def write():
        view[:] = srcv

    def read():
        dstv[:] = view

    def plain():
        dstv[:] = srcv

    results = {name: size / best_of(5, lambda f=f: timed(f)) / 1e9 for name, f in
               (("write", write), ("read", read), ("plain", plain))}
    del view, srcv, dstv
    shm.close()
    shm.unlink()
    return results


def lock_uncontended(n=2_000_000):
    lock = mp.Lock()

    def run():
        t = time.perf_counter()
        for _ in range(n):
            lock.acquire()
            lock.release()
        return (time.perf_counter() - t) / n
    return best_of(3, run)


def _ponger(ping, pong, n):
    for _ in range(n):
        ping.wait()
        ping.clear()
        pong.set()


def event_ping_pong(n=20_000):
    ping, pong = mp.Event(), mp.Event()
    child = mp.Process(target=_ponger, args=(ping, pong, n))
    child.start()
    times = []
    for _ in range(n):
        t = time.perf_counter()
        ping.set()
        pong.wait()
        pong.clear()
        times.append(time.perf_counter() - t)
    child.join()
    times.sort()
    return statistics.median(times), times[len(times) * 99 // 100]


if __name__ == "__main__":
    out = benchjson.Results("sharedmemory_bench", JSON)
    print(f"CPython {sys.version.split()[0]}")
    cycle = lifecycle()
    print(f"SharedMemory create+attach+close+unlink (4 KiB): {cycle * 1e6:.1f} us")
    bw = bandwidth()
    print(f"SharedMemory 256 MiB: write {bw['write']:.1f} GB/s, read {bw['read']:.1f} GB/s, "
          f"plain in-process copy {bw['plain']:.1f} GB/s")
    lock = lock_uncontended()
    print(f"multiprocessing.Lock acquire+release, uncontended: {lock * 1e9:.0f} ns")
    median, p99 = event_ping_pong()
    print(f"multiprocessing.Event ping-pong between 2 processes: median {median * 1e6:.1f} us, p99 {p99 * 1e6:.1f} us")
    out.add("lifecycle_4k", cycle * 1e6, "us")
    out.add("shm_write_256m", bw["write"], "GB/s")
    out.add("shm_read_256m", bw["read"], "GB/s")
    out.add("plain_copy_256m", bw["plain"], "GB/s")
    out.add("lock_acquire_release", lock * 1e9, "ns")
    out.add("event_round_trip", median * 1e6, "us")
    out.add("event_round_trip_p99", p99 * 1e6, "us")
    out.write()
