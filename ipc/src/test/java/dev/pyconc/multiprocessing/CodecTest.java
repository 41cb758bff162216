package dev.pyconc.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import dev.pyconc.ipc.internal.codec.GrowableBuffer;
import dev.pyconc.ipc.internal.codec.WireFormat;

class CodecTest {
    record Point(int x, int y) implements Serializable {}

    record Line(Point from, Point to, String label) implements Serializable {}

    enum Colour { RED, GREEN }

    static final class NotSerializable {}

    static final class Node implements Serializable {
        Node next;
    }

    private static final Codec<Object> STD = Codec.standard();

    /** Encodes with the standard codec and returns a copy of the bytes. */
    private static byte[] bytesOf(Codec<Object> codec, Object item) {
        GrowableBuffer b = StandardCodec.encodeToBuffer(codec, item);
        byte[] out = b.toByteArray();
        b.reset();
        return out;
    }

    /** Decodes {@code bytes} through all three paths (array, heap segment, native segment) and checks they agree. */
    private static Object decodeAllWays(Codec<Object> codec, byte[] bytes) {
        Object fromArray = codec.decode(bytes);
        Object fromHeap = codec.decode(MemorySegment.ofArray(bytes).asReadOnly());
        Object fromNative;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, s, ValueLayout.JAVA_BYTE, 0, bytes.length);
            fromNative = codec.decode(s.asSlice(0, bytes.length).asReadOnly());
        }
        assertDeepEquals(fromArray, fromHeap);
        assertDeepEquals(fromArray, fromNative);
        return fromArray;
    }

    private static void assertDeepEquals(Object expected, Object actual) {
        if (expected instanceof List<?> e && actual instanceof List<?> a) {
            assertEquals(e.size(), a.size(), "list sizes differ");
            for (int i = 0; i < e.size(); i++) {
                assertDeepEquals(e.get(i), a.get(i));
            }
        } else if (expected != null && expected.getClass().isArray()) {
            assertTrue(java.util.Objects.deepEquals(expected, actual), "arrays differ");
        } else if (expected instanceof Float f && f.isNaN()) {
            assertEquals(Float.floatToRawIntBits(f), Float.floatToRawIntBits((Float) actual));
        } else if (expected instanceof Double d && d.isNaN()) {
            assertEquals(Double.doubleToRawLongBits(d), Double.doubleToRawLongBits((Double) actual));
        } else {
            assertEquals(expected, actual);
        }
    }

    private static Object roundTrip(Object item) {
        Object back = decodeAllWays(STD, bytesOf(STD, item));
        assertDeepEquals(item, back);
        if (item != null) {
            assertEquals(item.getClass(), back.getClass());
        }
        return back;
    }

    /** null, booleans and every boxed primitive round-trip with their edge values and exact types. */
    @Test
    void boxedPrimitivesRoundTrip() {
        List<Object> items = new ArrayList<>(Arrays.asList(null, true, false,
                (byte) 0, Byte.MIN_VALUE, Byte.MAX_VALUE, (short) 0, Short.MIN_VALUE, Short.MAX_VALUE,
                '\0', 'a', '\u00e9', '\uffff', '\ud800', Character.MIN_VALUE,
                0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE,
                0.0f, -0.0f, Float.NaN, Float.intBitsToFloat(0x7fc00001), Float.MIN_VALUE, Float.MAX_VALUE,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                0.0d, -0.0d, Double.NaN, Double.longBitsToDouble(0x7ff8000000000123L), Double.MIN_VALUE,
                Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY));
        for (Object item : items) {
            roundTrip(item);
        }
        assertEquals(1 + 8, bytesOf(STD, Long.MIN_VALUE).length);
        assertEquals(1, bytesOf(STD, null).length);
        assertEquals(1, bytesOf(STD, true).length);
    }

    /** Strings round-trip exactly: empty, multi-byte UTF-8, NUL characters, emoji, unpaired surrogates. */
    @Test
    void stringsRoundTrip() {
        for (String s : List.of("", "a", "h\u00e9llo", "\u4e2d\u6587", "\uD83D\uDE00 smile", "\0", "a\0b\0",
                "\0\0\0", "\uD800", "x\uDC00y", "\uDBFF\uDFFF", "end\uD83D")) {
            assertEquals(s, roundTrip(s));
        }
        assertEquals(WireFormat.STRING, bytesOf(STD, "h\u00e9llo")[0]);
        assertEquals(WireFormat.STRING16, bytesOf(STD, "x\uDC00y")[0]);
        assertEquals(1 + 3, bytesOf(STD, "abc").length);
    }

    /** A string of 32 M characters, ASCII and multi-byte, round-trips. */
    @Test
    void hugeStringsRoundTrip() {
        String ascii = "0123456789abcdef".repeat(2 << 20);
        assertEquals(ascii, roundTrip(ascii));
        String wide = "\u4e2d\uD83D\uDE00".repeat(1 << 20);
        assertEquals(wide, roundTrip(wide));
    }

    /** byte[] round-trips natively: empty, every byte value, and 64 MiB of random bytes. */
    @Test
    void byteArraysRoundTrip() {
        roundTrip(new byte[0]);
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        roundTrip(all);
        byte[] large = new byte[64 << 20];
        new Random(7).nextBytes(large);
        byte[] encoded = bytesOf(STD, large);
        assertEquals(WireFormat.BYTES, encoded[0]);
        assertEquals(large.length + 1, encoded.length);
        assertArrayEquals(large, (byte[]) STD.decode(encoded));
    }

    /** JDK collections and values of the default allow-list round-trip (Java serialization where the format has no tag). */
    @Test
    void defaultAllowListRoundTrips() {
        Map<String, List<Integer>> map = new HashMap<>(Map.of("a", List.of(1, 2), "b", List.of()));
        assertEquals(map, roundTrip(map));
        assertEquals(new TreeMap<>(Map.of(1, "x")), roundTrip(new TreeMap<>(Map.of(1, "x"))));
        assertEquals(Set.of("x", "y"), roundTrip(Set.of("x", "y")));
        assertEquals(new BigDecimal("1.25"), roundTrip(new BigDecimal("1.25")));
        assertEquals(LocalDate.of(2024, 2, 29), roundTrip(LocalDate.of(2024, 2, 29)));
        assertArrayEquals(new int[] {1, 2, 3}, (int[]) roundTrip(new int[] {1, 2, 3}));
        assertArrayEquals(new String[] {"a", null}, (String[]) roundTrip(new String[] {"a", null}));
        assertEquals(WireFormat.SERIAL, bytesOf(STD, new TreeMap<>(Map.of(1, "x")))[0]);
    }

    /**
     * Lists, sets and maps of values travel natively, nested too, and come back as the same
     * classes, in the same iteration order where the class keeps one.
     */
    @Test
    void containersRoundTripNatively() {
        List<Object> values = new ArrayList<>(Arrays.asList(null, true, (byte) 1, (short) 2, 'c', 3, 4L, 5.5f, 6.5d,
                "h\u00e9llo", "x\uDC00y", ""));
        assertEquals(values, roundTrip(values));
        for (List<Object> list : List.<List<Object>>of(List.of(), List.of(1), List.of(1, "x"), List.of(1, "x", 2.5))) {
            assertEquals(list, roundTrip(list));
        }
        Set<Object> hash = new HashSet<>(List.of(1, 2L, "three"));
        hash.add(null);
        assertEquals(hash, roundTrip(hash));
        java.util.LinkedHashSet<Object> linked = new java.util.LinkedHashSet<>(List.of("z", "a", "m", 9, 1));
        assertEquals(List.copyOf(linked), List.copyOf((Set<?>) roundTrip(linked)));
        assertEquals(Set.of(), roundTrip(Set.of()));
        assertEquals(Set.of("x"), roundTrip(Set.of("x")));
        assertEquals(Set.of("x", "y", "z"), roundTrip(Set.of("x", "y", "z")));
        Map<Object, Object> map = new HashMap<>(Map.of("a", 1, 2, List.of("b")));
        map.put(null, null);
        assertEquals(map, roundTrip(map));
        java.util.LinkedHashMap<Object, Object> ordered = new java.util.LinkedHashMap<>();
        for (int i = 20; i > 0; i--) {
            ordered.put("k" + i, i);
        }
        assertEquals(List.copyOf(ordered.entrySet()),
                List.copyOf(((Map<?, ?>) roundTrip(ordered)).entrySet()));
        assertEquals(Map.of(), roundTrip(Map.of()));
        assertEquals(Map.of(1, "one"), roundTrip(Map.of(1, "one")));
        Map<String, Object> nested = new HashMap<>(Map.of("list", new ArrayList<>(List.of(Map.of("deep", Set.of(1L))))));
        Object back = roundTrip(nested);
        assertEquals(ArrayList.class, ((Map<?, ?>) back).get("list").getClass());
        assertEquals(Map.of(1, "one").getClass(), ((List<?>) ((Map<?, ?>) back).get("list")).get(0).getClass());
        assertEquals(WireFormat.LIST, bytesOf(STD, List.of(1))[0]);
        assertEquals(WireFormat.SET, bytesOf(STD, Set.of(1))[0]);
        assertEquals(WireFormat.MAP, bytesOf(STD, Map.of(1, 2))[0]);
        // tag, kind, count, then (length, tag, 4-byte int) and (length, tag, "x"):
        assertEquals(1 + 1 + 4 + (4 + 5) + (4 + 2), bytesOf(STD, List.of(1, "x")).length);
        List<byte[]> blobs = new ArrayList<>(List.of(new byte[] {1, 2}, new byte[0]));
        List<?> blobsBack = (List<?>) decodeAllWays(STD, bytesOf(STD, blobs));
        assertEquals(WireFormat.LIST, bytesOf(STD, blobs)[0]);
        assertArrayEquals(new byte[] {1, 2}, (byte[]) blobsBack.get(0));
        assertArrayEquals(new byte[0], (byte[]) blobsBack.get(1));
    }

    /**
     * What the native format cannot keep is serialized: shared objects (identity survives), nulls
     * in a Stream.toList list, other classes, cycles, and graphs beyond the depth limit.
     */
    @Test
    void containersThatNeedSerializationAreSerialized() {
        List<Integer> shared = new ArrayList<>(List.of(1));
        List<List<Integer>> twice = new ArrayList<>(List.of(shared, shared));
        assertEquals(WireFormat.SERIAL, bytesOf(STD, twice)[0]);
        List<?> twiceBack = (List<?>) roundTrip(twice);
        assertTrue(twiceBack.get(0) == twiceBack.get(1), "the shared list stays one object");
        byte[] blob = {7};
        assertEquals(WireFormat.SERIAL, bytesOf(STD, new ArrayList<>(List.of(blob, blob)))[0]);
        List<Object> withNull = java.util.stream.Stream.<Object>of("a", null).toList();
        assertEquals(WireFormat.SERIAL, bytesOf(STD, withNull)[0]);
        assertEquals(withNull, roundTrip(withNull));
        assertEquals(WireFormat.SERIAL, bytesOf(STD, new java.util.LinkedList<>(List.of(1)))[0]);
        assertEquals(WireFormat.SERIAL, bytesOf(STD, List.of(new TreeMap<>(Map.of(1, 2))))[0]);
        assertEquals(WireFormat.SERIAL, bytesOf(STD, new ArrayList<>(List.of(1, new BigDecimal("2"))))[0]);
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        assertEquals(WireFormat.SERIAL, bytesOf(STD, cycle)[0]);
        List<?> cycleBack = (List<?>) STD.decode(bytesOf(STD, cycle));
        assertTrue(cycleBack.get(0) == cycleBack, "the cycle survives");
        Object deep = "leaf";
        for (int i = 0; i < 21; i++) {
            deep = new ArrayList<>(List.of(deep));
        }
        byte[] tooDeep = bytesOf(STD, deep);
        assertEquals(WireFormat.SERIAL, tooDeep[0]);
        assertThrows(UnpicklingError.class, () -> STD.decode(tooDeep));
        Object ok = "leaf";
        for (int i = 0; i < 20; i++) {
            ok = new ArrayList<>(List.of(ok));
        }
        assertEquals(WireFormat.LIST, bytesOf(STD, ok)[0]);
        assertEquals(ok, roundTrip(ok));
    }

    /** Native containers are read behind the codec's limits and allow-list, with the same messages as serialization's. */
    @Test
    void containerLimitsAndAllowList() {
        Object deep = 1;
        for (int i = 0; i < 30; i++) {
            deep = List.of(deep);
        }
        Codec<Object> deepCodec = Codec.builder().maxDepth(40).build();
        byte[] thirty = bytesOf(deepCodec, deep);
        assertEquals(WireFormat.LIST, thirty[0]);
        assertEquals(deep, deepCodec.decode(thirty));
        assertEquals("cannot unpickle: object graph deeper than 20 (raise it with Codec.builder().maxDepth(...))",
                assertThrows(UnpicklingError.class, () -> STD.decode(thirty)).getMessage());
        List<Integer> fifty = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            fifty.add(i);
        }
        Codec<Object> few = Codec.builder().maxReferences(10).build();
        assertEquals("cannot unpickle: more than 10 object references (raise it with Codec.builder().maxReferences(...))",
                assertThrows(UnpicklingError.class, () -> few.decode(bytesOf(few, fifty))).getMessage());
        Codec<Object> shortOnes = Codec.builder().maxArrayLength(2).build();
        assertTrue(assertThrows(UnpicklingError.class, () -> shortOnes.decode(bytesOf(STD, List.of(1, 2, 3))))
                .getMessage().contains("a container of 3 entries is longer than the limit of 2"));
        Codec<Object> noHashMaps = Codec.builder().allowPattern("!java.util.HashMap").build();
        UnpicklingError refused = assertThrows(UnpicklingError.class,
                () -> noHashMaps.decode(bytesOf(STD, new HashMap<>(Map.of(1, 2)))));
        assertEquals("java.util.HashMap", refused.rejectedClass());
        assertTrue(refused.getMessage().startsWith("cannot unpickle: class java.util.HashMap is not allowed"), refused.getMessage());
        assertEquals(List.of(1), noHashMaps.decode(bytesOf(STD, List.of(1))));
        byte[] hostile = bytesOf(STD, List.of(1, 2));
        hostile[2] = (byte) 0xff;
        hostile[3] = (byte) 0xff;
        hostile[4] = (byte) 0xff;
        hostile[5] = 0x7f;
        assertEquals("cannot unpickle: a LIST item is corrupt: a count of 2147483647 cannot fit in a body of 23 bytes",
                assertThrows(UnpicklingError.class, () -> STD.decode(hostile)).getMessage());
        byte[] unknownKind = bytesOf(STD, List.of(1));
        unknownKind[1] = 9;
        assertEquals("cannot unpickle: a LIST item is corrupt: unknown kind 9",
                assertThrows(UnpicklingError.class, () -> STD.decode(unknownKind)).getMessage());
        byte[] duplicate = bytesOf(STD, Set.of(1, 2));
        // the second element's int becomes the first's
        for (int i = 0; i < 4; i++) {
            duplicate[duplicate.length - 4 + i] = duplicate[1 + 1 + 4 + 4 + 1 + i];
        }
        assertTrue(assertThrows(UnpicklingError.class, () -> STD.decode(duplicate))
                .getMessage().startsWith("cannot unpickle: a SET item is corrupt: java.lang.IllegalArgumentException"));
    }

    /**
     * A record outside the allow-list is refused by the receiver, whatever wrote the bytes, and the
     * error names it and says how to allow it.
     */
    @Test
    void rejectedClassIsNamed() {
        byte[] bytes = serialized(new Point(1, 2));
        UnpicklingError e = assertThrows(UnpicklingError.class, () -> STD.decode(bytes));
        assertEquals(Point.class.getName(), e.rejectedClass());
        assertEquals("cannot unpickle: class " + Point.class.getName()
                + " is not allowed by the codec's allow-list (allow it with Codec.builder().allowClass(\""
                + Point.class.getName() + "\") or .allowPackage(\"dev.pyconc.multiprocessing\"))", e.getMessage());
        UnpicklingError nested = assertThrows(UnpicklingError.class,
                () -> STD.decode(serialized(new ArrayList<>(List.of("ok", Colour.RED)))));
        assertEquals(Colour.class.getName(), nested.rejectedClass());
    }

    /**
     * The sender refuses what its receivers would refuse: encoding a class outside the allow-list
     * throws PicklingError in the caller, naming the class and the call that admits it, and the
     * codec goes on encoding what it admits.
     */
    @Test
    void rejectedClassIsRefusedBySender() {
        PicklingError e = assertThrows(PicklingError.class, () -> bytesOf(STD, new Point(1, 2)));
        assertEquals(Point.class.getName(), e.rejectedClass());
        assertEquals("cannot pickle '" + Point.class.getName() + "' object: class " + Point.class.getName()
                + " is not allowed by the codec's allow-list, so no receiver could read it (allow it with"
                + " Codec.builder().allowClass(\"" + Point.class.getName()
                + "\") or .allowPackage(\"dev.pyconc.multiprocessing\"))", e.getMessage());
        PicklingError nested = assertThrows(PicklingError.class,
                () -> bytesOf(STD, new ArrayList<>(List.of("ok", Colour.RED))));
        assertEquals(Colour.class.getName(), nested.rejectedClass());
        PicklingError inArray = assertThrows(PicklingError.class, () -> bytesOf(STD, new Point[] {new Point(0, 0)}));
        assertEquals(Point.class.getName(), inArray.rejectedClass());
        assertEquals(List.of("ok", 1), STD.decode(bytesOf(STD, new ArrayList<>(List.of("ok", 1)))));
    }

    /** Records, enums and arrays of them round-trip once the user admits their class or package. */
    @Test
    void userAllowListExtension() {
        Codec<Object> byClass = Codec.builder().allowClass(Line.class).allowClass(Point.class).build();
        Line line = new Line(new Point(1, 2), new Point(3, 4), "l\u00e9");
        assertEquals(line, decodeAllWays(byClass, bytesOf(byClass, line)));
        Codec<Object> byPackage = Codec.builder().allowPackage("dev.pyconc.multiprocessing").build();
        assertEquals(List.of(Colour.GREEN, new Point(5, 6)),
                decodeAllWays(byPackage, bytesOf(byPackage, new ArrayList<>(List.of(Colour.GREEN, new Point(5, 6))))));
        Point[] points = {new Point(0, 0), null};
        assertArrayEquals(points, (Point[]) byPackage.decode(bytesOf(byPackage, points)));
        Codec<Object> tree = Codec.builder().allowPackageTree("dev.pyconc").build();
        assertEquals(new Point(7, 8), tree.decode(bytesOf(tree, new Point(7, 8))));
        Codec<Object> negated = Codec.builder().allowPattern("!" + Point.class.getName() + ";dev.pyconc.multiprocessing.*").build();
        assertEquals(Point.class.getName(),
                assertThrows(UnpicklingError.class, () -> negated.decode(serialized(new Point(1, 1)))).rejectedClass());
        assertEquals(Point.class.getName(),
                assertThrows(PicklingError.class, () -> bytesOf(negated, new Point(1, 1))).rejectedClass());
        assertEquals(Colour.RED, negated.decode(bytesOf(negated, Colour.RED)));
    }

    /** Bad builder arguments are rejected with IllegalArgumentException and a message. */
    @Test
    void builderValidatesArguments() {
        assertThrows(IllegalArgumentException.class, () -> Codec.builder().allowPackage("com..x"));
        assertThrows(IllegalArgumentException.class, () -> Codec.builder().allowPackage(null));
        assertThrows(IllegalArgumentException.class, () -> Codec.builder().allowClass((Class<?>) null));
        assertThrows(IllegalArgumentException.class, () -> Codec.builder().allowPattern("maxdepth=5"));
        assertThrows(IllegalArgumentException.class, () -> Codec.builder().maxDepth(0));
        assertThrows(IllegalArgumentException.class, () -> Codec.builder().maxItemBytes(0));
        assertThrows(IllegalArgumentException.class, () -> STD.decode((byte[]) null));
    }

    /** An object that is not Serializable fails in encode with PicklingError naming its class; the buffer stays usable. */
    @Test
    void notSerializableFailsInCaller() {
        PicklingError e = assertThrows(PicklingError.class,
                () -> StandardCodec.encodeToBuffer(STD, List.of(new NotSerializable())));
        assertTrue(e.getMessage().contains(NotSerializable.class.getName() + " is not Serializable"), e.getMessage());
        assertEquals("next", STD.decode(bytesOf(STD, "next")));
    }

    /** Items over the size limit fail in encode (PicklingError) and in decode (UnpicklingError). */
    @Test
    void itemSizeLimit() {
        Codec<Object> small = Codec.builder().maxItemBytes(100).build();
        assertThrows(PicklingError.class, () -> StandardCodec.encodeToBuffer(small, new byte[100]));
        assertEquals(99, ((byte[]) small.decode(bytesOf(small, new byte[99]))).length);
        byte[] big = bytesOf(STD, new byte[100]);
        UnpicklingError e = assertThrows(UnpicklingError.class, () -> small.decode(big));
        assertEquals("cannot unpickle: an item of 101 bytes exceeds the limit of 100 (Codec.builder().maxItemBytes(...))",
                e.getMessage());
    }

    /** Object graphs deeper than maxDepth are refused, and a deeper limit admits them. */
    @Test
    void depthLimit() {
        Codec<Object> nodes = Codec.builder().allowClass(Node.class).build();
        Node head = new Node();
        Node n = head;
        for (int i = 0; i < 50; i++) {
            n.next = new Node();
            n = n.next;
        }
        byte[] bytes = bytesOf(nodes, head);
        UnpicklingError e = assertThrows(UnpicklingError.class, () -> nodes.decode(bytes));
        assertEquals("cannot unpickle: object graph deeper than 20 (raise it with Codec.builder().maxDepth(...))",
                e.getMessage());
        Codec<Object> deep = Codec.builder().allowClass(Node.class).maxDepth(100).build();
        assertInstanceOf(Node.class, deep.decode(bytes));
    }

    /** Nested hash sets 100 levels deep (exponential hashCode) are refused at once, not computed. */
    @Test
    void nestedHashSetsAreRefusedQuickly() {
        Set<Object> root = new HashSet<>();
        Set<Object> s1 = root;
        Set<Object> s2 = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            Set<Object> t1 = new HashSet<>();
            Set<Object> t2 = new HashSet<>();
            t1.add("x");
            s1.add(t1);
            s1.add(t2);
            s2.add(t1);
            s2.add(t2);
            s1 = t1;
            s2 = t2;
        }
        byte[] bytes = serialized(root);
        assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> assertThrows(UnpicklingError.class, () -> STD.decode(bytes)));
    }

    /** A serialized array whose length field claims 2^31-1 elements is refused before any allocation. */
    @Test
    void hostileArrayLengthIsRefused() {
        byte[] bytes = bytesOf(STD, new long[] {1, 2, 3});
        int at = indexOfInt(bytes, 3);
        bytes[at] = 0x7f;
        bytes[at + 1] = (byte) 0xff;
        bytes[at + 2] = (byte) 0xff;
        bytes[at + 3] = (byte) 0xff;
        UnpicklingError e = assertThrows(UnpicklingError.class, () -> STD.decode(bytes));
        assertTrue(e.getMessage().contains("an array of 2147483647 elements"), e.getMessage());
        Codec<Object> shortArrays = Codec.builder().maxArrayLength(2).build();
        assertTrue(assertThrows(UnpicklingError.class, () -> shortArrays.decode(bytesOf(STD, new int[3])))
                .getMessage().contains("longer than the limit of 2"));
    }

    /** More references than maxReferences are refused. */
    @Test
    void referenceLimit() {
        Codec<Object> few = Codec.builder().maxReferences(10).build();
        List<int[]> many = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            many.add(new int[] {i});
        }
        UnpicklingError e = assertThrows(UnpicklingError.class, () -> few.decode(bytesOf(STD, many)));
        assertTrue(e.getMessage().contains("more than 10 object references"), e.getMessage());
        PicklingError refused = assertThrows(PicklingError.class, () -> bytesOf(few, many));
        assertTrue(refused.getMessage().contains("more than 10 object references, which the receivers refuse"),
                refused.getMessage());
    }

    /** Malformed items (empty, unknown tag, wrong fixed size, odd UTF-16) give UnpicklingError with a message. */
    @Test
    void malformedItemsAreRejected() {
        assertEquals("cannot unpickle: the item is empty (no tag byte)",
                assertThrows(UnpicklingError.class, () -> STD.decode(new byte[0])).getMessage());
        assertTrue(assertThrows(UnpicklingError.class, () -> STD.decode(new byte[] {(byte) 0xEE}))
                .getMessage().contains("unknown tag 0xEE"));
        assertEquals("cannot unpickle: a INT item has 5 bytes, not 4: the bytes are corrupt",
                assertThrows(UnpicklingError.class, () -> STD.decode(new byte[] {WireFormat.INT, 1, 2, 3})).getMessage());
        assertThrows(UnpicklingError.class, () -> STD.decode(new byte[] {WireFormat.STRING16, 1, 2, 3}));
        assertThrows(UnpicklingError.class, () -> STD.decode(new byte[] {WireFormat.SERIAL, 1, 2, 3}));
    }

    /** Every truncation of valid items, and 20,000 random and mutated byte strings, decode or throw UnpicklingError. */
    @Test
    void fuzzedBytesNeverEscape() {
        List<Object> samples = List.of(new HashMap<>(Map.of("k", List.of(1L, 2.5, "v"))), "h\u00e9llo", 42L,
                new java.util.LinkedHashMap<>(Map.of("s", Set.of(1, 2, 3), "l", new ArrayList<>(List.of(true, "\u4e2d")))),
                new int[] {1, 2}, new byte[] {1, 2, 3}, new ArrayList<>(List.of(new TreeMap<>(Map.of("a", 1)))));
        Random random = new Random(12345);
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            int rejected = 0;
            for (Object sample : samples) {
                byte[] full = bytesOf(STD, sample);
                for (int cut = 0; cut < full.length; cut++) {
                    rejected += decodeOrReject(Arrays.copyOf(full, cut));
                }
                for (int i = 0; i < 2_000; i++) {
                    byte[] mutated = full.clone();
                    int flips = 1 + random.nextInt(4);
                    for (int f = 0; f < flips; f++) {
                        mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
                    }
                    rejected += decodeOrReject(mutated);
                }
            }
            for (int i = 0; i < 8_000; i++) {
                byte[] junk = new byte[random.nextInt(64)];
                random.nextBytes(junk);
                if (junk.length > 0 && random.nextBoolean()) {
                    junk[0] = WireFormat.SERIAL;
                }
                rejected += decodeOrReject(junk);
            }
            assertTrue(rejected > 10_000, "most fuzzed inputs are rejected: " + rejected);
        });
    }

    private static int decodeOrReject(byte[] bytes) {
        try {
            STD.decode(bytes);
            return 0;
        } catch (UnpicklingError expected) {
            return 1;
        }
    }

    /** A user's Codec encodes through Output and decodes from a segment, with every Output method. */
    @Test
    void customCodecRoundTrips() {
        Codec<Point> points = new Codec<>() {
            @Override
            public void encode(Point p, Codec.Output out) {
                out.writeInt(p.x());
                out.writeLong(p.y());
                out.writeByte(7);
                out.write(new byte[] {8, 9});
                out.write(MemorySegment.ofArray(new byte[] {10}));
                try {
                    out.asOutputStream().write(11);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }

            @Override
            public Point decode(MemorySegment in) {
                if (in.byteSize() != 17) {
                    throw new UnpicklingError("a point has 17 bytes, not " + in.byteSize());
                }
                assertEquals(11, in.get(ValueLayout.JAVA_BYTE, 16));
                return new Point(in.get(Codec.INT, 0), (int) in.get(Codec.LONG, 4));
            }
        };
        @SuppressWarnings({"unchecked", "rawtypes"})
        GrowableBuffer b = StandardCodec.encodeToBuffer((Codec) points, new Point(-3, 40));
        assertEquals(17, b.size());
        assertEquals(new Point(-3, 40), points.decode(b.toByteArray()));
        assertEquals(new Point(-3, 40), points.decode(b.segment()));
        b.reset();
        assertThrows(UnpicklingError.class, () -> points.decode(new byte[3]));
    }

    /** A user codec that throws something else is reported as PicklingError naming the codec. */
    @Test
    void failingCustomCodecBecomesPicklingError() {
        Codec<Object> broken = new Codec<>() {
            @Override
            public void encode(Object item, Codec.Output out) {
                out.writeInt(1);
                throw new IllegalStateException("boom");
            }

            @Override
            public Object decode(MemorySegment in) {
                return null;
            }
        };
        PicklingError e = assertThrows(PicklingError.class, () -> StandardCodec.encodeToBuffer(broken, "x"));
        assertTrue(e.getMessage().contains("threw java.lang.IllegalStateException: boom"), e.getMessage());
        assertEquals(0, StandardCodec.encodeToBuffer(STD, null).size() - 1);
    }

    private static byte[] serialized(Object o) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            bytes.write(WireFormat.SERIAL);
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(o);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static int indexOfInt(byte[] bytes, int value) {
        for (int i = 0; i + 4 <= bytes.length; i++) {
            int v = ((bytes[i] & 0xff) << 24) | ((bytes[i + 1] & 0xff) << 16) | ((bytes[i + 2] & 0xff) << 8) | (bytes[i + 3] & 0xff);
            if (v == value && i > 10) {
                return i;
            }
        }
        throw new AssertionError("length field not found");
    }

    /** Decoding a slice of an array reads only the slice; a slice outside the array is an IllegalArgumentException. */
    @Test
    void defaultDecodeMethodsCheckBounds() {
        assertNull(STD.decode(new byte[] {9, WireFormat.NULL, 9}, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> STD.decode(new byte[2], 1, 5));
    }

    /** A codec of the builder travels by Java serialization with its allow-list and limits; the default one comes back as itself. */
    @Test
    void buildersCodecTravels() throws Exception {
        assertTrue(Codec.standard() == javaRoundTrip(Codec.standard()));
        Codec<Object> widened = Codec.builder().allowClass(Point.class).allowClass(Node.class).maxDepth(7).build();
        @SuppressWarnings("unchecked")
        Codec<Object> copy = (Codec<Object>) javaRoundTrip(widened);
        assertEquals(new Point(1, 2), copy.decode(bytesOf(widened, new Point(1, 2))));
        assertThrows(UnpicklingError.class, () -> STD.decode(bytesOf(widened, new Point(1, 2))));
        Node deep = new Node();
        for (int i = 0; i < 10; i++) {
            Node n = new Node();
            n.next = deep;
            deep = n;
        }
        byte[] tooDeep = bytesOf(widened, deep);
        assertTrue(assertThrows(UnpicklingError.class, () -> copy.decode(tooDeep)).getMessage().contains("deeper than 7"));
    }

    /** The size limit counts one item, however much the output held before it (a chunk of several items). */
    @Test
    void itemSizeLimitCountsTheItemAlone() {
        Codec<Object> small = Codec.builder().maxItemBytes(100).build();
        StandardCodec.Buffer out = new StandardCodec.Buffer(1 << 20);
        for (int i = 0; i < 50; i++) {
            small.encode("x".repeat(50), out);
        }
        assertTrue(out.size() > 100);
        assertThrows(PicklingError.class, () -> small.encode("x".repeat(200), out));
    }

    /** decodeThrowable admits exceptions of any class, but their fields stay behind the allow-list. */
    @Test
    void exceptionsDecodeBehindTheAllowList() throws Exception {
        Throwable t = ((StandardCodec) STD).decodeThrowable(plain(new AppFailure("x", null)), 0, plain(new AppFailure("x", null)).length);
        assertInstanceOf(AppFailure.class, t);
        byte[] withPoint = plain(new AppFailure("y", new Point(1, 2)));
        UnpicklingError e = assertThrows(UnpicklingError.class, () -> ((StandardCodec) STD).decodeThrowable(withPoint, 0, withPoint.length));
        assertEquals(Point.class.getName(), e.rejectedClass());
        byte[] notAnException = plain("text");
        assertThrows(UnpicklingError.class, () -> ((StandardCodec) STD).decodeThrowable(notAnException, 0, notAnException.length));
    }

    static final class AppFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        @SuppressWarnings("serial")
        final Object detail;

        AppFailure(String message, Object detail) {
            super(message);
            this.detail = detail;
        }
    }

    private static byte[] plain(Object o) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    private static Object javaRoundTrip(Object o) throws Exception {
        try (var in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(plain(o)))) {
            return in.readObject();
        }
    }
}
