"""pickle.dumps + pickle.loads of the items of CodecBenchmark: the cost Python's multiprocessing
pays per object sent through a Pipe or Queue. Run: python3 benchmarks/python/codec_bench.py [--json FILE]"""
import pickle
import timeit

import benchjson

out = benchjson.results("codec_bench")

ITEMS = {
    "long": 1234567890123,
    "string100": "x" * 90 + "h\u00e9llo w\u00f6r",
    "bytes1k": bytes(1024),
    "bytes1m": bytes(1 << 20),
    "map": {"id": 42, "name": "widget", "tags": ["a", "b"]},
    "tuple": (1, "x"),
}

for name, value in ITEMS.items():
    number = 200 if name == "bytes1m" else 200_000
    best = min(timeit.repeat(lambda: pickle.loads(pickle.dumps(value, pickle.HIGHEST_PROTOCOL)),
                             number=number, repeat=5))
    print(f"{name:10s} {best / number * 1e9:12.1f} ns/op")
    out.add(name, best / number * 1e9, "ns")
out.write()
