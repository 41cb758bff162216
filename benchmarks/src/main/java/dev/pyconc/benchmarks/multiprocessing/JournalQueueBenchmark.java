package dev.pyconc.benchmarks.multiprocessing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.pyconc.multiprocessing.JournalQueue;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * JournalQueue put and put+get of small items (a {@code Long}, 9 bytes encoded), side by side with
 * Chronicle Queue's raw appender and tailer writing and reading one {@code long} per document in
 * the same run: the difference is the codec, the consumer group's cross-process CAS and the
 * locks. Latency: run with {@code -bm sample}. CPython has no durable queue to compare with.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
        "-Dchronicle.analytics.disable=true", "-Dchronicle.announcer.disable=true",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class JournalQueueBenchmark {
    private Path dir;
    private JournalQueue<Long> journal;
    private ChronicleQueue raw;
    private ExcerptAppender appender;
    private ExcerptTailer tailer;
    private long n;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("journal-bench");
        journal = JournalQueue.open(dir.resolve("journal"));
        raw = ChronicleQueue.singleBuilder(dir.resolve("raw")).build();
        appender = raw.createAppender();
        tailer = raw.createTailer();
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        journal.close();
        tailer.close();
        appender.close();
        raw.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** JournalQueue.put of a Long. */
    @Benchmark
    public void journalPut() {
        journal.put(n++);
    }

    /** Chronicle: one document holding one long. */
    @Benchmark
    public void chronicleAppend() {
        try (DocumentContext dc = appender.writingDocument()) {
            dc.wire().bytes().writeLong(n++);
        }
    }

    /** JournalQueue.put then getNowait of the same item (group "default"). */
    @Benchmark
    public Long journalPutGet() {
        journal.put(n++);
        return journal.getNowait();
    }

    /** Chronicle: append one long, then read it back with a tailer. */
    @Benchmark
    public long chronicleAppendRead() {
        try (DocumentContext dc = appender.writingDocument()) {
            dc.wire().bytes().writeLong(n++);
        }
        try (DocumentContext dc = tailer.readingDocument()) {
            return dc.wire().bytes().readLong();
        }
    }
}
