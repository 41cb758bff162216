package dev.pyconc.multiprocessing;

import java.io.IOException;
import java.io.NotSerializableException;
import java.io.UncheckedIOException;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pyconc.core.internal.Threads;
import dev.pyconc.ipc.internal.codec.GrowableBuffer;
import dev.pyconc.ipc.internal.codec.ItemDecoder;
import dev.pyconc.ipc.internal.codec.ItemEncoder;
import dev.pyconc.ipc.internal.codec.PoolWireFormat;
import dev.pyconc.ipc.internal.launch.LaunchRecord;
import dev.pyconc.ipc.internal.ring.MpmcRing;
import dev.pyconc.ipc.internal.shm.Shm;
import dev.pyconc.ipc.internal.sync.WaitEngine;
import dev.pyconc.threading.Event;
import dev.pyconc.threading.Lock;

/**
 * The machinery that {@link Pool} and {@link ProcessPoolExecutor} share: worker processes, one
 * task ring per worker, one result ring, and the result handler thread that reads results, learns
 * of workers' deaths, replaces workers and fails the work that a dead worker held.
 */
final class PoolEngine {
    private static final Logger LOG = LoggerFactory.getLogger(PoolEngine.class);

    /** Chunks given to a worker ahead: the one it runs and the one it takes next. */
    static final int DEPTH = 2;
    private static final long TASK_RING_BYTES = 1L << 20;
    private static final long RESULT_RING_BYTES = 1L << 20;
    /** The most a chunk's buffer is sized ahead from its first item. */
    private static final long PRESIZE_LIMIT = GrowableBuffer.RETAIN_BYTES;
    /** How long terminate() and a broken pool give workers to end after SIGTERM before SIGKILL. */
    private static final Duration GRACE = Duration.ofSeconds(1);
    /** Workers in a row that end before they are ready (their JVM cannot start) before the pool breaks. */
    private static final int UNREADY_DEATHS = 3;
    /** How long terminate() waits for the result handler, which may be running a user callback. */
    private static final Duration HANDLER_WAIT = Duration.ofSeconds(5);
    private static final AtomicInteger POOLS = new AtomicInteger();

    private static final int RUN = 0, CLOSE = 1, TERMINATE = 2, BROKEN = 3;

    /**
     * What this JVM's exit does with the engines still alive, as Python's exit functions: a Pool is
     * terminated (its daemon workers get SIGTERM from the process exit hook; here its rings are
     * removed), an executor that was not shut down first finishes the calls submitted to it.
     */
    private static final class AtExit {
        static final Set<PoolEngine> LIVE = java.util.Collections.synchronizedSet(
                java.util.Collections.newSetFromMap(new java.util.WeakHashMap<>()));

        static {
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(AtExit::run, "pyconc-pools-exit"));
            } catch (IllegalStateException alreadyExiting) {
                // first used while the JVM exits
            }
        }

        private static void run() {
            List<PoolEngine> engines;
            synchronized (LIVE) {
                engines = new ArrayList<>(LIVE);
            }
            for (PoolEngine e : engines) {
                if (e.executor) {
                    e.close();
                    continue;
                }
                try (var _ = e.lock.enter()) {
                    if (e.state != TERMINATE) {
                        e.state = TERMINATE;
                        e.takeOutstanding();      // nobody will look at them: no callbacks run at exit
                    }
                }
                e.unlinkSegments();
            }
            for (PoolEngine e : engines) {
                while (e.executor && !e.finished.await(Duration.ofMillis(50)) && !Threads.isExiting(e.handler)) {
                    // a done-callback that itself called System.exit is not waited for
                }
            }
        }
    }

    /*
     * Overview.
     *
     *   user threads --submit--> pending --dispatch--> task ring of worker w --> worker w
     *                                                                             |
     *   result handler <--------------------- result ring (all workers) <--------+
     *
     * Dispatch. A chunk is cut and encoded in the submitting thread, then queued (pending) and
     * sent, under `lock`, to a worker that holds fewer than DEPTH chunks; the handler sends more
     * as results come back. The parent is the only producer of a task ring and the only consumer
     * besides its worker, so `inflight` (sequence number -> chunk) says exactly which chunks each
     * worker holds: sent and not answered. A record leaves a ring by one store of its head
     * (MpmcRing), so a chunk is taken by exactly one consumer: the worker, or the parent, which
     * takes back what a worker has not started in two cases. When a worker has nothing to do and
     * nothing is pending, the parent steals the chunk queued behind another worker's running one
     * and gives it to the idle worker (Python's workers share one queue; this keeps a long task
     * from holding the next one hostage). After a worker's death its ring holds exactly the chunks
     * it never took. Every chunk record carries its function, serialized once per function object
     * (cached by identity) and deserialized once per worker (cached by its bytes), so that any
     * worker can run any chunk. Only a worker that said READY (its initializer ran) steals, so that a
     * worker still starting does not take work from one about to take it.
     *
     * Death. Each worker's Process calls wake() when it ends (java.lang.Process.onExit), which
     * raises `attention` and wakes the handler; the handler also polls the workers' exit codes
     * when its wait has stalled. On attention it first drains the result ring (everything a dead
     * worker sent before it died is there, since its exit was seen after), then drains each dead
     * worker's task ring (those chunks go back to the front of pending, in order), and what is
     * left in inflight for that worker is what it held: for a Pool those chunks fail with
     * BrokenProcessPool and a new worker starts; for an executor the whole pool breaks, as in
     * Python. A worker that ends with exit code 0 holding nothing ended normally (a STOP, or its
     * task limit) and is replaced if work remains. Three workers in a row that die before saying
     * READY break the pool (a JVM that cannot start would otherwise be replaced for ever).
     *
     * States: RUN -> CLOSE (close/shutdown: no new work; STOP goes to each idle worker once
     * nothing is pending) -> done; RUN|CLOSE -> TERMINATE (terminate: outstanding work fails,
     * workers get SIGTERM, SIGKILL after GRACE); RUN|CLOSE -> BROKEN (a dead executor worker, an
     * initializer that threw, a failure of the handler). The handler ends once no worker is left
     * and, in CLOSE, no work; it then removes the rings' segments and sets `finished`.
     *
     * Locking: `lock` (a pyconc Lock, so that a thread waiting for it drops the GIL) guards every
     * field below it; nothing under it waits (ring offers do not wait for room: a full ring leaves
     * the chunk pending) or runs user code (jobs are completed outside it). Encoding, decoding
     * and the completion of jobs happen outside it.
     */

    /** What the engine reports a chunk's outcome to: a Pool's AsyncResult or IMapIterator, an executor's future. */
    abstract static class Job {
        /** Under the lock, once, before the chunk is first sent: whether to send it (false: cancelled). */
        boolean start(int chunk) {
            return true;
        }

        /** For {@code shutdown(cancelFutures)}, outside the lock: cancels a chunk that was never sent. */
        void cancel(int chunk) {
            failed(chunk, new dev.pyconc.futures.CancelledError("cancelled by shutdown(cancelFutures=true)"));
        }

        /** The chunk's results, in item order; called outside the lock, by the result handler. */
        abstract void done(int chunk, Object[] values);

        /** The chunk failed; called outside the lock, from any thread, at most once per chunk. */
        abstract void failed(int chunk, Throwable error);
    }

    /** A function serialized once, and its arity (0: Callable, 1: Function, 2: BiFunction). */
    record Function(int arity, byte[] bytes) {}

    /** A chunk of work: a job's chunk, its encoded CHUNK record, and where it is. */
    static final class Chunk {
        final Job job;
        final int index;
        final byte[] record;
        final int length;
        final int count;     // items (calls, for arity 0)
        boolean started;     // guarded by lock: job.start() was called
        Worker worker;       // guarded by lock: the holder while in inflight

        Chunk(Job job, int index, GrowableBuffer out, int count) {
            this.job = job;
            this.index = index;
            this.length = (int) out.size();
            this.count = count;
            // a small record gets an array of its own size; a large one keeps the buffer's (no copy)
            this.record = length < 4096 ? out.toByteArray() : out.array();
            PoolWireFormat.setCount(record, count);
        }
    }

    /** The parent's side of one worker process. Fields guarded by lock unless final. */
    static final class Worker {
        final long id;
        final Process process;
        final RingQueue tasks;
        int inflight;
        boolean ready;          // it said READY: its initializer ran; it may steal
        int sent;               // chunks sent over its life
        boolean full;           // its ring had no room: wait for its next result
        boolean stopSent;
        boolean exited;

        Worker(long id, Process process, RingQueue tasks) {
            this.id = id;
            this.process = process;
            this.tasks = tasks;
        }

        String describe() {
            Long pid = process.pid();
            return process.name() + " (pid " + pid + ")";
        }
    }

    final boolean executor;                 // a ProcessPoolExecutor: a dead worker breaks the pool
    private final String startMethod;       // its context's start method, or null: the global one at each start
    final String name;
    private final int maxWorkers;
    private final SerializableRunnable initializer;
    private final int maxTasks;
    final Codec<Object> codec;
    private final ItemEncoder encoder;      // the codec's, as the wire format takes it
    private final ItemDecoder decoder;      // codec::decode
    private final StandardCodec exceptionCodec;
    private final RingQueue results;
    private final Queue<Object> resultsHandle;
    private final Thread handler;
    private final Event finished = new Event();
    private volatile boolean attention;
    private volatile Worker[] live = new Worker[0];     // a snapshot of workers, for the handler's stall check
    private volatile long killAt;                       // nanoTime after which survivors get SIGKILL; 0: none
    private final Object functionCacheLock = new Object();
    private final Object[][] functionCache = new Object[8][];   // {WeakReference<Object>, Function}; guarded by functionCacheLock
    private int functionCacheNext;

    private final Lock lock = new Lock();
    private int state = RUN;
    private final ArrayDeque<Chunk> pending = new ArrayDeque<>();
    private final HashMap<Long, Chunk> inflight = new HashMap<>();
    private final List<Worker> workers = new ArrayList<>();
    private final List<String> segments = new ArrayList<>();     // rings to remove at the end
    private final MpmcRing.Received stolen = new MpmcRing.Received();
    private long nextSequence;
    private long nextWorker;
    private int unreadyDeaths;          // workers that ended, abnormally, before READY, since the last READY
    private BrokenProcessPool broken;

    /**
     * A pool of up to {@code maxWorkers} workers; a Pool starts them all now, an executor on demand.
     *
     * @throws IllegalArgumentException if the initializer or codec cannot travel to a worker
     */
    PoolEngine(boolean executor, int maxWorkers, SerializableRunnable initializer, int maxTasks, Codec<Object> codec,
            String startMethod) {
        this.executor = executor;
        this.startMethod = startMethod;
        this.name = (executor ? "ProcessPoolExecutor-" : "Pool-") + POOLS.incrementAndGet();
        this.maxWorkers = maxWorkers;
        this.initializer = initializer;
        this.maxTasks = maxTasks;
        this.codec = codec;
        this.encoder = StandardCodec.encoderOf(codec);
        this.decoder = codec::decode;
        this.exceptionCodec = codec instanceof StandardCodec s ? s : (StandardCodec) Codec.standard();
        this.results = RingQueue.create(0, RESULT_RING_BYTES, Codec.standard(), name + " results");
        this.resultsHandle = new Queue<>(results);
        segments.add(results.mapped.name());
        this.handler = Thread.ofPlatform().daemon().name("pyconc-" + name + "-results").unstarted(this::handle);
        boolean ok = false;
        try {
            if (!executor) {
                try (var _ = lock.enter()) {
                    for (int i = 0; i < maxWorkers; i++) {
                        startWorker();
                    }
                }
            }
            handler.start();
            AtExit.LIVE.add(this);
            ok = true;
        } finally {
            if (!ok) {
                terminate();
                unlinkSegments();
            }
        }
    }

    // ---------------------------------------------------------------- functions and chunks

    /**
     * The serialized form of {@code fn}, taken once per function object.
     *
     * @throws PicklingError naming the class if {@code fn}, or a value it captures, is not serializable
     */
    Function function(Object fn, int arity) {
        synchronized (functionCacheLock) {
            for (Object[] e : functionCache) {
                if (e != null && ((WeakReference<?>) e[0]).get() == fn && ((Function) e[1]).arity() == arity) {
                    return (Function) e[1];
                }
            }
        }
        byte[] bytes;
        try {
            bytes = LaunchRecord.serialize(fn);
        } catch (NotSerializableException e) {
            throw new PicklingError("cannot pickle the task's function " + fn.getClass().getName() + ": class "
                    + e.getMessage() + " is not serializable; the function and the values it captures travel to the"
                    + " workers by Java serialization (capture only serializable values, or implement java.io.Serializable)", e);
        } catch (IOException | RuntimeException e) {
            throw new PicklingError("cannot pickle the task's function " + fn.getClass().getName() + ": " + e, e);
        }
        Function f = new Function(arity, bytes);
        synchronized (functionCacheLock) {
            functionCache[functionCacheNext] = new Object[] {new WeakReference<>(fn), f};
            functionCacheNext = (functionCacheNext + 1) % functionCache.length;
        }
        return f;
    }

    /**
     * Encodes and queues the chunks of {@code job}: {@code items} (arity 1: values; arity 2:
     * map entries; arity 0: ignored, one call) cut into chunks of {@code chunksize}, each sent as
     * soon as it is encoded.
     *
     * @throws PicklingError if an item cannot be encoded (the chunks before it were queued)
     * @throws IllegalStateException if the pool does not accept work
     * @throws BrokenProcessPool if the pool is broken
     */
    void submit(Job job, Function fn, List<?> items, int chunksize) {
        checkAccepting();
        int arity = fn.arity();
        if (arity == 0) {
            GrowableBuffer out = PoolWireFormat.chunk(0, fn.bytes());
            queue(new Chunk(job, 0, out, 1));
            return;
        }
        int n = items.size();
        for (int from = 0, index = 0; from < n; from += chunksize, index++) {
            int to = Math.min(n, from + chunksize);
            GrowableBuffer out = PoolWireFormat.chunk(arity, fn.bytes());
            if (arity == 1) {
                PoolWireFormat.appendValues(out, encoder, items, from, to);
            } else {
                for (int i = from; i < to; i++) {
                    long before = out.size();
                    java.util.Map.Entry<?, ?> pair = (java.util.Map.Entry<?, ?>) items.get(i);
                    PoolWireFormat.appendValue(out, encoder, pair.getKey());
                    PoolWireFormat.appendValue(out, encoder, pair.getValue());
                    if (i == from) {        // room for the rest at the first pair's size, instead of doubling up to it
                        out.ensureRemaining((int) Math.min(PRESIZE_LIMIT, (out.size() - before) * (to - from - 1)));
                    }
                }
            }
            queue(new Chunk(job, index, out, to - from));
        }
    }

    private void queue(Chunk c) {
        try (var _ = lock.enter()) {
            checkAcceptingLocked();
            pending.add(c);
            if (executor) {
                adjustWorkers();
            }
            dispatch();
        }
    }

    private void checkAccepting() {
        try (var _ = lock.enter()) {
            checkAcceptingLocked();
        }
    }

    private void checkAcceptingLocked() {
        if (state == BROKEN) {
            throw new BrokenProcessPool(broken.getMessage(), broken.getCause());
        }
        if (state != RUN) {
            throw new IllegalStateException(executor ? "cannot schedule new futures after shutdown" : "Pool not running");
        }
    }

    // ---------------------------------------------------------------- workers and dispatch (under lock)

    /** Starts one worker; under lock. */
    private Worker startWorker() {
        RingQueue ring = RingQueue.create(0, TASK_RING_BYTES, Codec.standard(), name + " tasks");
        segments.add(ring.mapped.name());
        long id = ++nextWorker;
        PoolWorker target = new PoolWorker(new Queue<>(ring), resultsHandle, initializer, maxTasks, id, codec, executor);
        Process p = Process.builder().startMethod(startMethod).target(target).daemon(!executor).build();
        if (!executor) {
            p.setName(p.name().replace("Process", "PoolWorker"));
        }
        p.start();
        Worker w = new Worker(id, p, ring);
        workers.add(w);
        live = workers.toArray(new Worker[0]);
        p.onExit(this::wake);
        return w;
    }

    /** An executor starts a worker when none is idle, up to its maximum (Python's _adjust_process_count). */
    private void adjustWorkers() {
        for (Worker w : workers) {
            if (w.inflight == 0 && accepts(w)) {
                return;
            }
        }
        if (workers.size() < maxWorkers) {
            startWorker();
        }
    }

    private boolean accepts(Worker w) {
        return !w.exited && !w.stopSent && !w.full && (maxTasks == 0 || w.sent < maxTasks);
    }

    /**
     * Sends pending chunks to workers with room: each is filled to one chunk, then to DEPTH; then,
     * if nothing is pending, gives each idle worker a chunk that a busy worker has not taken.
     */
    private void dispatch() {
        for (int depth = 1; depth <= DEPTH && !pending.isEmpty(); depth++) {
            for (Worker w : workers) {
                while (w.inflight < depth && accepts(w) && !pending.isEmpty()) {
                    Chunk c = pending.poll();
                    if (!c.started) {
                        c.started = true;
                        if (!c.job.start(c.index)) {
                            continue;       // cancelled
                        }
                    }
                    if (!send(w, c)) {
                        pending.addFirst(c);
                        w.full = true;
                    }
                }
            }
        }
        if (pending.isEmpty()) {
            for (Worker idle : workers) {
                if (idle.inflight == 0 && idle.ready && accepts(idle)) {
                    steal(idle);
                }
            }
        }
    }

    /**
     * Takes back the oldest chunk that another worker has not taken (one queued behind a running
     * chunk, or one waiting for a worker that is still starting), if that worker has not taken it
     * meanwhile (the ring gives each record to one consumer), and sends it to {@code idle}.
     */
    private void steal(Worker idle) {
        for (Worker busy : workers) {
            if (busy == idle || busy.exited || busy.inflight < (busy.ready ? DEPTH : 1)) {
                continue;
            }
            MpmcRing.Received r = stolen;
            if (busy.tasks.ring.poll(0, null, r) != MpmcRing.DONE) {
                continue;           // it took its queued chunk itself
            }
            String what = "the task ring of " + busy.describe();
            if (PoolWireFormat.kind(r.bytes(), r.length(), what) != PoolWireFormat.CHUNK) {
                throw new IllegalStateException(what + " held a record other than a chunk behind a running one");
            }
            Chunk c = inflight.remove(PoolWireFormat.sequence(r.bytes()));
            r.release();
            if (c == null || c.worker != busy) {
                throw new IllegalStateException(what + " held a chunk that the pool did not send it");
            }
            busy.inflight--;
            busy.sent--;            // it never ran it: its task limit counts what it ran
            if (!send(idle, c)) {
                pending.addFirst(c);
                idle.full = true;
            }
            return;
        }
    }

    /** Writes {@code c} into w's ring; false if there is no room. */
    private boolean send(Worker w, Chunk c) {
        long sequence = ++nextSequence;
        PoolWireFormat.setSequence(c.record, sequence);
        if (w.tasks.ring.offer(c.record, c.length, 0, null) != MpmcRing.DONE) {
            return false;
        }
        c.worker = w;
        inflight.put(sequence, c);
        w.inflight++;
        w.sent++;
        return true;
    }

    /** In CLOSE with nothing pending: tells each idle worker to exit. */
    private void stopIdleWorkers() {
        if (state != CLOSE || !pending.isEmpty()) {
            return;
        }
        for (Worker w : workers) {
            if (!w.stopSent && !w.exited && w.inflight == 0) {
                byte[] stop = PoolWireFormat.control(PoolWireFormat.STOP);
                if (w.tasks.ring.offer(stop, stop.length, 0, null) == MpmcRing.DONE) {
                    w.stopSent = true;
                }
            }
        }
    }

    /** Every chunk not yet answered, taken out of pending and inflight; under lock. */
    private List<Chunk> takeOutstanding() {
        List<Chunk> all = new ArrayList<>(pending);
        all.addAll(inflight.values());
        pending.clear();
        inflight.clear();
        for (Worker w : workers) {
            w.inflight = 0;
        }
        return all;
    }

    /** Breaks the pool: outstanding work fails with {@code why}, workers get SIGTERM; under lock. */
    private List<Chunk> breakLocked(BrokenProcessPool why) {
        if (state == BROKEN || state == TERMINATE) {
            return List.of();
        }
        state = BROKEN;
        broken = why;
        List<Chunk> lost = takeOutstanding();
        for (Worker w : workers) {
            w.process.terminate();
        }
        killAt = System.nanoTime() + GRACE.toNanos();
        return lost;
    }

    /** Breaks the pool with {@code why} and fails {@code also} and the outstanding work with it. */
    private void breakAndFail(BrokenProcessPool why, List<Chunk> also) {
        List<Chunk> lost;
        try (var _ = lock.enter()) {
            lost = concat(also, breakLocked(why));
        }
        fail(lost, c -> why);
    }

    private static void fail(List<Chunk> chunks, java.util.function.Function<Chunk, Throwable> error) {
        for (Chunk c : chunks) {
            try {
                c.job.failed(c.index, error.apply(c));
            } catch (RuntimeException e) {
                LOG.error("failing a task of a pool", e);
            }
        }
    }

    // ---------------------------------------------------------------- close, terminate, join, shutdown

    /** Python's close(): no more work; workers exit once the work is done. */
    void close() {
        try (var _ = lock.enter()) {
            if (state == RUN) {
                state = CLOSE;
            }
            stopIdleWorkers();
        }
        wake();
    }

    /**
     * shutdown(cancelFutures): cancels what has never been sent to a worker. The cancelling (which
     * runs done-callbacks) happens outside the lock.
     */
    void cancelPending() {
        List<Chunk> unsent = new ArrayList<>();
        try (var _ = lock.enter()) {
            for (Iterator<Chunk> it = pending.iterator(); it.hasNext(); ) {
                Chunk c = it.next();
                if (!c.started) {
                    it.remove();
                    unsent.add(c);
                }
            }
        }
        for (Chunk c : unsent) {
            c.job.cancel(c.index);
        }
        wake();     // in CLOSE, the workers may now be told to stop
    }

    /**
     * Python's terminate(): outstanding work fails with {@link BrokenProcessPool}, workers get
     * SIGTERM and, if still alive after {@link #GRACE}, SIGKILL; returns once they have ended and
     * the result handler has finished (or is stuck in a callback for {@link #HANDLER_WAIT}).
     */
    void terminate() {
        List<Chunk> lost;
        List<Worker> ws;
        try (var _ = lock.enter()) {
            lost = state == TERMINATE ? List.of() : takeOutstanding();
            state = TERMINATE;
            ws = List.copyOf(workers);
        }
        fail(lost, c -> new BrokenProcessPool((executor ? "the executor" : "the pool") + " was terminated before this work finished"));
        for (Worker w : ws) {
            w.process.terminate();
        }
        long deadline = System.nanoTime() + GRACE.toNanos();
        for (Worker w : ws) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                w.process.join(Duration.ofNanos(left));
            }
            if (w.process.exitCode() == null) {
                w.process.kill();
            }
        }
        for (Worker w : ws) {
            w.process.join();
        }
        wake();
        if (Thread.currentThread() != handler && handler.isAlive()) {
            finished.await(HANDLER_WAIT);
        }
    }

    /** Waits until the handler has finished: every worker ended and, unless terminated, all work done. */
    void awaitFinished() {
        if (Thread.currentThread() == handler) {
            throw new IllegalStateException("cannot join " + name + " from its own result handler (a callback)");
        }
        finished.await();
    }

    /** The result handler thread, where callbacks run. */
    Thread handler() {
        return handler;
    }

    /**
     * Refuses a wait for a result in the result handler thread (a callback), which would wait for
     * itself for ever: the handler delivers the results.
     *
     * @throws IllegalStateException if the calling thread is {@code handler}
     */
    static void checkNotHandler(Thread handler) {
        if (Thread.currentThread() == handler) {
            throw new IllegalStateException("cannot wait for a pool's result in one of its callbacks: the callbacks run"
                    + " in the thread that delivers the results (submit from the callback, and wait elsewhere)");
        }
    }

    boolean running() {
        try (var _ = lock.enter()) {
            return state == RUN;
        }
    }

    /** Raises the handler's attention: a worker ended, or the state changed. */
    private void wake() {
        attention = true;
        results.ring.wakeAll();
    }

    // ---------------------------------------------------------------- the result handler

    private void handle() {
        MpmcRing.Received in = new MpmcRing.Received();
        MpmcRing.Stop stop = stalled -> attention || (stalled && (anyEnded() || killDue()));
        try {
            for (;;) {
                int r = results.ring.poll(WaitEngine.FOREVER, stop, in);
                if (r == MpmcRing.DONE) {
                    handleRecord(in);
                } else if (r == MpmcRing.STOPPED && handleEvents(in)) {
                    return;
                }
            }
        } catch (Throwable t) {
            LOG.error("the result handler of {} failed; the pool is broken", name, t);
            List<Chunk> lost;
            try (var _ = lock.enter()) {
                lost = breakLocked(new BrokenProcessPool("the result handler of " + name + " failed", t));
                for (Worker w : workers) {
                    w.process.kill();
                }
            }
            fail(lost, c -> broken);
        } finally {
            unlinkSegments();
            finished.set();
        }
    }

    private boolean anyEnded() {
        for (Worker w : live) {
            if (w.process.exitCode() != null) {
                return true;
            }
        }
        return false;
    }

    private boolean killDue() {
        long at = killAt;
        return at != 0 && System.nanoTime() - at > 0;
    }

    /** One record of the result ring. */
    private void handleRecord(MpmcRing.Received in) {
        byte[] b = in.bytes();
        int length = in.length();
        String what = "the result ring of " + name;
        int kind = PoolWireFormat.kind(b, length, what);
        if (kind == PoolWireFormat.INIT_ERROR) {
            Throwable cause = decodeFailure(b, length, what);
            breakAndFail(new BrokenProcessPool("A process in the process pool failed in its initializer;"
                    + " the pool is not usable anymore", cause), List.of());
            in.release();
            return;
        }
        if (kind == PoolWireFormat.READY) {
            long id = PoolWireFormat.worker(b);
            try (var _ = lock.enter()) {
                for (Worker w : workers) {
                    if (w.id == id) {
                        w.ready = true;
                        unreadyDeaths = 0;
                        dispatch();
                    }
                }
            }
            in.release();
            return;
        }
        if (kind != PoolWireFormat.RESULT && kind != PoolWireFormat.ERROR) {
            throw new IllegalStateException(what + " holds a task record");
        }
        Chunk c;
        try (var _ = lock.enter()) {
            c = inflight.remove(PoolWireFormat.sequence(b));
            if (c != null) {
                c.worker.inflight--;
                c.worker.full = false;
                dispatch();
                stopIdleWorkers();
            }
        }
        if (c != null) {       // null: the work was failed already (terminate)
            Object[] values = null;
            Throwable error;
            try {
                if (kind == PoolWireFormat.ERROR) {
                    error = decodeFailure(b, length, what);
                } else {
                    values = decodeValues(b, length, what);
                    error = values.length == c.count ? null : new IllegalStateException(what
                            + " is corrupt: " + values.length + " results for a chunk of " + c.count + " items");
                }
            } catch (Throwable e) {     // UnpicklingError, a user codec's failure, or what a readObject threw
                if (executor) {
                    // as Python's executor, whose manager breaks the pool on a result it cannot unpickle
                    breakAndFail(new BrokenProcessPool("a result of " + name + " could not be unpickled;"
                            + " the executor is not usable anymore", e), List.of(c));
                    in.release();
                    return;
                }
                error = e;
            }
            if (error != null) {
                c.job.failed(c.index, error);
            } else {
                c.job.done(c.index, values);
            }
        }
        in.release();
    }

    private Object[] decodeValues(byte[] b, int length, String what) {
        return PoolWireFormat.readValues(b, PoolWireFormat.BODY, length, PoolWireFormat.count(b), decoder, what);
    }

    /** The exception of a FAILURE record, with the worker's printed trace as its RemoteTraceback. */
    private Throwable decodeFailure(byte[] b, int length, String what) {
        RemoteTraceback trace = new RemoteTraceback(PoolWireFormat.trace(b, length, what));
        int at = PoolWireFormat.exceptionOffset(b, length, what);
        Throwable t;
        try {
            t = exceptionCodec.decodeThrowable(b, at, length - at);
        } catch (UnpicklingError e) {
            return new UnpicklingError("cannot unpickle the exception that a task raised in a worker (" + e.getMessage()
                    + "); its stack trace is the cause", e.rejectedClass(), trace);
        }
        try {
            if (t.getCause() == null) {
                t.initCause(trace);
                return t;
            }
        } catch (IllegalStateException | IllegalArgumentException causeWasSet) {
            // constructed with an explicit null cause
        }
        t.addSuppressed(trace);
        return t;
    }

    /** After attention: deaths, replacements, state changes. Returns whether the handler is done. */
    private boolean handleEvents(MpmcRing.Received in) {
        attention = false;
        while (results.ring.poll(0, null, in) == MpmcRing.DONE) {
            handleRecord(in);
        }
        List<Worker> ended = new ArrayList<>();
        try (var _ = lock.enter()) {
            for (Iterator<Worker> it = workers.iterator(); it.hasNext(); ) {
                Worker w = it.next();
                if (w.process.exitCode() != null) {
                    it.remove();
                    w.exited = true;
                    ended.add(w);
                }
            }
            live = workers.toArray(new Worker[0]);
            if (killDue()) {
                for (Worker w : workers) {
                    w.process.kill();
                }
                killAt = 0;
            }
        }
        // What the dead workers never took is still in their rings: only this thread reads them now.
        List<List<Long>> untaken = new ArrayList<>();
        for (Worker w : ended) {
            untaken.add(drain(w));
        }
        List<Chunk> held = new ArrayList<>();
        List<Chunk> lost = List.of();
        BrokenProcessPool why = null;
        boolean done;
        try (var _ = lock.enter()) {
            for (int i = 0; i < ended.size(); i++) {
                Worker w = ended.get(i);
                List<Chunk> back = new ArrayList<>();
                for (long sequence : untaken.get(i)) {
                    Chunk c = inflight.remove(sequence);
                    if (c != null) {
                        back.add(c);
                    }
                }
                for (int j = back.size() - 1; j >= 0; j--) {
                    pending.addFirst(back.get(j));
                }
                List<Chunk> mine = new ArrayList<>();
                for (Iterator<Chunk> it = inflight.values().iterator(); it.hasNext(); ) {
                    Chunk c = it.next();
                    if (c.worker == w) {
                        mine.add(c);
                        it.remove();
                    }
                }
                int code = w.process.exitCode();
                if (code != 0 || !mine.isEmpty()) {
                    String death = "worker process " + w.describe() + " ended abruptly (exit code " + code + ")";
                    LOG.debug("{}: {} holding {} chunk(s)", name, death, mine.size());
                    if (!w.ready && ++unreadyDeaths >= UNREADY_DEATHS && (state == RUN || state == CLOSE)) {
                        why = new BrokenProcessPool("worker processes keep ending before they are ready (the last: "
                                + death + "); see their standard error: the pool is not usable");
                        lost = concat(concat(lost, mine), breakLocked(why));
                    } else if (!executor) {
                        held.addAll(mine);
                    } else if (state == RUN || state == CLOSE) {
                        why = new BrokenProcessPool("A process in the process pool was terminated abruptly while the"
                                + " future was running or pending: " + death);
                        lost = concat(concat(lost, mine), breakLocked(why));
                    }
                }
            }
            try {
                replaceWorkers();
            } catch (RuntimeException e) {
                why = new BrokenProcessPool("cannot start a worker process for " + name + ": " + e.getMessage(), e);
                lost = concat(lost, breakLocked(why));
            }
            dispatch();
            stopIdleWorkers();
            done = state != RUN && workers.isEmpty()
                    && (state != CLOSE || (pending.isEmpty() && inflight.isEmpty()));
        }
        for (Worker w : ended) {
            unlink(w.tasks.mapped.name());
        }
        fail(held, c -> new BrokenProcessPool("the " + c.worker.describe() + " that ran this task ended abruptly (exit code "
                + c.worker.process.exitCode() + "); the pool started another worker"));
        BrokenProcessPool reason = why;
        fail(lost, c -> reason);
        return done;
    }

    private static List<Chunk> concat(List<Chunk> a, List<Chunk> b) {
        if (a.isEmpty()) {
            return b;
        }
        List<Chunk> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** Keeps a Pool at its size (an executor: as long as work waits); under lock. */
    private void replaceWorkers() {
        if (state == TERMINATE || state == BROKEN || (state == CLOSE && pending.isEmpty())) {
            return;
        }
        int target = executor ? Math.min(maxWorkers, workers.size() + pending.size()) : maxWorkers;
        while (workers.size() < target) {
            startWorker();
        }
    }

    /** The sequence numbers of the chunks left in a dead worker's ring, in order. */
    private List<Long> drain(Worker w) {
        List<Long> sequences = new ArrayList<>();
        MpmcRing.Received r = new MpmcRing.Received();
        String what = "the task ring of " + w.describe();
        while (w.tasks.ring.poll(0, null, r) == MpmcRing.DONE) {
            if (PoolWireFormat.kind(r.bytes(), r.length(), what) == PoolWireFormat.CHUNK) {
                sequences.add(PoolWireFormat.sequence(r.bytes()));
            }
        }
        return sequences;
    }

    private void unlinkSegments() {
        List<String> names;
        try (var _ = lock.enter()) {
            names = List.copyOf(segments);
            segments.clear();
        }
        for (String s : names) {
            unlink(s);
        }
    }

    private void unlink(String segment) {
        try (var _ = lock.enter()) {
            segments.remove(segment);
        }
        try {
            Shm.unlink(segment);
        } catch (UncheckedIOException | IllegalStateException e) {
            LOG.debug("{}: segment {} was removed already: {}", name, segment, e.getMessage());
        }
    }

    @Override
    public String toString() {
        try (var _ = lock.enter()) {
            String s = switch (state) {
                case RUN -> "RUN";
                case CLOSE -> "CLOSE";
                case TERMINATE -> "TERMINATE";
                default -> "BROKEN";
            };
            return name + "[state=" + s + ", workers=" + workers.size() + ", pending=" + pending.size()
                    + ", running=" + inflight.size() + "]";
        }
    }
}
