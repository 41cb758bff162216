/**
 * pyconc ipc: Python's {@code multiprocessing} across JVMs, on memory-mapped files in
 * {@code /dev/shm} and futexes reached through the FFM API.
 */
module dev.pyconc.ipc {
    requires transitive dev.pyconc.core;
    requires org.slf4j;
    requires java.management;     // the JVM flags a child process inherits

    exports dev.pyconc.multiprocessing;
    exports dev.pyconc.multiprocessing.sharedmemory;
}
