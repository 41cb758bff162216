/**
 * The launch wing of ipc's internals: how a process starts a child JVM (Python's "spawn" start
 * method, and "forkserver" with a pre-started spare): the child's command line
 * ({@link dev.pyconc.ipc.internal.launch.JvmCommand}), the parent's handle on a child
 * ({@link dev.pyconc.ipc.internal.launch.Popen}), the children still running and the hook that
 * ends them at exit, the spare JVM, the ahead-of-time cache of child JVMs, and what travels to
 * the child: the {@link dev.pyconc.ipc.internal.launch.LaunchRecord} over its private channel,
 * whose javadoc draws its layout, carrying the process in Java serialization or in pyconc's own
 * form ({@link dev.pyconc.ipc.internal.launch.ProcessPayload}). The child's main class,
 * {@code ChildMain}, lives beside {@code Process} in {@code dev.pyconc.multiprocessing}, whose
 * non-public parts it needs. It owns no mapped descriptor. It stands on the shm, codec and
 * journal wings.
 */
package dev.pyconc.ipc.internal.launch;
