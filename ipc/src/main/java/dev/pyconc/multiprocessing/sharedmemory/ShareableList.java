package dev.pyconc.multiprocessing.sharedmemory;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

import dev.pyconc.ipc.internal.shm.ShareableListDescriptor;
import dev.pyconc.ipc.internal.shm.Words;

/**
 * A fixed-length list stored in a {@link SharedMemory} segment, Python's
 * {@code multiprocessing.shared_memory.ShareableList}: items are {@link Integer}, {@link Long},
 * {@link Double}, {@link Boolean}, {@link String}, {@code byte[]} or {@code null}, readable and
 * writable by every process that attaches to the segment.
 *
 * <pre> {@code
 * var list = new ShareableList(List.of(1, 2.5, "héllo", new byte[] {0, 0}, true));   // creates
 * var seen = ShareableList.attach(list.shm().name());   // ShareableList(name=...)
 * seen.set(2, "bye");
 * seen.get(3);                        // byte[] {0, 0}: trailing zero bytes are kept
 * }</pre>
 *
 * <p>Each item's storage is fixed when the list is created: 8 bytes, or the UTF-8 (or byte) length
 * of the initial string (byte array) rounded up to a multiple of 8. Any item may later be set to
 * any allowed type that fits: a number needs 8 bytes, a string or byte array its encoded length;
 * setting a longer one throws {@link IllegalArgumentException}, as Python's ValueError. Unlike
 * Python's (cpython gh-106939), strings and byte arrays round-trip exactly, trailing NULs and
 * multi-byte UTF-8 included, because their length is stored. {@code Integer} and {@code Long} are
 * kept apart. The list's length is fixed: {@code add} and {@code remove} throw
 * {@link UnsupportedOperationException}, and an index out of range throws
 * {@link IndexOutOfBoundsException} (Python's IndexError).
 *
 * <p>Like Python's, the list is not synchronised: a read that races with a write of the same item
 * may see a mix of the two payloads (never bytes outside the item's storage); guard such writes
 * with a {@code multiprocessing.Lock}. The segment's layout is drawn in
 * {@link ShareableListDescriptor}; a segment that does not follow it is refused when attached.
 *
 * <p>Memory consistency effects: a {@code set} publishes its item with a release store and
 * {@code get} reads it with an acquire load: actions before a {@code set} happen-before actions
 * after a {@code get} that returns the value it stored.
 */
public class ShareableList extends AbstractList<Object> implements RandomAccess, Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final transient SharedMemory shm;
    private final transient MemorySegment memory;
    private final transient int count;

    /** Creates a list holding {@code sequence}'s items in a new segment with a random name. */
    public ShareableList(List<?> sequence) {
        this(sequence, null);
    }

    /**
     * Creates a list holding {@code sequence}'s items in a new segment named {@code name} (null for
     * a random name), Python's {@code ShareableList(sequence, name=name)}.
     *
     * @throws IllegalArgumentException if an item is not of an allowed type, or for a bad name
     */
    public ShareableList(List<?> sequence, String name) {
        if (sequence == null) {
            throw new IllegalArgumentException("sequence must not be null; use ShareableList.attach(name) to attach");
        }
        Object[] items = sequence.toArray();
        long[] capacities = new long[items.length];
        long offset = ShareableListDescriptor.data(items.length);
        for (int i = 0; i < items.length; i++) {
            capacities[i] = Math.max(8, (encode(items[i], i).length + 7L) / 8 * 8);
            offset += capacities[i];
        }
        this.shm = new SharedMemory(name, true, Math.max(offset, 8));
        this.memory = shm.buf();
        this.count = items.length;
        long at = ShareableListDescriptor.data(items.length);
        Words.putInt(memory, ShareableListDescriptor.VERSION, ShareableListDescriptor.VERSION_VALUE);
        Words.putInt(memory, ShareableListDescriptor.COUNT, count);
        for (int i = 0; i < items.length; i++) {
            long entry = ShareableListDescriptor.entry(i);
            Words.putLong(memory, entry + ShareableListDescriptor.ENTRY_OFFSET, at);
            Words.putLong(memory, entry + ShareableListDescriptor.ENTRY_CAPACITY, capacities[i]);
            write(i, items[i]);
            at += capacities[i];
        }
        Words.putLongRelease(memory, ShareableListDescriptor.MAGIC, ShareableListDescriptor.MAGIC_VALUE);
    }

    private ShareableList(SharedMemory shm) {
        this.shm = shm;
        this.memory = shm.buf();
        try {
            this.count = validate(memory, shm.name());
        } catch (RuntimeException e) {
            shm.close();
            throw e;
        }
    }

    /**
     * Attaches to the list stored in segment {@code name}, Python's {@code ShareableList(name=name)}.
     *
     * @throws IllegalStateException if the segment does not hold a ShareableList
     */
    public static ShareableList attach(String name) {
        return new ShareableList(SharedMemory.attach(name));
    }

    private static int validate(MemorySegment m, String name) {
        String what = "segment '" + name + "' ";
        if (m.byteSize() < ShareableListDescriptor.INDEX
                || Words.getLongAcquire(m, ShareableListDescriptor.MAGIC) != ShareableListDescriptor.MAGIC_VALUE) {
            throw new IllegalStateException(what + "does not hold a ShareableList");
        }
        int version = Words.getInt(m, ShareableListDescriptor.VERSION);
        int count = Words.getInt(m, ShareableListDescriptor.COUNT);
        if (version != ShareableListDescriptor.VERSION_VALUE || count < 0
                || ShareableListDescriptor.data(count) > m.byteSize()) {
            throw new IllegalStateException(what + "holds a corrupt ShareableList (version " + version + ", "
                    + count + " items)");
        }
        long data = ShareableListDescriptor.data(count);
        for (int i = 0; i < count; i++) {
            long entry = ShareableListDescriptor.entry(i);
            long offset = Words.getLong(m, entry + ShareableListDescriptor.ENTRY_OFFSET);
            long capacity = Words.getLong(m, entry + ShareableListDescriptor.ENTRY_CAPACITY);
            if (offset < data || capacity < 8 || (offset & 7) != 0 || capacity > m.byteSize() - offset) {
                throw new IllegalStateException(what + "holds a corrupt ShareableList: item " + i + " at " + offset
                        + " with " + capacity + " bytes");
            }
        }
        return count;
    }

    /** The segment that holds the list, Python's {@code shm}. */
    public SharedMemory shm() {
        return shm;
    }

    @Override
    public int size() {
        return count;
    }

    /**
     * Item {@code index}: an Integer, Long, Double, Boolean, String, byte[] (a copy) or null.
     *
     * @throws IndexOutOfBoundsException if {@code index} is out of range
     * @throws IllegalStateException if the item's tag is corrupt
     */
    @Override
    public Object get(int index) {
        long entry = entry(index);
        long tag = Words.getLongAcquire(memory, entry + ShareableListDescriptor.ENTRY_TAG);
        long offset = Words.getLong(memory, entry + ShareableListDescriptor.ENTRY_OFFSET);
        long capacity = Words.getLong(memory, entry + ShareableListDescriptor.ENTRY_CAPACITY);
        int type = (int) (tag >>> 32);
        int length = (int) tag;
        return switch (type) {
            case ShareableListDescriptor.NONE -> null;
            case ShareableListDescriptor.INT -> memory.get(ValueLayout.JAVA_INT, offset);
            case ShareableListDescriptor.LONG -> memory.get(ValueLayout.JAVA_LONG, offset);
            case ShareableListDescriptor.DOUBLE -> memory.get(ValueLayout.JAVA_DOUBLE, offset);
            case ShareableListDescriptor.BOOLEAN -> memory.get(ValueLayout.JAVA_BYTE, offset) != 0;
            case ShareableListDescriptor.STRING, ShareableListDescriptor.BYTES -> {
                if (length < 0 || length > capacity) {
                    throw new IllegalStateException("item " + index + " of ShareableList '" + shm.name()
                            + "' is corrupt: length " + length + " exceeds its " + capacity + " bytes");
                }
                byte[] bytes = memory.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE);
                yield type == ShareableListDescriptor.BYTES ? bytes : new String(bytes, StandardCharsets.UTF_8);
            }
            default -> throw new IllegalStateException("item " + index + " of ShareableList '" + shm.name()
                    + "' is corrupt: unknown type " + type);
        };
    }

    /**
     * Sets item {@code index} to {@code value}, Python's {@code sl[index] = value}.
     *
     * @return the previous item
     * @throws IllegalArgumentException if {@code value} is of another type, or does not fit the
     *         item's storage (nothing is written then)
     * @throws IndexOutOfBoundsException if {@code index} is out of range
     */
    @Override
    public Object set(int index, Object value) {
        entry(index);
        Object previous = get(index);
        write(index, value);
        return previous;
    }

    private void write(int index, Object value) {
        long entry = ShareableListDescriptor.entry(index);
        long offset = Words.getLong(memory, entry + ShareableListDescriptor.ENTRY_OFFSET);
        long capacity = Words.getLong(memory, entry + ShareableListDescriptor.ENTRY_CAPACITY);
        byte[] payload = encode(value, index);
        if (payload.length > capacity) {
            throw new IllegalArgumentException("item " + index + " has room for " + capacity + " bytes; "
                    + describe(value) + " needs " + payload.length);
        }
        MemorySegment.copy(payload, 0, memory, ValueLayout.JAVA_BYTE, offset, payload.length);
        Words.putLongRelease(memory, entry + ShareableListDescriptor.ENTRY_TAG,
                ShareableListDescriptor.tag(type(value), payload.length));
    }

    private long entry(int index) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("ShareableList index " + index + " out of range for length " + count);
        }
        return ShareableListDescriptor.entry(index);
    }

    /** Python's {@code count(value)}: how many items equal {@code value}. */
    public int count(Object value) {
        int n = 0;
        for (int i = 0; i < count; i++) {
            if (same(get(i), value)) {
                n++;
            }
        }
        return n;
    }

    /**
     * Python's {@code index(value)}: the first index whose item equals {@code value}.
     *
     * @throws IllegalArgumentException if no item does (Python's ValueError)
     */
    public int index(Object value) {
        int i = indexOf(value);
        if (i < 0) {
            throw new IllegalArgumentException(describe(value) + " is not in the ShareableList");
        }
        return i;
    }

    @Override
    public int indexOf(Object value) {
        for (int i = 0; i < count; i++) {
            if (same(get(i), value)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public boolean contains(Object value) {
        return indexOf(value) >= 0;
    }

    private static boolean same(Object a, Object b) {
        return a instanceof byte[] x && b instanceof byte[] y ? Arrays.equals(x, y) : Objects.equals(a, b);
    }

    private static int type(Object value) {
        return switch (value) {
            case null -> ShareableListDescriptor.NONE;
            case Integer ignored -> ShareableListDescriptor.INT;
            case Long ignored -> ShareableListDescriptor.LONG;
            case Double ignored -> ShareableListDescriptor.DOUBLE;
            case Boolean ignored -> ShareableListDescriptor.BOOLEAN;
            case String ignored -> ShareableListDescriptor.STRING;
            case byte[] ignored -> ShareableListDescriptor.BYTES;
            default -> throw new IllegalArgumentException("ShareableList items must be Integer, Long, Double, Boolean,"
                    + " String, byte[] or null, not " + value.getClass().getName());
        };
    }

    /** The payload of {@code value} (8 bytes for numbers, in native order), checking its type. */
    private static byte[] encode(Object value, int index) {
        MemorySegment eight = MemorySegment.ofArray(new byte[8]);
        switch (value) {
            case null -> { }
            case Integer v -> eight.set(ValueLayout.JAVA_INT_UNALIGNED, 0, v);
            case Long v -> eight.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, v);
            case Double v -> eight.set(ValueLayout.JAVA_DOUBLE_UNALIGNED, 0, v);
            case Boolean v -> eight.set(ValueLayout.JAVA_BYTE, 0, (byte) (v ? 1 : 0));
            case String v -> {
                return utf8(v, index);
            }
            case byte[] v -> {
                return v.clone();
            }
            default -> throw new IllegalArgumentException("item " + index + ": ShareableList items must be Integer,"
                    + " Long, Double, Boolean, String, byte[] or null, not " + value.getClass().getName());
        }
        return (byte[]) eight.heapBase().orElseThrow();
    }

    private static byte[] utf8(String s, int index) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < s.length()
                        && Character.isLowSurrogate(s.charAt(i + 1));
                if (!paired) {
                    throw new IllegalArgumentException("item " + index + ": the string holds an unpaired surrogate at "
                            + i + ", which UTF-8 cannot encode");
                }
                i++;
            }
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String describe(Object value) {
        return value instanceof byte[] b ? "a byte[" + b.length + "]"
                : value instanceof String s ? "the string \"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\""
                : String.valueOf(value);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ShareableList([");
        for (int i = 0; i < count; i++) {
            Object item = get(i);
            sb.append(i == 0 ? "" : ", ").append(item instanceof byte[] b ? Arrays.toString(b) : item);
        }
        return sb.append("], name='").append(shm.name()).append("')").toString();
    }

    @Serial
    private Object writeReplace() {
        return new Handle(shm.name());
    }

    @Serial
    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("a ShareableList travels as its handle");
    }

    /** What a serialized ShareableList is: its segment's name; attaches in the receiving process. */
    private record Handle(String name) implements Serializable {
        @Serial
        private Object readResolve() {
            return ShareableList.attach(name);
        }
    }
}
