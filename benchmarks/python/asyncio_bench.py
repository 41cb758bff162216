"""CPython counterparts of dev.pyconc.benchmarks.asyncio: run as
python3 asyncio_bench.py [N] [--streams-only | --no-streams] [--json FILE]."""
import asyncio
import sys
import time

import benchjson

OUT = benchjson.results("asyncio_bench")

N = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 100_000


async def noop(i):
    return i


async def create_task_await(n):
    tasks = [asyncio.create_task(noop(i)) for i in range(n)]
    acc = 0
    for t in tasks:
        acc += await t
    return acc


async def gather_sleep0(n):
    await asyncio.gather(*[asyncio.sleep(0) for _ in range(n)])


async def queue_handoff(n, maxsize):
    q = asyncio.Queue(maxsize)

    async def producer():
        for i in range(n):
            await q.put(i)

    async def consumer():
        s = 0
        for _ in range(n):
            s += await q.get()
        return s

    p = asyncio.create_task(producer())
    s = await consumer()
    await p
    return s


async def call_soon(n):
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    count = 0

    def cb():
        nonlocal count
        count += 1
        if count == n:
            done.set_result(None)

    for _ in range(n):
        loop.call_soon(cb)
    await done


async def lock_uncontended(n):
    lock = asyncio.Lock()
    for _ in range(n):
        async with lock:
            pass


LINE = b"x" * 63 + b"\n"


async def echo_handler(reader, writer):
    async for line in reader:
        writer.write(line)
        await writer.drain()
    writer.close()


async def echo_client(port, n):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for _ in range(n):
        writer.write(LINE)
        await writer.drain()
        await reader.readexactly(len(LINE))
    writer.close()
    await writer.wait_closed()


async def echo_round_trips(n):
    server = await asyncio.start_server(echo_handler, "127.0.0.1", 0)
    await echo_client(server.sockets[0].getsockname()[1], n)
    server.close()
    await server.wait_closed()


async def echo_many_clients(n, clients=100):
    server = await asyncio.start_server(echo_handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    await asyncio.gather(*(echo_client(port, n // clients) for _ in range(clients)))
    server.close()
    await server.wait_closed()


def measure(name, key, coro_fn, n, reps=5):
    best = None
    for _ in range(reps):
        t0 = time.perf_counter()
        asyncio.run(coro_fn(n))
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    print(f"{name:28s} {n / best / 1e3:10.1f} k/s   ({best * 1e3:.1f} ms for {n})")
    OUT.add(key, n / best, "op/s")


if __name__ == "__main__":
    print(f"CPython {sys.version.split()[0]}")
    if "--streams-only" in sys.argv:
        measure("echo round trips", "echo_round_trips", echo_round_trips, 20_000)
        measure("echo 100 clients", "echo_100_clients", echo_many_clients, 50_000)
        OUT.write()
        sys.exit(0)
    measure("create_task+await", "create_task_await", create_task_await, N)
    measure("gather of sleep(0)", "gather_sleep0", gather_sleep0, N)
    measure("Queue handoff maxsize=1", "queue_handoff_maxsize1", lambda n: queue_handoff(n, 1), N)
    measure("Queue handoff unbounded", "queue_handoff_unbounded", lambda n: queue_handoff(n, 0), N)
    measure("call_soon", "call_soon", call_soon, N * 10)
    measure("Lock uncontended", "lock_uncontended", lock_uncontended, N * 10)
    if "--no-streams" not in sys.argv:
        measure("echo round trips", "echo_round_trips", echo_round_trips, 20_000)
        measure("echo 100 clients", "echo_100_clients", echo_many_clients, 50_000)
    OUT.write()
