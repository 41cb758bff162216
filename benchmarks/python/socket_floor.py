"""What one echo round trip over loopback costs the kernel on this machine, with no event loop at
all: 2 send + 2 recv of 64 bytes on connected TCP_NODELAY sockets, in one thread (loopback delivers
synchronously, so each recv finds its data). No asyncio implementation, in any language, can go
faster than this one-connection figure: run as python3 socket_floor.py [N] [--json FILE]."""
import socket
import sys
import time

import benchjson

out = benchjson.results("socket_floor")

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen()
c = socket.create_connection(srv.getsockname())
s, _ = srv.accept()
for x in (c, s):
    x.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
msg = b"x" * 64
best = None
for _ in range(3):
    t0 = time.perf_counter()
    for _ in range(N):
        c.send(msg)
        s.recv(64)
        s.send(msg)
        c.recv(64)
    dt = time.perf_counter() - t0
    best = dt if best is None else min(best, dt)
print(f"{'socket floor (no loop)':28s} {N / best / 1e3:10.1f} k/s   ({best / N * 1e6:.2f} us a round trip: 2 send + 2 recv)")
out.add("socket_floor", N / best, "op/s")
out.write()
