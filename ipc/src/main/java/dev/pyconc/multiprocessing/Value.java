package dev.pyconc.multiprocessing;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;

import dev.pyconc.ipc.internal.shm.HeaderDescriptor;
import dev.pyconc.ipc.internal.shm.Segments;
import dev.pyconc.ipc.internal.shm.SharedCTypesDescriptor;
import dev.pyconc.ipc.internal.shm.Words;
import dev.pyconc.ipc.internal.sync.MutexDescriptor;
import dev.pyconc.ipc.internal.sync.Mutex;

/**
 * A number in shared memory, Python's {@code multiprocessing.Value} (from
 * {@code multiprocessing.sharedctypes}): an {@code int} ({@code 'i'}), {@code long} ({@code 'q'}),
 * {@code double} ({@code 'd'}), {@code short} ({@code 'h'}) or byte ({@code 'c'}, Python's
 * {@code c_char}) that every process it is sent to reads and writes, with the {@link RLock} Python
 * gives it (or a {@link Lock} or {@link RLock} of the caller's, as Python's {@code lock=lock}), and,
 * for the first three, with atomic operations Python lacks.
 *
 * <pre> {@code
 * Value.OfInt counter = Value.ofInt(0);            // Value('i', 0)
 * // in each worker process:
 * try (var _ = counter.getLock().enter()) {         // with counter.get_lock():
 *     counter.set(counter.get() + 1);               //     counter.value += 1
 * }
 * counter.getAndAdd(1);                             // the same, lock-free
 * }</pre>
 *
 * <p>As in Python, {@code get()} and {@code set()} take the value's lock when it has one (the
 * default), so they are ordered with blocks that hold {@link #getLock()}; a value created with
 * {@code lock = false} (Python's {@code RawValue}) has none, and they are plain volatile accesses.
 * {@code compareAndSet}, {@code getAndSet}, {@code getAndAdd} and {@code addAndGet} are single
 * atomic instructions that never take the lock: atomic with each other and with {@code get} and
 * {@code set}, but not excluded by a block that holds the lock. For doubles, compare-and-set
 * compares bit patterns.
 *
 * <p>Memory consistency effects: each operation is a volatile access of the shared memory: a
 * write in one process happens-before every read, in any process, that sees it.
 */
public abstract sealed class Value implements Serializable
        permits Value.OfInt, Value.OfLong, Value.OfDouble, Value.OfShort, Value.OfChar {
    @Serial
    private static final long serialVersionUID = 1L;

    static final long DATA = HeaderDescriptor.BODY + SharedCTypesDescriptor.DATA;

    final transient Segments.Mapped mapped;
    final transient MemorySegment memory;
    private final transient OptionalLock lock;

    Value(Segments.Mapped mapped, SharedLock callers) {
        this.mapped = mapped;
        this.memory = mapped.memory();
        this.lock = callers == null ? new OptionalLock(mapped, HeaderDescriptor.VALUE, "Value")
                : new OptionalLock(callers, "Value");
    }

    /** {@code Value('i', initial)}: an int with a lock. */
    public static OfInt ofInt(int initial) {
        return ofInt(initial, true);
    }

    /** {@code Value('i', initial, lock=lock)}: an int, with a lock or (false) raw. */
    public static OfInt ofInt(int initial, boolean lock) {
        OfInt v = new OfInt(create(SharedCTypesDescriptor.INT, 1, lock), null);
        Words.putIntVolatile(v.memory, DATA, initial);
        return v;
    }

    /**
     * {@code Value('i', initial, lock=lock)} with a lock of the caller's: reads, writes and
     * {@link #getLock()} use it; it travels with the value to other processes.
     *
     * @throws IllegalArgumentException if {@code lock} is not a multiprocessing {@link Lock} or {@link RLock}
     */
    public static OfInt ofInt(int initial, dev.pyconc.threading.Lockable lock) {
        OfInt v = new OfInt(create(SharedCTypesDescriptor.INT, 1, false), OptionalLock.check(lock));
        Words.putIntVolatile(v.memory, DATA, initial);
        return v;
    }

    /** {@code Value('q', initial)}: a long with a lock. */
    public static OfLong ofLong(long initial) {
        return ofLong(initial, true);
    }

    /** {@code Value('q', initial, lock=lock)}: a long, with a lock or (false) raw. */
    public static OfLong ofLong(long initial, boolean lock) {
        OfLong v = new OfLong(create(SharedCTypesDescriptor.LONG, 1, lock), null);
        Words.putLongVolatile(v.memory, DATA, initial);
        return v;
    }

    /** {@code Value('q', initial, lock=lock)} with a lock of the caller's, as {@link #ofInt(int, dev.pyconc.threading.Lockable)}. */
    public static OfLong ofLong(long initial, dev.pyconc.threading.Lockable lock) {
        OfLong v = new OfLong(create(SharedCTypesDescriptor.LONG, 1, false), OptionalLock.check(lock));
        Words.putLongVolatile(v.memory, DATA, initial);
        return v;
    }

    /** {@code Value('d', initial)}: a double with a lock. */
    public static OfDouble ofDouble(double initial) {
        return ofDouble(initial, true);
    }

    /** {@code Value('d', initial, lock=lock)}: a double, with a lock or (false) raw. */
    public static OfDouble ofDouble(double initial, boolean lock) {
        OfDouble v = new OfDouble(create(SharedCTypesDescriptor.DOUBLE, 1, lock), null);
        Words.putLongVolatile(v.memory, DATA, Double.doubleToRawLongBits(initial));
        return v;
    }

    /** {@code Value('d', initial, lock=lock)} with a lock of the caller's, as {@link #ofInt(int, dev.pyconc.threading.Lockable)}. */
    public static OfDouble ofDouble(double initial, dev.pyconc.threading.Lockable lock) {
        OfDouble v = new OfDouble(create(SharedCTypesDescriptor.DOUBLE, 1, false), OptionalLock.check(lock));
        Words.putLongVolatile(v.memory, DATA, Double.doubleToRawLongBits(initial));
        return v;
    }

    /** {@code Value('h', initial)}: a short with a lock. */
    public static OfShort ofShort(short initial) {
        return ofShort(initial, true);
    }

    /** {@code Value('h', initial, lock=lock)}: a short, with a lock or (false) raw. */
    public static OfShort ofShort(short initial, boolean lock) {
        return ofShort(initial, new OfShort(create(SharedCTypesDescriptor.SHORT, 1, lock), null));
    }

    /** {@code Value('h', initial, lock=lock)} with a lock of the caller's, as {@link #ofInt(int, dev.pyconc.threading.Lockable)}. */
    public static OfShort ofShort(short initial, dev.pyconc.threading.Lockable lock) {
        return ofShort(initial, new OfShort(create(SharedCTypesDescriptor.SHORT, 1, false), OptionalLock.check(lock)));
    }

    private static OfShort ofShort(short initial, OfShort v) {
        Words.putShortVolatile(v.memory, DATA, initial);
        return v;
    }

    /** {@code Value('c', initial)}: a byte (Python's {@code c_char}, a bytes object of length 1) with a lock. */
    public static OfChar ofChar(byte initial) {
        return ofChar(initial, true);
    }

    /** {@code Value('c', initial, lock=lock)}: a byte, with a lock or (false) raw. */
    public static OfChar ofChar(byte initial, boolean lock) {
        return ofChar(initial, new OfChar(create(SharedCTypesDescriptor.CHAR, 1, lock), null));
    }

    /** {@code Value('c', initial, lock=lock)} with a lock of the caller's, as {@link #ofInt(int, dev.pyconc.threading.Lockable)}. */
    public static OfChar ofChar(byte initial, dev.pyconc.threading.Lockable lock) {
        return ofChar(initial, new OfChar(create(SharedCTypesDescriptor.CHAR, 1, false), OptionalLock.check(lock)));
    }

    private static OfChar ofChar(byte initial, OfChar v) {
        Words.putByteVolatile(v.memory, DATA, initial);
        return v;
    }

    /** Creates the segment of a Value or an Array of {@code length} elements of {@code type}. */
    static Segments.Mapped create(int type, int length, boolean lock, int kind) {
        return Segments.create(kind, SharedCTypesDescriptor.length(type, length), m -> {
            Mutex.init(m, MutexDescriptor.regionOf(kind));
            Words.putInt(m, HeaderDescriptor.BODY + SharedCTypesDescriptor.TYPE, type);
            Words.putInt(m, HeaderDescriptor.BODY + SharedCTypesDescriptor.LENGTH, length);
            Words.putInt(m, HeaderDescriptor.BODY + SharedCTypesDescriptor.FLAGS, lock ? SharedCTypesDescriptor.HAS_LOCK : 0);
        });
    }

    private static Segments.Mapped create(int type, int length, boolean lock) {
        return create(type, length, lock, HeaderDescriptor.VALUE);
    }

    /**
     * The lock that guards compound operations, Python's {@code get_lock()}: the value's own
     * {@link RLock}, or the {@link Lock} or {@link RLock} it was given.
     *
     * @throws IllegalStateException if the value was created with {@code lock = false}
     */
    public dev.pyconc.threading.Lockable getLock() {
        return lock.get();
    }

    /** The type code: {@code "i"}, {@code "q"}, {@code "d"}, {@code "h"} or {@code "c"}. */
    public abstract String typecode();

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
        throw new InvalidObjectException("a Value travels as its handle");
    }

    /** What a serialized Value is: its segment; attaches in the receiving process. */
    private record Handle(String segment, SharedLock callers) implements Serializable {
        @Serial
        private Object readResolve() {
            Segments.Mapped m = Segments.attach(segment, SharedCTypesDescriptor.DATA, HeaderDescriptor.VALUE);
            int type = Words.getInt(m.memory(), HeaderDescriptor.BODY + SharedCTypesDescriptor.TYPE);
            int length = Words.getInt(m.memory(), HeaderDescriptor.BODY + SharedCTypesDescriptor.LENGTH);
            if (length != 1 || SharedCTypesDescriptor.elementSize(type) < 0
                    || HeaderDescriptor.BODY + SharedCTypesDescriptor.length(type, 1) > m.memory().byteSize()) {
                throw new IllegalStateException("corrupt Value segment '" + segment + "': type code " + type
                        + ", length " + length);
            }
            return switch (type) {
                case SharedCTypesDescriptor.INT -> new OfInt(m, callers);
                case SharedCTypesDescriptor.LONG -> new OfLong(m, callers);
                case SharedCTypesDescriptor.DOUBLE -> new OfDouble(m, callers);
                case SharedCTypesDescriptor.SHORT -> new OfShort(m, callers);
                case SharedCTypesDescriptor.CHAR -> new OfChar(m, callers);
                default -> throw new IllegalStateException("corrupt Value segment '" + segment + "': type code " + type);
            };
        }
    }

    /** A shared {@code int}: {@code Value('i', ...)}. */
    public static final class OfInt extends Value {
        @Serial
        private static final long serialVersionUID = 1L;

        OfInt(Segments.Mapped mapped, SharedLock callers) {
            super(mapped, callers);
        }

        @Override
        public String typecode() {
            return "i";
        }

        /** The value, read under the lock if there is one. */
        public int get() {
            boolean locked = lock();
            try {
                return Words.getIntVolatile(memory, DATA);
            } finally {
                unlock(locked);
            }
        }

        /** Sets the value, under the lock if there is one. */
        public void set(int value) {
            boolean locked = lock();
            try {
                Words.putIntVolatile(memory, DATA, value);
            } finally {
                unlock(locked);
            }
        }

        /** Atomically sets {@code value} if the value is {@code expected}. */
        public boolean compareAndSet(int expected, int value) {
            return Words.compareAndSetInt(memory, DATA, expected, value);
        }

        /** Atomically sets {@code value}, returning the previous value. */
        public int getAndSet(int value) {
            return Words.getAndSetInt(memory, DATA, value);
        }

        /** Atomically adds {@code delta}, returning the previous value. */
        public int getAndAdd(int delta) {
            return Words.getAndAddInt(memory, DATA, delta);
        }

        /** Atomically adds {@code delta}, returning the new value. */
        public int addAndGet(int delta) {
            return Words.getAndAddInt(memory, DATA, delta) + delta;
        }

        @Override
        public String toString() {
            return "Value('i', " + Words.getIntVolatile(memory, DATA) + ")";
        }
    }

    /** A shared {@code long}: {@code Value('q', ...)}. */
    public static final class OfLong extends Value {
        @Serial
        private static final long serialVersionUID = 1L;

        OfLong(Segments.Mapped mapped, SharedLock callers) {
            super(mapped, callers);
        }

        @Override
        public String typecode() {
            return "q";
        }

        /** The value, read under the lock if there is one. */
        public long get() {
            boolean locked = lock();
            try {
                return Words.getLongVolatile(memory, DATA);
            } finally {
                unlock(locked);
            }
        }

        /** Sets the value, under the lock if there is one. */
        public void set(long value) {
            boolean locked = lock();
            try {
                Words.putLongVolatile(memory, DATA, value);
            } finally {
                unlock(locked);
            }
        }

        /** Atomically sets {@code value} if the value is {@code expected}. */
        public boolean compareAndSet(long expected, long value) {
            return Words.compareAndSetLong(memory, DATA, expected, value);
        }

        /** Atomically sets {@code value}, returning the previous value. */
        public long getAndSet(long value) {
            return Words.getAndSetLong(memory, DATA, value);
        }

        /** Atomically adds {@code delta}, returning the previous value. */
        public long getAndAdd(long delta) {
            return Words.getAndAddLong(memory, DATA, delta);
        }

        /** Atomically adds {@code delta}, returning the new value. */
        public long addAndGet(long delta) {
            return Words.getAndAddLong(memory, DATA, delta) + delta;
        }

        @Override
        public String toString() {
            return "Value('q', " + Words.getLongVolatile(memory, DATA) + ")";
        }
    }

    /** A shared {@code double}: {@code Value('d', ...)}. */
    public static final class OfDouble extends Value {
        @Serial
        private static final long serialVersionUID = 1L;

        OfDouble(Segments.Mapped mapped, SharedLock callers) {
            super(mapped, callers);
        }

        @Override
        public String typecode() {
            return "d";
        }

        /** The value, read under the lock if there is one. */
        public double get() {
            boolean locked = lock();
            try {
                return Double.longBitsToDouble(Words.getLongVolatile(memory, DATA));
            } finally {
                unlock(locked);
            }
        }

        /** Sets the value, under the lock if there is one. */
        public void set(double value) {
            boolean locked = lock();
            try {
                Words.putLongVolatile(memory, DATA, Double.doubleToRawLongBits(value));
            } finally {
                unlock(locked);
            }
        }

        /** Atomically sets {@code value} if the value has the bits of {@code expected}. */
        public boolean compareAndSet(double expected, double value) {
            return Words.compareAndSetLong(memory, DATA, Double.doubleToRawLongBits(expected),
                    Double.doubleToRawLongBits(value));
        }

        /** Atomically sets {@code value}, returning the previous value. */
        public double getAndSet(double value) {
            return Double.longBitsToDouble(Words.getAndSetLong(memory, DATA, Double.doubleToRawLongBits(value)));
        }

        /** Atomically adds {@code delta}, returning the previous value. */
        public double getAndAdd(double delta) {
            return Words.getAndAddDouble(memory, DATA, delta);
        }

        /** Atomically adds {@code delta}, returning the new value. */
        public double addAndGet(double delta) {
            return Words.getAndAddDouble(memory, DATA, delta) + delta;
        }

        @Override
        public String toString() {
            return "Value('d', " + Double.longBitsToDouble(Words.getLongVolatile(memory, DATA)) + ")";
        }
    }

    /** A shared {@code short}: {@code Value('h', ...)}; read and written whole, without atomic updates. */
    public static final class OfShort extends Value {
        @Serial
        private static final long serialVersionUID = 1L;

        OfShort(Segments.Mapped mapped, SharedLock callers) {
            super(mapped, callers);
        }

        @Override
        public String typecode() {
            return "h";
        }

        /** The value, read under the lock if there is one. */
        public short get() {
            boolean locked = lock();
            try {
                return Words.getShortVolatile(memory, DATA);
            } finally {
                unlock(locked);
            }
        }

        /** Sets the value, under the lock if there is one. */
        public void set(short value) {
            boolean locked = lock();
            try {
                Words.putShortVolatile(memory, DATA, value);
            } finally {
                unlock(locked);
            }
        }

        @Override
        public String toString() {
            return "Value('h', " + Words.getShortVolatile(memory, DATA) + ")";
        }
    }

    /**
     * A shared byte: {@code Value('c', ...)}, Python's {@code c_char}, whose value is a bytes
     * object of length 1 ({@code b'x'}); read and written whole, without atomic updates.
     */
    public static final class OfChar extends Value {
        @Serial
        private static final long serialVersionUID = 1L;

        OfChar(Segments.Mapped mapped, SharedLock callers) {
            super(mapped, callers);
        }

        @Override
        public String typecode() {
            return "c";
        }

        /** The value, read under the lock if there is one. */
        public byte get() {
            boolean locked = lock();
            try {
                return Words.getByteVolatile(memory, DATA);
            } finally {
                unlock(locked);
            }
        }

        /** Sets the value, under the lock if there is one. */
        public void set(byte value) {
            boolean locked = lock();
            try {
                Words.putByteVolatile(memory, DATA, value);
            } finally {
                unlock(locked);
            }
        }

        /** As Python prints {@code c_char}: {@code Value('c', b'x')}, with {@code \xNN} for bytes that are not printable ASCII. */
        @Override
        public String toString() {
            int b = Words.getByteVolatile(memory, DATA) & 0xff;
            String shown = switch (b) {
                case '\\' -> "\\\\";
                case '\'' -> "\\'";
                case '\t' -> "\\t";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                default -> b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b);
            };
            return "Value('c', b'" + shown + "')";
        }
    }
}
