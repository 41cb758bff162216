package dev.pyconc.ipc.internal.shm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * Access to the 32- and 64-bit words of mapped memory (and, read and written whole only, its 8- and
 * 16-bit ones), with the access mode in each method's name
 * (as Agrona's {@code AtomicBuffer} names them). Offsets are byte offsets into the segment and come
 * from a descriptor class; ints must be 4-byte and longs 8-byte aligned, which every descriptor
 * guarantees (mappings start on a page); shorts are 2-byte aligned.
 *
 * <p>Pairing: a {@code put...Release} or {@code put...Volatile} pairs with a {@code get...Acquire}
 * or {@code get...Volatile} of the same word in another thread or process, which then sees every
 * write made before it. Volatile accesses are also totally ordered with each other, which the
 * "sleepers" handshake of {@link dev.pyconc.ipc.internal.sync.WaitEngine} needs (a store
 * followed by a load of another word).
 * Read-modify-write methods ({@code compareAndSet}, {@code getAndAdd}, {@code getAndSet}) are
 * volatile. Plain {@code get}/{@code put} are for fields guarded by a lock or not yet published.
 * The same memory mapped twice (at two addresses, in one process or two) behaves as one memory.
 */
public final class Words {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle SHORT = ValueLayout.JAVA_SHORT.varHandle();
    private static final VarHandle BYTE = ValueLayout.JAVA_BYTE.varHandle();

    private Words() {}

    public static short getShortVolatile(MemorySegment s, long offset) {
        return (short) SHORT.getVolatile(s, offset);
    }

    public static void putShortVolatile(MemorySegment s, long offset, short value) {
        SHORT.setVolatile(s, offset, value);
    }

    public static byte getByteVolatile(MemorySegment s, long offset) {
        return (byte) BYTE.getVolatile(s, offset);
    }

    public static void putByteVolatile(MemorySegment s, long offset, byte value) {
        BYTE.setVolatile(s, offset, value);
    }

    public static int getInt(MemorySegment s, long offset) {
        return (int) INT.get(s, offset);
    }

    public static void putInt(MemorySegment s, long offset, int value) {
        INT.set(s, offset, value);
    }

    public static int getIntAcquire(MemorySegment s, long offset) {
        return (int) INT.getAcquire(s, offset);
    }

    public static int getIntVolatile(MemorySegment s, long offset) {
        return (int) INT.getVolatile(s, offset);
    }

    public static void putIntRelease(MemorySegment s, long offset, int value) {
        INT.setRelease(s, offset, value);
    }

    public static void putIntVolatile(MemorySegment s, long offset, int value) {
        INT.setVolatile(s, offset, value);
    }

    public static boolean compareAndSetInt(MemorySegment s, long offset, int expected, int value) {
        return INT.compareAndSet(s, offset, expected, value);
    }

    public static int getAndAddInt(MemorySegment s, long offset, int delta) {
        return (int) INT.getAndAdd(s, offset, delta);
    }

    public static int getAndSetInt(MemorySegment s, long offset, int value) {
        return (int) INT.getAndSet(s, offset, value);
    }

    public static long getLong(MemorySegment s, long offset) {
        return (long) LONG.get(s, offset);
    }

    public static void putLong(MemorySegment s, long offset, long value) {
        LONG.set(s, offset, value);
    }

    public static long getLongAcquire(MemorySegment s, long offset) {
        return (long) LONG.getAcquire(s, offset);
    }

    public static long getLongVolatile(MemorySegment s, long offset) {
        return (long) LONG.getVolatile(s, offset);
    }

    public static void putLongRelease(MemorySegment s, long offset, long value) {
        LONG.setRelease(s, offset, value);
    }

    public static void putLongVolatile(MemorySegment s, long offset, long value) {
        LONG.setVolatile(s, offset, value);
    }

    public static boolean compareAndSetLong(MemorySegment s, long offset, long expected, long value) {
        return LONG.compareAndSet(s, offset, expected, value);
    }

    public static long getAndAddLong(MemorySegment s, long offset, long delta) {
        return (long) LONG.getAndAdd(s, offset, delta);
    }

    public static long getAndSetLong(MemorySegment s, long offset, long value) {
        return (long) LONG.getAndSet(s, offset, value);
    }

    /** Atomically adds {@code delta} to the double stored (as IEEE 754 bits) in the long at {@code offset}. */
    public static double getAndAddDouble(MemorySegment s, long offset, double delta) {
        for (;;) {
            long bits = getLongVolatile(s, offset);
            double current = Double.longBitsToDouble(bits);
            if (compareAndSetLong(s, offset, bits, Double.doubleToRawLongBits(current + delta))) {
                return current;
            }
        }
    }
}
