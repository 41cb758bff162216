package dev.pyconc.ipc.internal.codec;

import java.io.ObjectInputFilter;
import java.util.ArrayList;
import java.util.List;

/**
 * The allow-list and limits behind which the standard codec reads Java serialization: an
 * immutable description, from which {@link #forItem(long)} makes the {@link ObjectInputFilter} of
 * one decoding, which remembers why it rejected, so that the error can name the class or limit.
 *
 * <p>Patterns use the class-name part of {@link ObjectInputFilter.Config#createFilter}'s syntax:
 * {@code a.b.C} (one class), {@code a.b.*} (a package), {@code a.b.**} (a package and its
 * sub-packages), {@code a.b.Prefix*} (names that start so), each optionally negated with {@code !}.
 * The user's patterns are matched first, in order, then {@link #DEFAULT_ALLOW}; the first match
 * decides; a class no pattern matches is rejected. An array is judged by its element class; arrays
 * of primitives are admitted.
 *
 * <p>Limits bound what a hostile stream can make the reader do: depth, references, and array
 * lengths. An array is also refused when it claims more elements than the item's bytes could
 * encode ({@code itemBytes / bytes-per-element}), so the largest allocation is of the order of
 * the item's own size, whatever the configured limit.
 */
public final class SerialFilter {
    /** Default deepest object nesting. */
    public static final int DEFAULT_MAX_DEPTH = 20;
    /** Default most references in one item. */
    public static final long DEFAULT_MAX_REFERENCES = 1_000_000L;
    /** Default longest array. */
    public static final long DEFAULT_MAX_ARRAY_LENGTH = 1L << 28;
    /** Default largest item in bytes: 256 MiB. */
    public static final int DEFAULT_MAX_ITEM_BYTES = 256 << 20;

    /**
     * The classes every standard codec admits: JDK values and collections without behaviour, and the
     * handles as which pyconc's shared objects travel.
     */
    public static final List<String> DEFAULT_ALLOW = List.of(
            "java.lang.Object", "java.util.Map$Entry",   // element types of the JDK's own arrays
            "java.lang.Boolean", "java.lang.Byte", "java.lang.Short", "java.lang.Character",
            "java.lang.Integer", "java.lang.Long", "java.lang.Float", "java.lang.Double",
            "java.lang.Number", "java.lang.String", "java.lang.Enum", "java.lang.StackTraceElement",
            "java.lang.String$CaseInsensitiveComparator",
            "java.math.BigInteger", "java.math.BigDecimal",
            "java.time.Ser", "java.time.*",
            "java.util.ArrayList", "java.util.LinkedList", "java.util.ArrayDeque", "java.util.Vector",
            "java.util.HashMap", "java.util.LinkedHashMap", "java.util.TreeMap", "java.util.Hashtable",
            "java.util.HashSet", "java.util.LinkedHashSet", "java.util.TreeSet",
            "java.util.IdentityHashMap", "java.util.EnumMap", "java.util.EnumSet$SerializationProxy",
            "java.util.BitSet", "java.util.UUID", "java.util.Date", "java.util.Locale",
            "java.util.CollSer", "java.util.ImmutableCollections$*", "java.util.Collections$*",
            "java.util.Arrays$ArrayList", "java.util.AbstractMap$SimpleEntry",
            "java.util.AbstractMap$SimpleImmutableEntry",
            "java.util.concurrent.ConcurrentHashMap", "java.util.concurrent.ConcurrentHashMap$Segment",
            "java.util.concurrent.CopyOnWriteArrayList", "java.util.concurrent.ConcurrentSkipListMap",
            "java.util.concurrent.ConcurrentSkipListSet", "java.util.concurrent.ConcurrentLinkedQueue",
            // pyconc's shared objects travel as these handles, which attach in the receiving process
            // and resolve to the objects (which refuse to be read in any other way)
            "dev.pyconc.multiprocessing.Lock", "dev.pyconc.multiprocessing.RLock",
            "dev.pyconc.multiprocessing.Semaphore", "dev.pyconc.multiprocessing.BoundedSemaphore",
            "dev.pyconc.multiprocessing.Condition", "dev.pyconc.multiprocessing.Event",
            "dev.pyconc.multiprocessing.Barrier", "dev.pyconc.multiprocessing.Value$*", "dev.pyconc.multiprocessing.Array$*",
            "dev.pyconc.multiprocessing.Connection", "dev.pyconc.multiprocessing.Queue",
            "dev.pyconc.multiprocessing.SimpleQueue", "dev.pyconc.multiprocessing.JoinableQueue",
            "dev.pyconc.multiprocessing.sharedmemory.SharedMemory",
            "dev.pyconc.multiprocessing.sharedmemory.ShareableList",
            "dev.pyconc.multiprocessing.Lock$Handle", "dev.pyconc.multiprocessing.RLock$Handle",
            "dev.pyconc.multiprocessing.Semaphore$Handle", "dev.pyconc.multiprocessing.Condition$Handle",
            "dev.pyconc.multiprocessing.Event$Handle", "dev.pyconc.multiprocessing.Barrier$Handle",
            "dev.pyconc.multiprocessing.Value$Handle", "dev.pyconc.multiprocessing.Array$Handle",
            "dev.pyconc.multiprocessing.Connection$Handle", "dev.pyconc.multiprocessing.RingQueue$Handle",
            "dev.pyconc.multiprocessing.sharedmemory.SharedMemory$Handle",
            "dev.pyconc.multiprocessing.sharedmemory.ShareableList$Handle",
            "dev.pyconc.multiprocessing.StandardCodec$SerialForm");

    private final List<String> patterns;   // user's first, then DEFAULT_ALLOW
    private final int userPatterns;
    private final int maxDepth;
    private final long maxReferences;
    private final long maxArrayLength;

    /** A filter with the user's {@code patterns} before the default list, and these limits. */
    public SerialFilter(List<String> patterns, int maxDepth, long maxReferences, long maxArrayLength) {
        List<String> all = new ArrayList<>(patterns);
        this.userPatterns = all.size();
        all.addAll(DEFAULT_ALLOW);
        this.patterns = List.copyOf(all);
        this.maxDepth = maxDepth;
        this.maxReferences = maxReferences;
        this.maxArrayLength = maxArrayLength;
    }

    /** The default allow-list with the default limits. */
    public static SerialFilter defaults() {
        return new SerialFilter(List.of(), DEFAULT_MAX_DEPTH, DEFAULT_MAX_REFERENCES, DEFAULT_MAX_ARRAY_LENGTH);
    }

    /** Whether the allow-list admits the class named {@code name} (not an array). */
    public boolean admits(String name) {
        for (String p : patterns) {
            boolean negated = p.startsWith("!");
            String q = negated ? p.substring(1) : p;
            if (matches(q, name)) {
                return !negated;
            }
        }
        return false;
    }

    /** The number of patterns the user added. */
    public int userPatterns() {
        return userPatterns;
    }

    /** The patterns the user added, in order. */
    public List<String> userPatternList() {
        return List.copyOf(patterns.subList(0, userPatterns));
    }

    /** The deepest nesting admitted. */
    public int maxDepth() {
        return maxDepth;
    }

    /** The most references admitted in one item. */
    public long maxReferences() {
        return maxReferences;
    }

    /** The longest array admitted. */
    public long maxArrayLength() {
        return maxArrayLength;
    }

    private static boolean matches(String pattern, String name) {
        if (pattern.endsWith(".**")) {
            String pkg = pattern.substring(0, pattern.length() - 2);    // keeps the dot
            return name.startsWith(pkg);
        }
        if (pattern.endsWith(".*")) {
            String pkg = pattern.substring(0, pattern.length() - 1);    // keeps the dot
            return name.startsWith(pkg) && name.indexOf('.', pkg.length()) < 0;
        }
        if (pattern.endsWith("*")) {
            return name.startsWith(pattern.substring(0, pattern.length() - 1));
        }
        return name.equals(pattern);
    }

    /** The filter of one decoding of an item of {@code itemBytes} bytes. */
    public Check forItem(long itemBytes) {
        return new Check(itemBytes, false);
    }

    /**
     * The filter of one decoding of a serialized exception of {@code itemBytes} bytes: the
     * allow-list, and every subclass of {@link Throwable}, within the same limits.
     */
    public Check forThrowable(long itemBytes) {
        return new Check(itemBytes, true);
    }

    /** One decoding's filter; it records the first rejection for the error message. */
    public final class Check implements ObjectInputFilter {
        private final long itemBytes;
        private final boolean throwables;
        private String rejectedClass;
        private String reason;

        Check(long itemBytes, boolean throwables) {
            this.itemBytes = itemBytes;
            this.throwables = throwables;
        }

        /** The name of the class that was rejected, or null. */
        public String rejectedClass() {
            return rejectedClass;
        }

        /** Why the stream was rejected, or null if it was not. */
        public String reason() {
            return reason;
        }

        @Override
        public Status checkInput(FilterInfo info) {
            if (reason != null) {
                return Status.REJECTED;
            }
            if (info.depth() > maxDepth) {
                return reject(null, "object graph deeper than " + maxDepth
                        + " (raise it with Codec.builder().maxDepth(...))");
            }
            if (info.references() > maxReferences) {
                return reject(null, "more than " + maxReferences
                        + " object references (raise it with Codec.builder().maxReferences(...))");
            }
            Class<?> c = info.serialClass();
            if (c == null) {
                return Status.ALLOWED;
            }
            Class<?> element = c;
            while (element.isArray()) {
                element = element.getComponentType();
            }
            if (c.isArray()) {
                long length = info.arrayLength();
                if (length > maxArrayLength) {
                    return reject(null, "an array of " + length + " elements is longer than the limit of "
                            + maxArrayLength + " (raise it with Codec.builder().maxArrayLength(...))");
                }
                long perElement = !c.getComponentType().isPrimitive() ? 1
                        : c.getComponentType() == long.class || c.getComponentType() == double.class ? 8
                        : c.getComponentType() == int.class || c.getComponentType() == float.class ? 4
                        : c.getComponentType() == short.class || c.getComponentType() == char.class ? 2 : 1;
                if (length > itemBytes / perElement) {
                    return reject(null, "an array of " + length + " elements cannot fit in an item of "
                            + itemBytes + " bytes: the bytes are corrupt or hostile");
                }
            }
            if (element.isPrimitive() || admits(element.getName())
                    || (throwables && Throwable.class.isAssignableFrom(element))) {
                return Status.ALLOWED;
            }
            return reject(element.getName(), null);
        }

        private Status reject(String className, String why) {
            rejectedClass = className;
            reason = why != null ? why : "class " + className + " is not allowed by the codec's allow-list";
            return Status.REJECTED;
        }
    }
}
