package dev.pyconc.multiprocessing;

import java.io.Serial;
import java.io.Serializable;
import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import java.util.function.Function;

import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.core.internal.Timeouts;
import dev.pyconc.futures.Executor;
import dev.pyconc.futures.Future;
import dev.pyconc.futures.InvalidStateError;

/**
 * An {@link Executor} that runs calls in worker processes (child JVMs): Python's
 * {@code concurrent.futures.ProcessPoolExecutor}. Its futures are core's
 * {@link dev.pyconc.futures.Future}s, so {@code Futures.wait} and {@code Futures.asCompleted}
 * work on them.
 *
 * <pre> {@code
 * try (var pool = new ProcessPoolExecutor(4)) {
 *     List<Future<Boolean>> fs = new ArrayList<>();
 *     for (long n : numbers) fs.add(pool.submit(() -> isPrime(n)));
 *     for (var f : Futures.asCompleted(fs)) System.out.println(f.result());
 *     for (long square : pool.map(x -> x * x, numbers, 100)) { ... }         // chunks of 100, in order
 * }   // shutdown(true): waits for the calls, then the workers exit
 *
 * var pool = ProcessPoolExecutor.builder().maxWorkers(2).initializer(() -> warmUp()).maxTasksPerChild(50).build();
 * }</pre>
 *
 * <p><b>What travels</b>, as for {@link Pool}: the callable or function by Java serialization
 * (with the values it captures), once per worker; the items of {@code map} and the results
 * through the executor's {@link Codec} ({@link Codec#standard()} unless the builder names another;
 * see {@link Pool} for the allow-list). {@link #submit(Callable)} and {@link #map(Function, Iterable)}
 * accept any callable or function that is {@link Serializable}; one that is not is refused with a
 * {@link PicklingError} naming its class. Lambdas passed directly are typed
 * {@link SerializableCallable}/{@link SerializableFunction} by the overloads here, so they are
 * serializable.
 *
 * <p><b>Workers</b> are started on demand, one per submission while none is idle, up to
 * {@code maxWorkers} ({@link Multiprocessing#cpuCount()} by default), as in Python 3.9+. With
 * {@code maxTasksPerChild}, a worker exits after that many calls (chunks of {@code map}) and
 * another starts when work waits. A future is pending until it is sent to a worker (each worker holds
 * the call it runs and at most one more, which moves to another worker that becomes idle first),
 * and can be cancelled until then.
 *
 * <p><b>A broken executor</b>, exactly as in Python: when a worker ends abruptly (kill -9, a crash,
 * {@code System.exit} in a call), an initializer throws, a worker cannot deserialize its task or
 * the parent cannot decode a result (an {@link UnpicklingError}, or what a {@code readObject}
 * threw, is the cause), every pending and running future fails
 * with {@link BrokenProcessPool}, the other workers are terminated, and {@code submit} throws
 * {@code BrokenProcessPool} from then on. Futures that finished before keep their results.
 *
 * <p><b>Ending.</b> {@link #shutdown(boolean, boolean)} as in Python; the end of a
 * try-with-resources block is {@code shutdown(true)}. As in Python (and as core's
 * {@code ThreadPoolExecutor}), when the JVM exits it first lets every executor that was not shut
 * down finish the calls submitted to it, and an executor that is no longer reachable shuts down
 * once its calls are done. Its result handler is a daemon thread; done-callbacks run in it, and
 * cannot wait for another future of the executor (that throws {@link IllegalStateException},
 * where Python would hang).
 *
 * <p>Memory consistency effects: actions in a thread prior to {@link #submit} <i>happen-before</i>
 * the call runs in the worker (on copies), which happens-before the retrieval of its result
 * through its {@link Future} and the running of its done-callbacks.
 */
public class ProcessPoolExecutor implements Executor {
    private static final class Holder {
        static final Cleaner CLEANER = Cleaner.create();
    }

    private final PoolEngine engine;
    private final Context context;          // the workers' start method (Python's _mp_context)
    private final int maxWorkers;
    private final Cleaner.Cleanable cleanable;

    /*
     * Overview. A facade over PoolEngine (shared with Pool) in its executor mode: workers start on
     * demand and a dead worker breaks the pool. Each submitted call is a job of one chunk whose
     * outcome completes an ExecutorFuture; map cuts the items into chunks and returns an iterator
     * over the chunks' futures, flattened, as Python's map does with _chain_from_iterable_of_lists.
     * The Cleaner closes the engine (Python: shutdown(wait=False)) when this object is collected.
     */

    /**
     * How to build a {@link ProcessPoolExecutor} with the keyword arguments of Python's
     * {@code ProcessPoolExecutor(max_workers, initializer=, initargs=, max_tasks_per_child=)}, and
     * the codec of {@code map}'s items and of the results.
     *
     * <pre> {@code
     * var executor = ProcessPoolExecutor.builder()
     *         .maxWorkers(4)
     *         .initializer(() -> Model.load("weights.bin"))     // initargs: what the lambda captures
     *         .maxTasksPerChild(50)
     *         .build();
     * }</pre>
     *
     * <p>Memory consistency effects: none; a builder is used by one thread.
     */
    public static final class Builder {
        private int maxWorkers = Multiprocessing.cpuCount();
        private SerializableRunnable initializer;
        private int maxTasksPerChild;
        private Codec<Object> codec = Codec.standard();
        private Context context = Context.DEFAULT;

        private Builder() {}

        /**
         * The context whose start method the workers start with (Python's {@code mp_context}, or
         * a pool made by {@code ctx.Pool()}); the default context by default.
         *
         * @throws IllegalArgumentException if {@code context} is null
         */
        public Builder context(Context context) {
            if (context == null) {
                throw new IllegalArgumentException("context must not be null; Multiprocessing.getContext() is the default");
            }
            this.context = context;
            return this;
        }

        /**
         * The most worker processes; {@link Multiprocessing#cpuCount()} by default.
         *
         * @throws IllegalArgumentException if {@code maxWorkers} is less than 1
         */
        public Builder maxWorkers(int maxWorkers) {
            this.maxWorkers = checkMaxWorkers(maxWorkers);
            return this;
        }

        /**
         * Run by each worker once, when it starts (Python's {@code initializer(*initargs)}). If it
         * throws, the executor is broken.
         */
        public Builder initializer(SerializableRunnable initializer) {
            this.initializer = initializer;
            return this;
        }

        /**
         * How many calls (or chunks of {@code map}) a worker runs before it exits and is replaced
         * (Python's {@code max_tasks_per_child}); 0, the default, for no limit. With a limit and no
         * {@link #context(Context)}, the workers start by spawn, as in Python.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder maxTasksPerChild(int maxTasksPerChild) {
            if (maxTasksPerChild < 0) {
                throw new IllegalArgumentException("maxTasksPerChild must be >= 1, or 0 for no limit, not " + maxTasksPerChild);
            }
            this.maxTasksPerChild = maxTasksPerChild;
            return this;
        }

        /** The codec of {@code map}'s items and of the results; see {@link Pool.Builder#codec}. */
        public Builder codec(Codec<Object> codec) {
            this.codec = Pool.checkCodec(codec);
            return this;
        }

        /** A new executor; its workers start with the first submissions. */
        public ProcessPoolExecutor build() {
            return new ProcessPoolExecutor(this);
        }
    }

    /** A builder, for Python's keyword arguments. */
    public static Builder builder() {
        return new Builder();
    }

    /** An executor of up to {@link Multiprocessing#cpuCount()} workers. */
    public ProcessPoolExecutor() {
        this(new Builder());
    }

    /**
     * An executor of up to {@code maxWorkers} workers.
     *
     * @throws IllegalArgumentException if {@code maxWorkers} is less than 1
     */
    public ProcessPoolExecutor(int maxWorkers) {
        this(new Builder().maxWorkers(maxWorkers));
    }

    @SuppressWarnings("this-escape")     // the Cleaner only keeps a phantom reference
    private ProcessPoolExecutor(Builder b) {
        this.maxWorkers = b.maxWorkers;
        // As Python's: with max_tasks_per_child and no context given, the spawn context.
        this.context = b.context == Context.DEFAULT && b.maxTasksPerChild > 0 ? Context.of("spawn") : b.context;
        this.engine = new PoolEngine(true, b.maxWorkers, b.initializer, b.maxTasksPerChild, b.codec, context.method());
        PoolEngine e = engine;
        this.cleanable = Holder.CLEANER.register(this, e::close);
    }

    /**
     * The context whose start method the workers start with (Python's {@code _mp_context}): the
     * one given to the builder; else, as in Python, the spawn context when tasks per child are
     * limited, and the default context otherwise.
     */
    public Context getContext() {
        return context;
    }

    private static int checkMaxWorkers(int maxWorkers) {
        if (maxWorkers < 1) {
            throw new IllegalArgumentException("max_workers must be greater than 0, not " + maxWorkers);
        }
        return maxWorkers;
    }

    // ---------------------------------------------------------------- submit

    /**
     * Schedules {@code fn} in a worker and returns its future.
     *
     * @throws PicklingError if {@code fn} is not {@link Serializable}, or captures a value that is not
     * @throws IllegalStateException if the executor was shut down
     * @throws BrokenProcessPool if the executor is broken
     */
    @Override
    public <T> Future<T> submit(Callable<T> fn) {
        checkSerializable(fn, "callable");
        return submitCall(fn);
    }

    /** Schedules {@code fn}, typed so that a lambda argument is serializable; see {@link #submit(Callable)}. */
    public <T> Future<T> submit(SerializableCallable<T> fn) {
        checkSerializable(fn, "callable");
        return submitCall(fn);
    }

    /** Schedules {@code fn}, which returns nothing; its future's result is {@code null}. */
    @Override
    public Future<Void> submit(Runnable fn) {
        checkSerializable(fn, "runnable");
        return submitCall(new RunnableCall(fn));
    }

    /** As {@link #submit(Runnable)}, typed so that a lambda argument is serializable. */
    public Future<Void> submit(SerializableRunnable fn) {
        checkSerializable(fn, "runnable");
        return submitCall(new RunnableCall(fn));
    }

    private <T> Future<T> submitCall(Callable<?> fn) {
        GilRuntime.checkpoint();
        ExecutorFuture<T> f = new ExecutorFuture<>(engine.handler());
        engine.submit(new CallJob<>(f), engine.function(fn, 0), null, 1);
        return f;
    }

    private static void checkSerializable(Object fn, String what) {
        if (fn == null) {
            throw new IllegalArgumentException("fn must not be null");
        }
        if (!(fn instanceof Serializable)) {
            throw new PicklingError("cannot pickle the " + what + " " + fn.getClass().getName()
                    + ": it is not Serializable; it travels to a worker process by Java serialization"
                    + " (pass the lambda directly, or type it as SerializableCallable / SerializableRunnable / SerializableFunction)");
        }
    }

    /** A Runnable run as a call that returns null. */
    private record RunnableCall(Runnable fn) implements SerializableCallable<Void> {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public Void call() {
            fn.run();
            return null;
        }
    }

    // ---------------------------------------------------------------- map

    /**
     * Python's {@code map(fn, items)}: every item is submitted now, each as a call; iterating
     * returns the results in the order of the items, throwing the first exception it meets (and
     * cancelling the calls not yet sent).
     *
     * @throws PicklingError if {@code fn} is not {@link Serializable}, or an item cannot be encoded
     */
    @Override
    public <T, R> Iterable<R> map(Function<? super T, ? extends R> fn, Iterable<? extends T> items) {
        checkSerializable(fn, "function");
        return submitMap(fn, items, -1, 1);
    }

    /** As {@link #map(Function, Iterable)}; iterating throws core's TimeoutError once {@code timeout} has passed since this call. */
    @Override
    public <T, R> Iterable<R> map(Function<? super T, ? extends R> fn, Iterable<? extends T> items, Duration timeout) {
        checkSerializable(fn, "function");
        return submitMap(fn, items, Timeouts.toNanos(timeout), 1);
    }

    /** As {@link #map(Function, Iterable)}, typed so that a lambda argument is serializable. */
    public <T, R> Iterable<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items) {
        checkSerializable(fn, "function");
        return submitMap(fn, items, -1, 1);
    }

    /**
     * Python's {@code map(fn, items, chunksize=n)}: the items travel in chunks of {@code chunksize},
     * each one call in a worker, which cuts the overhead of many small calls.
     *
     * @throws IllegalArgumentException if {@code chunksize} is less than 1
     */
    public <T, R> Iterable<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items, int chunksize) {
        checkSerializable(fn, "function");
        return submitMap(fn, items, -1, checkChunksize(chunksize));
    }

    /** Python's {@code map(fn, items, timeout=t, chunksize=n)}. */
    public <T, R> Iterable<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items,
                                  Duration timeout, int chunksize) {
        checkSerializable(fn, "function");
        return submitMap(fn, items, Timeouts.toNanos(timeout), checkChunksize(chunksize));
    }

    private static int checkChunksize(int chunksize) {
        if (chunksize < 1) {
            throw new IllegalArgumentException("chunksize must be >= 1, not " + chunksize);
        }
        return chunksize;
    }

    private <R> Iterable<R> submitMap(Function<?, ?> fn, Iterable<?> items, long timeoutNanos, int chunksize) {
        GilRuntime.checkpoint();
        long deadline = timeoutNanos < 0 ? 0 : Timeouts.deadline(timeoutNanos);
        List<Object> list = Pool.list(items);
        int chunks = (list.size() + chunksize - 1) / chunksize;
        List<ExecutorFuture<List<R>>> futures = new ArrayList<>(chunks);
        for (int i = 0; i < chunks; i++) {
            futures.add(new ExecutorFuture<>(engine.handler()));
        }
        engine.submit(new ChunksJob<>(futures), engine.function(fn, 1), list, chunksize);
        return () -> new Iterator<>() {
            private int next;                       // the chunk whose values are returned
            private Iterator<R> current = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                return current.hasNext() || next < futures.size();
            }

            @Override
            public R next() {
                if (current.hasNext()) {
                    return current.next();
                }
                if (next >= futures.size()) {
                    throw new NoSuchElementException();
                }
                Future<List<R>> f = futures.get(next);
                try {
                    List<R> values = timeoutNanos < 0 ? f.result() : f.result(Duration.ofNanos(Timeouts.remaining(deadline)));
                    next++;
                    current = values.iterator();
                    return current.next();
                } catch (RuntimeException | Error e) {
                    for (int i = next; i < futures.size(); i++) {
                        futures.get(i).cancel();
                    }
                    next = futures.size();
                    throw e;
                }
            }
        };
    }

    // ---------------------------------------------------------------- shutdown

    /**
     * Python's {@code shutdown(wait, cancel_futures)}: accepts no more calls; with
     * {@code cancelFutures}, cancels the futures not yet sent to a worker; with {@code wait},
     * returns once every other call has finished and the workers have exited. Without, the workers
     * exit once the calls are done. Idempotent.
     *
     * @throws IllegalStateException if {@code wait} is set in a done-callback (which runs in the
     *         thread that would be waited for)
     */
    @Override
    public void shutdown(boolean wait, boolean cancelFutures) {
        GilRuntime.checkpoint();
        if (cancelFutures) {
            engine.cancelPending();
        }
        engine.close();
        if (wait) {
            engine.awaitFinished();
        }
    }

    /** The most workers this executor starts. */
    public int maxWorkers() {
        return maxWorkers;
    }

    @Override
    public String toString() {
        return engine.toString();
    }

    // ---------------------------------------------------------------- futures and jobs

    /**
     * A future of this executor: cancelled only while pending, as every core future; a wait for it
     * in a done-callback, which runs in the thread that delivers results, throws instead of hanging.
     */
    private static final class ExecutorFuture<T> extends Future<T> {
        private final Thread handler;

        ExecutorFuture(Thread handler) {
            this.handler = handler;
        }

        @Override
        public T result() {
            checkWait();
            return super.result();
        }

        @Override
        public T result(Duration timeout) {
            checkWait();
            return super.result(timeout);
        }

        @Override
        public Throwable exception() {
            checkWait();
            return super.exception();
        }

        @Override
        public Throwable exception(Duration timeout) {
            checkWait();
            return super.exception(timeout);
        }

        private void checkWait() {
            if (!done()) {
                PoolEngine.checkNotHandler(handler);
            }
        }

        void complete(T value) {
            try {
                setResult(value);
            } catch (InvalidStateError cancelled) {
                // cancelled while it was pending: the outcome is dropped
            }
        }

        void fail(Throwable error) {
            try {
                setException(error);
            } catch (InvalidStateError cancelled) {
                // as above
            }
        }
    }

    /** submit: one chunk of one call. */
    private static final class CallJob<T> extends PoolEngine.Job {
        private final ExecutorFuture<T> future;

        CallJob(ExecutorFuture<T> future) {
            this.future = future;
        }

        @Override
        boolean start(int chunk) {
            return future.setRunningOrNotifyCancel();
        }

        @Override
        void cancel(int chunk) {
            future.cancel();
            future.setRunningOrNotifyCancel();      // never sent: tell Futures.wait now
        }

        @Override
        @SuppressWarnings("unchecked")
        void done(int chunk, Object[] values) {
            future.complete((T) values[0]);
        }

        @Override
        void failed(int chunk, Throwable error) {
            future.fail(error);
        }
    }

    /** map: each chunk completes its own future with the list of its results. */
    private static final class ChunksJob<R> extends PoolEngine.Job {
        private final List<ExecutorFuture<List<R>>> futures;

        ChunksJob(List<ExecutorFuture<List<R>>> futures) {
            this.futures = futures;
        }

        @Override
        boolean start(int chunk) {
            return futures.get(chunk).setRunningOrNotifyCancel();
        }

        @Override
        void cancel(int chunk) {
            futures.get(chunk).cancel();
            futures.get(chunk).setRunningOrNotifyCancel();   // never sent: tell Futures.wait now
        }

        @Override
        @SuppressWarnings("unchecked")
        void done(int chunk, Object[] values) {
            futures.get(chunk).complete((List<R>) Arrays.asList(values));
        }

        @Override
        void failed(int chunk, Throwable error) {
            futures.get(chunk).fail(error);
        }
    }
}
