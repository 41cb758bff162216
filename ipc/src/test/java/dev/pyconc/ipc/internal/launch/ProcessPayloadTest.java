package dev.pyconc.ipc.internal.launch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.StreamCorruptedException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.pyconc.ipc.internal.codec.WireFormat;
import dev.pyconc.multiprocessing.SerializableRunnable;

class ProcessPayloadTest {
    private static final ClassLoader LOADER = ProcessPayloadTest.class.getClassLoader();
    private static final List<Object> RAN = new ArrayList<>();

    private static ProcessPayload.Parts parts(SerializableRunnable target) {
        return new ProcessPayload.Parts(target, "wörker-\u20ac", true, new int[] {3, 1, 4}, 271828L);
    }

    /** Reads {@code payload} as a child does: its target a {@link SerializableRunnable}. */
    private static ProcessPayload.Parts decode(byte[] payload) throws IOException, ClassNotFoundException {
        return ProcessPayload.decode(payload, LOADER, SerializableRunnable.class);
    }

    private static ProcessPayload.Parts roundTrip(SerializableRunnable target) throws Exception {
        byte[] payload = ProcessPayload.encode(parts(target));
        assertNotNull(payload, "the process should travel in pyconc's own form");
        assertTrue(ProcessPayload.isNative(payload));
        return decode(payload);
    }

    private static SerializableRunnable recording(Object value) {
        return () -> RAN.add(value);
    }

    /** Name, daemon flag, identity and creator pid come back exactly; a lambda that captures nothing needs no codec. */
    @Test
    void processFieldsRoundTrip() throws Exception {
        byte[] payload = ProcessPayload.encode(parts(() -> RAN.add("nothing captured")));
        assertNotNull(payload);
        assertFalse(ProcessPayload.capturesValues(payload));
        ProcessPayload.Parts back = decode(payload);
        assertEquals("wörker-\u20ac", back.name());
        assertTrue(back.daemon());
        assertArrayEquals(new int[] {3, 1, 4}, back.identity());
        assertEquals(271828L, back.creatorPid());
        RAN.clear();
        back.target().run();
        assertEquals(List.of("nothing captured"), RAN);
    }

    /** A process without a target travels too, and comes back without one. */
    @Test
    void noTarget() throws Exception {
        assertNull(roundTrip(null).target());
    }

    /** Captured values keep their classes and contents: boxed primitives, strings, byte arrays, lists, sets, maps, null. */
    @Test
    void capturedValuesKeepTheirTypes() throws Exception {
        HashMap<String, Object> map = new HashMap<>(Map.of("id", 42, "tags", List.of("a", "b")));
        List<Object> values = Arrays.asList(7, 8L, (short) 9, 'c', 1.5, 2.5f, (byte) -1, true, "h\u00e9llo \ud83d\ude00",
                new byte[] {1, 2, 0}, new ArrayList<>(List.of(1, "x")), List.of(1, 2), map,
                new LinkedHashSet<>(List.of("z", "a")), Set.of(5), null);
        for (Object value : values) {
            assertTrue(ProcessPayload.capturesValues(ProcessPayload.encode(parts(recording(value)))));
            RAN.clear();
            roundTrip(recording(value)).target().run();
            Object back = RAN.getFirst();
            if (value == null) {
                assertNull(back);
            } else if (value instanceof byte[] b) {
                assertArrayEquals(b, (byte[]) back);
            } else {
                assertEquals(value, back);
                assertEquals(value.getClass(), back.getClass());
            }
        }
    }

    /** A lambda that captures its enclosing object (here not serializable at all) is left to Java serialization. */
    @Test
    void capturingThisIsLeftToJavaSerialization() {
        assertNull(ProcessPayload.encode(parts(() -> RAN.add(this))));
    }

    /** Values the codec would serialize (an int[], a record) leave the whole process to Java serialization. */
    @Test
    void valuesTheCodecSerializesAreLeftToJavaSerialization() {
        int[] numbers = {1, 2};
        record Point(int x, int y) implements java.io.Serializable {}
        Point point = new Point(1, 2);
        assertNull(ProcessPayload.encode(parts(() -> RAN.add(numbers))));
        assertNull(ProcessPayload.encode(parts(() -> RAN.add(point))));
    }

    /** The same list captured twice would arrive as two lists: such a process is left to Java serialization, which keeps one. */
    @Test
    void sharedValuesAreLeftToJavaSerialization() {
        List<Integer> one = new ArrayList<>(List.of(1));
        List<Integer> same = one;
        assertNull(ProcessPayload.encode(parts(() -> RAN.add(one == same))));
        byte[] bytes = {1};
        byte[] alias = bytes;
        assertNull(ProcessPayload.encode(parts(() -> RAN.add(bytes.length + alias.length))));
    }

    /** A target that is an object of a class of its own, not a lambda, is left to Java serialization. */
    @Test
    void nonLambdaTargetIsLeftToJavaSerialization() {
        assertNull(ProcessPayload.encode(parts(new OwnTarget())));
    }

    private static final class OwnTarget implements SerializableRunnable {
        @Override
        public void run() {}
    }

    /** Java serialization's stream is never taken for this form. */
    @Test
    void javaSerializationIsNotNative() throws IOException {
        assertFalse(ProcessPayload.isNative(LaunchRecord.serialize("x")));
        assertFalse(ProcessPayload.isNative(new byte[0]));
    }

    /** Corrupt payloads fail with a clear exception, never a huge allocation or a target made of garbage. */
    @Test
    void corruptPayloadsAreRejected() throws Exception {
        byte[] good = ProcessPayload.encode(parts(recording("v")));
        byte[] flags = good.clone();
        flags[4] = 2;                                   // captures values, yet no target
        assertThrows(StreamCorruptedException.class, () -> decode(flags));
        byte[] unknown = good.clone();
        unknown[4] = (byte) 0x83;
        assertThrows(StreamCorruptedException.class, () -> decode(unknown));
        assertThrows(EOFException.class, () -> decode(Arrays.copyOf(good, 10)));
        assertThrows(StreamCorruptedException.class, () -> decode(Arrays.copyOf(good, good.length - 3)));
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        assertThrows(StreamCorruptedException.class, () -> decode(longer));

        byte[] identity = header(1, Integer.MAX_VALUE);
        assertThrows(StreamCorruptedException.class, () -> decode(identity));
    }

    /** Captured values claimed longer than the payload, or not a list in the codec's own format, are rejected. */
    @Test
    void corruptCapturedValuesAreRejected() throws Exception {
        byte[] good = ProcessPayload.encode(parts(recording("v")));
        int at = good.length - capturedLength(good) - 4;        // the length field of the captured values
        byte[] tooLong = good.clone();
        tooLong[at] = 0x7F;
        assertThrows(StreamCorruptedException.class, () -> decode(tooLong));
        byte[] notAList = good.clone();
        notAList[at + 4] = WireFormat.SERIAL;                   // the codec's tag: Java serialization, never accepted here
        assertThrows(StreamCorruptedException.class, () -> decode(notAList));
    }

    /** A lambda whose capturing class cannot rebuild it (another method's name) fails as Java serialization would. */
    @Test
    void lambdaThatCannotBeRebuiltFails() throws Exception {
        byte[] good = ProcessPayload.encode(parts(() -> RAN.add("x")));
        String text = new String(good, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = text.indexOf("lambda$");
        assertTrue(at > 0);
        byte[] renamed = good.clone();
        renamed[at] = 'L';                                      // "Lambda$...": no such lambda in the class
        assertThrows(InvalidObjectException.class, () -> decode(renamed));
    }

    /** The length of the captured values at the end of a payload whose target captures one value. */
    private static int capturedLength(byte[] payload) {
        for (int n = 1; n < payload.length - 4; n++) {
            int at = payload.length - n - 4;
            int length = (payload[at] & 0xFF) << 24 | (payload[at + 1] & 0xFF) << 16 | (payload[at + 2] & 0xFF) << 8
                    | (payload[at + 3] & 0xFF);
            if (length == n && payload[at + 4] == WireFormat.LIST) {
                return n;
            }
        }
        throw new AssertionError("no captured values found");
    }

    /** A payload header with {@code flags} and an identity count of {@code identity}. */
    private static byte[] header(int flags, int identity) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(ProcessPayload.MAGIC);
        out.writeByte(flags);
        out.writeInt(1);
        out.write('p');
        out.writeBoolean(false);
        out.writeLong(1);
        out.writeInt(identity);
        return bytes.toByteArray();
    }
}
