/**
 * The machinery of pyconc's inter-process objects, for the ipc module itself (not exported): the
 * mapping layer ({@link dev.pyconc.multiprocessing.internal.Shm}), the native calls
 * ({@link dev.pyconc.multiprocessing.internal.Posix}), the one waiting engine
 * ({@link dev.pyconc.multiprocessing.internal.WaitEngine}, on
 * {@link dev.pyconc.multiprocessing.internal.Futex}), process identities, the resource tracker,
 * the engines of the robust primitives, and one descriptor class per mapped layout, which draws the
 * bytes and holds every offset. Pipes and queues build on the same pieces.
 */
package dev.pyconc.multiprocessing.internal;
