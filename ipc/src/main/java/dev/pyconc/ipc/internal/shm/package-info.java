/**
 * The shared-memory wing of ipc's internals, the floor the other wings stand on: named segments
 * in {@code /dev/shm} created and attached securely ({@link dev.pyconc.ipc.internal.shm.Shm}),
 * the segments of pyconc's primitives and their common header
 * ({@link dev.pyconc.ipc.internal.shm.Segments},
 * {@link dev.pyconc.ipc.internal.shm.HeaderDescriptor}), the native calls
 * ({@link dev.pyconc.ipc.internal.shm.Posix}, {@link dev.pyconc.ipc.internal.shm.Futex}), access
 * to mapped words ({@link dev.pyconc.ipc.internal.shm.Words}), process identities that a reused
 * pid cannot impersonate ({@link dev.pyconc.ipc.internal.shm.ProcessId}), the resource tracker
 * that removes a process tree's segments once the tree has ended, and who holds a segment:
 * kernel-marked liveness slots, per-process holders, reference counts and handles in flight. It
 * owns the descriptors {@link dev.pyconc.ipc.internal.shm.HeaderDescriptor},
 * {@link dev.pyconc.ipc.internal.shm.LivenessDescriptor},
 * {@link dev.pyconc.ipc.internal.shm.HoldersDescriptor}, and those of the data formats laid
 * out in shared memory, {@link dev.pyconc.ipc.internal.shm.SharedCTypesDescriptor}
 * ({@code Value}, {@code Array}) and {@link dev.pyconc.ipc.internal.shm.ShareableListDescriptor}.
 * It uses no other wing.
 */
package dev.pyconc.ipc.internal.shm;
