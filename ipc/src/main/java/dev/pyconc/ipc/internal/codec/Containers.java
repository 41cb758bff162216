package dev.pyconc.ipc.internal.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.pyconc.multiprocessing.UnpicklingError;

/**
 * The standard codec's lists, sets and maps ({@link WireFormat#LIST}, {@link WireFormat#SET},
 * {@link WireFormat#MAP}): Python's lists, tuples, sets and dicts of numbers and strings, the
 * objects its programs send most, written without Java serialization. Encoding first checks that
 * the whole graph can be written so ({@link #writable}); otherwise the standard codec serializes
 * the item as before. Decoding enforces the codec's limits and allow-list as serialization does.
 *
 * <p>Memory consistency effects: none; stateless.
 */
final class Containers {
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final Class<?> LIST12 = List.of(0).getClass();
    private static final Class<?> LISTN = List.of().getClass();
    private static final Class<?> SET12 = Set.of(0).getClass();
    private static final Class<?> SETN = Set.of().getClass();
    private static final Class<?> MAP1 = Map.of(0, 0).getClass();
    private static final Class<?> MAPN = Map.of().getClass();
    private static final int NONE = -1;

    private Containers() {}

    /** The tag and kind of {@code item}, as {@code tag << 8 | kind}, or -1 when it is not a container of the format. */
    static int codeOf(Object item) {
        Class<?> c = item.getClass();
        if (c == ArrayList.class) {
            return WireFormat.LIST << 8 | WireFormat.KIND_ARRAY_LIST;
        } else if (c == LIST12 || c == LISTN) {
            return WireFormat.LIST << 8 | WireFormat.KIND_IMMUTABLE_LIST;
        } else if (c == HashMap.class) {
            return WireFormat.MAP << 8 | WireFormat.KIND_HASH;
        } else if (c == LinkedHashMap.class) {
            return WireFormat.MAP << 8 | WireFormat.KIND_LINKED;
        } else if (c == MAP1 || c == MAPN) {
            return WireFormat.MAP << 8 | WireFormat.KIND_IMMUTABLE;
        } else if (c == HashSet.class) {
            return WireFormat.SET << 8 | WireFormat.KIND_HASH;
        } else if (c == LinkedHashSet.class) {
            return WireFormat.SET << 8 | WireFormat.KIND_LINKED;
        } else if (c == SET12 || c == SETN) {
            return WireFormat.SET << 8 | WireFormat.KIND_IMMUTABLE;
        }
        return NONE;
    }

    /** The names of the classes a container of {@code tag} and {@code kind} decodes to, for the allow-list. */
    static List<String> classNames(byte tag, byte kind) {
        return switch (tag) {
            case WireFormat.LIST -> kind == WireFormat.KIND_ARRAY_LIST ? List.of(ArrayList.class.getName())
                    : List.of(LIST12.getName(), LISTN.getName());
            case WireFormat.SET -> kind == WireFormat.KIND_HASH ? List.of(HashSet.class.getName())
                    : kind == WireFormat.KIND_LINKED ? List.of(LinkedHashSet.class.getName())
                    : List.of(SET12.getName(), SETN.getName());
            default -> kind == WireFormat.KIND_HASH ? List.of(HashMap.class.getName())
                    : kind == WireFormat.KIND_LINKED ? List.of(LinkedHashMap.class.getName())
                    : List.of(MAP1.getName(), MAPN.getName());
        };
    }

    private static int kinds(byte tag) {
        return tag == WireFormat.LIST ? 2 : 3;
    }

    /**
     * A bit for each container tag and kind that {@code filter} admits: decoding refuses the
     * others, as serialization would refuse their classes.
     */
    static int admitted(SerialFilter filter) {
        int bits = 0;
        for (byte tag = WireFormat.LIST; tag <= WireFormat.MAP; tag++) {
            for (byte kind = 0; kind < kinds(tag); kind++) {
                boolean all = true;
                for (String name : classNames(tag, kind)) {     // a loop, not a stream: a child JVM's start runs it
                    all &= filter.admits(name);
                }
                if (all) {
                    bits |= 1 << bit(tag, kind);
                }
            }
        }
        return bits;
    }

    private static int bit(byte tag, byte kind) {
        return (tag - WireFormat.LIST) * 3 + kind;
    }

    // ------------------------------------------------------------------ encode

    /**
     * Whether {@code item}, a container with {@code code} from {@link #codeOf}, can be written in
     * this format: every element is a value of the format or such a container, nesting is at most
     * {@code maxDepth} containers deep, no container or {@code byte[]} appears twice (Java
     * serialization keeps such sharing, this format would not), and no immutable list holds null.
     */
    static boolean writable(Object item, int code, int maxDepth) {
        return scan(item, code, 1, maxDepth, new Seen());
    }

    private static boolean scan(Object container, int code, int depth, int maxDepth, Seen seen) {
        if (depth > maxDepth || !seen.firstTime(container)) {
            return false;
        }
        if (container instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!scanElement(e.getKey(), depth, maxDepth, seen) || !scanElement(e.getValue(), depth, maxDepth, seen)) {
                    return false;
                }
            }
            return true;
        }
        boolean nullable = code != (WireFormat.LIST << 8 | WireFormat.KIND_IMMUTABLE_LIST);
        for (Object e : (Collection<?>) container) {
            if (e == null ? !nullable : !scanElement(e, depth, maxDepth, seen)) {
                return false;
            }
        }
        return true;
    }

    private static boolean scanElement(Object e, int depth, int maxDepth, Seen seen) {
        if (e == null) {
            return true;
        }
        Class<?> c = e.getClass();
        if (c == byte[].class) {
            return seen.firstTime(e);
        }
        if (isValue(c)) {
            return true;
        }
        int code = codeOf(e);
        return code != NONE && scan(e, code, depth + 1, maxDepth, seen);
    }

    private static boolean isValue(Class<?> c) {
        return c == String.class || c == Integer.class || c == Long.class || c == Double.class || c == Boolean.class
                || c == Float.class || c == Byte.class || c == Short.class || c == Character.class;
    }

    /**
     * Writes {@code container}, with {@code code} from {@link #codeOf}, as a container item:
     * {@link #writable} must have said yes. Each element's length is filled in after it is written.
     */
    static void write(Object container, int code, GrowableBuffer out, StandardFormat codec) {
        out.writeByte(code >>> 8);
        out.writeByte(code);
        int countAt = out.append(4);
        int count = 0;
        if (container instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                writeElement(e.getKey(), out, codec);
                writeElement(e.getValue(), out, codec);
                count++;
            }
        } else {
            for (Object e : (Collection<?>) container) {
                writeElement(e, out, codec);
                count++;
            }
        }
        INT_LE.set(out.array(), countAt, count);
    }

    private static void writeElement(Object e, GrowableBuffer out, StandardFormat codec) {
        int lengthAt = out.append(WireFormat.ELEMENT_LENGTH_BYTES);
        long start = out.size();
        int code = e == null ? NONE : codeOf(e);
        if (code != NONE) {
            write(e, code, out, codec);
        } else {
            codec.encodeValue(e, out);
        }
        INT_LE.set(out.array(), lengthAt, (int) (out.size() - start));
    }

    // ------------------------------------------------------------------ decode

    /** The state of one decoding: how many references it has made so far. */
    static final class Budget {
        long references;
    }

    /**
     * Reads a container item of {@code tag} whose body is {@code n} bytes of {@code b} at
     * {@code body}, at nesting level {@code depth} (the outermost container is 1).
     */
    static Object read(StandardFormat codec, byte tag, byte[] b, int body, int n, int depth, Budget budget) {
        SerialFilter filter = codec.filter();
        if (depth > filter.maxDepth()) {
            throw new UnpicklingError("cannot unpickle: object graph deeper than " + filter.maxDepth()
                    + " (raise it with Codec.builder().maxDepth(...))");
        }
        if (n < WireFormat.ELEMENTS_OFFSET) {
            throw corrupt(tag, "its body of " + n + " bytes has no room for a kind and a count");
        }
        byte kind = b[body + WireFormat.KIND_OFFSET];
        if (kind < 0 || kind >= kinds(tag)) {
            throw corrupt(tag, "unknown kind " + kind);
        }
        if ((codec.admittedContainers() & 1 << bit(tag, kind)) == 0) {
            String name = classNames(tag, kind).stream().filter(x -> !filter.admits(x)).findFirst().orElseThrow();
            throw codec.notAllowed(name);
        }
        int count = (int) INT_LE.get(b, body + WireFormat.COUNT_OFFSET);
        int perEntry = tag == WireFormat.MAP ? 2 : 1;
        long room = (n - WireFormat.ELEMENTS_OFFSET) / ((long) WireFormat.MIN_ELEMENT_BYTES * perEntry);
        if (count < 0 || count > room) {
            throw corrupt(tag, "a count of " + count + " cannot fit in a body of " + n + " bytes");
        }
        if (count > filter.maxArrayLength()) {
            throw new UnpicklingError("cannot unpickle: a container of " + count + " entries is longer than the limit of "
                    + filter.maxArrayLength() + " (raise it with Codec.builder().maxArrayLength(...))");
        }
        budget.references += 1 + (long) count * perEntry;
        if (budget.references > filter.maxReferences()) {
            throw new UnpicklingError("cannot unpickle: more than " + filter.maxReferences()
                    + " object references (raise it with Codec.builder().maxReferences(...))");
        }
        Object[] elements = new Object[count * perEntry];
        int at = body + WireFormat.ELEMENTS_OFFSET;
        int end = body + n;
        for (int i = 0; i < elements.length; i++) {
            if (end - at < WireFormat.ELEMENT_LENGTH_BYTES) {
                throw corrupt(tag, "element " + i + " is cut off");
            }
            int length = (int) INT_LE.get(b, at);
            at += WireFormat.ELEMENT_LENGTH_BYTES;
            if (length < 1 || length > end - at) {
                throw corrupt(tag, "element " + i + " claims " + length + " bytes, " + (end - at) + " are left");
            }
            elements[i] = codec.decodeElement(b, at, length, depth, budget);
            at += length;
        }
        if (at != end) {
            throw corrupt(tag, (end - at) + " bytes follow its last element");
        }
        try {
            return build(tag, kind, elements);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw corrupt(tag, e.toString());   // a null or a duplicate in an immutable container, as List.of would refuse
        }
    }

    private static Object build(byte tag, byte kind, Object[] elements) {
        switch (tag) {
            case WireFormat.LIST -> {
                if (kind == WireFormat.KIND_IMMUTABLE_LIST) {
                    return List.of(elements);
                }
                ArrayList<Object> list = new ArrayList<>(elements.length);
                java.util.Collections.addAll(list, elements);
                return list;
            }
            case WireFormat.SET -> {
                if (kind == WireFormat.KIND_IMMUTABLE) {
                    return Set.of(elements);
                }
                Set<Object> set = kind == WireFormat.KIND_HASH
                        ? HashSet.newHashSet(elements.length) : LinkedHashSet.newLinkedHashSet(elements.length);
                java.util.Collections.addAll(set, elements);
                return set;
            }
            default -> {
                int entries = elements.length / 2;
                if (kind == WireFormat.KIND_IMMUTABLE) {
                    @SuppressWarnings("unchecked")
                    Map.Entry<Object, Object>[] pairs = new Map.Entry[entries];
                    for (int i = 0; i < entries; i++) {
                        pairs[i] = Map.entry(elements[2 * i], elements[2 * i + 1]);
                    }
                    return Map.ofEntries(pairs);
                }
                Map<Object, Object> map = kind == WireFormat.KIND_HASH
                        ? HashMap.newHashMap(entries) : LinkedHashMap.newLinkedHashMap(entries);
                for (int i = 0; i < entries; i++) {
                    map.put(elements[2 * i], elements[2 * i + 1]);
                }
                return map;
            }
        }
    }

    private static UnpicklingError corrupt(byte tag, String why) {
        return new UnpicklingError("cannot unpickle: a " + WireFormat.tagName(tag) + " item is corrupt: " + why);
    }

    /** The mutable objects met so far while scanning; a map only once there is more than one. */
    private static final class Seen {
        private Object first;
        private IdentityHashMap<Object, Boolean> more;

        boolean firstTime(Object o) {
            if (first == null) {
                first = o;
                return true;
            }
            if (o == first) {
                return false;
            }
            if (more == null) {
                more = new IdentityHashMap<>();
            }
            return more.put(o, Boolean.TRUE) == null;
        }
    }
}
