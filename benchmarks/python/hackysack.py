"""The Stackless hackysack benchmark for CPython, the counterpart of HackysackExample.

    python3 hackysack.py tasks 100000 100000     # 100,000 asyncio tasks, 100,000 kicks
    python3 hackysack.py threads 1000 100000     # 1,000 threads on queue.Queue

Prints the time and the process's peak resident memory (ru_maxrss, the VmHWM the Java side reads);
with --json FILE, writes them there too.
"""
import asyncio
import queue
import random
import resource
import sys
import threading
import time

import benchjson

EXIT = object()
SACK = object()


async def with_tasks(players, kicks):
    circle = [asyncio.Queue() for _ in range(players)]
    count = 0
    rnd = random.Random(42)

    async def hackysacker(mine):
        nonlocal count
        while True:
            msg = await mine.get()
            if msg is EXIT:
                return
            count += 1
            if count >= kicks:
                for q in circle:
                    q.put_nowait(EXIT)
                continue
            to = mine
            while to is mine:
                to = circle[rnd.randrange(players)]
            await to.put(SACK)

    tasks = [asyncio.create_task(hackysacker(q)) for q in circle]
    await circle[0].put(SACK)
    await asyncio.gather(*tasks)
    return count


def with_threads(players, kicks):
    circle = [queue.Queue() for _ in range(players)]
    lock = threading.Lock()
    count = 0

    def hackysacker(mine, seed):
        nonlocal count
        rnd = random.Random(seed)
        while True:
            msg = mine.get()
            if msg is EXIT:
                return
            with lock:
                count += 1
                n = count
            if n == kicks:
                for q in circle:
                    q.put(EXIT)
                continue
            if n > kicks:
                continue
            to = mine
            while to is mine:
                to = circle[rnd.randrange(players)]
            to.put(SACK)

    threads = [threading.Thread(target=hackysacker, args=(q, i)) for i, q in enumerate(circle)]
    for t in threads:
        t.start()
    circle[0].put(SACK)
    for t in threads:
        t.join()
    return min(count, kicks)


def main():
    out = benchjson.results("hackysack")
    mode = sys.argv[1] if len(sys.argv) > 1 else "tasks"
    players = int(sys.argv[2]) if len(sys.argv) > 2 else (1000 if mode == "threads" else 100_000)
    kicks = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
    t0 = time.perf_counter()
    made = with_threads(players, kicks) if mode == "threads" else asyncio.run(with_tasks(players, kicks))
    dt = time.perf_counter() - t0
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"hackysack {mode}: {players:,} players, {made:,} kicks in {dt:.2f} s, peak RSS {rss_mib:.0f} MiB")
    out.add(f"hackysack_{mode}_time", dt, "s")
    out.add(f"hackysack_{mode}_peak_rss", rss_mib, "MiB")
    out.write()


if __name__ == "__main__":
    main()
