package dev.pyconc.asyncio;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.core.internal.Timeouts;
import dev.pyconc.futures.Executor;
import dev.pyconc.futures.ThreadPoolExecutor;
import dev.pyconc.threading.Event;

import io.netty.channel.IoEventLoop;
import io.netty.channel.ManualIoEventLoop;

import dev.pyconc.async.internal.EpollIdle;
import dev.pyconc.async.internal.NettyTransport;
import dev.pyconc.builtins.InterruptedError;

/**
 * An event loop: Python's {@code asyncio} event loop, on a Netty 4.2 I/O event loop driven by a
 * thread of its own. It runs callbacks, timers and tasks, one at a time.
 *
 * <pre> {@code
 * try (EventLoop loop = Asyncio.newEventLoop()) {
 *     loop.callSoon(() -> System.out.println("first"));
 *     loop.callLater(Duration.ofMillis(50), () -> System.out.println("50 ms later"));
 *     int v = loop.runUntilComplete(loop.createTask(() -> {
 *         Asyncio.sleep(Duration.ofMillis(100));
 *         return 42;
 *     }));
 * }
 * }</pre>
 *
 * <p><b>One thing at a time.</b> The loop owns a <em>baton</em>: its own thread holds it while it
 * polls I/O and runs callbacks, and a task's body holds it while it runs. Exactly one of them runs
 * at any moment, and the baton changes hands only where a task body awaits, so the callbacks and
 * task bodies of one loop need no locks between them, as in Python. A task body that blocks its
 * thread (a {@code Thread.sleep}, a {@code threading.Lock}) stalls the whole loop, as it would in
 * Python: use {@link Asyncio#toThread} or {@link #runInExecutor} for blocking work.
 *
 * <p><b>Threads.</b> The methods that are not marked thread-safe ({@code callSoon},
 * {@code createTask}, {@code createFuture}, the futures and primitives) must be called from the
 * loop's callbacks and task bodies, or while the loop is not running. {@link #callSoonThreadsafe},
 * {@link #stop()} and {@link Asyncio#runCoroutineThreadsafe} may be called from any thread. In
 * debug mode ({@link #setDebug}) a call from a foreign thread throws
 * {@link IllegalStateException}, callbacks and task steps slower than
 * {@link #getSlowCallbackDuration()} are logged, and task exceptions never retrieved are logged
 * once their task is garbage collected.
 *
 * <p><b>GIL mode.</b> With the GIL on, the loop's thread and the running task hold it; every wait
 * of the loop (for I/O, timers or a task) and every suspension of a task releases it.
 *
 * <p><b>Tuning.</b> {@code -Dpyconc.asyncio.ioIntervalMicros} (500) bounds how long tasks keep
 * the baton before the loop thread polls I/O while tasks are ready all the time;
 * {@code -Dpyconc.asyncio.loopThread} ({@code virtual}, the default, or {@code platform}) chooses
 * the kind of the loop thread; {@code -Dpyconc.asyncio.spinMicros} (20) is how long a platform loop
 * thread spins for the baton before it parks; {@code -Dpyconc.asyncio.transport} ({@code auto},
 * {@code epoll}, {@code nio}) chooses Netty's transport. A program that keeps very many tasks parked at once runs faster on the Parallel
 * collector than on G1, which evacuates their stack chunks slowly.
 *
 * <p>Memory consistency effects: actions prior to scheduling a callback or creating a task
 * <i>happen-before</i> the callback or body runs; every hand-off of the baton is a
 * happens-before edge, so each callback and each step of a task body sees every write made by the
 * callbacks and steps that ran before it. See
 * <a href="package-summary.html#MemoryVisibility">Memory Visibility</a>.
 */
public final class EventLoop implements AutoCloseable {
    static final Logger LOG = LoggerFactory.getLogger(EventLoop.class);

    /** The loops whose thread was started and that are not closed: where current() looks. */
    private static volatile EventLoop[] live = new EventLoop[0];

    private static final AtomicInteger LOOPS = new AtomicInteger();
    private static final ThreadFactory WORKERS = Thread.ofVirtual().name("asyncio-task").factory();

    // home states
    private static final int HOME = 0;           // the loop thread holds the baton
    private static final int AWAY = 1;           // a worker holds it; the loop thread spins
    private static final int AWAY_PARKED = 2;    // a worker holds it; the loop thread is parked

    /** Workers kept parked for new task bodies; the rest end when their body ends. */
    private static final int MAX_IDLE_WORKERS = 256;
    /** The most time the baton stays with the tasks before the loop thread polls I/O. */
    private static final long IO_INTERVAL_NANOS = micros("pyconc.asyncio.ioIntervalMicros", 500) * 1000;
    /** How long the loop thread spins for the baton before it parks. */
    private static final long SPIN_NANOS = micros("pyconc.asyncio.spinMicros", 20) * 1000;

    private static final VarHandle HOME_STATE;
    static {
        endOneVirtualThread();
        try {
            HOME_STATE = MethodHandles.lookup().findVarHandle(EventLoop.class, "home", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Starts and joins one virtual thread, so that the JDK's code after a virtual thread's body is
     * linked before the JIT compiles VirtualThread.run. Otherwise, in a program whose first tasks
     * all park before any ends (100,000 players waiting for their first message), that method is
     * compiled with an uncommon trap where a thread ends, and each of those tasks deoptimizes its
     * frame when it ends.
     */
    private static void endOneVirtualThread() {
        try {
            // Thread::onSpinWait, not a lambda of this class: its body would wait for this
            // class's initialization, which waits for it.
            Thread.ofVirtual().name("asyncio-warm-up").start(Thread::onSpinWait).join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final Thread thread;
    private final boolean virtualThread;          // the loop thread is a virtual thread (see the overview)
    private final long spinNanos;                 // how long waitHome spins: 0 on a virtual thread
    private final EpollIdle idleWaiter;           // epoll on a virtual thread: how it waits idle
    private final ManualIoEventLoop netty;
    private final NettyTransport transport;       // epoll or NIO, chosen once per loop
    private final Event idle = new Event();       // set while the loop is not running

    // Cross-thread state.
    private volatile int home;                    // HOME, AWAY or AWAY_PARKED
    private volatile boolean running;
    private volatile boolean closed;
    private volatile boolean closing;             // tells the loop thread to wind down
    private volatile boolean debug;
    private volatile long slowCallbackNanos = 100_000_000L;
    private volatile boolean threadStarted;

    // Guarded by the baton.
    private final ArrayDeque<Handle> ready = new ArrayDeque<>(256);
    private final ArrayDeque<Runnable> homeTasks = new ArrayDeque<>(); // channel work for the loop thread
    private final Set<Resource> resources = Collections.newSetFromMap(new IdentityHashMap<>()); // closed with the loop
    private final PriorityQueue<TimerHandle> timers = new PriorityQueue<>();
    private Task<?> taskHead;                     // the tasks not done: an intrusive doubly linked list
    private final Worker[] idleWorkers = new Worker[MAX_IDLE_WORKERS];
    private int idleCount;
    private int batchLeft;                        // handles of the current batch not yet dispatched
    private boolean homeBatchDone;                // the loop thread ran its batch of this round
    private long awaySince;                       // when the loop thread gave the baton away
    private long timerSequence;
    private int timerCancelledCount;
    private boolean stopping;
    Task<?> currentTask;                          // the task whose body holds the baton, or null
    private Thread owner;                         // the thread holding the baton; written only by it
    private Worker ownerWorker;                   // the worker holding the baton, null for the loop thread
    private long stepStart;                       // debug: when the current holder got the baton
    int slowSteps;                                // debug: callbacks and task steps logged as slow
    private BiConsumer<EventLoop, Map<String, Object>> exceptionHandler;
    private Executor defaultExecutor;
    private TaskFactory taskFactory;

    /*
     * Overview.
     *
     * The baton. Every piece of loop state above marked "guarded by the baton" is touched only by
     * the thread holding it. The loop thread holds it while HOME; it gives it to a worker (a
     * virtual thread running a task body) by setting home = AWAY and the worker's `go` flag, and
     * waits - spinning SPIN_NANOS, then parked - until a worker sets home back to HOME. Workers
     * pass the baton among themselves directly (the dispatcher below), without the loop thread:
     *
     *     loop thread:  [I/O, timers] [batch: callbacks...] --give--> ............ <--home-- [I/O]
     *     worker A:                                    [body A ... await] --give-->  .....
     *     worker B:                                                [body B ... await] --home-->
     *
     * A hand-off writes a volatile (`home`, or the target's `go`) that the receiver reads before
     * touching anything, so each holder sees what the previous holders wrote; the fields guarded
     * by the baton are plain. `home` is read and written with CAS through HOME_STATE.
     *
     * The dispatcher (nextHolder) is run by whichever thread gives the baton away. It takes
     * handles from `ready` in batches, as Python's _run_once does (timers due are moved to
     * `ready` at the start of each batch); callbacks run inline on the dispatching thread, and
     * the first task step found decides the next holder: the worker of a started task, a free
     * worker for a task not started yet, or the dispatching worker itself when its own body has
     * just finished (so a run of short tasks uses one virtual thread and no switch at all). When
     * `ready` is empty, or IO_INTERVAL_NANOS have passed since the loop thread last polled I/O,
     * the baton goes home. Task-to-task hand-offs are virtual-thread unparks on the same carrier:
     * no kernel wake-up; only the hand-offs to and from the loop thread may need one.
     *
     * The loop thread runs the Netty loop (ManualIoEventLoop, NIO) between batches: I/O, Netty's
     * tasks (callSoonThreadsafe and foreign stop() go through netty.execute, which wakes a
     * blocked select) and its scheduled tasks. It blocks there only when `ready` is empty, for at
     * most the time to the next timer. While the loop is not running, the loop thread parks.
     *
     * Who runs which loop: `owner` (plain, written only by the thread that takes the baton) is
     * the holder; current() scans the registered loops (`live`, copy-on-write, usually one) for
     * the one whose owner is the calling thread. No ThreadLocal or scoped binding per worker, so
     * a parked task keeps no extra frames or maps.
     *
     * Suspension (Task.suspend): the body registers its step as the awaited future's wake-up,
     * runs the dispatcher, releases the GIL, hands the baton on and parks until its `go` flag is
     * set, then takes the GIL back. Interrupts of a worker are swallowed while it waits and
     * restored afterwards, so they never turn a wait into a spin.
     *
     * The loop thread is a virtual thread by default: the baton then passes between it and the
     * workers as virtual-thread switches on one carrier (a platform loop thread needs a kernel
     * wake-up of a carrier for each hand-off, and one of itself back). It never spins then
     * (spinNanos = 0). NIO's selector parks a virtual thread while it waits; with epoll, whose
     * native epoll_wait would pin the carrier, runNetty() runs Netty without blocking and, when
     * there is nothing to do, parks in the EpollIdle waiter, whose platform helper polls Netty's
     * epoll descriptor. callSoonThreadsafe and a foreign stop() wake that waiter. Where the waiter
     * cannot be made, an epoll loop gets a platform thread.
     *
     * Channel work of task bodies (writes, flushes, auto-read changes) goes to `homeTasks`, run by
     * the loop thread when the baton comes home (runOnce, a stop, destroyPending): each body step's
     * writes reach the channel on its own thread, in one flush, with no cross-thread queue.
     * `resources` are the transports, servers and child processes the loop owns; closeResources()
     * aborts and kills them when the loop closes, before Netty shuts down.
     *
     * Closing: the loop thread resumes every suspended task with `destroyed` set (each await
     * raises CancelledError at once, so bodies unwind and their virtual threads end), ends the
     * idle workers, shuts Netty down and exits.
     */

    EventLoop() {
        transport = NettyTransport.choose();
        int n = LOOPS.incrementAndGet();
        boolean wantVirtual = !"platform".equals(System.getProperty(LOOP_THREAD_PROPERTY, "virtual").trim());
        EpollIdle.Capture capture = null;
        io.netty.channel.IoHandlerFactory factory = transport.ioHandlerFactory();
        if (wantVirtual && transport == NettyTransport.EPOLL && EpollIdle.supported()) {
            capture = new EpollIdle.Capture();
            factory = capture;
        }
        virtualThread = wantVirtual && (transport == NettyTransport.NIO || capture != null);
        spinNanos = virtualThread ? 0 : SPIN_NANOS;
        if (virtualThread) {
            thread = Thread.ofVirtual().name("asyncio-loop-" + n).unstarted(this::loopMain);
        } else {
            thread = new Thread(this::loopMain, "asyncio-loop-" + n);
            thread.setDaemon(true);
        }
        netty = new ManualIoEventLoop(thread, factory);
        idleWaiter = capture == null ? null : EpollIdle.capture(capture, "asyncio-idle-" + n);
        if (capture != null && idleWaiter == null) {
            LOG.warn("{}: epoll on a virtual loop thread without an idle waiter; idle waits pin a carrier", thread.getName());
        }
        idle.set();
    }

    /** The system property that chooses the loop thread: {@code virtual} (default) or {@code platform}. */
    static final String LOOP_THREAD_PROPERTY = "pyconc.asyncio.loopThread";

    /** The loop threads running now (tests check that none is left). */
    private static final Set<Thread> LOOP_THREADS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** The names of the loop threads still alive, virtual or not (for the tests' leak checks). */
    static List<String> aliveLoopThreads() {
        List<String> names = new ArrayList<>();
        for (Thread t : LOOP_THREADS) {
            if (t.isAlive()) {
                names.add(t.getName());
            }
        }
        return names;
    }

    /** Whether this loop's thread runs (tests check that close() waits for its end). */
    boolean loopThreadAlive() {
        return thread.isAlive();
    }

    /** Whether this loop's thread is virtual. */
    boolean hasVirtualThread() {
        return virtualThread;
    }

    /** Ends an idle wait of the loop thread from another thread (epoll on a virtual thread). */
    private void wakeIdle() {
        EpollIdle w = idleWaiter;
        if (w != null) {
            w.wake();
        }
    }

    /**
     * The loop whose baton the current thread holds, or null. Only the holder of a loop's baton
     * runs its code and only the holder writes `owner`, so a thread finds itself there exactly
     * when it holds the baton; no per-thread binding is needed (which keeps each parked task
     * small).
     */
    static EventLoop current() {
        Thread me = Thread.currentThread();
        for (EventLoop l : live) {
            if (l.owner == me) {
                return l;
            }
        }
        return null;
    }

    private static long micros(String property, long defaultValue) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            return defaultValue;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(property + " must be a number of microseconds >= 0, not '" + v + "'");
        }
    }

    private static synchronized void register(EventLoop loop) {
        EventLoop[] a = live;
        EventLoop[] b = java.util.Arrays.copyOf(a, a.length + 1);
        b[a.length] = loop;
        live = b;
    }

    private static synchronized void unregister(EventLoop loop) {
        live = java.util.Arrays.stream(live).filter(l -> l != loop).toArray(EventLoop[]::new);
    }

    // ---------------------------------------------------------------- running and stopping

    /**
     * Runs the loop until {@code future} is done and returns its result (Python's
     * {@code run_until_complete}).
     *
     * @throws IllegalStateException if the loop is closed or running, if called from a loop's own
     *         thread or task, or if the loop was stopped before the future completed
     */
    public <T> T runUntilComplete(Future<T> future) {
        checkCanRun();
        if (future == null || future.loop != this) {
            throw new IllegalArgumentException("the future must belong to this event loop");
        }
        java.util.function.Consumer<Future<T>> stopper = f -> stop();
        future.addDoneCallback(stopper);
        try {
            runForever();
        } finally {
            future.removeDoneCallback(stopper);
        }
        if (!future.done()) {
            throw new IllegalStateException("Event loop stopped before Future completed.");
        }
        return future.result();
    }

    /** Wraps {@code body} in a task of this loop and runs the loop until it is done. */
    public <T> T runUntilComplete(Callable<T> body) {
        checkCanRun();
        return runUntilComplete(createTask(body));
    }

    /**
     * Runs the loop until {@link #stop()} is called (Python's {@code run_forever}). The calling
     * thread waits, with the GIL released; the loop runs on its own thread.
     *
     * @throws IllegalStateException if the loop is closed or running already, or if called from a
     *         loop's own thread or task (await instead)
     */
    public void runForever() {
        checkCanRun();
        synchronized (idle) {
            if (running) {
                throw new IllegalStateException("This event loop is already running");
            }
            idle.clear();
            running = true;
        }
        if (!threadStarted) {
            threadStarted = true;
            register(this);
            thread.start();
        } else {
            LockSupport.unpark(thread);
        }
        boolean interrupted = false;
        while (running) {
            try {
                idle.await();
            } catch (InterruptedError e) {
                if (!interrupted) {
                    interrupted = true;
                    stop();
                }
                Thread.interrupted();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
            throw new InterruptedError(new InterruptedException("interrupted while the event loop ran; the loop was stopped"));
        }
    }

    private void checkCanRun() {
        checkClosed();
        if (current() != null) {
            throw new IllegalStateException("Cannot run the event loop while another loop is running in this thread: "
                    + "in a task, await the future (future.await()) instead of running a loop");
        }
        if (running) {
            throw new IllegalStateException("This event loop is already running");
        }
    }

    /**
     * Stops the loop at the end of the current batch of callbacks: {@link #runForever()} returns.
     * Thread-safe.
     */
    public void stop() {
        if (current() == this || !running) {
            stopping = true;
        } else {
            try {
                netty.execute(() -> stopping = true);
                wakeIdle();
            } catch (java.util.concurrent.RejectedExecutionException closedNow) {
                // the loop is closing: nothing left to stop
            }
        }
    }

    /** Whether the loop is running. Thread-safe. */
    public boolean isRunning() {
        return running;
    }

    /** Whether the loop was closed. Thread-safe. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes the loop: tasks still pending are destroyed (each await of their bodies raises
     * {@link CancelledError} so that they unwind, and a warning is logged, as Python does when it
     * collects a pending task), the loop's thread ends and the default executor is shut down
     * without waiting. Idempotent.
     *
     * @throws IllegalStateException if the loop is running
     */
    @Override
    public void close() {
        if (running) {
            throw new IllegalStateException("Cannot close a running event loop; stop it first");
        }
        if (current() == this) {
            throw new IllegalStateException("Cannot close the event loop from its own task or callback");
        }
        synchronized (idle) {
            if (closed) {
                return;
            }
            closed = true;
        }
        closing = true;
        if (!threadStarted) {
            threadStarted = true;
            thread.start();           // it only shuts Netty down and ends
        }
        LockSupport.unpark(thread);
        wakeIdle();
        boolean dropped = GilRuntime.beginBlocking();
        boolean interrupted = false;
        try {
            // An interrupt of the closing thread does not cut the close short: the loop thread is
            // still waited for (its tasks unwind, Netty shuts down), and the interrupt is kept.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (long left; thread.isAlive() && (left = deadline - System.nanoTime()) > 0; ) {
                try {
                    thread.join(Duration.ofNanos(left));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            GilRuntime.endBlocking(dropped);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (thread.isAlive()) {
            LOG.warn("{} did not end within 30 s of close(): a task body may be blocking it", thread.getName());
        }
        unregister(this);
        Executor executor = defaultExecutor;
        defaultExecutor = null;
        if (executor != null) {
            executor.shutdown(false);
        }
    }

    private void checkClosed() {
        if (closed) {
            throw new IllegalStateException("Event loop is closed");
        }
    }

    // ---------------------------------------------------------------- callbacks and timers

    /**
     * Schedules {@code callback} to run soon, after the callbacks already scheduled (Python's
     * {@code call_soon}). Not thread-safe: see {@link #callSoonThreadsafe}.
     */
    public Handle callSoon(Runnable callback) {
        checkCallback(callback);
        checkThread("callSoon");
        Handle h = new Handle(callback);
        ready.add(h);
        return h;
    }

    /** As {@link #callSoon}, from any thread; wakes the loop if it waits for I/O. Thread-safe. */
    public Handle callSoonThreadsafe(Runnable callback) {
        checkCallback(callback);
        checkClosed();
        Handle h = new Handle(callback);
        if (current() == this) {
            ready.add(h);
            return h;
        }
        synchronized (idle) {
            // Before the loop thread first starts, callers add to the ready queue themselves, under
            // the lock under which runForever sets `running` (the thread's start then publishes the
            // queue to it); the queue is not thread-safe, so two callers must not add at once.
            if (!running && !threadStarted) {
                ready.add(h);
                return h;
            }
        }
        try {
            netty.execute(() -> ready.add(h));
            wakeIdle();
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new IllegalStateException("Event loop is closed");
        }
        return h;
    }

    /** Schedules {@code callback} to run once {@code delay} has passed (Python's {@code call_later}). */
    public TimerHandle callLater(Duration delay, Runnable callback) {
        long nanos = Timeouts.toNanos(delay, "delay");
        checkCallback(callback);
        checkThread("callLater");
        return schedule(Timeouts.deadline(nanos), callback);
    }

    /**
     * Schedules {@code callback} to run at {@code when}, a point in the loop's {@link #time()}
     * (Python's {@code call_at}).
     */
    public TimerHandle callAt(double when, Runnable callback) {
        checkCallback(callback);
        checkThread("callAt");
        if (Double.isNaN(when)) {
            throw new IllegalArgumentException("when must be a number, not NaN");
        }
        return schedule(toNanoTime(when), when, callback);
    }

    /** The loop's clock in seconds (Python's {@code loop.time()}, a monotonic clock). Thread-safe. */
    public double time() {
        return toLoopTime(System.nanoTime());
    }

    static double toLoopTime(long nanoTime) {
        return nanoTime / 1e9;
    }

    static long toNanoTime(double when) {
        double nanos = when * 1e9;
        if (nanos >= Long.MAX_VALUE) {
            return System.nanoTime() + Long.MAX_VALUE / 2;
        }
        if (nanos <= Long.MIN_VALUE) {
            return System.nanoTime() - Long.MAX_VALUE / 2;
        }
        return (long) nanos;
    }

    /** A timer due at {@code deadline} (System.nanoTime() units); its when() is that instant in loop time. */
    TimerHandle schedule(long deadline, Runnable callback) {
        return schedule(deadline, toLoopTime(deadline), callback);
    }

    /** A timer due at {@code deadline}, whose when() is {@code when}, the loop time the caller gave. */
    TimerHandle schedule(long deadline, double when, Runnable callback) {
        checkClosed();
        TimerHandle t = new TimerHandle(this, deadline, when, timerSequence++, callback);
        t.scheduled = true;
        timers.add(t);
        return t;
    }

    void timerCancelled() {
        timerCancelledCount++;
    }

    private static void checkCallback(Runnable callback) {
        if (callback == null) {
            throw new IllegalArgumentException("callback must not be null");
        }
    }

    // ---------------------------------------------------------------- futures and tasks

    /** A new pending future of this loop (Python's {@code create_future}). */
    public <T> Future<T> createFuture() {
        return new Future<>(this);
    }

    /** Schedules {@code body} as a task of this loop (Python's {@code create_task}). */
    public <T> Task<T> createTask(Callable<T> body) {
        return createTask(body, null);
    }

    /** Schedules {@code body}, which returns nothing, as a task of this loop. */
    public Task<Void> createTask(Runnable body) {
        return createTask(body, null);
    }

    /** Schedules {@code body}, which returns nothing, as a task named {@code name}. */
    public Task<Void> createTask(Runnable body, String name) {
        return createTask(new Task.RunnableBody<Void>(body), name);
    }

    /** Schedules {@code body} as a task named {@code name}, through the task factory if one is set. */
    public <T> Task<T> createTask(Callable<T> body, String name) {
        checkClosed();
        TaskFactory factory = taskFactory;
        if (factory != null) {
            return factory.create(this, body, name);
        }
        return createTask(body, name, false);
    }

    /**
     * Creates a task of {@code body}; with {@code eagerStart} (Python 3.12's eager tasks), when
     * called from a task or callback of this running loop, the body starts at once, before this
     * call returns, and runs until its first suspension; a body that finishes without suspending
     * is never scheduled at all.
     */
    public <T> Task<T> createTask(Callable<T> body, String name, boolean eagerStart) {
        checkClosed();
        checkThread("createTask");
        Task<T> t = new Task<>(this, body, name);
        link(t);
        if (eagerStart && running && owner == Thread.currentThread()) {
            startEagerly(t);
        } else {
            ready.add(t.step);
        }
        return t;
    }

    /** The factory {@link #createTask(Callable, String)} uses, or null for plain tasks. */
    public TaskFactory getTaskFactory() {
        return taskFactory;
    }

    /** Sets the factory of tasks, e.g. {@link TaskFactory#EAGER}; null restores plain tasks. */
    public void setTaskFactory(TaskFactory factory) {
        this.taskFactory = factory;
    }

    /** The tasks of this loop that are not done (for {@link Asyncio#allTasks()}). */
    Set<Task<?>> pendingTasks() {
        Set<Task<?>> s = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Task<?> t = taskHead; t != null; t = t.nextTask) {
            if (!t.done()) {
                s.add(t);
            }
        }
        return s;
    }

    private void link(Task<?> t) {
        Task<?> h = taskHead;
        t.nextTask = h;
        if (h != null) {
            h.prevTask = t;
        }
        taskHead = t;
        t.linked = true;
    }

    private void unlink(Task<?> t) {
        if (!t.linked) {
            return;
        }
        t.linked = false;
        Task<?> p = t.prevTask;
        Task<?> n = t.nextTask;
        if (p != null) {
            p.nextTask = n;
        } else {
            taskHead = n;
        }
        if (n != null) {
            n.prevTask = p;
        }
        t.prevTask = null;
        t.nextTask = null;
    }

    /**
     * Runs {@code fn} in {@code executor}, or in the loop's default executor when it is null, and
     * returns a future of this loop for its result (Python's {@code run_in_executor}).
     */
    public <T> Future<T> runInExecutor(Executor executor, Callable<T> fn) {
        if (fn == null) {
            throw new IllegalArgumentException("fn must not be null");
        }
        checkClosed();
        checkThread("runInExecutor");
        Executor e = executor != null ? executor : defaultExecutor();
        return Asyncio.wrapFuture(e.submit(fn), this);
    }

    private Executor defaultExecutor() {
        Executor e = defaultExecutor;
        if (e == null) {
            e = ThreadPoolExecutor.builder().threadNamePrefix("asyncio").build();
            defaultExecutor = e;
        }
        return e;
    }

    /** Makes {@code executor} the default of {@link #runInExecutor} (Python's {@code set_default_executor}). */
    public void setDefaultExecutor(Executor executor) {
        if (executor == null) {
            throw new IllegalArgumentException("executor must not be null");
        }
        defaultExecutor = executor;
    }

    /**
     * Shuts the default executor down and waits, in a thread of its own, until its calls are done
     * (Python's {@code shutdown_default_executor}); call from a task body.
     */
    public void shutdownDefaultExecutor() {
        Executor e = defaultExecutor;
        defaultExecutor = null;
        if (e != null) {
            Future<Void> done = createFuture();
            Thread.ofPlatform().daemon(true).name("asyncio-shutdown-default-executor").start(() -> {
                try {
                    e.shutdown(true);
                } finally {
                    try {
                        callSoonThreadsafe(() -> {
                            if (!done.done()) {
                                done.setResult(null);
                            }
                        });
                    } catch (IllegalStateException closedMeanwhile) {
                        // nobody waits any more
                    }
                }
            });
            done.await();
        }
    }

    // ---------------------------------------------------------------- errors and debug

    /**
     * Sets the handler of errors that nothing else catches (a callback that threw, an exception of
     * a task nobody awaited); null restores the default, which logs through SLF4J.
     */
    public void setExceptionHandler(BiConsumer<EventLoop, Map<String, Object>> handler) {
        this.exceptionHandler = handler;
    }

    /** The handler set by {@link #setExceptionHandler}, or null. */
    public BiConsumer<EventLoop, Map<String, Object>> getExceptionHandler() {
        return exceptionHandler;
    }

    /**
     * Reports an error to the exception handler (Python's {@code call_exception_handler}).
     * {@code context} has a {@code "message"} and may have {@code "exception"}, {@code "future"},
     * {@code "task"}, {@code "handle"}.
     */
    public void callExceptionHandler(Map<String, Object> context) {
        BiConsumer<EventLoop, Map<String, Object>> h = exceptionHandler;
        if (h == null) {
            defaultExceptionHandler(context);
            return;
        }
        try {
            h.accept(this, context);
        } catch (Throwable e) {
            LOG.error("Unhandled error in exception handler", e);
            defaultExceptionHandler(context);
        }
    }

    /** Logs {@code context} through SLF4J (Python's {@code default_exception_handler}). */
    public void defaultExceptionHandler(Map<String, Object> context) {
        Object message = context.getOrDefault("message", "Unhandled exception in event loop");
        Object exception = context.get("exception");
        StringBuilder details = new StringBuilder();
        for (var e : context.entrySet()) {
            if (!e.getKey().equals("message") && !e.getKey().equals("exception")) {
                details.append("\n").append(e.getKey()).append(": ").append(e.getValue());
            }
        }
        if (exception instanceof Throwable t) {
            LOG.error("{}{}", message, details, t);
        } else {
            LOG.error("{}{}", message, details);
        }
    }

    static Map<String, Object> context(String message, Throwable exception, String key, Object value) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("message", message);
        if (exception != null) {
            c.put("exception", exception);
        }
        if (key != null) {
            c.put(key, value);
        }
        return c;
    }

    /** Turns debug mode on or off (Python's {@code set_debug}). Thread-safe. */
    public void setDebug(boolean enabled) {
        this.debug = enabled;
    }

    /** Whether debug mode is on. Thread-safe. */
    public boolean getDebug() {
        return debug;
    }

    /** The time above which debug mode logs a callback or task step as slow (100 ms by default). */
    public Duration getSlowCallbackDuration() {
        return Duration.ofNanos(slowCallbackNanos);
    }

    /** Sets the time above which debug mode logs a callback or task step as slow. */
    public void setSlowCallbackDuration(Duration d) {
        slowCallbackNanos = Timeouts.toNanos(d, "slow callback duration");
    }

    /** Debug mode: throws when a thread that does not hold the baton calls a non-thread-safe method. */
    void checkThread(String what) {
        if (debug && running && owner != Thread.currentThread()) {
            throw new IllegalStateException("Non-thread-safe operation " + what + "() invoked on an event loop from a thread "
                    + "that is not running it (" + Thread.currentThread() + "); from other threads use "
                    + "loop.callSoonThreadsafe(...) or Asyncio.runCoroutineThreadsafe(...)");
        }
    }

    @Override
    public String toString() {
        return "EventLoop[" + thread.getName() + (running ? " running" : closed ? " closed" : "") + (debug ? " debug" : "") + "]";
    }

    // ---------------------------------------------------------------- internal: the Netty loop

    /** The Netty event loop under this loop: register channels here (see NettyLoops). */
    IoEventLoop nettyLoop() {
        return netty;
    }

    /** The Netty transport this loop runs on. */
    NettyTransport transport() {
        return transport;
    }

    /** The loop thread, which runs the Netty loop (and so every channel handler of this loop). */
    boolean onLoopThread() {
        return Thread.currentThread() == thread;
    }

    /**
     * Runs {@code r} on the loop thread, holding the baton: now when called there, otherwise when
     * the baton next comes home, before the loop polls I/O again. The caller holds the baton.
     * Channel operations of task bodies go this way: run on the channel's own thread they need no
     * cross-thread hand-off (no task queue, no wake-up of the selector), and the writes of one
     * step of a body are flushed together.
     */
    void runAtHome(Runnable r) {
        if (Thread.currentThread() == thread) {
            r.run();
        } else {
            homeTasks.add(r);
        }
    }

    private void runHomeTasks() {
        Runnable r;
        while ((r = homeTasks.poll()) != null) {
            try {
                r.run();
            } catch (Throwable e) {
                callExceptionHandler(context("Exception in channel operation " + r, e, null, null));
            }
        }
    }

    /** Something the loop owns and closes when it is closed: a transport, a server, a child process. */
    interface Resource {
        /** The loop closes: release everything at once (abort connections, kill children). */
        void closeForLoop();
    }

    /** Registers {@code r} to be closed with the loop; the caller holds the baton. */
    void own(Resource r) {
        resources.add(r);
    }

    /** {@code r} was closed by its owner: the loop forgets it; the caller holds the baton. */
    void disown(Resource r) {
        resources.remove(r);
    }

    private void closeResources() {
        List<Resource> all = new ArrayList<>(resources);
        resources.clear();
        for (Resource r : all) {
            try {
                r.closeForLoop();
            } catch (Throwable e) {
                LOG.warn("error closing {} with {}", r, this, e);
            }
        }
    }

    // ---------------------------------------------------------------- internal: the dispatcher

    /** Adds a handle to the ready queue; the caller holds the baton. */
    void pushReady(Handle h) {
        ready.add(h);
    }

    /**
     * The task that may await in the current thread (on `expected`'s loop when not null), or an
     * IllegalStateException saying what to do instead.
     */
    static Task<?> awaitingTask(EventLoop expected) {
        EventLoop cur = current();
        if (cur == null) {
            throw new IllegalStateException("await() must be called from a task body running on an event loop, "
                    + "and this thread runs none; start the work with Asyncio.run(...) or loop.createTask(...), or, "
                    + "from another thread, wait with Asyncio.runCoroutineThreadsafe(body, loop).result()");
        }
        Task<?> t = cur.currentTask;
        if (t == null || cur.owner != Thread.currentThread()) {
            throw new IllegalStateException("await() was called from a callback running on the event loop, which "
                    + "must never block the loop; do the waiting in a task (loop.createTask(...)) or react with "
                    + "future.addDoneCallback(...) instead");
        }
        if (expected != null && cur != expected) {
            throw new IllegalStateException("the awaited future belongs to a different event loop than the awaiting "
                    + "task; bridge loops with Asyncio.runCoroutineThreadsafe(...) and Asyncio.wrapFuture(...)");
        }
        return t;
    }

    /** The current task of the current thread's loop, or null in a callback. */
    static Task<?> currentTaskOf(EventLoop loop) {
        return loop.owner == Thread.currentThread() ? loop.currentTask : null;
    }

    /**
     * The body of `t` suspends: returns the next holder of the baton (null: home). The caller
     * (Task.suspend) releases the GIL, hands the baton over and parks until its step runs, then
     * calls {@link #resumed}. Split this way so that a parked task keeps few frames on its stack.
     */
    Worker suspending(Task<?> t) {
        if (debug) {
            stepEnded(t);
        }
        currentTask = null;
        return nextHolder(t.worker, false);
    }

    /** The body of `t` holds the baton again. */
    void resumed(Task<?> t) {
        Worker me = t.worker;
        owner = me.thread;
        ownerWorker = me;
        currentTask = t;
        if (debug) {
            stepStart = System.nanoTime();
        }
    }

    private void startEagerly(Task<?> t) {
        Worker w = idleWorker();
        w.task = t;
        Worker me = ownerWorker;
        Task<?> saved = currentTask;
        boolean dropped = GilRuntime.beginBlocking();
        try {
            if (me == null) {
                w.returnHome = true;
                HOME_STATE.setVolatile(this, AWAY);
                w.give();
                waitHome();
            } else {
                w.returnTo = me;
                w.give();
                me.awaitBaton();
            }
        } finally {
            GilRuntime.endBlocking(dropped);
        }
        owner = Thread.currentThread();
        ownerWorker = me;
        currentTask = saved;
    }

    /**
     * Runs ready callbacks inline until a task must run, and returns the worker to give the baton
     * to; null when the baton should go home. `self` is the calling worker (null on the loop
     * thread); when `selfFree`, its own body has ended and it may take a new body itself.
     */
    Worker nextHolder(Worker self, boolean selfFree) {
        if (self != null) {
            if (self.returnHome) {
                self.returnHome = false;
                return null;
            }
            Worker r = self.returnTo;
            if (r != null) {
                self.returnTo = null;
                return r;
            }
        }
        for (;;) {
            if (batchLeft == 0 && !startBatch(self != null)) {
                return null;
            }
            Handle h = ready.poll();
            batchLeft--;
            if (h instanceof Task.StepHandle s) {
                Task<?> t = s.task;
                if (t.done()) {
                    continue;
                }
                Worker w = t.worker;
                if (w != null) {
                    return w;
                }
                if (selfFree) {
                    self.task = t;
                    return self;
                }
                w = idleWorker();
                w.task = t;
                return w;
            }
            if (!h.cancelled) {
                runCallback(h);
            }
        }
    }

    /** Starts the next batch of ready handles (Python's _run_once); false when the baton should go home. */
    private boolean startBatch(boolean away) {
        if (closing) {
            batchLeft = 0;
            return false;
        }
        if (away) {
            if (stopping || System.nanoTime() - awaySince > IO_INTERVAL_NANOS) {
                return false;
            }
        } else {
            if (homeBatchDone) {
                return false;
            }
            homeBatchDone = true;
        }
        moveDueTimers();
        batchLeft = ready.size();
        return batchLeft > 0;
    }

    private void moveDueTimers() {
        if (timers.isEmpty()) {
            return;
        }
        if (timerCancelledCount > 100 && timerCancelledCount * 2 > timers.size()) {
            List<TimerHandle> live = new ArrayList<>(timers.size());
            for (TimerHandle t : timers) {
                if (t.cancelled) {
                    t.scheduled = false;
                } else {
                    live.add(t);
                }
            }
            timers.clear();
            timers.addAll(live);
            timerCancelledCount = 0;
        }
        long now = System.nanoTime();
        TimerHandle t;
        while ((t = timers.peek()) != null && (t.cancelled || t.deadline - now <= 0)) {
            timers.poll();
            t.scheduled = false;
            if (t.cancelled) {
                timerCancelledCount--;
            } else {
                ready.add(t);
            }
        }
    }

    private void runCallback(Handle h) {
        if (debug) {
            runCallbackTimed(h);
            return;
        }
        try {
            h.run();
        } catch (Throwable e) {
            callExceptionHandler(context("Exception in callback " + h, e, "handle", h));
        }
    }

    private void runCallbackTimed(Handle h) {
        long start = System.nanoTime();
        try {
            h.run();
        } catch (Throwable e) {
            callExceptionHandler(context("Exception in callback " + h, e, "handle", h));
        }
        long took = System.nanoTime() - start;
        if (took > slowCallbackNanos) {
            slowSteps++;
            LOG.warn("Executing {} took {} seconds", h, String.format("%.3f", took / 1e9));
        }
    }

    private void stepEnded(Task<?> t) {
        long took = System.nanoTime() - stepStart;
        if (stepStart != 0 && took > slowCallbackNanos) {
            slowSteps++;
            LOG.warn("Executing a step of {} took {} seconds", t, String.format("%.3f", took / 1e9));
        }
    }

    void handOff(Worker next) {
        if (next == null) {
            goHome();
        } else {
            next.give();
        }
    }

    private void goHome() {
        int prev = (int) HOME_STATE.getAndSet(this, HOME);
        if (prev == AWAY_PARKED) {
            LockSupport.unpark(thread);
        }
    }

    /** The loop thread waits for the baton to come home: spins briefly, then parks. */
    private void waitHome() {
        long spinUntil = 0;
        for (int i = 0; ; i++) {
            if (home == HOME) {
                return;
            }
            if ((i & 63) == 63) {
                long now = System.nanoTime();
                if (spinUntil == 0) {
                    spinUntil = now + spinNanos;
                } else if (now - spinUntil > 0) {
                    break;
                }
            }
            Thread.onSpinWait();
        }
        if (HOME_STATE.compareAndSet(this, AWAY, AWAY_PARKED)) {
            boolean interrupted = false;
            while (home != HOME) {
                LockSupport.park(this);
                interrupted |= Thread.interrupted();
            }
            if (interrupted) {
                thread.interrupt();
            }
        }
    }

    private Worker idleWorker() {
        if (idleCount > 0) {
            Worker w = idleWorkers[--idleCount];
            idleWorkers[idleCount] = null;
            return w;
        }
        return new Worker(this);
    }

    /** Keeps `w` for a later body; false when it should end instead. */
    private boolean keepIdle(Worker w) {
        if (closing || idleCount == MAX_IDLE_WORKERS) {
            return false;
        }
        idleWorkers[idleCount++] = w;
        return true;
    }

    /** Worker `w`, which holds the baton, starts the body of `t`. */
    private void starting(Worker w, Task<?> t) {
        owner = w.thread;
        ownerWorker = w;
        currentTask = t;
        t.worker = w;
        if (debug) {
            stepStart = System.nanoTime();
        }
    }

    /** The body of `t` ended (its task is complete). */
    private void ended(Task<?> t) {
        if (debug) {
            stepEnded(t);
        }
        t.worker = null;
        currentTask = null;
        unlink(t);
    }

    // ---------------------------------------------------------------- the loop thread

    /**
     * Runs Netty's I/O and tasks: without blocking when {@code wait < 0}, else blocking until
     * something happens or {@code wait} ns pass ({@code 0}: no limit). On a virtual thread with
     * epoll, the blocking part is the idle waiter's park, never a native epoll_wait.
     */
    private void runNetty(long wait) {
        EpollIdle w = idleWaiter;
        if (w == null || wait < 0) {
            netty.run(wait);
            return;
        }
        long seen = w.events();                 // before looking for work: a wake-up after it is not lost
        if (netty.runNow() == 0 && ready.isEmpty() && !stopping && !closing) {
            w.await(wait, seen);
            netty.runNow();
        }
    }

    private void loopMain() {
        LOOP_THREADS.add(Thread.currentThread());
        GilRuntime.attach();
        try {
            while (true) {
                if (!running) {
                    if (closing) {
                        break;
                    }
                    boolean dropped = GilRuntime.beginBlocking();
                    try {
                        LockSupport.park(this);
                        Thread.interrupted();      // nothing interrupts the loop thread on purpose
                    } finally {
                        GilRuntime.endBlocking(dropped);
                    }
                    continue;
                }
                owner = thread;
                ownerWorker = null;
                runOnce();
                if (stopping) {
                    runHomeTasks();
                    stopping = false;
                    batchLeft = 0;
                    synchronized (idle) {
                        running = false;
                        idle.set();
                    }
                    continue;
                }
                long wait = ready.isEmpty() ? timerWait() : -1;
                boolean dropped = wait >= 0 && GilRuntime.beginBlocking();
                try {
                    runNetty(wait);
                } catch (Throwable e) {
                    LOG.error("error in the I/O loop of {}", this, e);
                } finally {
                    GilRuntime.endBlocking(dropped);
                }
            }
            destroyPending();
            closeResources();
            runHomeTasks();
        } finally {
            try {
                shutDownNetty();
            } finally {
                try {
                    if (idleWaiter != null) {
                        idleWaiter.close();
                    }
                } finally {
                    GilRuntime.detach();
                    LOOP_THREADS.remove(Thread.currentThread());
                }
            }
        }
    }

    /** One round of the loop thread: one batch, handing the baton to tasks as they come. */
    private void runOnce() {
        homeBatchDone = false;
        for (;;) {
            Worker w = nextHolder(null, false);
            if (w == null) {
                return;
            }
            awaySince = System.nanoTime();
            HOME_STATE.setVolatile(this, AWAY);
            boolean dropped = GilRuntime.beginBlocking();
            try {
                w.give();
                waitHome();
            } finally {
                GilRuntime.endBlocking(dropped);
            }
            owner = thread;
            ownerWorker = null;
            runHomeTasks();
            if (batchLeft == 0) {
                return;      // the workers ran the batch and more: poll I/O before the next
            }
        }
    }

    private long timerWait() {
        TimerHandle t;
        while ((t = timers.peek()) != null && t.cancelled) {
            timers.poll();
            t.scheduled = false;
            timerCancelledCount--;
        }
        if (t == null) {
            return 0;    // block until I/O or a task arrives
        }
        return Math.max(1, t.deadline - System.nanoTime());
    }

    private void destroyPending() {
        owner = thread;
        List<Task<?>> pending = new ArrayList<>();
        for (Task<?> t = taskHead; t != null; t = t.nextTask) {
            pending.add(t);
        }
        for (Task<?> t : pending) {
            if (t.worker != null && !t.done()) {
                LOG.warn("Task was destroyed but it is pending: {}", t);
                t.destroyed = true;
                HOME_STATE.setVolatile(this, AWAY);
                boolean dropped = GilRuntime.beginBlocking();
                try {
                    t.worker.give();
                    waitHome();
                } finally {
                    GilRuntime.endBlocking(dropped);
                }
                owner = thread;
                runHomeTasks();
            }
        }
        ready.clear();
        timers.clear();
        taskHead = null;
        while (idleCount > 0) {
            Worker w = idleWorkers[--idleCount];
            idleWorkers[idleCount] = null;
            w.task = null;
            w.give();
        }
    }

    private void shutDownNetty() {
        netty.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!netty.isTerminated() && System.nanoTime() - deadline < 0) {
            netty.run(-1);
        }
    }

    // ---------------------------------------------------------------- workers

    /** A virtual thread that runs task bodies of one loop, one after another. */
    static final class Worker implements Runnable {
        final EventLoop loop;
        Thread thread;
        volatile boolean go;             // the baton was handed to this worker
        Task<?> task;                    // the body to run next; null tells an idle worker to end
        Worker returnTo;                 // eager start: give the baton back to this worker
        boolean returnHome;              // eager start from the loop thread: give it back home

        Worker(EventLoop loop) {
            this.loop = loop;
        }

        void give() {
            Thread t = thread;
            if (t == null) {
                t = WORKERS.newThread(this);
                thread = t;
                go = true;
                t.start();
            } else {
                go = true;
                LockSupport.unpark(t);
            }
        }

        void awaitBaton() {
            boolean interrupted = false;
            while (!go) {
                LockSupport.park(this);
                interrupted |= Thread.interrupted();
            }
            go = false;
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void run() {
            boolean attached = GilRuntime.isEnabled();
            if (attached) {
                GilRuntime.attach();
            }
            try {
                awaitBaton();
                while (true) {
                    Task<?> t = task;
                    if (t == null) {
                        return;
                    }
                    if (!attached && GilRuntime.isEnabled()) {
                        GilRuntime.attach();     // GIL mode was turned on after this worker started
                        attached = true;
                    }
                    loop.starting(this, t);
                    try {
                        t.runBody();
                    } finally {
                        loop.ended(t);
                    }
                    task = null;
                    Thread.interrupted();    // an interrupt left by one body must not reach the next
                    Worker next = loop.nextHolder(this, true);
                    if (next == this) {
                        continue;
                    }
                    boolean keep = loop.keepIdle(this);
                    boolean dropped = GilRuntime.beginBlocking();
                    loop.handOff(next);
                    if (!keep) {
                        return;
                    }
                    awaitBaton();
                    GilRuntime.endBlocking(dropped);
                }
            } catch (Throwable e) {
                LOG.error("asyncio worker of {} failed; the loop may hang", loop, e);
            } finally {
                if (attached) {
                    GilRuntime.detach();
                }
            }
        }
    }
}
