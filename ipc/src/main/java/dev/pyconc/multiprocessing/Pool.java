package dev.pyconc.multiprocessing;

import java.io.Serializable;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.pyconc.core.internal.GilRuntime;

/**
 * A pool of worker processes (child JVMs) that run tasks in parallel: Python's
 * {@code multiprocessing.Pool}.
 *
 * <pre> {@code
 * try (var pool = new Pool(4)) {
 *     List<Integer> squares = pool.map(x -> x * x, List.of(1, 2, 3, 4));     // [1, 4, 9, 16], in order
 *     AsyncResult<Long> f = pool.applyAsync(() -> fib(35));                  // runs in a worker
 *     for (long n : pool.imapUnordered(Example::fib, List.of(30, 20, 10))) { ... }   // as they finish
 *     long v = f.get(Duration.ofSeconds(10));
 *     pool.close();          // no more work ...
 *     pool.join();           // ... wait until it is done and the workers have exited
 * }
 *
 * var pool = Pool.builder().processes(2).initializer(() -> Cache.load()).maxtasksperchild(100).build();
 * }</pre>
 *
 * <p><b>What travels.</b> The function (a {@link SerializableCallable}, {@link SerializableFunction}
 * or {@link SerializableBiFunction}: a lambda argument is typed so) travels to the workers by Java
 * serialization, with the values it captures: serialized once per function object, carried by
 * each chunk, deserialized once per worker, never per item. Its class must be loadable in the
 * worker, which runs with this JVM's class path and module path (see {@link Process}). The items of {@code map}/{@code imap}/{@code starmap} and every result travel
 * through the pool's {@link Codec}, {@link Codec#standard()} unless the builder names another:
 * {@code null}, {@code byte[]}, {@code String} and boxed primitives natively (a chunk of only
 * Integers, Longs or Doubles as one packed array); other objects by Java
 * serialization behind the codec's allow-list, which admits only JDK values and collections. Items
 * or results of the application's own classes need
 * {@code Pool.builder().codec(Codec.builder().allowPackage("com.example").build())} (or a codec of
 * one's own, which must be {@link Serializable}); a rejected class is named in the
 * {@link UnpicklingError}. Items are encoded in the calling thread when work is submitted, so an
 * item that cannot be encoded throws {@link PicklingError} from that call.
 *
 * <p><b>Chunks and order.</b> {@code map} cuts the items into chunks of {@code chunksize} (by
 * default about four chunks per worker, as in Python); {@code imap} and {@code imapUnordered}
 * default to chunks of one. Each worker runs one chunk at a time and holds at most one more;
 * a chunk waiting behind a long one moves to a worker that has nothing to do, so the work is
 * shared as with Python's single task queue. {@code map}, {@code starmap} and {@code imap} return
 * results in the order of the items.
 *
 * <p><b>Exceptions.</b> What a task throws is thrown again by {@link AsyncResult#get()},
 * {@code map} or {@link IMapIterator#next()}: unchecked exceptions as they are, checked ones in a
 * {@link java.util.concurrent.CompletionException}, with the worker's printed stack trace attached
 * as a {@link RemoteTraceback}. A result that cannot be sent back fails its task with a
 * {@link PicklingError}; the pool is not affected.
 *
 * <p><b>Workers that die.</b> A worker that ends abruptly (kill -9, a crash, {@code System.exit}
 * or {@code Runtime.halt} in a task) fails exactly the work it held, the chunk it was running, with
 * {@link BrokenProcessPool} (its {@code AsyncResult}, the whole {@code map}, or that position of an
 * {@code imap}), where CPython's {@code Pool} waits forever (bpo-22393). The chunk queued for it
 * that it had not taken yet goes to another worker. The pool starts a new worker and goes on
 * serving. If an initializer throws, the pool is broken: outstanding work fails and later calls
 * throw {@link BrokenProcessPool} with the initializer's exception as the cause (CPython's pool
 * restarts such workers forever); so it is when three workers in a row die before they are ready
 * (a JVM that cannot start).
 *
 * <p><b>Ending.</b> {@link #close()} is Python's {@code close()}: no more work is accepted; the
 * workers finish what was submitted, then exit. {@link #join()} (after {@code close} or
 * {@code terminate}) waits for that. {@link #terminate()} ends the workers at once (SIGTERM, then
 * SIGKILL after a second) and fails all outstanding work with {@link BrokenProcessPool}; it never
 * waits for a blocked worker. Since Java has one {@code close()}, the end of a try-with-resources
 * block is Python's {@code close()}, not {@code __exit__}'s {@code terminate()}: outstanding work
 * finishes in the background. Call {@link #terminate()} (in a {@code finally}) to end it as
 * Python's {@code with} does, or {@code close()} and {@code join()} to wait for it. A pool that is
 * no longer reachable and has no work outstanding is terminated by the garbage collector, as in
 * Python. Workers are daemon processes: they never keep this JVM from exiting, which terminates
 * them; the pool's result handler is a daemon thread.
 *
 * <p>Every blocking call drops the GIL while it waits (GIL mode). A {@code Pool} cannot be sent to
 * another process.
 *
 * <p>Memory consistency effects: actions in a thread prior to submitting work
 * <i>happen-before</i> that work runs in the worker (the work runs on copies), which
 * happens-before the retrieval of its result through {@link AsyncResult}, {@link IMapIterator} or
 * the list returned by {@code map}, and the running of its callback.
 */
public class Pool implements AutoCloseable {
    private static final class Holder {
        static final Cleaner CLEANER = Cleaner.create();
    }

    private final PoolEngine engine;
    private final int processes;
    private final Cleaner.Cleanable cleanable;

    /*
     * Overview. A facade over PoolEngine (the workers, their rings and the result handler),
     * which it shares with ProcessPoolExecutor; the jobs here (ApplyJob, MapJob, IMapIterator's)
     * turn chunk outcomes into Python's result objects. The results keep this object reachable;
     * when it is collected with no result left, the Cleaner terminates the engine, as Python's
     * Finalize does.
     */

    /**
     * How to build a {@link Pool} with the keyword arguments of Python's
     * {@code multiprocessing.Pool(processes, initializer, initargs, maxtasksperchild)}, and the
     * codec of the items and results.
     *
     * <pre> {@code
     * String url = "jdbc:...";
     * Pool pool = Pool.builder()
     *         .processes(4)
     *         .initializer(() -> Db.connect(url))          // initargs: what the lambda captures
     *         .maxtasksperchild(100)
     *         .codec(Codec.builder().allowPackage("com.example.orders").build())
     *         .build();
     * }</pre>
     *
     * <p>Memory consistency effects: none; a builder is used by one thread.
     */
    public static final class Builder {
        private int processes = Multiprocessing.cpuCount();
        private SerializableRunnable initializer;
        private int maxtasksperchild;
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
         * The number of worker processes; {@link Multiprocessing#cpuCount()} by default.
         *
         * @throws IllegalArgumentException if {@code processes} is less than 1
         */
        public Builder processes(int processes) {
            this.processes = checkProcesses(processes);
            return this;
        }

        /**
         * Run by each worker once, when it starts, before any task (Python's
         * {@code initializer(*initargs)}: capture the arguments in the lambda). It travels to the
         * workers by Java serialization. If it throws, the pool is broken.
         */
        public Builder initializer(SerializableRunnable initializer) {
            this.initializer = initializer;
            return this;
        }

        /**
         * How many tasks (chunks) a worker runs before it exits and is replaced by a fresh one;
         * 0 (the default, Python's {@code None}) for no limit.
         *
         * @throws IllegalArgumentException if {@code maxtasksperchild} is negative
         */
        public Builder maxtasksperchild(int maxtasksperchild) {
            if (maxtasksperchild < 0) {
                throw new IllegalArgumentException("maxtasksperchild must be a positive int or 0 (no limit), not "
                        + maxtasksperchild);
            }
            this.maxtasksperchild = maxtasksperchild;
            return this;
        }

        /**
         * The codec of the items and results ({@link Codec#standard()} by default). It travels to
         * the workers, so it must be a codec of {@link Codec#builder()} or {@link Serializable}.
         *
         * @throws IllegalArgumentException if {@code codec} is null or cannot travel
         */
        public Builder codec(Codec<Object> codec) {
            this.codec = checkCodec(codec);
            return this;
        }

        /**
         * A new pool, whose workers are starting.
         *
         * @throws IllegalArgumentException if the initializer is not serializable
         * @throws IllegalStateException if the current process is a daemon (it cannot have children)
         */
        public Pool build() {
            return new Pool(this);
        }
    }

    /** A builder, for Python's keyword arguments. */
    public static Builder builder() {
        return new Builder();
    }

    /** A pool of {@link Multiprocessing#cpuCount()} workers. */
    public Pool() {
        this(new Builder());
    }

    /**
     * A pool of {@code processes} workers.
     *
     * @throws IllegalArgumentException if {@code processes} is less than 1
     */
    public Pool(int processes) {
        this(new Builder().processes(processes));
    }

    @SuppressWarnings("this-escape")     // the Cleaner only keeps a phantom reference
    private Pool(Builder b) {
        this.processes = b.processes;
        this.engine = new PoolEngine(false, b.processes, b.initializer, b.maxtasksperchild, b.codec, b.context.method());
        PoolEngine e = engine;
        this.cleanable = Holder.CLEANER.register(this, e::terminate);
    }

    static int checkProcesses(int processes) {
        if (processes < 1) {
            throw new IllegalArgumentException("Number of processes must be at least 1, not " + processes);
        }
        return processes;
    }

    static Codec<Object> checkCodec(Codec<Object> codec) {
        if (codec == null) {
            throw new IllegalArgumentException("codec must not be null (Codec.standard() is the default)");
        }
        if (!(codec instanceof Serializable)) {
            throw new IllegalArgumentException("the codec " + codec.getClass().getName() + " must be Serializable:"
                    + " it travels to the worker processes (use Codec.builder(), or implement java.io.Serializable)");
        }
        return codec;
    }

    // ---------------------------------------------------------------- apply

    /**
     * Runs {@code fn} in a worker and returns its result (Python's {@code apply}).
     *
     * @throws IllegalArgumentException if {@code fn} is null
     * @throws PicklingError if {@code fn} or a value it captures is not serializable
     * @throws IllegalStateException if the pool was closed or terminated (Python's ValueError)
     * @throws BrokenProcessPool if its worker died, or the pool is broken
     */
    public <R> R apply(SerializableCallable<? extends R> fn) {
        return this.<R>applyAsync(fn, null, null).get();
    }

    /** Schedules {@code fn} in a worker (Python's {@code apply_async}); see {@link #apply}. */
    public <R> AsyncResult<R> applyAsync(SerializableCallable<? extends R> fn) {
        return applyAsync(fn, null, null);
    }

    /**
     * Schedules {@code fn} in a worker; when it completes, {@code callback} gets its result or
     * {@code errorCallback} its exception, in the pool's result handler thread (either may be null).
     */
    public <R> AsyncResult<R> applyAsync(SerializableCallable<? extends R> fn, Consumer<? super R> callback,
                                         Consumer<? super Throwable> errorCallback) {
        checkFunction(fn);
        GilRuntime.checkpoint();
        AsyncResult<R> result = new AsyncResult<>(this, engine.handler(), callback, errorCallback);
        engine.submit(new ApplyJob<>(result), engine.function(fn, 0), null, 1);
        return result;
    }

    // ---------------------------------------------------------------- map

    /**
     * Applies {@code fn} to every item in the workers and returns the results in the order of the
     * items (Python's {@code map}), in chunks of the default size.
     *
     * @throws RuntimeException the first exception a task threw (or {@link BrokenProcessPool})
     */
    public <T, R> List<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items) {
        return this.<T, R>mapAsync(fn, items, 0, null, null).get();
    }

    /**
     * As {@link #map(SerializableFunction, Iterable)}, in chunks of {@code chunksize} items.
     *
     * @throws IllegalArgumentException if {@code chunksize} is less than 1
     */
    public <T, R> List<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items, int chunksize) {
        return this.<T, R>mapAsync(fn, items, checkChunksize(chunksize), null, null).get();
    }

    /** Python's {@code map_async}: as {@link #map(SerializableFunction, Iterable)}, without waiting. */
    public <T, R> AsyncResult<List<R>> mapAsync(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items) {
        return mapAsync(fn, items, 0, null, null);
    }

    /** As {@link #mapAsync(SerializableFunction, Iterable)}, in chunks of {@code chunksize} items. */
    public <T, R> AsyncResult<List<R>> mapAsync(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items,
                                                int chunksize) {
        return mapAsync(fn, items, checkChunksize(chunksize), null, null);
    }

    /**
     * As {@link #mapAsync(SerializableFunction, Iterable, int)}; when all is done, {@code callback}
     * gets the list, or {@code errorCallback} the first exception (either may be null).
     * {@code chunksize} 0 means the default.
     */
    public <T, R> AsyncResult<List<R>> mapAsync(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items,
                                                int chunksize, Consumer<? super List<R>> callback,
                                                Consumer<? super Throwable> errorCallback) {
        checkFunction(fn);
        return submitMap(engine.function(fn, 1), list(items), chunksize, callback, errorCallback);
    }

    // ---------------------------------------------------------------- starmap

    /**
     * Calls {@code fn} with the key and the value of every entry, in the workers, and returns the
     * results in order (Python's {@code starmap} with argument pairs: {@code Map.entry(a, b)} for
     * {@code (a, b)}). Each key and value travels through the pool's codec.
     */
    public <T, U, R> List<R> starmap(SerializableBiFunction<? super T, ? super U, ? extends R> fn,
                                     Iterable<? extends Map.Entry<? extends T, ? extends U>> items) {
        return this.<T, U, R>starmapAsync(fn, items, 0, null, null).get();
    }

    /** As {@link #starmap(SerializableBiFunction, Iterable)}, in chunks of {@code chunksize} pairs. */
    public <T, U, R> List<R> starmap(SerializableBiFunction<? super T, ? super U, ? extends R> fn,
                                     Iterable<? extends Map.Entry<? extends T, ? extends U>> items, int chunksize) {
        return this.<T, U, R>starmapAsync(fn, items, checkChunksize(chunksize), null, null).get();
    }

    /** Python's {@code starmap_async}. */
    public <T, U, R> AsyncResult<List<R>> starmapAsync(SerializableBiFunction<? super T, ? super U, ? extends R> fn,
                                                       Iterable<? extends Map.Entry<? extends T, ? extends U>> items) {
        return starmapAsync(fn, items, 0, null, null);
    }

    /**
     * Python's {@code starmap_async(func, iterable, chunksize, callback, error_callback)};
     * {@code chunksize} 0 means the default, the callbacks may be null.
     */
    public <T, U, R> AsyncResult<List<R>> starmapAsync(SerializableBiFunction<? super T, ? super U, ? extends R> fn,
                                                       Iterable<? extends Map.Entry<? extends T, ? extends U>> items,
                                                       int chunksize, Consumer<? super List<R>> callback,
                                                       Consumer<? super Throwable> errorCallback) {
        checkFunction(fn);
        List<Object> pairs = list(items);
        for (Object p : pairs) {
            if (p == null) {
                throw new IllegalArgumentException("starmap items must be Map.Entry pairs, not null");
            }
        }
        return submitMap(engine.function(fn, 2), pairs, chunksize, callback, errorCallback);
    }

    private <R> AsyncResult<List<R>> submitMap(PoolEngine.Function fn, List<Object> items, int chunksize,
                                               Consumer<? super List<R>> callback, Consumer<? super Throwable> errorCallback) {
        if (chunksize < 0) {
            throw new IllegalArgumentException("Chunksize must be 1+, not " + chunksize);
        }
        GilRuntime.checkpoint();
        int n = items.size();
        int size = chunksize > 0 ? chunksize : defaultChunksize(n);
        AsyncResult<List<R>> result = new AsyncResult<>(this, engine.handler(), callback, errorCallback);
        MapJob<R> job = new MapJob<>(result, n, size);
        if (n == 0) {
            engine.submit(job, fn, items, size);      // checks the state; sends nothing
            result.set(new ArrayList<>());
        } else {
            engine.submit(job, fn, items, size);
        }
        return result;
    }

    /** Python's default: about four chunks per worker. */
    private int defaultChunksize(int n) {
        int per = processes * 4;
        return Math.max(1, n / per + (n % per != 0 ? 1 : 0));
    }

    // ---------------------------------------------------------------- imap

    /** Python's {@code imap}: the results, in the order of the items, as they arrive; chunks of one. */
    public <T, R> IMapIterator<R> imap(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items) {
        return imap(fn, items, 1);
    }

    /**
     * Python's {@code imap(func, iterable, chunksize)}.
     *
     * @throws IllegalArgumentException if {@code chunksize} is less than 1
     */
    public <T, R> IMapIterator<R> imap(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items,
                                       int chunksize) {
        return submitIMap(fn, items, chunksize, true);
    }

    /** Python's {@code imap_unordered}: the results as they complete; chunks of one. */
    public <T, R> IMapIterator<R> imapUnordered(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items) {
        return imapUnordered(fn, items, 1);
    }

    /**
     * Python's {@code imap_unordered(func, iterable, chunksize)}.
     *
     * @throws IllegalArgumentException if {@code chunksize} is less than 1
     */
    public <T, R> IMapIterator<R> imapUnordered(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items,
                                                int chunksize) {
        return submitIMap(fn, items, chunksize, false);
    }

    private <R> IMapIterator<R> submitIMap(SerializableFunction<?, ?> fn, Iterable<?> items, int chunksize, boolean ordered) {
        checkFunction(fn);
        checkChunksize(chunksize);
        GilRuntime.checkpoint();
        List<Object> list;
        RuntimeException readError = null;
        if (items == null || items instanceof Collection<?>) {
            list = list(items);     // held in memory already: taken as it is, or copied at its size
        } else {
            list = new ArrayList<>();
            try {
                for (Object item : items) {
                    list.add(item);
                }
            } catch (RuntimeException e) {
                // Python's task generator raises it in place of the chunk it was reading
                readError = e;
                list = new ArrayList<>(list.subList(0, list.size() / chunksize * chunksize));
            }
        }
        int whole = (list.size() + chunksize - 1) / chunksize;
        IMapIterator<R> it = new IMapIterator<>(this, engine.handler(), ordered, whole + (readError != null ? 1 : 0));
        PoolEngine.Job job = it.job();
        engine.submit(job, engine.function(fn, 1), list, chunksize);
        if (readError != null) {
            job.failed(whole, readError);
        }
        return it;
    }

    // ---------------------------------------------------------------- ending

    /**
     * Python's {@code close()}: the pool accepts no more work; the workers exit once everything
     * submitted is done. Returns at once; {@link #join()} waits. Also the end of a
     * try-with-resources block (see the class comment). Idempotent.
     */
    @Override
    public void close() {
        engine.close();
    }

    /**
     * Python's {@code terminate()}: outstanding work fails with {@link BrokenProcessPool}, the
     * workers get SIGTERM, and SIGKILL if they have not ended a second later; returns once they
     * have ended. Never waits for a task. Idempotent.
     */
    public void terminate() {
        cleanable.clean();
    }

    /**
     * Waits until the workers have exited: after {@link #close()}, once all submitted work is done;
     * after {@link #terminate()}, at once.
     *
     * @throws IllegalStateException if the pool is still running (Python's ValueError), or if called
     *         from a callback (the result handler cannot wait for itself)
     */
    public void join() {
        GilRuntime.checkpoint();
        if (engine.running()) {
            throw new IllegalStateException("Pool is still running: call close() or terminate() before join()");
        }
        engine.awaitFinished();
    }

    @Override
    public String toString() {
        return engine.toString();
    }

    // ---------------------------------------------------------------- argument checks and jobs

    private static void checkFunction(Object fn) {
        if (fn == null) {
            throw new IllegalArgumentException("the function must not be null");
        }
    }

    static int checkChunksize(int chunksize) {
        if (chunksize < 1) {
            throw new IllegalArgumentException("Chunksize must be 1+, not " + chunksize);
        }
        return chunksize;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Iterable<?> items) {
        if (items == null) {
            throw new IllegalArgumentException("the items must not be null");
        }
        if (items instanceof List<?> l && items instanceof java.util.RandomAccess) {
            return (List<Object>) l;
        }
        List<Object> all = items instanceof Collection<?> c ? new ArrayList<>(c.size()) : new ArrayList<>();
        for (Object item : items) {
            all.add(item);
        }
        return all;
    }

    /** apply: one chunk of one call. */
    private static final class ApplyJob<R> extends PoolEngine.Job {
        private final AsyncResult<R> result;

        ApplyJob(AsyncResult<R> result) {
            this.result = result;
        }

        @Override
        @SuppressWarnings("unchecked")
        void done(int chunk, Object[] values) {
            result.set((R) values[0]);
        }

        @Override
        void failed(int chunk, Throwable error) {
            result.setException(error);
        }
    }

    /** map and starmap: the results of every chunk in place; the first failure ends it, as in Python. */
    private static final class MapJob<R> extends PoolEngine.Job {
        private final AsyncResult<List<R>> result;
        private final Object[] values;
        private final int chunksize;
        private int left;       // guarded by this

        MapJob(AsyncResult<List<R>> result, int n, int chunksize) {
            this.result = result;
            this.values = new Object[n];
            this.chunksize = chunksize;
            this.left = (n + chunksize - 1) / chunksize;
        }

        @Override
        @SuppressWarnings("unchecked")
        void done(int chunk, Object[] chunkValues) {
            List<R> all = null;
            synchronized (this) {
                System.arraycopy(chunkValues, 0, values, chunk * chunksize, chunkValues.length);
                if (--left == 0) {
                    all = (List<R>) new ArrayList<>(Arrays.asList(values));
                }
            }
            if (all != null) {
                result.set(all);
            }
        }

        @Override
        void failed(int chunk, Throwable error) {
            result.setException(error);
        }
    }
}
