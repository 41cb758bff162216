/**
 * Python's {@code multiprocessing.shared_memory}: named shared-memory segments, mapped as
 * {@link java.lang.foreign.MemorySegment}s, and lists stored in them.
 */
package dev.pyconc.multiprocessing.sharedmemory;
