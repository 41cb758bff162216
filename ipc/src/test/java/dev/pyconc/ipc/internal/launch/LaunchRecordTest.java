package dev.pyconc.ipc.internal.launch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.StreamCorruptedException;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.pyconc.multiprocessing.SerializableRunnable;

class LaunchRecordTest {

    private static byte[] bytes(LaunchRecord r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        r.writeTo(out);
        return out.toByteArray();
    }

    /** A record round-trips exactly: pids, names with multi-byte UTF-8, and a payload of 1 MiB. */
    @Test
    void roundTrip() throws IOException {
        byte[] payload = new byte[1 << 20];
        Arrays.fill(payload, (byte) 7);
        LaunchRecord r = new LaunchRecord(123456789012L, "MainProcess", "wörker-π-\u20ac", "/tmp/pyconc-1-ab.exit", payload);
        byte[] b = bytes(r);
        LaunchRecord back = LaunchRecord.readFrom(new ByteArrayInputStream(b));
        assertEquals(123456789012L, back.parentPid());
        assertEquals("MainProcess", back.parentName());
        assertEquals("wörker-π-\u20ac", back.childName());
        assertEquals("/tmp/pyconc-1-ab.exit", back.exitMarker());
        assertArrayEquals(payload, back.payload());
    }

    /** A serialized capturing lambda comes back and runs with its captured values. */
    @Test
    void serializedLambdaRoundTrip() throws Exception {
        List<String> seen = new java.util.ArrayList<>();
        String word = "captured";
        SerializableRunnable r = () -> seen.add(word);
        Object back = LaunchRecord.deserialize(LaunchRecord.serialize(r));
        ((Runnable) back).run();
        assertEquals(List.of(), seen, "the copy adds to its own copy of the list");
        SerializableRunnable direct = () -> {};
        assertTrue(LaunchRecord.deserialize(LaunchRecord.serialize(direct)) instanceof SerializableRunnable);
    }

    /** Serializing a non-serializable object fails with NotSerializableException naming its class. */
    @Test
    void notSerializable() {
        Object o = new Object();
        SerializableRunnable r = () -> o.hashCode();
        assertEquals("java.lang.Object", assertThrows(NotSerializableException.class, () -> LaunchRecord.serialize(r)).getMessage());
    }

    /** Bytes that are not a record, a record of another version, and bad lengths are rejected with StreamCorruptedException. */
    @Test
    void garbageIsRejected() throws IOException {
        assertTrue(assertThrows(StreamCorruptedException.class,
                () -> LaunchRecord.readFrom(new ByteArrayInputStream(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}))).getMessage()
                .startsWith("not a pyconc launch record"));
        byte[] good = bytes(new LaunchRecord(1, "p", "c", "m", new byte[] {1}));
        byte[] otherVersion = good.clone();
        otherVersion[7] = 99;
        assertTrue(assertThrows(StreamCorruptedException.class,
                () -> LaunchRecord.readFrom(new ByteArrayInputStream(otherVersion))).getMessage()
                .contains("parent and child run different pyconc versions"));
        assertThrows(StreamCorruptedException.class, () -> LaunchRecord.readFrom(new ByteArrayInputStream(header(-1))));
        assertThrows(StreamCorruptedException.class,
                () -> LaunchRecord.readFrom(new ByteArrayInputStream(header(LaunchRecord.MAX_STRING_BYTES + 1))));
    }

    /** A stream that ends anywhere inside a record gives EOFException (the parent went away). */
    @Test
    void truncatedRecordIsEof() throws IOException {
        byte[] good = bytes(new LaunchRecord(1, "parent", "child", "marker", new byte[100]));
        for (int cut = 0; cut < good.length; cut++) {
            byte[] part = Arrays.copyOf(good, cut);
            assertThrows(EOFException.class, () -> LaunchRecord.readFrom(new ByteArrayInputStream(part)), "cut at " + cut);
        }
    }

    /** The header of a record whose parent name has the given length. */
    private static byte[] header(int nameLength) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(LaunchRecord.MAGIC);
        data.writeInt(LaunchRecord.VERSION);
        data.writeLong(1);
        data.writeInt(nameLength);
        return out.toByteArray();
    }
}
