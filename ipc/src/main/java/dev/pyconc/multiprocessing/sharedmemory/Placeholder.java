package dev.pyconc.multiprocessing.sharedmemory;

/**
 * Keeps this exported package non-empty so that the module compiles before {@code SharedMemory}
 * and {@code ShareableList} are added; delete this class when they are.
 */
final class Placeholder {
    private Placeholder() {}
}
