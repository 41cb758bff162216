package dev.pyconc.multiprocessing;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Serial;
import java.io.StringWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import java.util.function.Function;

import dev.pyconc.ipc.internal.codec.GrowableBuffer;
import dev.pyconc.ipc.internal.codec.ItemDecoder;
import dev.pyconc.ipc.internal.codec.ItemEncoder;
import dev.pyconc.ipc.internal.codec.PoolWireFormat;
import dev.pyconc.ipc.internal.launch.LaunchRecord;
import dev.pyconc.ipc.internal.ring.MpmcRing;
import dev.pyconc.ipc.internal.shm.InFlight;
import dev.pyconc.ipc.internal.sync.WaitEngine;

/**
 * The target of a pool's worker process (Python's {@code multiprocessing.pool.worker} and
 * {@code concurrent.futures.process._process_worker}): runs the initializer, then takes the
 * records of its task ring one by one (see {@link PoolWireFormat}) and answers each chunk with a
 * RESULT or an ERROR on the pool's result ring, until a STOP, its task limit, or its end.
 */
final class PoolWorker implements SerializableRunnable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final Queue<?> tasks;                   // this worker's ring: travels as a handle
    private final Queue<?> results;                 // the pool's result ring
    private final SerializableRunnable initializer; // null: none
    private final int maxTasks;                     // chunks before exiting; 0: no limit
    private final long id;                          // the parent's name for this worker
    private final Codec<Object> codec;              // null: Codec.standard()
    private final boolean executor;                 // a ProcessPoolExecutor's: an unreadable task ends it
    private transient Object[] resultArray;         // in the worker: the results of the running chunk
    private transient java.util.List<Object> resultList;     // a view of resultArray

    /** Functions a worker keeps, by their serialized bytes. */
    private static final int KEPT_FUNCTIONS = 64;

    /*
     * Overview. One thread does everything: poll a record, run it, offer the answer, poll the
     * next. Every chunk carries its function's bytes; the worker looks them up in a small cache
     * keyed by the bytes themselves (an LRU of KEPT_FUNCTIONS), so a function is deserialized
     * once however many chunks carry it, and no state about which worker knows which function
     * needs to be kept in step with the parent (which may move a chunk from one worker's ring to
     * another's). A function that cannot be read is kept as its failure, which every chunk using it
     * reports in a Pool; an executor's worker ends with it instead (run throws), which breaks the
     * executor as in Python. A chunk's arguments are decoded first, its results collected, then encoded into one
     * reused buffer (packed when they are all Integers, Longs or Doubles); the first item that
     * throws turns the answer into an ERROR for that item, as Python's mapstar stops at the first
     * exception, and so does a failure to decode the arguments or to encode a result. Nothing waits with a timeout: when the parent dies, ChildMain's watchdog ends this
     * JVM.
     */

    PoolWorker(Queue<?> tasks, Queue<?> results, SerializableRunnable initializer, int maxTasks, long id,
               Codec<Object> codec, boolean executor) {
        this.tasks = tasks;
        this.results = results;
        this.initializer = initializer;
        this.maxTasks = maxTasks;
        this.id = id;
        this.codec = codec == Codec.standard() ? null : codec;
        this.executor = executor;
    }

    /** A function that could not be deserialized: every chunk that uses it fails with this. */
    private record Unreadable(Throwable failure) {}

    /** A function's serialized bytes, as a key: a probe points into a record, a kept key owns a copy. */
    private static final class FunctionKey {
        final byte[] bytes;
        final int offset;
        final int length;
        final int hash;

        FunctionKey(byte[] bytes, int offset, int length) {
            this.bytes = bytes;
            this.offset = offset;
            this.length = length;
            int h = length;
            for (int i = offset, end = offset + length; i < end; i++) {
                h = 31 * h + bytes[i];
            }
            this.hash = h;
        }

        FunctionKey copy() {
            return new FunctionKey(java.util.Arrays.copyOfRange(bytes, offset, offset + length), 0, length);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof FunctionKey k && k.hash == hash && k.length == length
                    && java.util.Arrays.equals(bytes, offset, offset + length, k.bytes, k.offset, k.offset + length);
        }
    }

    @Override
    public void run() {
        MpmcRing in = tasks.q.ring;
        MpmcRing out = results.q.ring;
        Codec<Object> c = codec != null ? codec : Codec.standard();
        ItemEncoder encoder = StandardCodec.encoderOf(c);
        ItemDecoder decoder = c::decode;
        String me = Multiprocessing.currentProcess().name() + " (pid " + ProcessHandle.current().pid() + ")";
        String what = "the task ring of " + me;
        GrowableBuffer answer = PoolWireFormat.start(PoolWireFormat.RESULT, 0);
        if (initializer != null) {
            try {
                initializer.run();
            } catch (Throwable t) {
                failure(answer, PoolWireFormat.INIT_ERROR, 0, 0, t, me, "initializer");
                send(out, answer);
                return;
            }
        }
        PoolWireFormat.restart(answer, PoolWireFormat.READY, 0);
        PoolWireFormat.setWorker(answer.array(), id);
        send(out, answer);
        Map<FunctionKey, Object> functions = new java.util.LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<FunctionKey, Object> eldest) {
                return size() > KEPT_FUNCTIONS;
            }
        };
        MpmcRing.Received record = new MpmcRing.Received();
        int done = 0;
        for (;;) {
            if (in.poll(WaitEngine.FOREVER, null, record) != MpmcRing.DONE) {
                return;
            }
            byte[] b = record.bytes();
            int length = record.length();
            switch (PoolWireFormat.kind(b, length, what)) {
                case PoolWireFormat.STOP -> {
                    return;
                }
                case PoolWireFormat.CHUNK -> {
                    FunctionKey probe = new FunctionKey(b, PoolWireFormat.BODY + PoolWireFormat.LENGTH_BYTES,
                            PoolWireFormat.checkFunction(b, length, what));
                    Object fn = functions.get(probe);
                    if (fn == null) {
                        FunctionKey key = probe.copy();
                        fn = read(key.bytes);
                        functions.put(key, fn);
                    }
                    if (executor && fn instanceof Unreadable u) {
                        // as Python's _process_worker, which dies of a call item it cannot unpickle:
                        // the executor's worker ends with the failure, and the executor breaks
                        throw u.failure() instanceof RuntimeException e ? e : new IllegalStateException(u.failure());
                    }
                    runChunk(b, length, fn, c, encoder, decoder, answer, me, what);
                    send(out, answer);
                    if (maxTasks > 0 && ++done >= maxTasks) {
                        return;       // the parent sends no more and starts another worker
                    }
                }
                default -> throw new IllegalStateException(what + " holds a result record");
            }
            record.release();
        }
    }

    private static Object read(byte[] function) {
        try {
            return LaunchRecord.deserialize(function);
        } catch (IOException | ClassNotFoundException | RuntimeException | LinkageError e) {
            return new Unreadable(new UnpicklingError("cannot unpickle the task's function in the worker"
                    + " (its class, and every class it captures, must be on the worker's class path, which is the parent's): " + e, e));
        }
    }

    /** Runs the chunk in {@code b}, leaving its RESULT or ERROR in {@code answer}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void runChunk(byte[] b, int length, Object fn, Codec<Object> c, ItemEncoder encoder, ItemDecoder decoder,
                          GrowableBuffer answer, String me, String what) {
        long sequence = PoolWireFormat.sequence(b);
        int arity = PoolWireFormat.arity(b);
        int count = PoolWireFormat.count(b);
        int item = 0;
        Object[] results = this.results(count);
        try {
            if (fn instanceof Unreadable u) {
                throw u.failure();
            }
            int at = PoolWireFormat.firstValue(b, length, what);
            switch (arity) {
                case 0 -> {
                    for (; item < count; item++) {
                        results[item] = ((Callable) fn).call();
                    }
                }
                case 1 -> {     // the whole chunk's arguments first, as Python unpickles a task
                    Object[] args = PoolWireFormat.readValues(b, at, length, count, decoder, what);
                    for (; item < count; item++) {
                        results[item] = ((Function) fn).apply(args[item]);
                    }
                }
                case 2 -> {
                    for (; item < count; item++) {
                        int n = PoolWireFormat.checkValue(b, at, length, what);
                        Object x = c.decode(b, at + PoolWireFormat.LENGTH_BYTES, n);
                        at += PoolWireFormat.LENGTH_BYTES + n;
                        int m = PoolWireFormat.checkValue(b, at, length, what);
                        Object y = c.decode(b, at + PoolWireFormat.LENGTH_BYTES, m);
                        at += PoolWireFormat.LENGTH_BYTES + m;
                        results[item] = ((BiFunction) fn).apply(x, y);
                    }
                }
                default -> throw new IllegalStateException(what + ": a chunk of arity " + arity);
            }
            PoolWireFormat.restart(answer, PoolWireFormat.RESULT, 0);
            try {
                PoolWireFormat.appendValues(answer, encoder, resultList, 0, count);
            } catch (PicklingError e) {
                item = unsendable(results, count, c);
                throw new PicklingError("cannot send result " + item + " of the task back from " + me + ": "
                        + e.getMessage(), e.rejectedClass(), e);
            }
        } catch (Throwable t) {
            failure(answer, PoolWireFormat.ERROR, sequence, item, t, me, "task");
            return;
        } finally {
            java.util.Arrays.fill(results, 0, count, null);
        }
        byte[] a = answer.array();
        PoolWireFormat.setCount(a, count);
        PoolWireFormat.setSequence(a, sequence);
        PoolWireFormat.setWorker(a, id);
    }

    /** A reused array for {@code count} results. */
    private Object[] results(int count) {
        if (resultArray == null || resultArray.length < count) {
            resultArray = new Object[Math.max(count, 16)];
            resultList = java.util.Arrays.asList(resultArray);
        }
        return resultArray;
    }

    /** The index of the first result that the codec refuses (the error path only). */
    private static int unsendable(Object[] results, int count, Codec<Object> c) {
        int mark = InFlight.begin();      // trial encodings: the handles in them travel nowhere
        try {
            for (int i = 0; i < count; i++) {
                try {
                    StandardCodec.encodeToBuffer(c, results[i]).reset();
                } catch (PicklingError e) {
                    return i;
                }
            }
            return 0;
        } finally {
            InFlight.end(mark, false);
        }
    }

    /** Leaves in {@code answer} the record of kind {@code kind} that reports {@code t}. */
    private void failure(GrowableBuffer answer, int kind, long sequence, int item, Throwable t, String me, String where) {
        StringWriter text = new StringWriter();
        text.append("Traceback of the ").append(where).append(" in ").append(me).append(", most recent call first:\n");
        t.printStackTrace(new PrintWriter(text, true));
        byte[] serialized;
        try {
            serialized = LaunchRecord.serialize(t);
        } catch (IOException | RuntimeException e) {
            PicklingError stand = new PicklingError("the " + t.getClass().getName() + " raised in " + me
                    + " cannot travel to the parent (" + e + "); its message: " + t.getMessage());
            stand.setStackTrace(t.getStackTrace());
            try {
                serialized = LaunchRecord.serialize(stand);
            } catch (IOException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
        PoolWireFormat.restart(answer, kind, 0);
        PoolWireFormat.appendFailure(answer, text.toString(), serialized);
        byte[] a = answer.array();
        PoolWireFormat.setCount(a, item);
        PoolWireFormat.setSequence(a, sequence);
        PoolWireFormat.setWorker(a, id);
    }

    private static void send(MpmcRing out, GrowableBuffer answer) {
        out.offer(answer.array(), (int) answer.size(), WaitEngine.FOREVER, null);
    }
}
