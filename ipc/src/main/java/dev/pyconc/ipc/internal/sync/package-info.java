/**
 * The synchronization wing of ipc's internals: the one waiting engine of every cross-process
 * primitive ({@link dev.pyconc.ipc.internal.sync.WaitEngine}, which spins, then sleeps on a futex
 * word), and the engines of the robust primitives built on it: the mutex behind {@code Lock},
 * {@code RLock} and the guards of the others ({@link dev.pyconc.ipc.internal.sync.Mutex}), the
 * semaphore ({@link dev.pyconc.ipc.internal.sync.SemaphoreEngine}) and the condition variable's
 * waiter queue ({@link dev.pyconc.ipc.internal.sync.ConditionEngine}). It owns the descriptors
 * {@link dev.pyconc.ipc.internal.sync.MutexDescriptor},
 * {@link dev.pyconc.ipc.internal.sync.SemaphoreDescriptor},
 * {@link dev.pyconc.ipc.internal.sync.ConditionDescriptor},
 * {@link dev.pyconc.ipc.internal.sync.EventDescriptor} and
 * {@link dev.pyconc.ipc.internal.sync.BarrierDescriptor}. It stands on the shm wing.
 */
package dev.pyconc.ipc.internal.sync;
