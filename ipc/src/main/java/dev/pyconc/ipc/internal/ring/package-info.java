/**
 * The ring wing of ipc's internals: {@link dev.pyconc.ipc.internal.ring.MpmcRing}, the
 * many-to-many ring of byte records in shared memory that survives the death of any process
 * using it, the storage of process queues and of each direction of a pipe; and the items that
 * travel between the callers' arrays and a ring without a copy
 * ({@link dev.pyconc.ipc.internal.ring.DirectItems}). It owns the descriptors
 * {@link dev.pyconc.ipc.internal.ring.RingDescriptor},
 * {@link dev.pyconc.ipc.internal.ring.QueueDescriptor} and
 * {@link dev.pyconc.ipc.internal.ring.PipeDescriptor}. It stands on the shm, sync and codec wings.
 */
package dev.pyconc.ipc.internal.ring;
