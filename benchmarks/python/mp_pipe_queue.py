"""CPython counterpart of PipeQueueRounds: multiprocessing.Pipe and multiprocessing.Queue between 2 processes.

Prints one line per measurement: "<name> <value> <unit>" (PipeQueueRounds reads them). Bounded: each
measurement runs about a second.
Usage: python3 mp_pipe_queue.py [seconds] [--json FILE]
"""
import multiprocessing as mp
import statistics
import sys
import time

import benchjson

JSON = benchjson.take_json_option()     # before the arguments are read; spawned children see them without it
SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0


def echo(conn):
    while True:
        o = conn.recv()
        if o is None:
            return
        conn.send(o)


def sink(conn, size, warm, n):
    buf = bytearray(size)
    for _ in range(warm):
        conn.recv_bytes_into(buf)
    conn.send(True)
    for _ in range(n):
        conn.recv_bytes_into(buf)
    conn.send(True)


def pipe_rtt(obj):
    a, b = mp.Pipe()
    p = mp.Process(target=echo, args=(b,))
    p.start()
    for _ in range(2000):
        a.send(obj)
        a.recv()
    samples = []
    end = time.perf_counter() + SECONDS
    while time.perf_counter() < end:
        t0 = time.perf_counter_ns()
        a.send(obj)
        a.recv()
        samples.append(time.perf_counter_ns() - t0)
    a.send(None)
    p.join()
    return statistics.median(samples) / 1000.0


def pipe_one_way(size, n):
    """Messages per second: the sink first takes a warm-up of n // 4 messages (not timed) and says
    so, then the clock runs while n more are sent into its buffer. PipeQueueRounds does the same."""
    a, b = mp.Pipe()
    warm = n // 4
    p = mp.Process(target=sink, args=(b, size, warm, n))
    p.start()
    msg = b"x" * size
    for _ in range(warm):
        a.send_bytes(msg)
    a.recv()
    t0 = time.perf_counter()
    for _ in range(n):
        a.send_bytes(msg)
    a.recv()
    dt = time.perf_counter() - t0
    p.join()
    return n / dt


def consume(q, warmed, go, warm, n):
    for _ in range(warm):
        q.get()
    warmed.put(1)
    go.wait()                       # no consumer takes another's warm-up items
    for _ in range(n):
        q.get()


def produce(q, n, item):
    for _ in range(n):
        q.put(item)


def queue_rate(item, n, producers=1, consumers=1):
    """Items per second: the consumers first take a warm-up of n // 4 items each (not timed) and
    say so, then wait for all, then the clock runs while the producers put n more. PipeQueueRounds does the same."""
    q = mp.Queue()
    warmed = mp.Queue()
    go = mp.Event()
    warm = n // 4
    cs = [mp.Process(target=consume, args=(q, warmed, go, warm, n // consumers)) for _ in range(consumers)]
    for c in cs:
        c.start()
    produce(q, warm * consumers, item)
    for _ in cs:
        warmed.get()
    go.set()
    if producers == 1:
        t0 = time.perf_counter()
        produce(q, n, item)
    else:
        ps = [mp.Process(target=produce, args=(q, n // producers, item)) for _ in range(producers)]
        t0 = time.perf_counter()
        for p in ps:
            p.start()
        for p in ps:
            p.join()
    for c in cs:
        c.join()
    return n / (time.perf_counter() - t0)


def report(out, name, value, unit, fmt):
    print(("%s " + fmt + " %s") % (name, value, unit), flush=True)
    out.add(name, value, unit)


if __name__ == "__main__":
    mp.set_start_method("spawn")
    out = benchjson.Results("mp_pipe_queue", JSON)
    report(out, "pipe_rtt_small_us", pipe_rtt("ping"), "us", "%.2f")
    report(out, "pipe_rtt_tuple_us", pipe_rtt((1, "x")), "us", "%.2f")
    report(out, "pipe_1k_msgs", pipe_one_way(1024, int(400_000 * SECONDS)), "msg/s", "%.0f")
    report(out, "pipe_64k_bytes", pipe_one_way(65536, int(20_000 * SECONDS)) * 65536, "B/s", "%.0f")
    report(out, "queue_int", queue_rate(12345, int(300_000 * SECONDS)), "items/s", "%.0f")
    report(out, "queue_1k", queue_rate(b"x" * 1024, int(250_000 * SECONDS)), "items/s", "%.0f")
    report(out, "queue_64k", queue_rate(b"x" * 65536, int(15_000 * SECONDS)), "items/s", "%.0f")
    report(out, "queue_4p4c_int", queue_rate(12345, int(240_000 * SECONDS), 4, 4), "items/s", "%.0f")
    out.write()
