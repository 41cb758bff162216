package dev.pyconc.ipc.internal.shm;

/**
 * The layout of {@code multiprocessing.Value} and {@code Array} ({@code sharedctypes}): an RLock
 * region (used when the value has a lock), a line of metadata written once by the creator, and the
 * elements, which start on a cache line of their own.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |             Lock: a MutexDescriptor region (64 bytes)         |   0
 *  ...                                                           ...
 *  +---------------------------------------------------------------+
 *  |   Type code: 'i' int, 'q' long, 'd' double, 'h' short, 'c' byte|  64
 *  +---------------------------------------------------------------+
 *  |                   Length: elements (int)                      |  68
 *  +---------------------------------------------------------------+
 *  |                Flags: bit 0 = has a lock (int)                |  72
 *  +---------------------------------------------------------------+
 *  |                    reserved up to byte 128                    |  76
 *  +---------------------------------------------------------------+
 *  |  Element 0 (1 byte 'c', 2 'h', 4 'i', 8 'q' and 'd')          | 128
 *  |  Element 1 ...                                                |
 *  ...                                                           ...
 * </pre>
 *
 * <p>Elements are read and written with volatile accesses and atomic read-modify-writes (doubles
 * through their IEEE 754 bits; 'h' and 'c' elements only whole, under the lock or raw); a value
 * or array given a lock of the caller's has no lock flag: its lock travels with its handle; the metadata is checked against the file size when a peer attaches.
 */
public final class SharedCTypesDescriptor {
    public static final int LOCK = 0;
    public static final int TYPE = 64;
    public static final int LENGTH = 68;
    public static final int FLAGS = 72;
    public static final int DATA = 128;

    public static final int HAS_LOCK = 1;
    public static final int INT = 'i', LONG = 'q', DOUBLE = 'd', SHORT = 'h', CHAR = 'c';

    private SharedCTypesDescriptor() {}

    /** Bytes per element of type code {@code type}, or -1 for an unknown one. */
    public static int elementSize(int type) {
        return switch (type) {
            case CHAR -> 1;
            case SHORT -> 2;
            case INT -> 4;
            case LONG, DOUBLE -> 8;
            default -> -1;
        };
    }

    /** The region's length for {@code length} elements of {@code type}. */
    public static long length(int type, int length) {
        return DATA + (long) elementSize(type) * length;
    }
}
