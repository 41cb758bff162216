package dev.pyconc.multiprocessing.sharedmemory;

/**
 * Keeps this exported package non-empty, which javac requires of module-info's {@code exports},
 * until SharedMemory and ShareableList are added to it; delete it then.
 */
final class PackageAnchor {
    private PackageAnchor() {}
}
