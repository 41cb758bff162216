#!/usr/bin/env python3
"""Draws the performance charts of docs/performance.md from the benchmarks' machine-readable output.

    python3 benchmarks/charts.py [--results DIR] [--out DIR]

Reads the files of benchmarks/results/ (JMH's JSON, written with -rf json -rff FILE, and the JSON of
the rounds programs and CPython scripts, written with --json FILE; benchmarks/results/README.md
lists them and the commands that make them) and writes one SVG per area to docs/charts/: pyconc
beside CPython and the JDK, operation by operation, as the time of one operation on a log scale
(a rate is drawn as its inverse), so that shorter is better and a ratio is a distance. A chart
whose files are missing is skipped with a warning; a missing figure leaves its bar out.
Python 3 standard library only.
"""
import argparse
import datetime
import json
import math
import os
import sys
from xml.sax.saxutils import escape

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# ---------------------------------------------------------------- what is drawn


class Jmh:
    """A JMH result: the benchmark whose name ends with `bench`, with these params (and mode)."""

    def __init__(self, file, bench, params=None, mode=None, percentile=None, peer=None):
        self.file, self.bench, self.params, self.mode = file, bench, params or {}, mode
        self.percentile, self.peer = percentile, peer


class Own:
    """A figure of a rounds program or CPython script: its name and the implementation it measured."""

    def __init__(self, file, name, impl="CPython", peer=None):
        self.file, self.name, self.impl, self.peer = file, name, impl, peer


class Row:
    """One operation: a selector per series; bytes_per_op turns a bandwidth into a time per operation,
    and ops divides a figure that is the time of several operations (a whole run)."""

    def __init__(self, label, bytes_per_op=None, ops=1, **series):
        self.label, self.bytes_per_op, self.ops, self.series = label, bytes_per_op, ops, series


class Chart:
    def __init__(self, name, title, series, rows):
        self.name, self.title, self.series, self.rows = name, title, series, rows


PYCONC, JDK, CPYTHON = "pyconc", "JDK", "CPython"
COLORS = ["#1f6fb4", "#e07b12", "#2f9e44", "#8e5bb5", "#7f7f7f"]

T = "jmh-threading.json"
SHM = "jmh-sharedmemory.json"
PQ, PQX = "pipe_queue.json", "pipe_queue_xmx1g.json"
MiB = 1 << 20


def _threading():
    lock = "threading.LockBenchmark."
    queue = "queue.QueueBenchmark.oneProducerOneConsumer"
    return Chart("threading", "threading, queue and the GIL checkpoint", [PYCONC, JDK, CPYTHON], [
        Row("Lock acquire+release", pyconc=Jmh(T, lock + "pyconcLock"),
            JDK=Jmh(T, lock + "jdkReentrantLock", peer="ReentrantLock"),
            CPython=Own("lock_bench.json", "lock_acquire_release")),
        Row("RLock acquire+release", pyconc=Jmh(T, lock + "pyconcRLock"),
            JDK=Jmh(T, lock + "jdkReentrantLock", peer="ReentrantLock"),
            CPython=Own("lock_bench.json", "rlock_acquire_release")),
        Row("with lock: (enter())", pyconc=Jmh(T, lock + "pyconcLockWith"),
            JDK=Jmh(T, lock + "jdkReentrantLock", peer="ReentrantLock"),
            CPython=Own("lock_bench.json", "with_lock")),
        Row("Lock, 2 threads contending (per thread)", pyconc=Jmh(T, lock + "contendedPyconcLock"),
            JDK=Jmh(T, lock + "contendedJdkReentrantLock", peer="ReentrantLock"),
            CPython=Own("lock_bench.json", "lock_contended_2_threads")),
        Row("Condition ping-pong round trip", pyconc=Jmh(T, "threading.ConditionBenchmark.pyconcCondition"),
            JDK=Jmh(T, "threading.ConditionBenchmark.jdkCondition", peer="ReentrantLock Condition"),
            CPython=Own("condition_pingpong.json", "condition_round_trip")),
        Row("Event handoff round trip", pyconc=Jmh(T, "threading.EventBenchmark.pyconcEvent"),
            JDK=Jmh(T, "threading.EventBenchmark.jdkParkUnpark", peer="volatile + LockSupport"),
            CPython=Own("event_handoff.json", "event_round_trip")),
        Row("Queue(1000) 1P/1C, one item", pyconc=Jmh(T, queue, {"kind": "pyconcBounded"}),
            JDK=Jmh(T, queue, {"kind": "jdkArrayBlocking"}, peer="ArrayBlockingQueue"),
            CPython=Own("queue_bench.json", "queue_bounded_1000")),
        Row("Queue() 1P/1C, one item", pyconc=Jmh(T, queue, {"kind": "pyconcUnbounded"}),
            JDK=Jmh(T, queue, {"kind": "jdkLinkedBlocking"}, peer="LinkedBlockingQueue"),
            CPython=Own("queue_bench.json", "queue_unbounded")),
        Row("SimpleQueue 1P/1C, one item", pyconc=Jmh(T, queue, {"kind": "pyconcSimple"}),
            JDK=Jmh(T, queue, {"kind": "jdkLinkedBlocking"}, peer="LinkedBlockingQueue"),
            CPython=Own("queue_bench.json", "simple_queue")),
        Row("Gil.checkpoint(), nothing pending", pyconc=Jmh(T, "gil.GilBenchmark.checkpointOff"),
            JDK=Jmh(T, "gil.GilBenchmark.volatileRead", peer="a volatile read")),
    ])


def _locks_shared_memory():
    x = "multiprocessing.CrossProcessLockBenchmark."
    i = "sharedmemory_interleaved.json"
    c = "sharedmemory_bench.json"
    return Chart("multiprocessing-locks-shared-memory", "multiprocessing: locks and shared memory",
                 [PYCONC, JDK, CPYTHON], [
        Row("Lock acquire+release, uncontended", pyconc=Jmh(SHM, x + "crossProcessLock"),
            JDK=Jmh(SHM, x + "jdkReentrantLock", peer="ReentrantLock"),
            CPython=Own(c, "lock_acquire_release")),
        Row("SharedMemory write, 256 MiB", bytes_per_op=256 * MiB, pyconc=Own(i, "shm_write_256m", PYCONC),
            JDK=Own(i, "shm_write_256m", JDK, peer="native memory"), CPython=Own(c, "shm_write_256m")),
        Row("SharedMemory read, 256 MiB", bytes_per_op=256 * MiB, pyconc=Own(i, "shm_read_256m", PYCONC),
            JDK=Own(i, "shm_read_256m", JDK, peer="native memory"), CPython=Own(c, "shm_read_256m")),
        Row("create+attach+close+unlink, 4 KiB", pyconc=Own(i, "lifecycle_4k", PYCONC),
            CPython=Own(c, "lifecycle_4k")),
        Row("the same, confined arenas", pyconc=Own(i, "lifecycle_4k_confined", PYCONC),
            CPython=Own(c, "lifecycle_4k")),
        Row("Event ping-pong, 2 processes", pyconc=Own("pingpong.json", "event_round_trip", PYCONC),
            CPython=Own(c, "event_round_trip")),
        Row("Condition ping-pong, 2 processes", pyconc=Own("pingpong.json", "condition_round_trip", PYCONC)),
    ])


def _pipes_queues():
    def row(label, name, bytes_per_op=None):
        return Row(label, bytes_per_op=bytes_per_op, pyconc=Own(PQ, name, PYCONC),
                   **{"pyconc -Xmx1g": Own(PQX, name, PYCONC), "CPython": Own(PQ, name)})
    return Chart("multiprocessing-pipes-queues", "multiprocessing: pipes and process queues",
                 [PYCONC, "pyconc -Xmx1g", CPYTHON], [
        row('Pipe round trip, "ping"', "pipe_rtt_small_us"),
        row('Pipe round trip, (1, "x")', "pipe_rtt_tuple_us"),
        row("Pipe one way, 1 KiB message", "pipe_1k_msgs"),
        row("Pipe one way, 64 KiB message", "pipe_64k_bytes", 65536),
        row("Queue 1P/1C, int item", "queue_int"),
        row("Queue 1P/1C, 1 KiB item", "queue_1k"),
        row("Queue 1P/1C, 64 KiB item", "queue_64k"),
        row("Queue 4P/4C, int item", "queue_4p4c_int"),
    ])


def _processes_pools():
    s, p = "process_start.json", "pool.json"
    return Chart("multiprocessing-processes-pools", "multiprocessing: process start and pools", [PYCONC, CPYTHON], [
        Row("Process start+join, spawn", pyconc=Own(s, "spawn", PYCONC), CPython=Own(s, "spawn")),
        Row("start+join, forkserver (spare ready)", pyconc=Own(s, "forkserver_ready", PYCONC),
            CPython=Own(s, "forkserver_ready")),
        Row("CPU time of a spawn start+join", pyconc=Own(s, "cpu_per_spawn", PYCONC), CPython=Own(s, "cpu_per_spawn")),
        Row("Pool(2).map of 100,000 tiny tasks", pyconc=Own(p, "map_tiny_ms", PYCONC), CPython=Own(p, "map_tiny_ms")),
        Row("the same, pool start-up included", pyconc=Own(p, "map_tiny_with_start_ms", PYCONC),
            CPython=Own(p, "map_tiny_with_start_ms")),
    ])


def _codecs():
    c = "jmh-codec.json"
    b = "multiprocessing.CodecBenchmark."

    def row(label, item):
        return Row(label, pyconc=Jmh(c, b + "pyconcCodec", {"item": item}, peer="Codec.standard()"),
                   JDK=Jmh(c, b + "javaSerialization", {"item": item}, peer="Java serialization"),
                   CPython=Own("codec_bench.json", item, peer="pickle"))
    return Chart("multiprocessing-codecs", "multiprocessing: encode + decode of one item", [PYCONC, JDK, CPYTHON], [
        row("Long / int", "long"), row("100-char String / str", "string100"), row("byte[1024] / bytes", "bytes1k"),
        row("byte[1 MiB] / bytes", "bytes1m"), row("small HashMap / dict", "map"), row('List.of(1, "x") / tuple', "tuple"),
    ])


def _journal():
    c, lat = "jmh-codec.json", "jmh-journal-latency.json"
    b = "multiprocessing.JournalQueueBenchmark."
    chronicle = "raw Chronicle Queue"
    return Chart("multiprocessing-journalqueue", "multiprocessing: JournalQueue, one thread, Long items",
                 [PYCONC, chronicle], [
        Row("put / append", pyconc=Jmh(c, b + "journalPut", mode="thrpt"),
            **{chronicle: Jmh(c, b + "chronicleAppend", mode="thrpt")}),
        Row("put + get / append + read", pyconc=Jmh(c, b + "journalPutGet", mode="thrpt"),
            **{chronicle: Jmh(c, b + "chronicleAppendRead", mode="thrpt")}),
        Row("put + get latency, p50", pyconc=Jmh(lat, b + "journalPutGet", mode="sample", percentile="50.0"),
            **{chronicle: Jmh(lat, b + "chronicleAppendRead", mode="sample", percentile="50.0")}),
        Row("put + get latency, p99", pyconc=Jmh(lat, b + "journalPutGet", mode="sample", percentile="99.0"),
            **{chronicle: Jmh(lat, b + "chronicleAppendRead", mode="sample", percentile="99.0")}),
    ])


def _asyncio():
    a, p = "jmh-asyncio.json", "asyncio_bench.json"
    b = "asyncio.AsyncioBenchmark."
    return Chart("asyncio", "asyncio: tasks, queues and callbacks (each in a whole run)", [PYCONC, JDK, CPYTHON], [
        Row("create_task + await", pyconc=Jmh(a, b + "createTaskAwait"),
            JDK=Jmh(a, b + "jdkVirtualThreadsStartJoin", peer="virtual thread start+join"),
            CPython=Own(p, "create_task_await")),
        Row("gather of sleep(0)", pyconc=Jmh(a, b + "gatherSleep0"),
            JDK=Jmh(a, b + "jdkVirtualThreadsYield", peer="virtual thread yield"), CPython=Own(p, "gather_sleep0")),
        Row("Queue(maxsize=1) hand-off", pyconc=Jmh(a, b + "queueHandoffMaxsize1"),
            JDK=Jmh(a, b + "jdkArrayBlockingQueue1", peer="ArrayBlockingQueue(1)"),
            CPython=Own(p, "queue_handoff_maxsize1")),
        Row("Queue() hand-off", pyconc=Jmh(a, b + "queueHandoffUnbounded"), CPython=Own(p, "queue_handoff_unbounded")),
        Row("call_soon", pyconc=Jmh(a, b + "callSoon"),
            JDK=Jmh(a, b + "jdkSingleThreadExecutor", peer="single-thread executor"), CPython=Own(p, "call_soon")),
        Row("Lock, uncontended async with", pyconc=Jmh(a, b + "lockUncontended"), CPython=Own(p, "lock_uncontended")),
        Row("hackysack, one of 100,000 kicks among 100,000 tasks", ops=100_000,
            pyconc=Own("hackysack.json", "hackysack_tasks_time", PYCONC),
            CPython=Own("hackysack.json", "hackysack_tasks_time")),
    ])


def _streams():
    s, p = "jmh-streams.json", "asyncio_streams.json"
    b = "asyncio.StreamsBenchmark."
    return Chart("asyncio-streams", "asyncio streams: echo of 64-byte lines over loopback",
                 ["pyconc epoll", "pyconc NIO", CPYTHON, "kernel alone"], [
        Row("one connection, round trip", CPython=Own(p, "echo_round_trips"),
            **{"pyconc epoll": Jmh(s, b + "echoRoundTrips", {"transport": "epoll"}),
               "pyconc NIO": Jmh(s, b + "echoRoundTrips", {"transport": "nio"}),
               "kernel alone": Own("socket_floor.json", "socket_floor", peer="2 send + 2 recv")}),
        Row("100 clients, one round trip", CPython=Own(p, "echo_100_clients"),
            **{"pyconc epoll": Jmh(s, b + "echoManyClients", {"transport": "epoll"}),
               "pyconc NIO": Jmh(s, b + "echoManyClients", {"transport": "nio"})}),
    ])


def _echo_servers():
    e = "echo_servers.json"
    netty, prot, streams, uv, cpy = "raw Netty", "pyconc protocols", "pyconc streams", "CPython uvloop", "CPython asyncio"

    def row(label, kind, protocols_impl=prot):
        name = kind + "_server_cpu"
        series = {netty: Own(e, name, netty), prot: Own(e, name, protocols_impl),
                  uv: Own(e, name, uv), cpy: Own(e, name, cpy)}
        if kind != "echo_udp_64":
            series[streams] = Own(e, name, streams)
        return Row(label, **series)

    return Chart("asyncio-echo-servers", "asyncio: echo servers under one load generator (server CPU per message)",
                 [netty, prot, streams, uv, cpy], [
        row("TCP, 1 KiB messages, 64 connections", "echo_tcp_1k"),
        row("TLS 1.3, 1 KiB messages, 64 connections", "echo_tls13_1k"),
        row("UDP, 64-byte datagrams, 64 clients (pyconc: DatagramProtocol)", "echo_udp_64", protocols_impl="pyconc"),
    ])


CHARTS = [_threading(), _locks_shared_memory(), _pipes_queues(), _processes_pools(), _codecs(), _journal(),
          _asyncio(), _streams(), _echo_servers()]

# ---------------------------------------------------------------- reading results

TIME = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
RATE = {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9, "min": 1 / 60}


def seconds_per_op(value, unit, bytes_per_op=None):
    """The time of one operation, from a time, a rate or a bandwidth in one of the results' units."""
    unit = unit.replace("µs", "us")
    if unit.endswith("/op"):                       # JMH: ns/op, us/op, ...
        unit = unit[:-3]
    if unit in TIME:
        return value * TIME[unit]
    if unit in ("B/s", "GB/s", "MB/s"):
        if not bytes_per_op:
            raise ValueError(f"a bandwidth ({unit}) needs the bytes of one operation")
        scale = {"B/s": 1.0, "MB/s": 1e6, "GB/s": 1e9}[unit]
        return bytes_per_op / (value * scale)
    if "/" in unit:                                 # op/s, items/s, msg/s, ops/ms (JMH), ...
        per = unit.split("/", 1)[1]
        if per in RATE:
            return 1.0 / (value * RATE[per])
    raise ValueError(f"unknown unit {unit!r}")


class Results:
    def __init__(self, directory):
        self.directory = directory
        self.files = {}
        self.missing = set()

    def load(self, name):
        if name in self.files:
            return self.files[name]
        path = os.path.join(self.directory, name)
        doc = None
        if os.path.isfile(path):
            with open(path) as f:
                doc = json.load(f)
        else:
            self.missing.add(name)
        self.files[name] = doc
        return doc

    def figure(self, selector, bytes_per_op):
        """(seconds per operation, peer label) of a selector, or None when its file or figure is missing."""
        doc = self.load(selector.file)
        if doc is None:
            return None
        if isinstance(selector, Jmh):
            for r in doc:
                if not (r["benchmark"] == selector.bench or r["benchmark"].endswith("." + selector.bench)):
                    continue
                if any(r.get("params", {}).get(k) != v for k, v in selector.params.items()):
                    continue
                if selector.mode and r.get("mode") != selector.mode:
                    continue
                metric = r["primaryMetric"]
                value = metric["scorePercentiles"][selector.percentile] if selector.percentile else metric["score"]
                return seconds_per_op(value, metric["scoreUnit"], bytes_per_op), selector.peer
            return None
        for r in doc.get("results", []):
            if r["name"] == selector.name and r["impl"] == selector.impl and r.get("value") is not None:
                return seconds_per_op(r["value"], r["unit"], bytes_per_op), selector.peer
        return None

    def provenance(self, chart):
        """One line per file the chart read: its name, date and machine."""
        lines, seen = [], set()
        for row in chart.rows:
            for sel in row.series.values():
                if sel.file in seen or self.files.get(sel.file) is None:
                    continue
                seen.add(sel.file)
                doc = self.files[sel.file]
                if isinstance(doc, dict):
                    m = doc.get("machine", {})
                    rt = doc.get("runtime", {})
                    who = ", ".join(x for x in (("Java " + rt["java"]) if "java" in rt else None,
                                                ("CPython " + rt["python"]) if "python" in rt else None) if x)
                    lines.append(f"{sel.file}: {doc.get('date', '?')}, {m.get('cpus', '?')} CPUs ({m.get('cpu', '?')}),"
                                 f" {who}")
                else:
                    jdk = doc[0].get("jdkVersion", "?") if doc else "?"
                    mtime = os.path.getmtime(os.path.join(self.directory, sel.file))
                    date = datetime.datetime.fromtimestamp(mtime, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
                    lines.append(f"{sel.file}: JMH, JDK {jdk}, written {date}")
        return lines

# ---------------------------------------------------------------- drawing


def fmt_time(s):
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if s >= scale or unit == "ns":
            v = s / scale
            return (f"{v:.3g}" if v < 1000 else f"{v:.0f}") + " " + unit
    return f"{s:g} s"


def fmt_ratio(r):
    return f"{r:.3g}" if r < 100 else f"{r:.0f}"


def decade_label(e):
    for unit, base in (("ns", -9), ("µs", -6), ("ms", -3), ("s", 0)):
        if e < base + 3 or unit == "s":
            return f"{10.0 ** (e - base):g} {unit}"
    return f"1e{e} s"


def draw(chart, results):
    """The SVG text of a chart, or None when none of its figures is there."""
    rows = []
    for row in chart.rows:
        bars = []
        for name in chart.series:
            sel = row.series.get(name)
            fig = results.figure(sel, row.bytes_per_op) if sel else None
            if fig:
                bars.append((name, fig[0] / row.ops, fig[1]))
        if bars:
            rows.append((row, bars))
    if not rows:
        return None
    values = [v for _, bars in rows for _, v, _ in bars]
    lo = math.floor(math.log10(min(values)))
    hi = math.ceil(math.log10(max(values)))
    if hi <= lo:
        hi = lo + 1
    width, x0, x1 = 1000, 260, 690
    bar_h, gap, pad = 12, 3, 12

    def x(v):
        return x0 + (math.log10(v) - lo) / (hi - lo) * (x1 - x0)

    out = []
    y = 100
    for row, bars in rows:
        h = len(bars) * (bar_h + gap) - gap
        label_lines = wrap(row.label, 34)
        ly = y + h / 2 - (len(label_lines) - 1) * 7 + 4
        for k, line in enumerate(label_lines):
            out.append(f'<text x="{x0 - 10}" y="{ly + 14 * k:.1f}" text-anchor="end" class="label">{escape(line)}</text>')
        ref = next((v for n, v, _ in bars if n == chart.series[0]), None)
        for name, v, peer in bars:
            color = COLORS[chart.series.index(name) % len(COLORS)]
            xe = max(x(v), x0 + 1)
            out.append(f'<rect x="{x0}" y="{y}" width="{xe - x0:.1f}" height="{bar_h}" fill="{color}">'
                       f'<title>{escape(name)}: {escape(fmt_time(v))}</title></rect>')
            text = fmt_time(v)
            if peer:
                text += ", " + peer
            if ref and name != chart.series[0]:
                text += f"  = {fmt_ratio(v / ref)} \u00d7 {chart.series[0]}"
            out.append(f'<text x="{xe + 5:.1f}" y="{y + bar_h - 2}" class="value">{escape(text)}</text>')
            y += bar_h + gap
        y += pad + 6
    plot_bottom = y - pad
    grid = []
    for e in range(lo, hi + 1):
        gx = x(10 ** e)
        grid.append(f'<line x1="{gx:.1f}" y1="92" x2="{gx:.1f}" y2="{plot_bottom}" class="major"/>')
        grid.append(f'<text x="{gx:.1f}" y="{plot_bottom + 16}" text-anchor="middle" class="tick">'
                    f'{escape(decade_label(e))}</text>')
        if e < hi:
            for m in range(2, 10):
                mx = x(m * 10 ** e)
                grid.append(f'<line x1="{mx:.1f}" y1="92" x2="{mx:.1f}" y2="{plot_bottom}" class="minor"/>')
    legend = []
    lx = x0
    for k, name in enumerate(chart.series):
        legend.append(f'<rect x="{lx}" y="62" width="12" height="12" fill="{COLORS[k % len(COLORS)]}"/>')
        legend.append(f'<text x="{lx + 17}" y="72" class="legend">{escape(name)}</text>')
        lx += 30 + 7 * len(name)
    foot_y = plot_bottom + 40
    foot = [f'<text x="10" y="{foot_y}" class="foot">Time of one operation, log scale: shorter is better; '
            f'a rate is drawn as its inverse. Made by benchmarks/charts.py from benchmarks/results/:</text>']
    for k, line in enumerate(results.provenance(chart)):
        foot.append(f'<text x="10" y="{foot_y + 15 * (k + 1)}" class="foot">{escape(line)}</text>')
    height = foot_y + 15 * (len(foot) - 1) + 14
    style = ("text{font-family:Helvetica,Arial,sans-serif;fill:#222}.title{font-size:17px;font-weight:bold}"
             ".sub{font-size:12px;fill:#555}.label{font-size:12px}.value{font-size:11px;fill:#333}"
             ".tick{font-size:11px;fill:#555}.legend{font-size:12px}.foot{font-size:10px;fill:#666}"
             ".major{stroke:#bbb;stroke-width:1}.minor{stroke:#eee;stroke-width:1}")
    head = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height:.0f}" '
            f'viewBox="0 0 {width} {height:.0f}">',
            f'<style>{style}</style>',
            f'<rect width="{width}" height="{height:.0f}" fill="#fff"/>',
            f'<text x="10" y="26" class="title">{escape(chart.title)}</text>',
            f'<text x="10" y="46" class="sub">pyconc beside its peers, the time of one operation '
            f'(each bar\'s label: the time, the peer, and the ratio to {escape(chart.series[0])})</text>']
    return "\n".join(head + legend + grid + out + foot + ["</svg>", ""])


def wrap(text, width):
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = (line + " " + w).strip()
    return lines + [line] if line else lines


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--results", default=os.path.join(ROOT, "benchmarks", "results"))
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "charts"))
    args = ap.parse_args(argv)
    results = Results(args.results)
    os.makedirs(args.out, exist_ok=True)
    written = 0
    for chart in CHARTS:
        svg = draw(chart, results)
        if svg is None:
            print(f"skipped {chart.name}.svg: no figures", file=sys.stderr)
            continue
        path = os.path.join(args.out, chart.name + ".svg")
        with open(path, "w", encoding="utf-8") as f:
            f.write(svg)
        written += 1
        print(f"wrote {os.path.relpath(path)}")
    if results.missing:
        print("missing in " + args.results + ": " + ", ".join(sorted(results.missing)), file=sys.stderr)
    return 0 if written else 1


if __name__ == "__main__":
    sys.exit(main())
