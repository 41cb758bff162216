/**
 * Python's {@code multiprocessing} for JVMs: processes, and locks, events, semaphores, conditions,
 * barriers, pipes and queues that work across processes through shared memory.
 */
package dev.pyconc.multiprocessing;
