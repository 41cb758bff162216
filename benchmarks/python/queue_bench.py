"""CPython counterpart of QueueBenchmark: queue.Queue with one producer and one consumer thread
(unbounded and maxsize=1000), SimpleQueue, and 4 producers / 4 consumers. Prints items per second
(median of 5 runs).

    python3 benchmarks/python/queue_bench.py [--json FILE]
"""
import queue
import statistics
import threading
import time

import benchjson

N = 200_000


def run(q, producers=1, consumers=1, n=N):
    per_producer = n // producers
    per_consumer = n // consumers

    def produce():
        put = q.put
        for i in range(per_producer):
            put(i)

    def consume():
        get = q.get
        for _ in range(per_consumer):
            get()

    threads = [threading.Thread(target=produce) for _ in range(producers)]
    threads += [threading.Thread(target=consume) for _ in range(consumers)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return n / (time.perf_counter() - start)


def median(make, *args):
    return statistics.median(run(make(), *args) for _ in range(5))


if __name__ == "__main__":
    out = benchjson.results("queue_bench")
    for name, label, make, threads in (
            ("queue_unbounded", "queue.Queue() 1P/1C:           ", queue.Queue, ()),
            ("queue_bounded_1000", "queue.Queue(maxsize=1000) 1P/1C:", lambda: queue.Queue(1000), ()),
            ("simple_queue", "queue.SimpleQueue() 1P/1C:     ", queue.SimpleQueue, ()),
            ("queue_unbounded_4p4c", "queue.Queue() 4P/4C:           ", queue.Queue, (4, 4))):
        rate = median(make, *threads)
        print(f"{label} {rate:12,.0f} items/s")
        out.add(name, rate, "items/s")
    out.write()
