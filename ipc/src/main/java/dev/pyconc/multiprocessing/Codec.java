package dev.pyconc.multiprocessing;

import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import dev.pyconc.ipc.internal.codec.SerialFilter;
import dev.pyconc.ipc.internal.codec.StandardFormat;

/**
 * Turns the items that travel through pipes and process queues into bytes and back: pyconc's
 * counterpart of the pickling that Python's {@code multiprocessing} applies to every object it
 * sends ({@code ForkingPickler}).
 *
 * <p>{@link #standard()} is the codec every pipe and queue uses unless told otherwise. It writes
 * {@code null}, {@code byte[]}, {@code String}, the boxed primitives, and the lists, sets and maps
 * that Python programs send most ({@code ArrayList}, {@code HashSet}, {@code LinkedHashSet},
 * {@code HashMap}, {@code LinkedHashMap} and those of {@code List.of}, {@code Set.of} and
 * {@code Map.of}, holding only such values) in a compact tagged format of its own (no Java
 * serialization, no reflection; a container whose graph shares an object is serialized, so that
 * the sharing survives), and every other object with Java
 * serialization, read back behind an {@link java.io.ObjectInputFilter} allow-list with limits on
 * depth, references, array lengths and size: only JDK value and collection types are admitted by
 * default, and {@link #builder()} admits more. A class outside the list is named in the
 * {@link UnpicklingError}. The layout of the bytes is described once, in
 * {@code dev.pyconc.ipc.internal.codec.WireFormat}.
 *
 * <p>Users' own formats implement this interface and are given to the pipe or queue when it is
 * made (for example {@code JournalQueue.builder(path).codec(myCodec)}):
 *
 * <pre> {@code
 * record Point(int x, int y) implements java.io.Serializable {}
 *
 * // Java serialization, with the application's own package admitted:
 * Codec<Object> codec = Codec.builder().allowPackage("com.example.geometry").build();
 *
 * // or a format of one's own, without Java serialization:
 * Codec<Point> points = new Codec<>() {
 *     public void encode(Point p, Codec.Output out) { out.writeInt(p.x()); out.writeInt(p.y()); }
 *     public Point decode(MemorySegment in) {
 *         return new Point(in.get(Codec.INT, 0), in.get(Codec.INT, 4));
 *     }
 * };
 * }</pre>
 *
 * <p>Contract: {@link #encode} appends exactly one item to an {@link Output} and must not keep it;
 * {@link #decode} receives exactly the bytes that {@code encode} appended, as a read-only segment
 * that is valid only during the call (it may be a slice of a memory-mapped file), and must throw
 * {@link UnpicklingError} for bytes it cannot read. A pipe or queue encodes an item completely
 * before it writes anything, so an exception from {@code encode} leaves it unchanged.
 * Implementations must be safe for use by several threads at once; the built-in ones are.
 *
 * <p>Memory consistency effects: a codec holds no mutable state of its own; the pipe or queue that
 * uses it gives the happens-before edges between the sender's actions and the receiver's.
 *
 * @param <T> the type of the items
 */
public interface Codec<T> {

    /** Little-endian {@code int}, unaligned: the layout the built-in codec uses for its fields. */
    java.lang.foreign.ValueLayout.OfInt INT = java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED
            .withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    /** Little-endian {@code long}, unaligned. */
    java.lang.foreign.ValueLayout.OfLong LONG = java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED
            .withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    /**
     * Appends the bytes of {@code item} to {@code out}.
     *
     * @throws PicklingError if {@code item} cannot be encoded
     */
    void encode(T item, Output out);

    /**
     * Reads back one item from {@code in}, which holds exactly the bytes one {@link #encode} call
     * appended. The segment is read-only and valid only during this call.
     *
     * @throws UnpicklingError if the bytes are not a valid item, or admit a class or exceed a
     *         limit that the codec refuses
     */
    T decode(MemorySegment in);

    /** As {@link #decode(MemorySegment)}, from {@code length} bytes of {@code bytes} at {@code offset}. */
    default T decode(byte[] bytes, int offset, int length) {
        if (bytes == null) {
            throw new IllegalArgumentException("bytes must not be null");
        }
        if (offset < 0 || length < 0 || length > bytes.length - offset) {
            throw new IllegalArgumentException("offset " + offset + " and length " + length
                    + " do not lie within an array of " + bytes.length + " bytes");
        }
        return decode(MemorySegment.ofArray(bytes).asSlice(offset, length).asReadOnly());
    }

    /** As {@link #decode(MemorySegment)}, from the whole of {@code bytes}. */
    default T decode(byte[] bytes) {
        if (bytes == null) {
            throw new IllegalArgumentException("bytes must not be null");
        }
        return decode(bytes, 0, bytes.length);
    }

    /**
     * The codec that pipes and queues use by default: native encoding of {@code null},
     * {@code byte[]}, {@code String}, boxed primitives and the common lists, sets and maps of
     * them, Java serialization of the rest behind
     * the default allow-list and limits (see {@link Builder}).
     */
    static Codec<Object> standard() {
        return StandardCodec.DEFAULT;
    }

    /** A builder of a standard codec with a wider allow-list or other limits. */
    static Builder builder() {
        return new Builder();
    }

    /**
     * Where a codec appends an item's bytes: a growable buffer that the pipe or queue reuses, so
     * that encoding allocates nothing once it has grown to the usual item size. Multi-byte values
     * are written little-endian, matching {@link Codec#INT} and {@link Codec#LONG} for reading:
     *
     * <pre> {@code
     * public void encode(Point p, Codec.Output out) { out.writeInt(p.x()); out.writeInt(p.y()); }
     * }</pre>
     *
     * <p>Memory consistency effects: none; an output belongs to the one call that encodes and is
     * not thread-safe.
     */
    interface Output {
        /** Appends the low 8 bits of {@code value}. */
        void writeByte(int value);

        /** Appends {@code value}, 4 bytes little-endian. */
        void writeInt(int value);

        /** Appends {@code value}, 8 bytes little-endian. */
        void writeLong(long value);

        /** Appends {@code length} bytes of {@code bytes} from {@code offset}. */
        void write(byte[] bytes, int offset, int length);

        /** Appends all of {@code bytes}. */
        default void write(byte[] bytes) {
            write(bytes, 0, bytes.length);
        }

        /** Appends the contents of {@code segment}. */
        void write(MemorySegment segment);

        /** The number of bytes this item has so far. */
        long size();

        /**
         * This output as an {@link OutputStream}, for formats written through streams; closing the
         * stream does nothing.
         */
        OutputStream asOutputStream();
    }

    /**
     * Builds a standard codec with a wider allow-list for Java serialization, or other limits.
     * The default list admits the boxed primitives, {@code String}, {@code BigInteger},
     * {@code BigDecimal}, {@code java.time} values, the {@code java.util} and
     * {@code java.util.concurrent} collections (including the unmodifiable ones of {@code List.of}),
     * {@code UUID}, and arrays of admitted types or of primitives. The application's own classes,
     * records and enums included, are admitted only when their class or package is added here.
     *
     * <pre> {@code
     * Codec<Object> codec = Codec.builder()
     *         .allowPackage("com.example.orders")      // com.example.orders.*
     *         .allowClass(com.example.Money.class)
     *         .maxDepth(200)
     *         .build();
     * }</pre>
     *
     * <p>Limits (defaults in brackets): object graph depth [{@value SerialFilter#DEFAULT_MAX_DEPTH}],
     * object references [{@value SerialFilter#DEFAULT_MAX_REFERENCES}], array length
     * [{@value SerialFilter#DEFAULT_MAX_ARRAY_LENGTH}], and item size in bytes
     * [{@value SerialFilter#DEFAULT_MAX_ITEM_BYTES}, 256 MiB], checked when encoding (a
     * {@link PicklingError} before anything is written) and when decoding. Whatever the limits,
     * decoding never allocates an array longer than the item's bytes can describe. The default
     * depth is low on purpose: nested hash sets or maps a few dozen levels deep make
     * {@code hashCode} take exponential time while they are read back; raise it for deep graphs
     * only when the senders are trusted.
     *
     * <p>Memory consistency effects: none; a builder is used by one thread.
     */
    final class Builder {
        private final List<String> patterns = new ArrayList<>();
        private int maxDepth = SerialFilter.DEFAULT_MAX_DEPTH;
        private long maxReferences = SerialFilter.DEFAULT_MAX_REFERENCES;
        private long maxArrayLength = SerialFilter.DEFAULT_MAX_ARRAY_LENGTH;
        private long maxItemBytes = SerialFilter.DEFAULT_MAX_ITEM_BYTES;

        private Builder() {}

        /** Admits {@code type} (exactly this class; arrays of it too). */
        public Builder allowClass(Class<?> type) {
            if (type == null) {
                throw new IllegalArgumentException("type must not be null");
            }
            Class<?> c = type;
            while (c.isArray()) {
                c = c.getComponentType();
            }
            if (!c.isPrimitive()) {
                patterns.add(c.getName());
            }
            return this;
        }

        /** Admits the classes named {@code className} (binary names such as {@code com.example.Outer$Inner}). */
        public Builder allowClass(String className) {
            patterns.add(checkName(className, "className"));
            return this;
        }

        /** Admits every class of package {@code packageName}, not of its sub-packages. */
        public Builder allowPackage(String packageName) {
            patterns.add(checkName(packageName, "packageName") + ".*");
            return this;
        }

        /** Admits every class of package {@code packageName} and of all its sub-packages. */
        public Builder allowPackageTree(String packageName) {
            patterns.add(checkName(packageName, "packageName") + ".**");
            return this;
        }

        /**
         * Adds patterns in the syntax of {@link java.io.ObjectInputFilter.Config#createFilter}
         * (for example {@code "com.example.*;!com.example.Secret"}), matched in order before the
         * default list; a class that a pattern rejects with {@code !} stays rejected.
         */
        public Builder allowPattern(String pattern) {
            if (pattern == null || pattern.isBlank()) {
                throw new IllegalArgumentException("pattern must be a non-empty filter pattern, such as \"com.example.*\"");
            }
            for (String p : pattern.split(";")) {
                String t = p.strip();
                if (t.isEmpty()) {
                    continue;
                }
                if (t.contains("=") || t.contains("/")) {
                    throw new IllegalArgumentException("pattern '" + t
                            + "' is not a class pattern: set limits with maxDepth, maxReferences, maxArrayLength or maxItemBytes; module names are not supported");
                }
                patterns.add(t);
            }
            return this;
        }

        /** The deepest nesting of objects that decoding accepts; at least 1. */
        public Builder maxDepth(int maxDepth) {
            if (maxDepth < 1) {
                throw new IllegalArgumentException("maxDepth must be at least 1: " + maxDepth);
            }
            this.maxDepth = maxDepth;
            return this;
        }

        /** The most object references one item may hold; at least 1. */
        public Builder maxReferences(long maxReferences) {
            if (maxReferences < 1) {
                throw new IllegalArgumentException("maxReferences must be at least 1: " + maxReferences);
            }
            this.maxReferences = maxReferences;
            return this;
        }

        /** The longest array that decoding allocates; at least 0. */
        public Builder maxArrayLength(long maxArrayLength) {
            if (maxArrayLength < 0) {
                throw new IllegalArgumentException("maxArrayLength must not be negative: " + maxArrayLength);
            }
            this.maxArrayLength = maxArrayLength;
            return this;
        }

        /** The largest encoded item, in bytes, from 1 to {@code Integer.MAX_VALUE - 64}. */
        public Builder maxItemBytes(long maxItemBytes) {
            if (maxItemBytes < 1 || maxItemBytes > Integer.MAX_VALUE - 64) {
                throw new IllegalArgumentException("maxItemBytes must be between 1 and " + (Integer.MAX_VALUE - 64)
                        + ": " + maxItemBytes);
            }
            this.maxItemBytes = maxItemBytes;
            return this;
        }

        /**
         * A codec with this allow-list and these limits. It is {@link java.io.Serializable}: it
         * travels, as its list and limits, with a queue's handle and to a pool's workers.
         */
        public Codec<Object> build() {
            return new StandardCodec(new StandardFormat(new SerialFilter(patterns, maxDepth, maxReferences, maxArrayLength),
                    (int) maxItemBytes));
        }

        private static String checkName(String name, String what) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException(what + " must be a non-empty Java name");
            }
            String n = name.strip();
            for (String part : n.split("\\.", -1)) {
                if (part.isEmpty() || !Character.isJavaIdentifierStart(part.codePointAt(0))
                        || !part.codePoints().allMatch(Character::isJavaIdentifierPart)) {
                    throw new IllegalArgumentException(what + " '" + name + "' is not a Java name such as com.example.orders");
                }
            }
            return n;
        }
    }
}
