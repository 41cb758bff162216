"""Writes the public names of CPython's concurrency modules, one qualified name a line.

Run it with the CPython whose names you want (these files: CPython 3.13.2):

    python3.13 docs/python-to-java/names/extract.py docs/python-to-java/names

A module's names are its ``__all__`` (for ``multiprocessing``: the public attributes of its
default context, which is how ``multiprocessing/__init__.py`` builds its ``__all__``), plus a few
names the library reference documents outside ``__all__`` (each marked "documented" below). A
class's names are the public attributes of its body (methods, properties, class attributes) and
the public attributes its ``__init__`` assigns to ``self``; the bodies of its bases count too,
unless the base is listed itself (so ``asyncio.Task`` lists what it adds to ``asyncio.Future``).
Names starting with ``_`` are left out, except those a module puts in its ``__all__``.
"""

import ast
import importlib
import inspect
import sys
import textwrap
import types

# Modules that are C-only on some platforms: stand-ins so that the Python source can be imported
# on any build (only class bodies are read, nothing is called).
for _stub in ("_posixshmem", "_multiprocessing"):
    if _stub not in sys.modules:
        try:
            importlib.import_module(_stub)
        except ImportError:
            m = types.ModuleType(_stub)
            m.SemLock = type("SemLock", (), {"SEM_VALUE_MAX": 2**31 - 1})
            m.sem_unlink = m.shm_unlink = m.shm_open = None
            m.flags = {}
            sys.modules[_stub] = m

STRUCTSEQ_FIELDS = {"n_fields", "n_sequence_fields", "n_unnamed_fields"}

# Names every Linux build has, which a build without native thread ids or AF_UNIX sockets (such
# as a WebAssembly one) leaves out; added when missing, so that the lists are Linux's.
LINUX = {"threading": ["threading.get_native_id", "threading.Thread.native_id"],
         "asyncio": ["asyncio.open_unix_connection", "asyncio.start_unix_server"]}


def init_attributes(cls):
    """Public attributes that cls.__init__ assigns to self (Python source only)."""
    init = cls.__dict__.get("__init__")
    if not isinstance(init, types.FunctionType):
        return set()
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(init)))
    except (OSError, TypeError, SyntaxError):
        return set()
    names = set()
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        for t in targets:
            for e in (t.elts if isinstance(t, ast.Tuple) else [t]):
                if (isinstance(e, ast.Attribute) and isinstance(e.value, ast.Name)
                        and e.value.id == "self" and not e.attr.startswith("_")):
                    names.add(e.attr)
    return names


def members(cls, listed):
    """The public names of cls, with those of its bases that are not listed themselves."""
    names = set()
    for c in cls.__mro__:
        if c is object or c is BaseException or c is Exception or (c is not cls and c in listed):
            continue
        if c.__module__ == "builtins" and c is not cls:
            continue
        for n in vars(c):
            if not n.startswith("_") and n not in STRUCTSEQ_FIELDS:
                names.add(n)
        names |= init_attributes(c)
    return names


class Names:
    def __init__(self):
        self.lines = set()

    def add(self, qualified):
        self.lines.add(qualified)

    def add_class(self, qualified, cls, listed, skip=()):
        self.add(qualified)
        for n in members(cls, listed):
            if n not in skip:
                self.add(qualified + "." + n)

    def write(self, path, header):
        with open(path, "w") as f:
            f.write("# " + header + "\n")
            for line in sorted(self.lines, key=lambda s: (s.split(".")[:-1], s)):
                f.write(line + "\n")


def module_names(modname, names, skip_members=(), extra_classes=()):
    """__all__ of modname, and the members of its classes."""
    mod = importlib.import_module(modname)
    exported = list(mod.__all__)
    classes = {n: getattr(mod, n) for n in exported if isinstance(getattr(mod, n), type)}
    listed = set(classes.values()) | {c for _, c in extra_classes}
    for n in exported:
        obj = getattr(mod, n)
        if n in classes and n not in skip_members:
            names.add_class(modname + "." + n, obj, listed)
        else:
            names.add(modname + "." + n)
    for qualified, cls in extra_classes:
        names.add_class(qualified, cls, listed)


def version():
    return "CPython %d.%d.%d" % sys.version_info[:3]


def threading_names(out):
    import threading
    names = Names()
    extra = [("threading.RLock", type(threading.RLock()))]  # RLock is a factory function
    module_names("threading", names, skip_members=(), extra_classes=extra)
    names.add("threading.__excepthook__")  # documented, not in __all__
    for n in LINUX["threading"]:
        names.add(n)
    names.write(out + "/threading.txt",
                "Extracted from %s's Lib/threading.py (__all__, the classes' public members) by extract.py" % version())


def queue_names(out):
    names = Names()
    module_names("queue", names)
    names.write(out + "/queue.txt",
                "Extracted from %s's Lib/queue.py (__all__, the classes' public members) by extract.py" % version())


def futures_names(out):
    import concurrent.futures.thread as thread
    import concurrent.futures.process as process
    names = Names()
    extra = [("concurrent.futures.thread.BrokenThreadPool", thread.BrokenThreadPool),
             ("concurrent.futures.process.BrokenProcessPool", process.BrokenProcessPool)]
    module_names("concurrent.futures", names, extra_classes=extra)
    names.write(out + "/concurrent-futures.txt",
                "Extracted from %s's Lib/concurrent/futures/__init__.py, _base.py, thread.py, process.py "
                "(__all__, the documented BrokenThreadPool and BrokenProcessPool, the classes' public members) "
                "by extract.py" % version())


def multiprocessing_names(out):
    import multiprocessing
    from multiprocessing import (connection, managers, pool, process, queues, shared_memory,
                                 sharedctypes, synchronize)
    names = Names()
    ctx = multiprocessing.context._default_context
    # The classes the context's factories return, documented as multiprocessing.X.
    made = {"Process": multiprocessing.Process, "Lock": synchronize.Lock, "RLock": synchronize.RLock,
            "Condition": synchronize.Condition, "Semaphore": synchronize.Semaphore,
            "BoundedSemaphore": synchronize.BoundedSemaphore, "Event": synchronize.Event,
            "Barrier": synchronize.Barrier, "Queue": queues.Queue, "JoinableQueue": queues.JoinableQueue,
            "SimpleQueue": queues.SimpleQueue}
    # Their documented methods that SemLock binds per instance (not in any class body).
    bound = {"Lock": ["acquire", "release"], "RLock": ["acquire", "release"],
             "Semaphore": ["acquire", "release"], "BoundedSemaphore": ["acquire", "release"],
             "Condition": ["acquire", "release"]}
    submodule_classes = {pool.Pool, pool.ThreadPool, pool.AsyncResult, pool.IMapIterator,
                         connection.Connection, connection.Listener, managers.BaseManager,
                         managers.SyncManager, managers.BaseProxy, managers.Token,
                         managers.SharedMemoryManager, managers.Namespace,
                         shared_memory.SharedMemory, shared_memory.ShareableList}
    listed = set(made.values()) | submodule_classes
    for n in sorted(dir(ctx)):
        if n.startswith("_"):
            continue
        obj = getattr(ctx, n)
        q = "multiprocessing." + n
        if n in made:
            names.add_class(q, made[n], listed)
            for m in bound.get(n, []):
                names.add(q + "." + m)
        elif isinstance(obj, type):  # the exceptions
            names.add_class(q, obj, listed)
        else:
            names.add(q)
    # Value and Array return synchronized wrappers (sharedctypes.Synchronized*).
    for n, cls in (("Value", sharedctypes.Synchronized), ("Array", sharedctypes.SynchronizedArray)):
        for m in members(cls, set()):
            names.add("multiprocessing." + n + "." + m)
    # The submodules the library reference documents.
    for modname in ("multiprocessing.shared_memory", "multiprocessing.pool", "multiprocessing.connection",
                    "multiprocessing.managers", "multiprocessing.sharedctypes"):
        module_names(modname, names)
    for q, cls in (("multiprocessing.pool.AsyncResult", pool.AsyncResult),
                   ("multiprocessing.pool.IMapIterator", pool.IMapIterator),
                   ("multiprocessing.connection.Connection", connection.Connection),
                   ("multiprocessing.managers.Namespace", managers.Namespace)):
        names.add_class(q, cls, listed)
    for q in ("multiprocessing.connection.answer_challenge", "multiprocessing.connection.deliver_challenge",
              "multiprocessing.managers.BaseManager.shutdown"):
        names.add(q)  # documented, not in __all__ (shutdown is bound by start())
    names.write(out + "/multiprocessing.txt",
                "Extracted from %s's Lib/multiprocessing/context.py (BaseContext and DefaultContext: the module's "
                "functions), synchronize.py, queues.py, process.py, shared_memory.py, pool.py, connection.py, "
                "managers.py, sharedctypes.py (__all__, documented classes, their public members) by extract.py"
                % version())


def asyncio_names(out):
    import asyncio
    import asyncio.subprocess
    names = Names()
    mod = asyncio
    exported = list(mod.__all__)
    classes = {n: getattr(mod, n) for n in exported if isinstance(getattr(mod, n), type)}
    # Future and Task are C types that repeat every method; their Python versions state what
    # each adds.
    classes["Future"] = asyncio.futures._PyFuture
    classes["Task"] = asyncio.tasks._PyTask
    extra = [("asyncio.subprocess.Process", asyncio.subprocess.Process)]
    listed = set(classes.values()) | {c for _, c in extra}
    # The loop's methods are AbstractEventLoop's; concrete loops and the deprecated child
    # watchers are listed by name only.
    by_name_only = {"BaseEventLoop", "SelectorEventLoop", "EventLoop", "AbstractChildWatcher",
                    "SafeChildWatcher", "FastChildWatcher", "PidfdChildWatcher",
                    "MultiLoopChildWatcher", "ThreadedChildWatcher", "DefaultEventLoopPolicy",
                    "AbstractServer"}
    for n in exported:
        q = "asyncio." + n
        if n in classes and n not in by_name_only:
            names.add_class(q, classes[n], listed)
        else:
            names.add(q)
    for q, cls in extra:
        names.add_class(q, cls, listed)
    for n in ("PIPE", "STDOUT", "DEVNULL"):
        names.add("asyncio.subprocess." + n)
    for n in LINUX["asyncio"]:
        names.add(n)
    names.write(out + "/asyncio.txt",
                "Extracted from %s's Lib/asyncio/__init__.py (the __all__ of each submodule, unix_events "
                "included), the public members of its classes (the loop's are AbstractEventLoop's in events.py), "
                "and asyncio.subprocess.Process, PIPE, STDOUT, DEVNULL by extract.py" % version())


def contextvars_names(out):
    names = Names()
    module_names("contextvars", names)
    names.write(out + "/contextvars.txt",
                "Extracted from %s's contextvars module (__all__, the public members of its C classes) by extract.py"
                % version())


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    threading_names(out)
    queue_names(out)
    futures_names(out)
    multiprocessing_names(out)
    asyncio_names(out)
    contextvars_names(out)
