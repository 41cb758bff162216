package dev.pyconc.ipc.internal.codec;

import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import dev.pyconc.multiprocessing.PicklingError;
import dev.pyconc.multiprocessing.UnpicklingError;

/**
 * The engine of the standard codec ({@code Codec.standard()} and the codecs of
 * {@code Codec.builder()}, which the public side wraps): the tagged format of {@link WireFormat}
 * for {@code null}, {@code byte[]}, {@code String}, boxed primitives and the common lists, sets
 * and maps of them ({@link Containers}); Java serialization behind a {@link SerialFilter} for the
 * rest. Stateless and thread-safe.
 */
public final class StandardFormat implements ItemEncoder, ItemDecoder {
    /*
     * Overview. encode switches on the item's exact class (every native type is final), writes
     * the tag and the body into the sink; an ArrayList, List.of list, HashSet, LinkedHashSet,
     * Set.of set, HashMap, LinkedHashMap or Map.of map whose whole graph is of these types (and
     * unshared, and within the depth limit) is written by Containers into a GrowableBuffer; only
     * other objects start an ObjectOutputStream on the sink's stream. decode reads the tag, checks
     * that a fixed-size body has exactly its size (a wrong size is corrupt input), and for SERIAL runs an
     * ObjectInputStream over the body with a fresh SerialFilter.Check, whose recorded reason
     * becomes the UnpicklingError's message. Strings are UTF-8 unless they hold an unpaired
     * surrogate, which UTF-8 cannot carry; those travel as raw UTF-16 so that every Java String
     * round-trips exactly. decode(byte[], ...) is the fast path (no segment, strings decoded from
     * the array in place); decode(MemorySegment) serves heap, native and mapped segments.
     * The size limit applies to each item, counted from where its encoding started in the sink,
     * so that a pool can append a chunk of items to one buffer.
     */

    /** The format of {@code Codec.standard()}: the default allow-list and limits. */
    public static final StandardFormat DEFAULT =
            new StandardFormat(SerialFilter.defaults(), SerialFilter.DEFAULT_MAX_ITEM_BYTES);

    private static final VarHandle SHORT_LE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle CHAR_LE = MethodHandles.byteArrayViewVarHandle(char[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfChar CHAR = ValueLayout.JAVA_CHAR_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final SerialFilter filter;
    private final int maxItemBytes;
    private final int admittedContainers;

    /** A format with the allow-list and limits of {@code filter}, for items of {@code maxItemBytes} at most. */
    public StandardFormat(SerialFilter filter, int maxItemBytes) {
        this.filter = filter;
        this.maxItemBytes = maxItemBytes;
        this.admittedContainers = Containers.admitted(filter);
    }

    /** The allow-list and limits of Java serialization. */
    public SerialFilter filter() {
        return filter;
    }

    /** The container kinds this codec's allow-list admits, as {@link Containers#admitted} gives them. */
    int admittedContainers() {
        return admittedContainers;
    }

    /** The largest item this codec writes or reads. */
    public int maxItemBytes() {
        return maxItemBytes;
    }

    /** How messages name {@code item}: {@code 'java.util.Date' object}, or {@code null}. */
    public static String describe(Object item) {
        return item == null ? "null" : "'" + item.getClass().getName() + "' object";
    }

    // ------------------------------------------------------------------ encode

    /**
     * Appends {@code item} to {@code out}.
     *
     * @throws PicklingError if the item cannot be encoded, or its encoding exceeds the item limit
     */
    @Override
    public void encode(Object item, ItemSink out) {
        if (out == null) {
            throw new IllegalArgumentException("out must not be null");
        }
        long start = out.size();
        encodeValue(item, out);
        if (out.size() - start > maxItemBytes) {
            throw new PicklingError("cannot pickle " + describe(item) + ": " + (out.size() - start)
                    + " bytes exceed the item limit of " + maxItemBytes + " (Codec.builder().maxItemBytes(...))");
        }
    }

    /** Appends {@code item} in the tagged format, without the size check: an item or a container's element. */
    void encodeValue(Object item, ItemSink out) {
        switch (item) {
            case null -> out.writeByte(WireFormat.NULL);
            case byte[] b -> {
                if (out instanceof GrowableBuffer g) {
                    g.ensureRemaining(1 + b.length);
                }
                out.writeByte(WireFormat.BYTES);
                out.write(b, 0, b.length);
            }
            case String s -> encodeString(s, out);
            case Integer i -> {
                out.writeByte(WireFormat.INT);
                out.writeInt(i);
            }
            case Long l -> {
                out.writeByte(WireFormat.LONG);
                out.writeLong(l);
            }
            case Boolean b -> out.writeByte(b ? WireFormat.TRUE : WireFormat.FALSE);
            case Double d -> {
                out.writeByte(WireFormat.DOUBLE);
                out.writeLong(Double.doubleToRawLongBits(d));
            }
            case Float f -> {
                out.writeByte(WireFormat.FLOAT);
                out.writeInt(Float.floatToRawIntBits(f));
            }
            case Byte b -> {
                out.writeByte(WireFormat.BYTE);
                out.writeByte(b);
            }
            case Short s -> {
                out.writeByte(WireFormat.SHORT);
                out.writeByte(s);
                out.writeByte(s >>> 8);
            }
            case Character c -> {
                out.writeByte(WireFormat.CHAR);
                out.writeByte(c);
                out.writeByte(c >>> 8);
            }
            default -> {
                int code = out instanceof GrowableBuffer ? Containers.codeOf(item) : -1;
                if (code >= 0 && Containers.writable(item, code, filter.maxDepth())) {
                    Containers.write(item, code, (GrowableBuffer) out, this);
                } else {
                    serialize(item, out);
                }
            }
        }
    }

    private static void encodeString(String s, ItemSink out) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        // getBytes replaces an unpaired surrogate with '?': only then can the bytes be unfaithful.
        if ((utf8.length != s.length() || hasQuestionMark(utf8)) && hasUnpairedSurrogate(s)) {
            out.writeByte(WireFormat.STRING16);
            if (out instanceof GrowableBuffer g) {
                g.writeChars(s);
            } else {
                for (int i = 0; i < s.length(); i++) {
                    char c = s.charAt(i);
                    out.writeByte(c);
                    out.writeByte(c >>> 8);
                }
            }
            return;
        }
        if (out instanceof GrowableBuffer g) {
            g.ensureRemaining(1 + utf8.length);
        }
        out.writeByte(WireFormat.STRING);
        out.write(utf8, 0, utf8.length);
    }

    private static boolean hasQuestionMark(byte[] bytes) {
        for (byte b : bytes) {
            if (b == '?') {
                return true;
            }
        }
        return false;
    }

    static boolean hasUnpairedSurrogate(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return true;
                }
            }
        }
        return false;
    }

    private void serialize(Object item, ItemSink out) {
        out.writeByte(WireFormat.SERIAL);
        CheckedObjectOutputStream oos = null;
        try {
            oos = new CheckedObjectOutputStream(out.asOutputStream());
            oos.writeObject(item);
            oos.flush();
        } catch (NotSerializableException e) {
            throw new PicklingError("cannot pickle " + describe(item) + ": class " + e.getMessage()
                    + " is not Serializable (implement java.io.Serializable, or give the queue a Codec of your own)", e);
        } catch (PicklingError e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new PicklingError("cannot pickle " + describe(item) + ": " + e, e);
        }
        if (oos.refusal != null) {
            throw new PicklingError("cannot pickle " + describe(item) + ": " + oos.refusal, oos.refusedClass, null);
        }
    }

    /**
     * Java serialization that notes, as it writes, the first thing the receivers' filter of this
     * codec would refuse when they read (a class outside the allow-list, an array longer than the
     * limit, too many references), so that {@code put} and {@code send} throw in the caller and no
     * item that every receiver refuses is ever enqueued. The receivers still check, for security:
     * this only spares the sender a poison item. The depth of the graph is checked by the receivers
     * alone. The hooks note rather than throw: ObjectOutputStream writes a failure that ends a
     * writeObject (a NotSerializableException) into the stream through these same hooks, and a
     * refusal thrown there would replace that failure.
     */
    private final class CheckedObjectOutputStream extends ObjectOutputStream {
        private long references;
        String refusal;              // the first refusal, or null
        String refusedClass;         // the class it names, if any

        CheckedObjectOutputStream(java.io.OutputStream out) throws IOException {
            super(out);
            enableReplaceObject(true);
        }

        @Override
        protected void annotateClass(Class<?> cl) {
            Class<?> element = cl;
            while (element.isArray()) {
                element = element.getComponentType();
            }
            if (!element.isPrimitive() && !filter.admits(element.getName())) {
                refuse("class " + element.getName() + " is not allowed by the codec's allow-list, so no receiver"
                        + " could read it" + admitHint(element.getName()), element.getName());
            }
        }

        @Override
        protected void annotateProxyClass(Class<?> cl) {
            refuse("proxy class " + cl.getName() + " is not allowed by the codec's allow-list, so no receiver"
                    + " could read it", cl.getName());
        }

        @Override
        protected Object replaceObject(Object obj) {
            if (++references == filter.maxReferences() + 1) {
                refuse("more than " + filter.maxReferences() + " object references, which the receivers refuse"
                        + " (raise it with Codec.builder().maxReferences(...))", null);
            }
            if (obj != null && obj.getClass().isArray()) {
                long length = java.lang.reflect.Array.getLength(obj);
                if (length > filter.maxArrayLength()) {
                    refuse("an array of " + length + " elements is longer than the limit of "
                            + filter.maxArrayLength() + ", which the receivers refuse"
                            + " (raise it with Codec.builder().maxArrayLength(...))", null);
                }
            }
            return obj;
        }

        private void refuse(String why, String className) {
            if (refusal == null) {
                refusal = why;
                refusedClass = className;
            }
        }
    }

    // ------------------------------------------------------------------ decode

    @Override
    public Object decode(byte[] bytes, int offset, int length) {
        if (bytes == null) {
            throw new IllegalArgumentException("bytes must not be null");
        }
        if (offset < 0 || length < 0 || length > bytes.length - offset) {
            throw new IllegalArgumentException("offset " + offset + " and length " + length
                    + " do not lie within an array of " + bytes.length + " bytes");
        }
        return decodeElement(bytes, offset, length, 0, null);
    }

    /**
     * Decodes the item of {@code length} bytes at {@code offset}, at container nesting level
     * {@code depth} (0 for a whole item), counting references in {@code budget} (null for a whole item).
     */
    Object decodeElement(byte[] bytes, int offset, int length, int depth, Containers.Budget budget) {
        byte tag = checkHeader(length, length > 0 ? bytes[offset] : 0);
        int body = offset + WireFormat.BODY_OFFSET;
        int n = length - WireFormat.BODY_OFFSET;
        return switch (tag) {
            case WireFormat.NULL -> null;
            case WireFormat.FALSE -> Boolean.FALSE;
            case WireFormat.TRUE -> Boolean.TRUE;
            case WireFormat.BYTE -> bytes[body];
            case WireFormat.SHORT -> (short) SHORT_LE.get(bytes, body);
            case WireFormat.CHAR -> (char) CHAR_LE.get(bytes, body);
            case WireFormat.INT -> (int) INT_LE.get(bytes, body);
            case WireFormat.LONG -> (long) LONG_LE.get(bytes, body);
            case WireFormat.FLOAT -> Float.intBitsToFloat((int) INT_LE.get(bytes, body));
            case WireFormat.DOUBLE -> Double.longBitsToDouble((long) LONG_LE.get(bytes, body));
            case WireFormat.STRING -> new String(bytes, body, n, StandardCharsets.UTF_8);
            case WireFormat.STRING16 -> decodeChars(MemorySegment.ofArray(bytes).asSlice(body, n));
            case WireFormat.BYTES -> java.util.Arrays.copyOfRange(bytes, body, body + n);
            case WireFormat.SERIAL -> deserialize(new java.io.ByteArrayInputStream(bytes, body, n), length);
            case WireFormat.LIST, WireFormat.SET, WireFormat.MAP ->
                    Containers.read(this, tag, bytes, body, n, depth + 1, budget != null ? budget : new Containers.Budget());
            default -> throw new IllegalStateException("unreachable: " + tag);
        };
    }

    /** As {@link #decode(byte[], int, int)}, from all of {@code in}: a heap, native or mapped segment. */
    public Object decode(MemorySegment in) {
        if (in == null) {
            throw new IllegalArgumentException("in must not be null");
        }
        long length = in.byteSize();
        if (length > maxItemBytes) {
            throw new UnpicklingError("cannot unpickle: an item of " + length + " bytes exceeds the limit of "
                    + maxItemBytes + " (Codec.builder().maxItemBytes(...))");
        }
        byte tag = checkHeader((int) length, length > 0 ? in.get(ValueLayout.JAVA_BYTE, 0) : 0);
        long body = WireFormat.BODY_OFFSET;
        long n = length - body;
        return switch (tag) {
            case WireFormat.NULL -> null;
            case WireFormat.FALSE -> Boolean.FALSE;
            case WireFormat.TRUE -> Boolean.TRUE;
            case WireFormat.BYTE -> in.get(ValueLayout.JAVA_BYTE, body);
            case WireFormat.SHORT -> in.get(SHORT, body);
            case WireFormat.CHAR -> in.get(CHAR, body);
            case WireFormat.INT -> in.get(INT, body);
            case WireFormat.LONG -> in.get(LONG, body);
            case WireFormat.FLOAT -> Float.intBitsToFloat(in.get(INT, body));
            case WireFormat.DOUBLE -> Double.longBitsToDouble(in.get(LONG, body));
            case WireFormat.STRING -> new String(in.asSlice(body, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            case WireFormat.STRING16 -> decodeChars(in.asSlice(body, n));
            case WireFormat.BYTES -> in.asSlice(body, n).toArray(ValueLayout.JAVA_BYTE);
            case WireFormat.SERIAL -> deserialize(new SegmentInputStream(in.asSlice(body, n)), length);
            case WireFormat.LIST, WireFormat.SET, WireFormat.MAP -> decodeElement(in.toArray(ValueLayout.JAVA_BYTE), 0, (int) length, 0, null);
            default -> throw new IllegalStateException("unreachable: " + tag);
        };
    }

    /** Validates the item's length against its tag; returns the tag. */
    private byte checkHeader(int length, byte tag) {
        if (length > maxItemBytes) {
            throw new UnpicklingError("cannot unpickle: an item of " + length + " bytes exceeds the limit of "
                    + maxItemBytes + " (Codec.builder().maxItemBytes(...))");
        }
        if (length < 1) {
            throw new UnpicklingError("cannot unpickle: the item is empty (no tag byte)");
        }
        if ((tag & 0xFF) >= WireFormat.FIRST_RESERVED) {
            throw new UnpicklingError("cannot unpickle: unknown tag " + WireFormat.tagName(tag)
                    + ": the bytes are corrupt or were not written by the standard codec");
        }
        int size = WireFormat.bodySize(tag);
        if (size >= 0 && length != WireFormat.BODY_OFFSET + size) {
            throw new UnpicklingError("cannot unpickle: a " + WireFormat.tagName(tag) + " item has "
                    + (WireFormat.BODY_OFFSET + size) + " bytes, not " + length + ": the bytes are corrupt");
        }
        if (tag == WireFormat.STRING16 && ((length - WireFormat.BODY_OFFSET) & 1) != 0) {
            throw new UnpicklingError("cannot unpickle: a STRING16 item has an odd number of body bytes: "
                    + (length - WireFormat.BODY_OFFSET));
        }
        return tag;
    }

    private static String decodeChars(MemorySegment body) {
        char[] chars = new char[(int) (body.byteSize() / 2)];
        MemorySegment.copy(body, CHAR, 0, chars, 0, chars.length);
        return new String(chars);
    }

    private Object deserialize(InputStream body, long itemBytes) {
        return deserialize(body, filter.forItem(itemBytes));
    }

    /**
     * Reads back a {@link Throwable} written with plain Java serialization (no tag), behind this
     * codec's allow-list extended to every subclass of {@code Throwable}, with the codec's limits:
     * how a pool's parent reads the exception a task raised in a worker.
     *
     * @throws UnpicklingError naming the class if a class is not allowed, or if the bytes are not
     *         a serialized {@code Throwable}
     */
    public Throwable decodeThrowable(byte[] bytes, int offset, int length) {
        Object o = deserialize(new java.io.ByteArrayInputStream(bytes, offset, length), filter.forThrowable(length));
        if (!(o instanceof Throwable t)) {
            throw new UnpicklingError("cannot unpickle: expected an exception, found "
                    + (o == null ? "null" : "a " + o.getClass().getName()));
        }
        return t;
    }

    private Object deserialize(InputStream body, SerialFilter.Check check) {
        try {
            ObjectInputStream ois = new FilteredObjectInputStream(body);
            ois.setObjectInputFilter(check);
            return ois.readObject();
        } catch (InvalidClassException e) {
            throw rejection(check, e);
        } catch (ClassNotFoundException e) {
            throw new UnpicklingError("cannot unpickle: class " + e.getMessage()
                    + " is not on this process's class path", e);
        } catch (IOException e) {
            if (check.reason() != null) {
                throw rejection(check, e);
            }
            throw new UnpicklingError("cannot unpickle: the serialized item is truncated or corrupt (" + e + ")", e);
        } catch (UnpicklingError e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            if (check.reason() != null) {
                throw rejection(check, e);
            }
            throw new UnpicklingError("cannot unpickle: the serialized item is corrupt (" + e + ")", e);
        }
    }

    private UnpicklingError rejection(SerialFilter.Check check, Throwable cause) {
        String rejected = check.rejectedClass();
        if (rejected == null) {
            return new UnpicklingError("cannot unpickle: " + (check.reason() != null ? check.reason() : cause.toString()), cause);
        }
        return notAllowed(rejected, check.reason(), cause);
    }

    /** The error for class {@code rejected}, which the allow-list refuses. */
    UnpicklingError notAllowed(String rejected) {
        return notAllowed(rejected, "class " + rejected + " is not allowed by the codec's allow-list", null);
    }

    private static UnpicklingError notAllowed(String rejected, String reason, Throwable cause) {
        return new UnpicklingError("cannot unpickle: " + reason + admitHint(rejected), rejected, cause);
    }

    /** The call that admits class {@code name}, for the messages of both directions. */
    private static String admitHint(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0
                ? " (allow it with Codec.builder().allowClass(\"" + name + "\") or .allowPackage(\""
                        + name.substring(0, dot) + "\"))"
                : " (allow it with Codec.builder().allowClass(\"" + name + "\"))";
    }

    /** Resolves classes with the thread's context class loader first, so that applications' classes are found. */
    private static final class FilteredObjectInputStream extends ObjectInputStream {
        FilteredObjectInputStream(InputStream in) throws IOException {
            super(in);
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            ClassLoader tccl = Thread.currentThread().getContextClassLoader();
            if (tccl != null) {
                try {
                    return Class.forName(desc.getName(), false, tccl);
                } catch (ClassNotFoundException tryDefault) {
                    // fall through to the default resolution
                }
            }
            return super.resolveClass(desc);
        }
    }
}
