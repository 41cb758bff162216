"""CPython counterpart of ConditionBenchmark: round trips of a turn passed between two threads
through one threading.Condition. Prints us per round trip (median of 5 runs).

    python3 benchmarks/python/condition_pingpong.py [--json FILE]
"""
import statistics
import threading
import time

import benchjson

N = 20_000


def pingpong(n=N):
    cv = threading.Condition(threading.Lock())
    state = {"turn": 0}

    def echo():
        with cv:
            for _ in range(n):
                while state["turn"] != 1:
                    cv.wait()
                state["turn"] = 0
                cv.notify()

    t = threading.Thread(target=echo)
    t.start()
    start = time.perf_counter()
    with cv:
        for _ in range(n):
            state["turn"] = 1
            cv.notify()
            while state["turn"] != 0:
                cv.wait()
    elapsed = time.perf_counter() - start
    t.join()
    return elapsed / n * 1e6


if __name__ == "__main__":
    out = benchjson.results("condition_pingpong")
    rt = statistics.median(pingpong() for _ in range(5))
    print(f"Condition ping-pong: {rt:.2f} us/round trip")
    out.add("condition_round_trip", rt, "us")
    out.write()
