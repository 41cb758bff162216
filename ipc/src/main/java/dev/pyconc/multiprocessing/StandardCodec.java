package dev.pyconc.multiprocessing;

import java.io.OutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.util.List;

import dev.pyconc.ipc.internal.codec.GrowableBuffer;
import dev.pyconc.ipc.internal.codec.ItemEncoder;
import dev.pyconc.ipc.internal.codec.ItemSink;
import dev.pyconc.ipc.internal.codec.SerialFilter;
import dev.pyconc.ipc.internal.codec.StandardFormat;

/**
 * The standard codec, as {@link Codec#standard()} and {@link Codec.Builder#build()} give it: a
 * {@link Codec} over the internals' {@link StandardFormat}, which holds the whole format and
 * needs nothing of this package. Also the one place where pipes, queues and pools encode an item
 * with any codec ({@link #encodeToBuffer}), into the calling thread's {@link Buffer}: the
 * internals' {@link GrowableBuffer} as a {@link Codec.Output}, so that users' codecs write into
 * the same reusable buffer as the standard one.
 *
 * <p>Memory consistency effects: none; stateless (each thread has a buffer of its own).
 */
final class StandardCodec implements Codec<Object>, Serializable {
    /*
     * Overview. A codec travels (to pool workers, with a queue's handle) as its allow-list and
     * limits (SerialForm, which the standard allow-list admits), and the default one comes back
     * as DEFAULT. An Output of the user's own, passed to encode, is seen by the format through
     * OutputSink; the pipes' and queues' own Buffer is an ItemSink already.
     */
    @Serial
    private static final long serialVersionUID = 1L;

    /** The codec of {@code Codec.standard()}. */
    static final StandardCodec DEFAULT = new StandardCodec(StandardFormat.DEFAULT);

    private static final int NO_LIMIT = Integer.MAX_VALUE - 64;
    private static final ThreadLocal<Buffer> LOCAL = ThreadLocal.withInitial(() -> new Buffer(NO_LIMIT));

    private final transient StandardFormat format;

    StandardCodec(StandardFormat format) {
        this.format = format;
    }

    /** The format this codec writes and reads. */
    StandardFormat format() {
        return format;
    }

    /** The largest item this codec writes or reads. */
    int maxItemBytes() {
        return format.maxItemBytes();
    }

    /** The standard format of {@code codec}, or {@code null} when it is a codec of the user's own. */
    static StandardFormat formatOf(Codec<?> codec) {
        return codec instanceof StandardCodec s ? s.format : null;
    }

    /**
     * What the internals call to encode with {@code codec}: its standard format, or, for a codec of
     * the user's own, an encoder that encodes into this thread's buffer first (so that the codec's
     * {@link Codec.Output#size()} counts the item alone) and copies the bytes to the sink.
     */
    static ItemEncoder encoderOf(Codec<Object> codec) {
        StandardFormat f = formatOf(codec);
        if (f != null) {
            return f;
        }
        return (item, out) -> {
            GrowableBuffer bytes = encodeToBuffer(codec, item);
            try {
                out.write(bytes.array(), 0, (int) bytes.size());
            } finally {
                bytes.reset();
            }
        };
    }

    /**
     * Encodes {@code item} with {@code codec} into the calling thread's reusable buffer and returns
     * it: the one place where pipes and queues encode, before they write anything.
     *
     * @throws PicklingError if the codec cannot encode the item (or throws anything else)
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static GrowableBuffer encodeToBuffer(Codec codec, Object item) {
        Buffer buffer = LOCAL.get();
        buffer.reset(codec instanceof StandardCodec s ? s.maxItemBytes() : NO_LIMIT);
        try {
            codec.encode(item, buffer);
        } catch (PicklingError e) {
            buffer.reset();
            throw e;
        } catch (RuntimeException e) {
            buffer.reset();
            throw new PicklingError("cannot pickle " + StandardFormat.describe(item) + ": the codec "
                    + codec.getClass().getName() + " threw " + e, e);
        }
        return buffer;
    }

    @Override
    public void encode(Object item, Codec.Output out) {
        if (out == null) {
            throw new IllegalArgumentException("out must not be null");
        }
        format.encode(item, out instanceof ItemSink sink ? sink : new OutputSink(out));
    }

    @Override
    public Object decode(MemorySegment in) {
        return format.decode(in);
    }

    @Override
    public Object decode(byte[] bytes, int offset, int length) {
        return format.decode(bytes, offset, length);
    }

    /**
     * Reads back a {@link Throwable} written with plain Java serialization (no tag), behind this
     * codec's allow-list extended to every subclass of {@code Throwable}, with the codec's limits:
     * how a pool's parent reads the exception a task raised in a worker.
     *
     * @throws UnpicklingError naming the class if a class is not allowed, or if the bytes are not
     *         a serialized {@code Throwable}
     */
    Throwable decodeThrowable(byte[] bytes, int offset, int length) {
        return format.decodeThrowable(bytes, offset, length);
    }

    /** The internals' buffer as a {@link Codec.Output}: its methods are the same. */
    static final class Buffer extends GrowableBuffer implements Codec.Output {
        Buffer(int limit) {
            super(limit);
        }
    }

    /** A user's own {@link Codec.Output}, seen by the format as a sink. */
    private record OutputSink(Codec.Output out) implements ItemSink {
        @Override
        public void writeByte(int value) {
            out.writeByte(value);
        }

        @Override
        public void writeInt(int value) {
            out.writeInt(value);
        }

        @Override
        public void writeLong(long value) {
            out.writeLong(value);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            out.write(bytes, offset, length);
        }

        @Override
        public long size() {
            return out.size();
        }

        @Override
        public OutputStream asOutputStream() {
            return out.asOutputStream();
        }
    }

    /** A standard codec travels as its allow-list and limits. */
    @Serial
    private Object writeReplace() {
        SerialFilter filter = format.filter();
        return new SerialForm(filter.userPatternList(), filter.maxDepth(), filter.maxReferences(),
                filter.maxArrayLength(), format.maxItemBytes());
    }

    @Serial
    private void readObject(java.io.ObjectInputStream in) throws java.io.InvalidObjectException {
        throw new java.io.InvalidObjectException("a StandardCodec travels as its SerialForm");
    }

    /** The serialized form of a standard codec: its user patterns and limits. */
    private record SerialForm(List<String> patterns, int maxDepth, long maxReferences, long maxArrayLength,
                              int maxItemBytes) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Serial
        private Object readResolve() throws java.io.InvalidObjectException {
            if (patterns == null || maxDepth < 1 || maxReferences < 1 || maxArrayLength < 0 || maxItemBytes < 1
                    || maxItemBytes > Integer.MAX_VALUE - 64) {
                throw new java.io.InvalidObjectException("not a valid standard codec: " + this);
            }
            if (patterns.isEmpty() && maxDepth == SerialFilter.DEFAULT_MAX_DEPTH
                    && maxReferences == SerialFilter.DEFAULT_MAX_REFERENCES
                    && maxArrayLength == SerialFilter.DEFAULT_MAX_ARRAY_LENGTH
                    && maxItemBytes == SerialFilter.DEFAULT_MAX_ITEM_BYTES) {
                return DEFAULT;
            }
            return new StandardCodec(new StandardFormat(new SerialFilter(patterns, maxDepth, maxReferences, maxArrayLength),
                    maxItemBytes));
        }
    }
}
