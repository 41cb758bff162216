package dev.pyconc.benchmarks.multiprocessing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import dev.pyconc.ipc.internal.codec.GrowableBuffer;
import dev.pyconc.ipc.internal.codec.StandardFormat;
import dev.pyconc.multiprocessing.Codec;

/**
 * Encode+decode of one item with pyconc's standard {@link Codec}, side by side with plain Java
 * serialization (ObjectOutputStream into a byte array and back, what a naive pipe would do).
 * Items: a Long, a 100-character String, a 1 KiB and a 1 MiB byte[], a small HashMap and a
 * {@code List.of(1, "x")} (Python: a dict and the tuple {@code (1, "x")}), which the codec
 * writes natively. The codec encodes into the
 * thread's reusable buffer and decodes from its array, as pipes and queues do. Python: {@code pickle.loads(pickle.dumps(x))}, see
 * benchmarks/python/codec_bench.py.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
    @Param({"long", "string100", "bytes1k", "bytes1m", "map", "tuple"})
    public String item;

    /** The thread's reusable buffer, as pipes and queues keep one per thread. */
    private static final ThreadLocal<GrowableBuffer> BUFFER =
            ThreadLocal.withInitial(() -> new GrowableBuffer(StandardFormat.DEFAULT.maxItemBytes()));

    private Object value;
    private final Codec<Object> codec = Codec.standard();

    @Setup
    public void setup() {
        value = switch (item) {
            case "long" -> 1234567890123L;
            case "string100" -> "x".repeat(90) + "h\u00e9llo w\u00f6r";
            case "bytes1k" -> new byte[1024];
            case "bytes1m" -> new byte[1 << 20];
            case "map" -> new HashMap<>(Map.of("id", 42, "name", "widget", "tags", List.of("a", "b")));
            case "tuple" -> List.of(1, "x");
            default -> throw new IllegalArgumentException(item);
        };
    }

    @Benchmark
    public Object pyconcCodec() {
        GrowableBuffer out = BUFFER.get();     // what put/send do: Codec.standard()'s format
        out.reset();                           // encodes into the thread's buffer
        StandardFormat.DEFAULT.encode(value, out);
        Object back = codec.decode(out.array(), 0, (int) out.size());
        out.reset();
        return back;
    }

    @Benchmark
    public Object javaSerialization() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream oos = new ObjectOutputStream(bytes)) {
                oos.writeObject(value);
            }
            try (ObjectInputStream ois = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                return ois.readObject();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}
