package dev.pyconc.ipc.internal.launch;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.StreamCorruptedException;
import java.nio.charset.StandardCharsets;

/**
 * What a parent sends a child process over the child's private channel (its standard input pipe)
 * when it starts it, and the one codec for it. The child reads exactly one record, then nothing
 * more arrives; its standard input is then an empty stream, as in Python, where a child's
 * {@code sys.stdin} is {@code os.devnull}.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     MAGIC ("PyCp")                            |
 *  +---------------------------------------------------------------+
 *  |                     VERSION                                   |
 *  +---------------------------------------------------------------+
 *  |                     parent pid (64 bits)                     ...
 *  +---------------------------------------------------------------+
 *  |   parent name: length (32 bits), then UTF-8 bytes            ...
 *  +---------------------------------------------------------------+
 *  |   child name: length (32 bits), then UTF-8 bytes             ...
 *  +---------------------------------------------------------------+
 *  |   exit marker path: length (32 bits), then UTF-8 bytes       ...
 *  +---------------------------------------------------------------+
 *  |   payload: length (32 bits), then the Process object in      ...
 *  |   Java serialization (its target, name, daemon flag, ...)    ...
 *  |   or in pyconc's own form ({@link ProcessPayload})           ...
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * All integers are big-endian ({@link DataOutputStream}). The header travels outside Java
 * serialization so that a child can name itself in an error message even when its target cannot
 * be deserialized.
 *
 * @param parentPid  the parent's process id, which the child watches
 * @param parentName the name of the parent's current process, for {@code parentProcess().name()}
 * @param childName  the name of the process, for error messages before its object is read
 * @param exitMarker the file the child creates when it exits normally (see {@code Popen})
 * @param payload    the {@code Process} object, serialized or in {@link ProcessPayload}'s form
 */
public record LaunchRecord(long parentPid, String parentName, String childName, String exitMarker, byte[] payload) {
    /** "PyCp": the first bytes of every record. */
    static final int MAGIC = 0x50794370;
    /** The version of this layout. */
    static final int VERSION = 1;
    /** The longest name or path a record carries. */
    static final int MAX_STRING_BYTES = 1 << 20;

    /** Writes this record to {@code out} and flushes it. */
    public void writeTo(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(MAGIC);
        data.writeInt(VERSION);
        data.writeLong(parentPid);
        writeString(data, parentName);
        writeString(data, childName);
        writeString(data, exitMarker);
        data.writeInt(payload.length);
        data.write(payload);
        data.flush();
    }

    /**
     * Reads one record from {@code in}.
     *
     * @throws java.io.EOFException if the stream ends before a whole record (the parent went away)
     * @throws StreamCorruptedException if the bytes are not a record of this version
     */
    public static LaunchRecord readFrom(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        int magic = data.readInt();
        if (magic != MAGIC) {
            throw new StreamCorruptedException("not a pyconc launch record (magic 0x" + Integer.toHexString(magic) + ")");
        }
        int version = data.readInt();
        if (version != VERSION) {
            throw new StreamCorruptedException("launch record version " + version + ", expected " + VERSION
                    + ": parent and child run different pyconc versions");
        }
        long parentPid = data.readLong();
        String parentName = readString(data);
        String childName = readString(data);
        String exitMarker = readString(data);
        int length = data.readInt();
        if (length < 0) {
            throw new StreamCorruptedException("negative payload length " + length);
        }
        byte[] payload = data.readNBytes(length);
        if (payload.length != length) {
            throw new java.io.EOFException("launch record ends after " + payload.length + " of " + length + " payload bytes");
        }
        return new LaunchRecord(parentPid, parentName, childName, exitMarker, payload);
    }

    /**
     * Serializes {@code object} with Java serialization.
     *
     * @throws NotSerializableException naming the first class on the way that is not serializable
     */
    public static byte[] serialize(Object object) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(object);
        }
        return bytes.toByteArray();
    }

    /**
     * Deserializes what {@link #serialize} wrote. Classes resolve through the class loader of the
     * nearest application frame, as {@link ObjectInputStream} does; no filter is installed beyond
     * the JVM-wide one, because the only writer is the parent that started this JVM and the target
     * must be able to carry any class of the application. A pool's worker reads the functions its
     * parent sends the same way, for the same reason.
     */
    public static Object deserialize(byte[] bytes) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return in.readObject();
        }
    }

    static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static String readString(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_STRING_BYTES) {
            throw new StreamCorruptedException("string length " + length + " out of range");
        }
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new java.io.EOFException("launch record ends inside a string");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
