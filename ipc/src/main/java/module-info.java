/**
 * pyconc ipc: Python's {@code multiprocessing} across JVMs, on memory-mapped files in
 * {@code /dev/shm} and futexes reached through the FFM API.
 */
module dev.pyconc.ipc {
    requires transitive dev.pyconc.core;
    requires org.slf4j;
    requires java.management;     // the JVM flags a child process inherits
    // JournalQueue's storage, optional: Chronicle's jars are automatic modules named after their files.
    requires static chronicle.queue;
    requires static chronicle.core;
    requires static chronicle.bytes;
    requires static chronicle.wire;

    exports dev.pyconc.multiprocessing;
    exports dev.pyconc.multiprocessing.sharedmemory;
    // The internals (dev.pyconc.ipc.internal.shm, sync, ring, codec, journal, launch) are exported
    // to no module: no sibling module uses them, and the jcstress tests and the benchmarks, which
    // do, run on the class path.
}
