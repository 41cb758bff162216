"""Machine-readable output of the CPython scripts, in the format of the Java side's
dev.pyconc.benchmarks.Results, which benchmarks/charts.py reads:

    {"source": "lock_bench", "date": "...", "machine": {...}, "runtime": {"python": "3.11.7"},
     "load_average": [...], "results": [{"name": ..., "impl": "CPython", "unit": "ns", "value": ...}],
     "ratios": []}

A script takes "--json FILE" anywhere on its command line (take_json_option removes it from
sys.argv before the script reads its own arguments) and calls Results.write() at its end, which
does nothing without the option. Standard library only.
"""
import datetime
import json
import os
import platform
import statistics
import sys


def take_json_option(argv=None):
    """Removes "--json FILE" from argv (sys.argv by default) and returns FILE, or None."""
    argv = sys.argv if argv is None else argv
    if "--json" not in argv:
        return None
    i = argv.index("--json")
    if i + 1 >= len(argv):
        sys.exit("--json needs a file name")
    path = argv[i + 1]
    del argv[i:i + 2]
    return path


def _first_line(path, prefix):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _load():
    try:
        with open("/proc/loadavg") as f:
            return f.read().strip()
    except OSError:
        return "unknown"


class Results:
    """Figures of one script run; write() puts them in the --json file, if one was given."""

    def __init__(self, source, path):
        self.source = source
        self.path = path
        self.figures = {}          # (name, impl) -> [unit, [values]]
        self.ratios = {}           # (name, of) -> [better, [values]]
        self.loads = [_load()]

    def add(self, name, value, unit, impl="CPython"):
        """Adds one round's figure (or the only one) of name measured on impl."""
        self.figures.setdefault((name, impl), [unit, []])[1].append(float(value))

    def add_ratio(self, name, of, better, value):
        """Adds one round's ratio of (e.g. "with the GIL on / off") for name; better: "higher" or "lower"."""
        self.ratios.setdefault((name, of), [better, []])[1].append(float(value))

    def record_load(self):
        """Records the load average as a round starts; returns it."""
        load = _load()
        self.loads.append(load)
        return load

    @staticmethod
    def _entry(key, label, values):
        entry = {"name": key[0]}
        entry.update(label)
        entry["value"] = statistics.median(values)
        if len(values) > 1:
            entry["rounds"] = values
        return entry

    def write(self):
        if self.path is None:
            return
        memory = _first_line("/proc/meminfo", "MemTotal")
        doc = {
            "source": self.source,
            "date": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            "machine": {
                "cpus": os.cpu_count(),
                "cpu": _first_line("/proc/cpuinfo", "model name") or platform.processor() or "unknown",
                "memory_kib": int(memory.split()[0]) if memory else -1,
                "os": platform.system() + " " + platform.release(),
                "arch": platform.machine(),
            },
            "runtime": {"python": platform.python_version(), "implementation": platform.python_implementation()},
            "load_average": self.loads,
            "results": [self._entry(k, {"impl": k[1], "unit": unit}, values)
                        for k, (unit, values) in self.figures.items()],
            "ratios": [self._entry(k, {"of": k[1], "better": better}, values)
                       for k, (better, values) in self.ratios.items()],
        }
        directory = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(directory, exist_ok=True)
        with open(self.path, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        print(f"results written to {self.path}")


def results(source):
    """The Results of script source, with the --json option taken from sys.argv."""
    return Results(source, take_json_option())
