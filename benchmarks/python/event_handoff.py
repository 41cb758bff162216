"""CPython counterpart of EventBenchmark: a round trip of two Event handoffs (set -> wait to an
echo thread and back). Prints us per round trip and per one-way handoff (median of 5 runs).

    python3 benchmarks/python/event_handoff.py [--json FILE]
"""
import statistics
import threading
import time

import benchjson

N = 20_000


def handoff(n=N):
    ping, pong = threading.Event(), threading.Event()

    def echo():
        for _ in range(n):
            ping.wait()
            ping.clear()
            pong.set()

    t = threading.Thread(target=echo)
    t.start()
    start = time.perf_counter()
    for _ in range(n):
        ping.set()
        pong.wait()
        pong.clear()
    elapsed = time.perf_counter() - start
    t.join()
    return elapsed / n * 1e6


if __name__ == "__main__":
    out = benchjson.results("event_handoff")
    rt = statistics.median(handoff() for _ in range(5))
    print(f"Event handoff: {rt:.2f} us/round trip, {rt / 2:.2f} us one way")
    out.add("event_round_trip", rt, "us")
    out.write()
