package dev.pyconc.multiprocessing;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import dev.pyconc.ipc.internal.shm.HeaderDescriptor;
import dev.pyconc.ipc.internal.shm.Segments;
import dev.pyconc.ipc.internal.shm.SharedCTypesDescriptor;
import dev.pyconc.ipc.internal.shm.Words;

/**
 * A fixed-length array of numbers in shared memory, Python's {@code multiprocessing.Array} (from
 * {@code multiprocessing.sharedctypes}): {@code int} ({@code 'i'}), {@code long} ({@code 'q'}) or
 * {@code double} ({@code 'd'}) elements that every process it is sent to reads and writes, with the
 * {@link RLock} Python gives it (or a {@link Lock} or {@link RLock} of the caller's, as Python's
 * {@code lock=lock}), and with per-element atomic operations Python lacks.
 *
 * <pre> {@code
 * Array.OfDouble totals = Array.ofDoubles(4);          // Array('d', 4)
 * // worker i, in its process:
 * totals.set(i, compute(i));                           // totals[i] = ...
 * totals.getAndAdd(0, 1.5);                            // atomic, lock-free
 * double[] all = totals.toArray();                     // totals[:]
 * }</pre>
 *
 * <p>As in Python, {@code get}, {@code set} and {@code toArray} take the array's lock when it has
 * one (the default); an array created with {@code lock = false} (Python's {@code RawArray}) has
 * none. The atomic operations never take the lock (see {@link Value}). An index out of range
 * throws {@link IndexOutOfBoundsException} (Python's IndexError) with the index and the length.
 *
 * <p>Memory consistency effects: each element operation is a volatile access of the shared
 * memory; {@code toArray} reads the elements one by one, under the lock if there is one.
 */
public abstract sealed class Array implements Serializable permits Array.OfInt, Array.OfLong, Array.OfDouble {
    @Serial
    private static final long serialVersionUID = 1L;

    static final long DATA = HeaderDescriptor.BODY + SharedCTypesDescriptor.DATA;

    final transient Segments.Mapped mapped;
    final transient MemorySegment memory;
    final transient int length;
    private final transient OptionalLock lock;

    Array(Segments.Mapped mapped, int length, SharedLock callers) {
        this.mapped = mapped;
        this.memory = mapped.memory();
        this.length = length;
        this.lock = callers == null ? new OptionalLock(mapped, HeaderDescriptor.ARRAY, "Array")
                : new OptionalLock(callers, "Array");
    }

    private static Segments.Mapped create(int type, int length, boolean lock) {
        if (length < 0) {
            throw new IllegalArgumentException("array length must be >= 0, not " + length);
        }
        return Value.create(type, length, lock, HeaderDescriptor.ARRAY);
    }

    /** {@code Array('i', length)}: zeros, with a lock. */
    public static OfInt ofInts(int length) {
        return ofInts(length, true);
    }

    /** {@code Array('i', length, lock=lock)}: zeros, with a lock or (false) raw. */
    public static OfInt ofInts(int length, boolean lock) {
        return new OfInt(create(SharedCTypesDescriptor.INT, length, lock), length, null);
    }

    /** {@code Array('i', values)}: a copy of {@code values}, with a lock. */
    public static OfInt ofInts(int[] values) {
        return ofInts(values, true);
    }

    /** {@code Array('i', values, lock=lock)}. */
    public static OfInt ofInts(int[] values, boolean lock) {
        return fill(ofInts(checked(values).length, lock), values);
    }

    /**
     * {@code Array('i', length, lock=lock)} with a lock of the caller's: element access and
     * {@link #getLock()} use it; it travels with the array to other processes.
     *
     * @throws IllegalArgumentException if {@code lock} is not a multiprocessing {@link Lock} or {@link RLock}
     */
    public static OfInt ofInts(int length, dev.pyconc.threading.Lockable lock) {
        return new OfInt(create(SharedCTypesDescriptor.INT, length, false), length, OptionalLock.check(lock));
    }

    /** {@code Array('i', values, lock=lock)} with a lock of the caller's, as {@link #ofInts(int, dev.pyconc.threading.Lockable)}. */
    public static OfInt ofInts(int[] values, dev.pyconc.threading.Lockable lock) {
        return fill(ofInts(checked(values).length, lock), values);
    }

    private static OfInt fill(OfInt a, int[] values) {
        for (int i = 0; i < values.length; i++) {
            Words.putIntRelease(a.memory, DATA + 4L * i, values[i]);
        }
        return a;
    }

    /** {@code Array('q', length)}: zeros, with a lock. */
    public static OfLong ofLongs(int length) {
        return ofLongs(length, true);
    }

    /** {@code Array('q', length, lock=lock)}. */
    public static OfLong ofLongs(int length, boolean lock) {
        return new OfLong(create(SharedCTypesDescriptor.LONG, length, lock), length, null);
    }

    /** {@code Array('q', values)}: a copy of {@code values}, with a lock. */
    public static OfLong ofLongs(long[] values) {
        return ofLongs(values, true);
    }

    /** {@code Array('q', values, lock=lock)}. */
    public static OfLong ofLongs(long[] values, boolean lock) {
        return fill(ofLongs(checked(values).length, lock), values);
    }

    /**
     * {@code Array('q', length, lock=lock)} with a lock of the caller's: element access and
     * {@link #getLock()} use it; it travels with the array to other processes.
     *
     * @throws IllegalArgumentException if {@code lock} is not a multiprocessing {@link Lock} or {@link RLock}
     */
    public static OfLong ofLongs(int length, dev.pyconc.threading.Lockable lock) {
        return new OfLong(create(SharedCTypesDescriptor.LONG, length, false), length, OptionalLock.check(lock));
    }

    /** {@code Array('q', values, lock=lock)} with a lock of the caller's, as {@link #ofLongs(int, dev.pyconc.threading.Lockable)}. */
    public static OfLong ofLongs(long[] values, dev.pyconc.threading.Lockable lock) {
        return fill(ofLongs(checked(values).length, lock), values);
    }

    private static OfLong fill(OfLong a, long[] values) {
        for (int i = 0; i < values.length; i++) {
            Words.putLongRelease(a.memory, DATA + 8L * i, values[i]);
        }
        return a;
    }

    /** {@code Array('d', length)}: zeros, with a lock. */
    public static OfDouble ofDoubles(int length) {
        return ofDoubles(length, true);
    }

    /** {@code Array('d', length, lock=lock)}. */
    public static OfDouble ofDoubles(int length, boolean lock) {
        return new OfDouble(create(SharedCTypesDescriptor.DOUBLE, length, lock), length, null);
    }

    /** {@code Array('d', values)}: a copy of {@code values}, with a lock. */
    public static OfDouble ofDoubles(double[] values) {
        return ofDoubles(values, true);
    }

    /** {@code Array('d', values, lock=lock)}. */
    public static OfDouble ofDoubles(double[] values, boolean lock) {
        return fill(ofDoubles(checked(values).length, lock), values);
    }

    /**
     * {@code Array('d', length, lock=lock)} with a lock of the caller's: element access and
     * {@link #getLock()} use it; it travels with the array to other processes.
     *
     * @throws IllegalArgumentException if {@code lock} is not a multiprocessing {@link Lock} or {@link RLock}
     */
    public static OfDouble ofDoubles(int length, dev.pyconc.threading.Lockable lock) {
        return new OfDouble(create(SharedCTypesDescriptor.DOUBLE, length, false), length, OptionalLock.check(lock));
    }

    /** {@code Array('d', values, lock=lock)} with a lock of the caller's, as {@link #ofDoubles(int, dev.pyconc.threading.Lockable)}. */
    public static OfDouble ofDoubles(double[] values, dev.pyconc.threading.Lockable lock) {
        return fill(ofDoubles(checked(values).length, lock), values);
    }

    private static OfDouble fill(OfDouble a, double[] values) {
        for (int i = 0; i < values.length; i++) {
            Words.putLongRelease(a.memory, DATA + 8L * i, Double.doubleToRawLongBits(values[i]));
        }
        return a;
    }

    private static <T> T checked(T values) {
        if (values == null) {
            throw new IllegalArgumentException("values must not be null");
        }
        return values;
    }

    /** The number of elements, Python's {@code len(arr)}. */
    public int length() {
        return length;
    }

    /**
     * The lock that guards compound operations, Python's {@code get_lock()}: the array's own
     * {@link RLock}, or the {@link Lock} or {@link RLock} it was given.
     *
     * @throws IllegalStateException if the array was created with {@code lock = false}
     */
    public dev.pyconc.threading.Lockable getLock() {
        return lock.get();
    }

    /** The type code: {@code "i"}, {@code "q"} or {@code "d"}. */
    public abstract String typecode();

    final long at(int index, int size) {
        if (index < 0 || index >= length) {
            throw new IndexOutOfBoundsException("array index " + index + " out of range for length " + length);
        }
        return DATA + (long) size * index;
    }

    final boolean lock() {
        return lock.enter();
    }

    final void unlock(boolean locked) {
        lock.exit(locked);
    }

    @Serial
    Object writeReplace() {     // package access: the subclasses inherit it
        return new Handle(mapped.name(), lock.callers());
    }

    @Serial
    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("an Array travels as its handle");
    }

    /** What a serialized Array is: its segment; attaches in the receiving process. */
    private record Handle(String segment, SharedLock callers) implements Serializable {
        @Serial
        private Object readResolve() {
            Segments.Mapped m = Segments.attach(segment, SharedCTypesDescriptor.DATA, HeaderDescriptor.ARRAY);
            int type = Words.getInt(m.memory(), HeaderDescriptor.BODY + SharedCTypesDescriptor.TYPE);
            int length = Words.getInt(m.memory(), HeaderDescriptor.BODY + SharedCTypesDescriptor.LENGTH);
            if (SharedCTypesDescriptor.elementSize(type) < 0 || length < 0
                    || HeaderDescriptor.BODY + SharedCTypesDescriptor.length(type, length) > m.memory().byteSize()) {
                throw new IllegalStateException("corrupt Array segment '" + segment + "': type code " + type
                        + ", length " + length + ", " + m.memory().byteSize() + " bytes");
            }
            return switch (type) {
                case SharedCTypesDescriptor.INT -> new OfInt(m, length, callers);
                case SharedCTypesDescriptor.LONG -> new OfLong(m, length, callers);
                case SharedCTypesDescriptor.DOUBLE -> new OfDouble(m, length, callers);
                default -> throw new IllegalStateException("corrupt Array segment '" + segment + "': type code " + type
                        + " (an Array holds 'i', 'q' or 'd')");
            };
        }
    }

    /** A shared {@code int[]}: {@code Array('i', ...)}. */
    public static final class OfInt extends Array {
        @Serial
        private static final long serialVersionUID = 1L;

        OfInt(Segments.Mapped mapped, int length, SharedLock callers) {
            super(mapped, length, callers);
        }

        @Override
        public String typecode() {
            return "i";
        }

        /** Element {@code index}, read under the lock if there is one. */
        public int get(int index) {
            long at = at(index, 4);
            boolean locked = lock();
            try {
                return Words.getIntVolatile(memory, at);
            } finally {
                unlock(locked);
            }
        }

        /** Sets element {@code index}, under the lock if there is one. */
        public void set(int index, int value) {
            long at = at(index, 4);
            boolean locked = lock();
            try {
                Words.putIntVolatile(memory, at, value);
            } finally {
                unlock(locked);
            }
        }

        /** Atomically sets element {@code index} to {@code value} if it is {@code expected}. */
        public boolean compareAndSet(int index, int expected, int value) {
            return Words.compareAndSetInt(memory, at(index, 4), expected, value);
        }

        /** Atomically adds {@code delta} to element {@code index}, returning its previous value. */
        public int getAndAdd(int index, int delta) {
            return Words.getAndAddInt(memory, at(index, 4), delta);
        }

        /** Atomically sets element {@code index}, returning its previous value. */
        public int getAndSet(int index, int value) {
            return Words.getAndSetInt(memory, at(index, 4), value);
        }

        /** A copy of all elements ({@code arr[:]}), read under the lock if there is one. */
        public int[] toArray() {
            int[] copy = new int[length];
            boolean locked = lock();
            try {
                for (int i = 0; i < length; i++) {
                    copy[i] = Words.getIntVolatile(memory, DATA + 4L * i);
                }
            } finally {
                unlock(locked);
            }
            return copy;
        }

        @Override
        public String toString() {
            return "Array('i', " + Arrays.toString(toArray()) + ")";
        }
    }

    /** A shared {@code long[]}: {@code Array('q', ...)}. */
    public static final class OfLong extends Array {
        @Serial
        private static final long serialVersionUID = 1L;

        OfLong(Segments.Mapped mapped, int length, SharedLock callers) {
            super(mapped, length, callers);
        }

        @Override
        public String typecode() {
            return "q";
        }

        /** Element {@code index}, read under the lock if there is one. */
        public long get(int index) {
            long at = at(index, 8);
            boolean locked = lock();
            try {
                return Words.getLongVolatile(memory, at);
            } finally {
                unlock(locked);
            }
        }

        /** Sets element {@code index}, under the lock if there is one. */
        public void set(int index, long value) {
            long at = at(index, 8);
            boolean locked = lock();
            try {
                Words.putLongVolatile(memory, at, value);
            } finally {
                unlock(locked);
            }
        }

        /** Atomically sets element {@code index} to {@code value} if it is {@code expected}. */
        public boolean compareAndSet(int index, long expected, long value) {
            return Words.compareAndSetLong(memory, at(index, 8), expected, value);
        }

        /** Atomically adds {@code delta} to element {@code index}, returning its previous value. */
        public long getAndAdd(int index, long delta) {
            return Words.getAndAddLong(memory, at(index, 8), delta);
        }

        /** Atomically sets element {@code index}, returning its previous value. */
        public long getAndSet(int index, long value) {
            return Words.getAndSetLong(memory, at(index, 8), value);
        }

        /** A copy of all elements ({@code arr[:]}), read under the lock if there is one. */
        public long[] toArray() {
            long[] copy = new long[length];
            boolean locked = lock();
            try {
                for (int i = 0; i < length; i++) {
                    copy[i] = Words.getLongVolatile(memory, DATA + 8L * i);
                }
            } finally {
                unlock(locked);
            }
            return copy;
        }

        @Override
        public String toString() {
            return "Array('q', " + Arrays.toString(toArray()) + ")";
        }
    }

    /** A shared {@code double[]}: {@code Array('d', ...)}. */
    public static final class OfDouble extends Array {
        @Serial
        private static final long serialVersionUID = 1L;

        OfDouble(Segments.Mapped mapped, int length, SharedLock callers) {
            super(mapped, length, callers);
        }

        @Override
        public String typecode() {
            return "d";
        }

        /** Element {@code index}, read under the lock if there is one. */
        public double get(int index) {
            long at = at(index, 8);
            boolean locked = lock();
            try {
                return Double.longBitsToDouble(Words.getLongVolatile(memory, at));
            } finally {
                unlock(locked);
            }
        }

        /** Sets element {@code index}, under the lock if there is one. */
        public void set(int index, double value) {
            long at = at(index, 8);
            boolean locked = lock();
            try {
                Words.putLongVolatile(memory, at, Double.doubleToRawLongBits(value));
            } finally {
                unlock(locked);
            }
        }

        /** Atomically sets element {@code index} to {@code value} if it has the bits of {@code expected}. */
        public boolean compareAndSet(int index, double expected, double value) {
            return Words.compareAndSetLong(memory, at(index, 8), Double.doubleToRawLongBits(expected),
                    Double.doubleToRawLongBits(value));
        }

        /** Atomically adds {@code delta} to element {@code index}, returning its previous value. */
        public double getAndAdd(int index, double delta) {
            return Words.getAndAddDouble(memory, at(index, 8), delta);
        }

        /** Atomically sets element {@code index}, returning its previous value. */
        public double getAndSet(int index, double value) {
            return Double.longBitsToDouble(Words.getAndSetLong(memory, at(index, 8), Double.doubleToRawLongBits(value)));
        }

        /** A copy of all elements ({@code arr[:]}), read under the lock if there is one. */
        public double[] toArray() {
            double[] copy = new double[length];
            boolean locked = lock();
            try {
                for (int i = 0; i < length; i++) {
                    copy[i] = Double.longBitsToDouble(Words.getLongVolatile(memory, DATA + 8L * i));
                }
            } finally {
                unlock(locked);
            }
            return copy;
        }

        @Override
        public String toString() {
            return "Array('d', " + Arrays.toString(toArray()) + ")";
        }
    }
}
