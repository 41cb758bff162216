package dev.pyconc.ipc.internal.launch;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.StreamCorruptedException;
import java.io.UncheckedIOException;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

import dev.pyconc.ipc.internal.codec.GrowableBuffer;
import dev.pyconc.ipc.internal.codec.StandardFormat;
import dev.pyconc.ipc.internal.codec.WireFormat;
import dev.pyconc.ipc.internal.shm.InFlight;

/**
 * The payload of a {@link LaunchRecord} for the common process, written without Java
 * serialization: a plain {@code Process} (not a subclass) whose target is a serializable lambda
 * that captures only values the standard codec writes itself (numbers, strings, byte arrays, and
 * lists, sets and maps of them). A child reads it without an {@link java.io.ObjectInputStream},
 * whose first use in a JVM sets up the JVM-wide deserialization filter configuration (its
 * logger's search of every module and jar for a logger service, the security properties): 16 to
 * 25 ms of a child's start. Every other process travels by Java serialization, as before.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     MAGIC ("PyLm")                            |   never the start of Java
 *  +---------------+-----------------------------------------------+   serialization (0xACED)
 *  |   flags (8)   |   1: a target follows; 2: it captures values
 *  +---------------+-----------------------------------------------+
 *  |   name: length (32 bits), then UTF-8 bytes                   ...
 *  +---------------+-----------------------------------------------+
 *  |   daemon (8)  |   creator pid (64 bits)                      ...
 *  +---------------+-----------------------------------------------+
 *  |   identity: count (32 bits), then that many 32-bit ints      ...
 *  +---------------------------------------------------------------+
 *  |   with flag 1, the target's SerializedLambda, 9 fields:      ...   capturing class,
 *  |   8 strings (length, UTF-8) and the impl kind (32 bits)      ...   functional interface
 *  +---------------------------------------------------------------+   class, method, signature,
 *  |   with flag 2, the captured values: length (32 bits), then   ...   impl kind, impl class,
 *  |   one ArrayList of them in the standard codec's format       ...   method, signature,
 *  |   (never its SERIAL tag)                                     ...   instantiated type
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * Integers are big-endian ({@link DataOutputStream}), strings as in {@link LaunchRecord}. The child
 * rebuilds the lambda as Java serialization does: a {@link SerializedLambda} handed to the
 * capturing class's {@code $deserializeLambda$}. The parent writes this form only where that will
 * work (the lambda's {@code writeReplace} and the capturing class's {@code $deserializeLambda$}
 * are accessible to pyconc: always on the class path, in a named module only if it opens the
 * package to {@code dev.pyconc.ipc}) and where nothing is lost: the captured values are written
 * as one list, so the codec's check that no container or array appears twice covers them all.
 *
 * <p>Memory consistency effects: none; stateless.
 */
public final class ProcessPayload {
    /** "PyLm": the first bytes of a payload in this form. */
    static final int MAGIC = 0x50794C6D;
    /** Flags of the byte after the magic. */
    private static final int TARGET = 1, CAPTURES = 2;
    /** The most identity numbers a payload may carry (Python's process identities are short). */
    private static final int MAX_IDENTITY = 1 << 16;
    private static final String DESERIALIZE = "$deserializeLambda$";

    /**
     * What travels of a process: what Java serialization would write of a plain {@code Process}.
     *
     * @param target     the target, a serializable lambda or other object, or null
     * @param name       the process name
     * @param daemon     its daemon flag
     * @param identity   Python's {@code _identity}
     * @param creatorPid the pid of the JVM that created it
     */
    public record Parts(Runnable target, String name, boolean daemon, int[] identity, long creatorPid) {}

    private ProcessPayload() {}

    /** Whether {@code payload} is in this form (otherwise it is Java serialization). */
    public static boolean isNative(byte[] payload) {
        return payload.length >= 5
                && ((payload[0] & 0xFF) << 24 | (payload[1] & 0xFF) << 16 | (payload[2] & 0xFF) << 8 | (payload[3] & 0xFF)) == MAGIC;
    }

    /**
     * Whether the target of {@code payload}, a payload in this form, captures values: reading them
     * takes the standard codec, whose first use in a JVM initializes its FFM value layouts (5 to 7
     * ms).
     */
    public static boolean capturesValues(byte[] payload) {
        return (payload[4] & CAPTURES) != 0;
    }

    /**
     * The payload of a process made of {@code parts}, or {@code null} when it must travel by Java
     * serialization (its target is no lambda, is out of pyconc's reach, or captures a value the
     * codec would serialize or that appears twice).
     */
    public static byte[] encode(Parts parts) {
        SerializedLambda lambda = null;
        byte[] captured = null;
        if (parts.target() != null) {
            lambda = serializedForm(parts.target());
            if (lambda == null) {
                return null;
            }
            if (lambda.getCapturedArgCount() > 0 && (captured = capturedValues(lambda)) == null) {
                return null;
            }
        }
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + (captured != null ? captured.length : 0));
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeByte((lambda != null ? TARGET : 0) | (captured != null ? CAPTURES : 0));
            LaunchRecord.writeString(out, parts.name());
            out.writeBoolean(parts.daemon());
            out.writeLong(parts.creatorPid());
            out.writeInt(parts.identity().length);
            for (int i : parts.identity()) {
                out.writeInt(i);
            }
            if (lambda != null) {
                LaunchRecord.writeString(out, lambda.getCapturingClass());
                LaunchRecord.writeString(out, lambda.getFunctionalInterfaceClass());
                LaunchRecord.writeString(out, lambda.getFunctionalInterfaceMethodName());
                LaunchRecord.writeString(out, lambda.getFunctionalInterfaceMethodSignature());
                out.writeInt(lambda.getImplMethodKind());
                LaunchRecord.writeString(out, lambda.getImplClass());
                LaunchRecord.writeString(out, lambda.getImplMethodName());
                LaunchRecord.writeString(out, lambda.getImplMethodSignature());
                LaunchRecord.writeString(out, lambda.getInstantiatedMethodType());
            }
            if (captured != null) {
                out.writeInt(captured.length);
                out.write(captured);
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);      // a byte array stream does not fail
        }
    }

    /** The lambda's serialized form, if pyconc can take it and the child can rebuild it; else null. */
    private static SerializedLambda serializedForm(Runnable target) {
        Class<?> c = target.getClass();
        if (!c.isHidden()) {
            return null;                            // a class of its own: Java serialization
        }
        try {
            Method writeReplace = c.getDeclaredMethod("writeReplace");
            if (!writeReplace.trySetAccessible()) {
                return null;
            }
            if (!(writeReplace.invoke(target) instanceof SerializedLambda lambda)) {
                return null;
            }
            Class<?> capturing = Class.forName(lambda.getCapturingClass().replace('/', '.'), false, c.getClassLoader());
            if (!capturing.getDeclaredMethod(DESERIALIZE, SerializedLambda.class).trySetAccessible()) {
                return null;
            }
            return lambda;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** The captured values as one list in the codec's own format, or null if the codec would serialize them. */
    private static byte[] capturedValues(SerializedLambda lambda) {
        List<Object> values = new ArrayList<>(lambda.getCapturedArgCount());
        for (int i = 0; i < lambda.getCapturedArgCount(); i++) {
            values.add(lambda.getCapturedArg(i));
        }
        GrowableBuffer buffer = new GrowableBuffer(StandardFormat.DEFAULT.maxItemBytes());
        int mark = InFlight.begin();      // a trial: handles serialized here travel in the other form, if at all
        try {
            StandardFormat.DEFAULT.encode(values, buffer);
        } catch (RuntimeException e) {    // a PickleError, or a value's own failure: Java serialization then
            return null;
        } finally {
            InFlight.end(mark, false);
        }
        return buffer.array()[WireFormat.TAG_OFFSET] == WireFormat.LIST ? buffer.toByteArray() : null;
    }

    /**
     * Reads a payload of this form, rebuilding the target with the classes of {@code loader}; the
     * target must be a {@code targetType} ({@code SerializableRunnable} for a process).
     *
     * @throws StreamCorruptedException if the bytes are not such a payload
     * @throws InvalidObjectException   if the lambda cannot be rebuilt (its cause says why), or is
     *                                  no {@code targetType}
     * @throws ClassNotFoundException   if the capturing class is not on the child's path
     */
    public static Parts decode(byte[] payload, ClassLoader loader, Class<? extends Runnable> targetType)
            throws IOException, ClassNotFoundException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        if (in.readInt() != MAGIC) {
            throw new StreamCorruptedException("not a pyconc process payload");
        }
        int flags = in.readUnsignedByte();
        if ((flags & ~(TARGET | CAPTURES)) != 0 || flags == CAPTURES) {
            throw new StreamCorruptedException("process payload flags " + flags);
        }
        String name = LaunchRecord.readString(in);
        boolean daemon = in.readBoolean();
        long creatorPid = in.readLong();
        int n = in.readInt();
        if (n < 0 || n > MAX_IDENTITY) {
            throw new StreamCorruptedException("process identity of " + n + " numbers");
        }
        int[] identity = new int[n];
        for (int i = 0; i < n; i++) {
            identity[i] = in.readInt();
        }
        Runnable target = (flags & TARGET) != 0 ? readLambda(in, loader, (flags & CAPTURES) != 0, targetType) : null;
        if (in.read() != -1) {
            throw new StreamCorruptedException("bytes after the end of the process payload");
        }
        return new Parts(target, name, daemon, identity, creatorPid);
    }

    private static Runnable readLambda(DataInputStream in, ClassLoader loader, boolean captures,
                                       Class<? extends Runnable> targetType) throws IOException, ClassNotFoundException {
        String capturing = LaunchRecord.readString(in);
        String interfaceClass = LaunchRecord.readString(in);
        String interfaceMethod = LaunchRecord.readString(in);
        String interfaceSignature = LaunchRecord.readString(in);
        int implKind = in.readInt();
        String implClass = LaunchRecord.readString(in);
        String implMethod = LaunchRecord.readString(in);
        String implSignature = LaunchRecord.readString(in);
        String instantiatedType = LaunchRecord.readString(in);
        Object[] values = captures ? readValues(in) : new Object[0];
        Class<?> capturingClass = Class.forName(capturing.replace('/', '.'), false, loader);
        SerializedLambda lambda = new SerializedLambda(capturingClass, interfaceClass, interfaceMethod,
                interfaceSignature, implKind, implClass, implMethod, implSignature, instantiatedType, values);
        Object target;
        try {
            Method deserialize = capturingClass.getDeclaredMethod(DESERIALIZE, SerializedLambda.class);
            deserialize.setAccessible(true);
            target = deserialize.invoke(null, lambda);
        } catch (InvocationTargetException e) {
            throw invalid("the lambda of " + capturingClass.getName() + " could not be rebuilt", e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw invalid("the lambda of " + capturingClass.getName() + " could not be rebuilt", e);
        }
        if (!targetType.isInstance(target)) {
            throw new InvalidObjectException("the lambda of " + capturingClass.getName() + " is a "
                    + (target == null ? "null" : target.getClass().getName()) + ", not a " + targetType.getSimpleName());
        }
        return targetType.cast(target);
    }

    private static Object[] readValues(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 1 || length > in.available()) {
            throw new StreamCorruptedException("captured values of " + length + " bytes in a payload of "
                    + in.available() + " more");
        }
        byte[] encoded = in.readNBytes(length);
        if (encoded[WireFormat.TAG_OFFSET] != WireFormat.LIST
                || !(StandardFormat.DEFAULT.decode(encoded, 0, length) instanceof List<?> values)) {
            throw new StreamCorruptedException("the captured values are not a list in the codec's own format");
        }
        return values.toArray();
    }

    private static InvalidObjectException invalid(String message, Throwable cause) {
        InvalidObjectException e = new InvalidObjectException(message + ": " + cause);
        e.initCause(cause);
        return e;
    }
}
