#!/usr/bin/env python3
"""Lists the test methods of the CPython test files pyconc's conformance table covers.

Usage: python3 conformance/cpython/extract.py CPYTHON/Lib/test [--version 3.13.5] [--out FILE]

Reads the files of FILES below with the ast module (nothing is imported or run) and writes one
line per test method: file, class and method, separated by tabs. A test method is a `def test_*`
or `async def test_*` written directly in the body of a class; classes are those of the module's
top level, including those defined under a top-level `if`/`else` or `try` (platform-dependent
classes). Methods a class inherits are listed once, under the class that defines them. The
output is sorted by file and keeps each file's order of classes and methods.
"""

import argparse
import ast
import os
import sys

# The CPython test files of the groups: threading, queue, concurrent.futures,
# multiprocessing, asyncio and contextvars. Paths are relative to Lib/test.
FILES = [
    "lock_tests.py",
    "test_threading.py",
    "test_queue.py",
    "test_concurrent_futures/test_future.py",
    "test_concurrent_futures/test_wait.py",
    "test_concurrent_futures/test_as_completed.py",
    "test_concurrent_futures/test_thread_pool.py",
    "test_concurrent_futures/test_process_pool.py",
    "test_concurrent_futures/test_shutdown.py",
    "test_concurrent_futures/test_deadlock.py",
    "_test_multiprocessing.py",
    "test_asyncio/test_futures.py",
    "test_asyncio/test_tasks.py",
    "test_asyncio/test_taskgroups.py",
    "test_asyncio/test_timeouts.py",
    "test_asyncio/test_waitfor.py",
    "test_asyncio/test_locks.py",
    "test_asyncio/test_queues.py",
    "test_asyncio/test_runners.py",
    "test_asyncio/test_streams.py",
    "test_asyncio/test_subprocess.py",
    "test_context.py",
]

DEFAULT_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "methods-3.13.tsv")


def module_classes(body):
    """The classes of a module's top level, descending into top-level if/else and try blocks."""
    for node in body:
        if isinstance(node, ast.ClassDef):
            yield node
        elif isinstance(node, ast.If):
            yield from module_classes(node.body)
            yield from module_classes(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, *(h.body for h in node.handlers), node.orelse, node.finalbody):
                yield from module_classes(block)


def test_methods(path):
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), filename=path)
    seen = set()
    for cls in module_classes(tree.body):
        for node in cls.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_"):
                key = (cls.name, node.name)
                if key not in seen:        # a class defined in both branches of an if
                    seen.add(key)
                    yield key


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("test_dir", help="CPython's Lib/test directory")
    parser.add_argument("--version", default="3.13.5", help="the CPython version of test_dir, for the header")
    parser.add_argument("--out", default=DEFAULT_OUT, help="where to write (default: %(default)s)")
    args = parser.parse_args()

    lines = [
        f"# The test methods of CPython {args.version}'s Lib/test files that pyconc's conformance table covers:",
        "# file<TAB>Class<TAB>method, one line per `def test_*` or `async def test_*` defined in a class.",
        "# Generated; do not edit. Regenerate from a CPython source tree with:",
        f"#   python3 conformance/cpython/extract.py CPYTHON/Lib/test --version {args.version}",
    ]
    count = 0
    for name in sorted(FILES):
        path = os.path.join(args.test_dir, name)
        if not os.path.isfile(path):
            sys.exit(f"extract.py: no {name} in {args.test_dir}")
        for cls, method in test_methods(path):
            lines.append(f"{name}\t{cls}\t{method}")
            count += 1
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{count} test methods of {len(FILES)} files written to {args.out}")


if __name__ == "__main__":
    main()
