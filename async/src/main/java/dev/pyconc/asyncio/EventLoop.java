package dev.pyconc.asyncio;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pyconc.contextvars.Context;
import dev.pyconc.core.internal.ContextSupport;
import dev.pyconc.core.internal.Timeouts;
import dev.pyconc.futures.Executor;
import dev.pyconc.futures.ThreadPoolExecutor;
import dev.pyconc.threading.Event;

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
 * {@link IllegalStateException}, and callbacks and task steps slower than
 * {@link #getSlowCallbackDuration()} are logged; a new loop starts in debug mode as the
 * environment says (see {@link #getDebug()}). In either mode, the exception of a future or
 * task that nobody retrieved ({@code result()}, {@code exception()}, {@code await()} or
 * {@code cancel()}) goes to the exception handler once the future is garbage collected, as
 * Python's {@code __del__} reports it.
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

    /** The system property that chooses the loop thread: {@code virtual} (default) or {@code platform}. */
    static final String LOOP_THREAD_PROPERTY = "pyconc.asyncio.loopThread";

    /**
     * The system property that sets the debug mode of new loops ({@code true} or {@code false}),
     * whatever the environment: Java's form of Python's {@code -X dev} and {@code -E}.
     */
    static final String DEBUG_PROPERTY = "pyconc.asyncio.debug";

    /** The loops whose thread was started and that are not closed: where current() looks. */
    private static volatile EventLoop[] live = new EventLoop[0];

    static {
        ContextSupport.setTaskContextLookup(EventLoop::currentTaskContext);
    }

    final LoopThread loopThread;                  // drives Netty; the baton's home
    final Dispatcher dispatcher;                  // the baton: ready queue, timers, tasks, workers
    private final ArrayDeque<Handle> ready;       // the dispatcher's ready queue (see the overview)
    private final Event idle = new Event();       // set while the loop is not running

    // Cross-thread state.
    private volatile boolean running;
    private volatile boolean closed;
    private volatile boolean threadStarted;
    private volatile boolean debug;               // the dispatcher's `debug`, copied (see the overview)

    // Guarded by the baton.
    int slowSteps;                                // debug: callbacks and task steps logged as slow
    private BiConsumer<EventLoop, Map<String, Object>> exceptionHandler;
    private Executor defaultExecutor;
    private TaskFactory taskFactory;
    private final LoopSignals signals = new LoopSignals(this);   // the handlers of addSignalHandler

    /*
     * Overview.
     *
     * An EventLoop is three objects, one per job. This class is Python's loop API: running and
     * stopping, callbacks and timers, futures and tasks, executors, the exception handler and
     * debug mode; it checks the calls and hands the work on. The Dispatcher is the baton and its
     * passing: the ready queue and the timers taken in batches, the next holder, the workers that
     * run task bodies and the suspension of a task (Task.suspend reaches it through its worker).
     * The LoopThread is the loop's own thread, the baton's home: it drives Netty between batches,
     * runs the channel work of task bodies, and on close destroys the pending tasks and shuts
     * Netty down. Each of the two has an overview of its own.
     *
     * Every piece of state marked "guarded by the baton" (here and in the other two) is touched
     * only by the thread holding it; a hand-off of the baton is a volatile write read by the next
     * holder, so those fields are plain.
     *
     * The hottest calls of the API (callSoon, the wake-ups of futures, the test of debug mode in
     * every non-thread-safe call) read no field of the Dispatcher outside debug mode: `ready` is
     * the Dispatcher's ready queue, referenced here too, and `debug` is a copy of the
     * Dispatcher's flag that setDebug writes with it. So the split added no load to them.
     *
     * Running: runForever sets `running` under the lock of `idle`, starts the loop thread the
     * first time (later, unparks it) and waits for `idle`; the loop thread clears `running` and
     * sets `idle` (runEnded) when it stops at a stop(). A stop() from a foreign thread, and
     * callSoonThreadsafe, go through LoopThread.execute (Netty's task queue, which wakes the loop
     * thread); before the loop thread first starts, callSoonThreadsafe adds to the ready queue
     * itself, under the lock of `idle`.
     *
     * Who runs which loop: the Dispatcher's `owner` (plain, written only by the thread that takes
     * the baton) is the holder; current() scans the registered loops (`live`, copy-on-write,
     * usually one) for the one whose owner is the calling thread. No ThreadLocal or scoped binding
     * per worker, so a parked task keeps no extra frames or maps.
     *
     * Closing: close() sets the Dispatcher's `closing`, wakes the loop thread and waits for it to
     * end (it destroys the pending tasks and shuts Netty down), then shuts the default executor
     * down.
     */

    EventLoop() {
        loopThread = new LoopThread(this);
        dispatcher = new Dispatcher(this, loopThread);
        ready = dispatcher.ready;
        idle.set();
        if (debugModeDefault()) {
            setDebug(true);
        }
    }

    /**
     * The debug mode a new loop starts in (Python's {@code coroutines._is_debug_mode()}): the
     * system property {@value #DEBUG_PROPERTY} when set, else whether the environment variable
     * {@code PYTHONASYNCIODEBUG} is not empty.
     *
     * @throws IllegalArgumentException if the property is neither true nor false
     */
    static boolean debugModeDefault() {
        String p = System.getProperty(DEBUG_PROPERTY);
        if (p != null && !p.isBlank()) {
            return switch (p.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "true", "1", "on", "yes" -> true;
                case "false", "0", "off", "no" -> false;
                default -> throw new IllegalArgumentException(DEBUG_PROPERTY + " must be true or false (1/0, on/off, yes/no), not '" + p + "'");
            };
        }
        String env = System.getenv("PYTHONASYNCIODEBUG");
        return env != null && !env.isEmpty();
    }

    /** The names of the loop threads still alive, virtual or not (for the tests' leak checks). */
    static List<String> aliveLoopThreads() {
        return LoopThread.aliveLoopThreads();
    }

    /** Whether this loop's thread runs (tests check that close() waits for its end). */
    boolean loopThreadAlive() {
        return loopThread.thread.isAlive();
    }

    /** Whether this loop's thread is virtual. */
    boolean hasVirtualThread() {
        return loopThread.virtual;
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
            if (l.dispatcher.owner == me) {
                return l;
            }
        }
        return null;
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
        Dispatcher d = cur.dispatcher;
        Task<?> t = d.currentTask;
        if (t == null || d.owner != Thread.currentThread()) {
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

    /**
     * The context of the task whose body runs in the calling thread, or null: how
     * {@code ContextVar.get()} and {@code set()} find a task's context (see Task's overview).
     */
    private static Context currentTaskContext() {
        EventLoop cur = current();
        if (cur == null) {
            return null;
        }
        Dispatcher d = cur.dispatcher;
        if (d.owner != Thread.currentThread()) {
            return null;
        }
        Task<?> t = d.currentTask;
        if (t != null) {
            return t.bodyContext();
        }
        // A task's worker dispatching callbacks between bodies: a context of the moment, so that no
        // base context is left on a thread whose next body must see its task's context.
        return d.ownerIsWorker() ? new Context() : null;
    }

    /** The current task of the current thread's loop, or null in a callback. */
    static Task<?> currentTaskOf(EventLoop loop) {
        Dispatcher d = loop.dispatcher;
        return d.owner == Thread.currentThread() ? d.currentTask : null;
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

    /** The loop thread stopped at a stop(): runForever returns. */
    void runEnded() {
        synchronized (idle) {
            running = false;
            idle.set();
        }
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
            loopThread.start();
        } else {
            loopThread.unpark();
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
            dispatcher.stopping = true;
        } else {
            try {
                loopThread.execute(() -> dispatcher.stopping = true);
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
     * {@link CancelledError} so that they unwind, and each is reported to the exception handler as
     * "Task was destroyed but it is pending!" with the {@code "task"}, as Python reports a pending
     * task it collects), the loop's thread ends and the default executor is shut down
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
        dispatcher.closing = true;
        if (!threadStarted) {
            threadStarted = true;
            loopThread.start();       // it only shuts Netty down and ends
        }
        signals.removeAll();
        loopThread.unpark();
        loopThread.wakeIdle();
        loopThread.awaitEnd();
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

    // ---------------------------------------------------------------- signals

    /**
     * Calls {@code callback} on this loop each time the process receives Unix signal {@code sig}
     * (Python's {@code add_signal_handler(sig, callback)}): the JDK's signal thread posts it with
     * {@link #callSoonThreadsafe}, so it runs on the loop like any callback, and an exception from
     * it goes to the exception handler. Adding again for the same signal replaces the callback.
     * The handler the signal had before (for SIGINT, SIGTERM and SIGHUP the JVM's, which runs the
     * shutdown hooks and exits) is put back by {@link #removeSignalHandler} and by {@link #close()}.
     * The signal numbers are the platform's; {@link Process#SIGTERM}, {@link Process#SIGINT},
     * {@link Process#SIGHUP}, {@link Process#SIGUSR1} and {@link Process#SIGUSR2} name Linux's.
     *
     * <pre> {@code
     * loop.addSignalHandler(Process.SIGTERM, () -> stopping.set());
     * }</pre>
     *
     * <p>Needs the JDK's module {@code jdk.unsupported} ({@code sun.misc.Signal}), which every JDK
     * has. Signals the JVM keeps for itself cannot be caught, as Python cannot catch SIGKILL.
     *
     * @throws IllegalArgumentException if {@code sig} is not a signal of this platform
     * @throws IllegalStateException if {@code sig} cannot be caught in a JVM (SIGKILL and SIGSTOP;
     *         SIGSEGV, SIGILL, SIGFPE, SIGBUS, SIGPIPE, SIGXFSZ and SIGQUIT, which HotSpot handles;
     *         SIGUSR2 on Linux, HotSpot's thread suspend/resume signal), naming the signal and
     *         the reason, or if the loop is closed
     */
    public void addSignalHandler(int sig, Runnable callback) {
        checkCallback(callback);
        checkClosed();
        checkThread("addSignalHandler");
        signals.add(sig, callback);
    }

    /**
     * Removes the handler {@link #addSignalHandler} installed for {@code sig} and puts back the
     * one it replaced (Python's {@code remove_signal_handler}).
     *
     * @return whether a handler was installed
     * @throws IllegalArgumentException if {@code sig} is not a signal of this platform
     */
    public boolean removeSignalHandler(int sig) {
        checkThread("removeSignalHandler");
        return signals.remove(sig);
    }

    // ---------------------------------------------------------------- subprocesses and pipes with protocols

    /**
     * Runs {@code args} (the program and its arguments, without a shell) with its stdin, stdout
     * and stderr piped, and the protocol {@code protocolFactory} makes: Python's
     * {@code loop.subprocess_exec(protocol_factory, *args)}, whose streams default to PIPE. The
     * protocol's calls come in Python's order: {@code connectionMade(transport)}, then
     * {@code pipeDataReceived(fd, data)} and {@code pipeConnectionLost(fd, exc)} for each pipe and
     * {@code processExited()} as they happen, then {@code connectionLost(null)} once the child has
     * exited and every pipe is closed. For other streams, a working directory or an environment,
     * use {@link Subprocess#exec(String...)}'s builder and its
     * {@link Subprocess.Builder#start(Supplier)}.
     *
     * <pre> {@code
     * var tp = loop.subprocessExec(Collect::new, "ls", "-l");
     * ((WriteTransport) tp.transport().getPipeTransport(0)).close();
     * }</pre>
     *
     * <p>Call it from a task body or callback of this loop; from a task body it returns once
     * {@code connectionMade} has run (Python awaits it), and a cancellation meanwhile kills the
     * child. The transport's {@code close()} kills a child still running, as Python's.
     *
     * @throws IllegalArgumentException if there is no argument or one is null
     * @throws java.io.UncheckedIOException if the child cannot be started
     */
    public <P extends SubprocessProtocol> TransportProtocol<SubprocessTransport, P> subprocessExec(Supplier<P> protocolFactory, String... args) {
        return subprocess(protocolFactory, piped(Subprocess.exec(args)));
    }

    /** As {@link #subprocessExec(Supplier, String...)}. */
    public <P extends SubprocessProtocol> TransportProtocol<SubprocessTransport, P> subprocessExec(Supplier<P> protocolFactory, List<String> args) {
        return subprocess(protocolFactory, piped(Subprocess.exec(args)));
    }

    /**
     * As {@link #subprocessExec(Supplier, String...)} for {@code cmd} run by {@code /bin/sh -c}:
     * Python's {@code loop.subprocess_shell(protocol_factory, cmd)}. The shell interprets it, so
     * never build it from untrusted input.
     */
    public <P extends SubprocessProtocol> TransportProtocol<SubprocessTransport, P> subprocessShell(Supplier<P> protocolFactory, String cmd) {
        return subprocess(protocolFactory, piped(Subprocess.shell(cmd)));
    }

    private static Subprocess.Builder piped(Subprocess.Builder b) {
        return b.stdin(Subprocess.PIPE).stdout(Subprocess.PIPE).stderr(Subprocess.PIPE);
    }

    <P extends SubprocessProtocol> TransportProtocol<SubprocessTransport, P> subprocess(Supplier<P> protocolFactory, Subprocess.Builder b) {
        return connected(protocolFactory, p -> ProcessTransport.start(this, p, b));
    }

    /**
     * What the pipe and subprocess methods share: the protocol from the factory, the transport
     * that {@code start} makes for it, then the wait for {@code connectionMade} (settle).
     */
    private <P extends BaseProtocol, T extends BaseTransport> TransportProtocol<T, P> connected(Supplier<P> protocolFactory,
            java.util.function.Function<P, ? extends T> start) {
        P protocol = made(protocolFactory);
        T t = start.apply(protocol);
        settle(t);
        return new TransportProtocol<>(t, protocol);
    }

    /**
     * Hands the reading end of a pipe to the loop (Python's {@code loop.connect_read_pipe}): a
     * virtual thread reads {@code pipe} and the protocol's {@code dataReceived} gets each chunk
     * on the loop; at the end of the pipe {@code eofReceived} and {@code connectionLost(null)}
     * follow. The transport's {@code pauseReading} stops the reads (the writer then blocks once
     * the pipe is full); {@code close()} closes the pipe. Reads are blocking, so the stream may be
     * any {@code InputStream}: a {@link java.nio.channels.Pipe.SourceChannel} through
     * {@link #connectReadPipe(Supplier, java.nio.channels.ReadableByteChannel)}, a FIFO opened with
     * {@code FileInputStream}, a child's {@code getInputStream()}. A read in progress on a stream
     * that closing does not interrupt (a {@code FileInputStream} of a FIFO) ends when the writer
     * closes its end. The {@code "pipe"} extra info is {@code pipe}.
     *
     * <pre> {@code
     * var p = java.nio.channels.Pipe.open();
     * var tp = loop.connectReadPipe(Lines::new, p.source());
     * }</pre>
     *
     * <p>Call it from a task body or callback of this loop; from a task body it returns once
     * {@code connectionMade} has run.
     */
    public <P extends Protocol> TransportProtocol<ReadTransport, P> connectReadPipe(Supplier<P> protocolFactory, java.io.InputStream pipe) {
        if (pipe == null) {
            throw new IllegalArgumentException("pipe must not be null");
        }
        return connected(protocolFactory, p -> ReadPipeTransport.start(this, p, pipe, pipe, pipe, "pipe"));
    }

    /**
     * As {@link #connectReadPipe(Supplier, java.io.InputStream)} for a channel (a
     * {@link java.nio.channels.Pipe.SourceChannel}, a FIFO's {@link java.nio.channels.FileChannel}),
     * read in blocking mode: a selectable channel in non-blocking mode is put back in blocking
     * mode. Closing the transport closes the channel, which ends a read in progress at once.
     *
     * @throws IllegalArgumentException if the channel is registered with a selector in non-blocking mode
     */
    public <P extends Protocol> TransportProtocol<ReadTransport, P> connectReadPipe(Supplier<P> protocolFactory, java.nio.channels.ReadableByteChannel pipe) {
        blocking(pipe);
        return connected(protocolFactory,
                p -> ReadPipeTransport.start(this, p, pipe, pipe, java.nio.channels.Channels.newInputStream(pipe), "pipe"));
    }

    /**
     * Hands the writing end of a pipe to the loop (Python's {@code loop.connect_write_pipe}):
     * the transport's writes are queued and a virtual thread writes them to {@code pipe}; above
     * the high-water mark (64 KiB) the protocol's {@code pauseWriting} is called, and
     * {@code resumeWriting} once the queue is down to the low-water mark. {@code close()} and
     * {@code writeEof()} write what is queued, close the pipe and call
     * {@code connectionLost(null)}; a failed write loses the pipe with
     * {@link dev.pyconc.builtins.BrokenPipeError}. A protocol that is a {@link Protocol} gets
     * {@code connectionMade(transport)}. The {@code "pipe"} extra info is {@code pipe}.
     *
     * <p>Call it from a task body or callback of this loop; from a task body it returns once
     * {@code connectionMade} has run.
     */
    public <P extends BaseProtocol> TransportProtocol<WriteTransport, P> connectWritePipe(Supplier<P> protocolFactory, java.io.OutputStream pipe) {
        if (pipe == null) {
            throw new IllegalArgumentException("pipe must not be null");
        }
        return connected(protocolFactory, p -> WritePipeTransport.start(this, p, pipe, pipe, pipe, "pipe"));
    }

    /**
     * As {@link #connectWritePipe(Supplier, java.io.OutputStream)} for a channel (a
     * {@link java.nio.channels.Pipe.SinkChannel}, a FIFO's {@link java.nio.channels.FileChannel}),
     * written in blocking mode.
     *
     * @throws IllegalArgumentException if the channel is registered with a selector in non-blocking mode
     */
    public <P extends BaseProtocol> TransportProtocol<WriteTransport, P> connectWritePipe(Supplier<P> protocolFactory, java.nio.channels.WritableByteChannel pipe) {
        blocking(pipe);
        return connected(protocolFactory,
                p -> WritePipeTransport.start(this, p, pipe, pipe, java.nio.channels.Channels.newOutputStream(pipe), "pipe"));
    }

    private static void blocking(java.nio.channels.Channel pipe) {
        if (pipe == null) {
            throw new IllegalArgumentException("pipe must not be null");
        }
        if (pipe instanceof java.nio.channels.SelectableChannel sc && !sc.isBlocking()) {
            try {
                sc.configureBlocking(true);
            } catch (java.nio.channels.IllegalBlockingModeException | java.io.IOException e) {
                throw new IllegalArgumentException("the pipe must be usable in blocking mode: " + e, e);
            }
        }
    }

    /** The protocol {@code factory} makes; the caller must be on this loop. */
    private <P> P made(Supplier<P> factory) {
        Connections.checkFactory(factory);
        checkClosed();
        if (current() != this) {
            throw new IllegalStateException("call this from a task body or callback of " + this);
        }
        return Connections.make(factory);
    }

    /** From a task body: waits until the transport's connectionMade (scheduled already) has run; a cancellation closes it. */
    private void settle(BaseTransport t) {
        if (currentTaskOf(this) == null) {
            return;
        }
        Future<Void> made = createFuture();
        callSoon(() -> {
            if (!made.done()) {
                made.setResult(null);
            }
        });
        try {
            made.await();
        } catch (CancelledError e) {
            t.close();
            throw e;
        }
    }

    // ---------------------------------------------------------------- callbacks and timers

    /**
     * Schedules {@code callback} to run soon, after the callbacks already scheduled (Python's
     * {@code call_soon}). Not thread-safe: see {@link #callSoonThreadsafe}.
     */
    public Handle callSoon(Runnable callback) {
        return callSoon(callback, null);
    }

    /**
     * As {@link #callSoon(Runnable)}; the callback runs in {@code context} (Python's
     * {@code call_soon(callback, context=ctx)}), or, when it is null, in a copy of the current
     * context.
     */
    public Handle callSoon(Runnable callback, Context context) {
        checkCallback(callback);
        checkThread("callSoon");
        Handle h = new Handle(callback, context);
        ready.add(h);
        return h;
    }

    /** As {@link #callSoon}, from any thread; wakes the loop if it waits for I/O. Thread-safe. */
    public Handle callSoonThreadsafe(Runnable callback) {
        return callSoonThreadsafe(callback, null);
    }

    /**
     * As {@link #callSoonThreadsafe(Runnable)}; the callback runs in {@code context}, or, when it
     * is null, in a copy of the calling thread's current context. Thread-safe.
     */
    public Handle callSoonThreadsafe(Runnable callback, Context context) {
        checkCallback(callback);
        checkClosed();
        Handle h = new Handle(callback, context);
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
            loopThread.execute(() -> dispatcher.pushReady(h));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new IllegalStateException("Event loop is closed");
        }
        return h;
    }

    /** Schedules {@code callback} to run once {@code delay} has passed (Python's {@code call_later}). */
    public TimerHandle callLater(Duration delay, Runnable callback) {
        return callLater(delay, callback, null);
    }

    /**
     * As {@link #callLater(Duration, Runnable)}; the callback runs in {@code context}, or, when it
     * is null, in a copy of the current context.
     */
    public TimerHandle callLater(Duration delay, Runnable callback, Context context) {
        long nanos = Timeouts.toNanos(delay, "delay");
        checkCallback(callback);
        checkThread("callLater");
        return withContext(schedule(Timeouts.deadline(nanos), callback), context);
    }

    /**
     * Schedules {@code callback} to run at {@code when}, a point in the loop's {@link #time()}
     * (Python's {@code call_at}).
     */
    public TimerHandle callAt(double when, Runnable callback) {
        return callAt(when, callback, null);
    }

    /**
     * As {@link #callAt(double, Runnable)}; the callback runs in {@code context}, or, when it is
     * null, in a copy of the current context.
     */
    public TimerHandle callAt(double when, Runnable callback, Context context) {
        checkCallback(callback);
        checkThread("callAt");
        if (Double.isNaN(when)) {
            throw new IllegalArgumentException("when must be a number, not NaN");
        }
        return withContext(schedule(toNanoTime(when), when, callback), context);
    }

    /** A user's timer runs in `context`, or in a copy of the current context. */
    private static TimerHandle withContext(TimerHandle h, Context context) {
        h.context = context != null ? context : Handle.captured();
        return h;
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
        return dispatcher.addTimer(deadline, when, callback);
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
        return createTask(body, name, (Context) null);
    }

    /**
     * Schedules {@code body} as a task named {@code name} (null: a generated name) whose body runs
     * in {@code context} (Python's {@code create_task(coro, name=name, context=ctx)}); when
     * {@code context} is null, in a copy of the current context, as every task does. Through the
     * task factory if one is set.
     */
    public <T> Task<T> createTask(Callable<T> body, String name, Context context) {
        checkClosed();
        TaskFactory factory = taskFactory;
        if (factory != null) {
            return factory.create(this, body, name, context);
        }
        return createTask(body, name, false, context);
    }

    /** Schedules {@code body}, which returns nothing, as a task named {@code name} running in {@code context}. */
    public Task<Void> createTask(Runnable body, String name, Context context) {
        return createTask(new Task.RunnableBody<Void>(body), name, context);
    }

    /**
     * Creates a task of {@code body}; with {@code eagerStart} (Python 3.12's eager tasks), when
     * called from a task or callback of this running loop, the body starts at once, before this
     * call returns, and runs until its first suspension; a body that finishes without suspending
     * is never scheduled at all.
     */
    public <T> Task<T> createTask(Callable<T> body, String name, boolean eagerStart) {
        return createTask(body, name, eagerStart, null);
    }

    /**
     * As {@link #createTask(Callable, String, boolean)}, the body running in {@code context}, or,
     * when it is null, in a copy of the current context.
     */
    public <T> Task<T> createTask(Callable<T> body, String name, boolean eagerStart, Context context) {
        checkClosed();
        checkThread("createTask");
        Task<T> t = new Task<>(this, body, name);
        t.context = context != null ? context : Task.capturedContext();
        Dispatcher d = dispatcher;
        d.link(t);
        if (eagerStart && running && d.owner == Thread.currentThread()) {
            d.startEagerly(t);
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
        shutdownDefaultExecutor(-1);
    }

    /**
     * As {@link #shutdownDefaultExecutor()}, waiting at most {@code timeout} (Python 3.12's
     * {@code shutdown_default_executor(timeout)}): if its calls are not done by then, a warning is
     * logged and the executor is shut down without waiting, and this call returns.
     *
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public void shutdownDefaultExecutor(Duration timeout) {
        shutdownDefaultExecutor(Timeouts.toNanos(timeout, "timeout"));
    }

    private void shutdownDefaultExecutor(long timeoutNanos) {
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
            if (timeoutNanos < 0) {
                done.await();
                return;
            }
            try {
                Asyncio.waitFor(done, Duration.ofNanos(timeoutNanos));
            } catch (dev.pyconc.builtins.TimeoutError timedOut) {
                LOG.warn("The executor did not finish joining its threads within {} seconds.", timeoutNanos / 1e9);
                e.shutdown(false);
            }
        }
    }

    // ---------------------------------------------------------------- datagrams, sockets, names

    SockOps sockOps;                              // guarded by the baton; made at the first sock*() wait

    /**
     * Opens a UDP endpoint bound to {@code localAddr} and/or connected to {@code remoteAddr} (Python's
     * {@code create_datagram_endpoint(protocol_factory, local_addr, remote_addr)}); call from a task
     * body, which suspends until the endpoint is ready and {@code connectionMade} has run. Either
     * address may be null (not both); an unresolved address is resolved with {@link #getaddrinfo}.
     * The endpoint is a Netty datagram channel of this loop; its transport's extra info has
     * {@code "sockname"}, {@code "peername"} (connected endpoints) and {@code "socket"} (the Netty
     * {@code DatagramChannel}).
     *
     * <pre> {@code
     * var server = loop.createDatagramEndpoint(EchoUdp::new, new InetSocketAddress("127.0.0.1", 9999), null);
     * var client = loop.createDatagramEndpoint(Client::new, null, new InetSocketAddress("127.0.0.1", 9999));
     * client.transport().sendto("ping".getBytes(StandardCharsets.US_ASCII));
     * }</pre>
     *
     * @throws IllegalArgumentException as Python's ValueError: no address and no family, no pair of
     *         addresses of one family ("can not get address information"), reuse_port unsupported
     * @throws dev.pyconc.builtins.OSError if the socket cannot be bound or connected, or a name not resolved
     */
    public <P extends DatagramProtocol> TransportProtocol<DatagramTransport, P> createDatagramEndpoint(
            java.util.function.Supplier<? extends P> protocolFactory, java.net.SocketAddress localAddr,
            java.net.SocketAddress remoteAddr) {
        return createDatagramEndpoint(protocolFactory, localAddr, remoteAddr, DatagramOptions.DEFAULT);
    }

    /**
     * As {@link #createDatagramEndpoint(java.util.function.Supplier, java.net.SocketAddress, java.net.SocketAddress)},
     * with Python's keyword arguments {@code family}, {@code reuse_port} and {@code allow_broadcast}
     * ({@link DatagramOptions}; null for the defaults). With {@code family} and no address, the
     * endpoint is bound to the family's wildcard address on a port the system chooses.
     */
    public <P extends DatagramProtocol> TransportProtocol<DatagramTransport, P> createDatagramEndpoint(
            java.util.function.Supplier<? extends P> protocolFactory, java.net.SocketAddress localAddr,
            java.net.SocketAddress remoteAddr, DatagramOptions options) {
        awaitingTask(this);
        return DatagramEndpoints.create(protocolFactory, localAddr, remoteAddr, options);
    }

    /**
     * Python's {@code socket.getaddrinfo(host, port)} run in the default executor (Python's
     * {@code loop.getaddrinfo}); call from a task body. See {@link AddrInfo} for the fields and
     * what Java cannot give.
     */
    public List<AddrInfo> getaddrinfo(String host, int port) {
        return getaddrinfo(host, port, null, 0, 0, 0);
    }

    /**
     * {@code loop.getaddrinfo(host, port, family=, type=, proto=, flags=)}: {@code family} is INET,
     * INET6 or null ({@code AF_UNSPEC}); {@code type}, {@code proto} and {@code flags} take
     * {@link AddrInfo}'s constants, 0 for any.
     *
     * @throws dev.pyconc.builtins.OSError with Python's gaierror message when the name is unknown
     */
    public List<AddrInfo> getaddrinfo(String host, int port, java.net.ProtocolFamily family, int type, int proto, int flags) {
        awaitingTask(this);
        return runInExecutor(null, () -> AddrInfo.getaddrinfo(host, port, family, type, proto, flags)).await();
    }

    /** Python's {@code loop.getnameinfo(sockaddr)}: {@link #getnameinfo(java.net.SocketAddress, int)} with no flags. */
    public AddrInfo.NameInfo getnameinfo(java.net.SocketAddress sockaddr) {
        return getnameinfo(sockaddr, 0);
    }

    /**
     * Python's {@code socket.getnameinfo(sockaddr, flags)} run in the default executor (Python's
     * {@code loop.getnameinfo}); call from a task body. {@code flags} takes {@link AddrInfo}'s
     * {@code NI_*} constants.
     */
    public AddrInfo.NameInfo getnameinfo(java.net.SocketAddress sockaddr, int flags) {
        awaitingTask(this);
        return runInExecutor(null, () -> AddrInfo.getnameinfo(sockaddr, flags)).await();
    }

    /**
     * The {@code (data, address)} pair of {@link #sockRecvfrom}.
     *
     * <p>Memory consistency effects: none; a record is immutable.
     *
     * @param data    the datagram, cut to the size asked for
     * @param address its sender
     */
    public record RecvfromResult(byte[] data, java.net.SocketAddress address) {
    }

    /**
     * The {@code (nbytes, address)} pair of {@link #sockRecvfromInto}.
     *
     * <p>Memory consistency effects: none; a record is immutable.
     *
     * @param nbytes  how many bytes were put into the buffer
     * @param address the datagram's sender
     */
    public record RecvfromIntoResult(int nbytes, java.net.SocketAddress address) {
    }

    /**
     * The {@code (conn, address)} pair of {@link #sockAccept}.
     *
     * <p>Memory consistency effects: none; a record is immutable.
     *
     * @param conn    the accepted connection, non-blocking
     * @param address its peer's address
     */
    public record Accepted(java.nio.channels.SocketChannel conn, java.net.SocketAddress address) {
    }

    /**
     * Receives up to {@code nbytes} from {@code sock} (Python's {@code loop.sock_recv}); an empty
     * array at the end of the stream. Call from a task body: it suspends until data comes. Like
     * every {@code sock*} method, it takes a non-blocking JDK channel
     * ({@code configureBlocking(false)}, as Python requires a non-blocking socket) and cancelling
     * the task stops the wait.
     *
     * <pre> {@code
     * SocketChannel ch = SocketChannel.open();
     * ch.configureBlocking(false);
     * loop.sockConnect(ch, new InetSocketAddress("127.0.0.1", 8888));
     * loop.sockSendall(ch, "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
     * byte[] reply = loop.sockRecv(ch, 1024);
     * }</pre>
     *
     * @throws IllegalArgumentException "the socket must be non-blocking" for a blocking channel
     */
    public <C extends java.nio.channels.SelectableChannel & java.nio.channels.ReadableByteChannel> byte[] sockRecv(C sock, int nbytes) {
        awaitingTask(this);
        return SockOps.of(this).recv(sock, nbytes);
    }

    /** Receives into {@code buf}'s remaining space and returns the count (Python's {@code loop.sock_recv_into}); 0 at the end of the stream. */
    public <C extends java.nio.channels.SelectableChannel & java.nio.channels.ReadableByteChannel> int sockRecvInto(C sock, java.nio.ByteBuffer buf) {
        awaitingTask(this);
        return SockOps.of(this).recvInto(sock, buf);
    }

    /** Receives one datagram of up to {@code bufsize} bytes, and its sender (Python's {@code loop.sock_recvfrom}). */
    public RecvfromResult sockRecvfrom(java.nio.channels.DatagramChannel sock, int bufsize) {
        awaitingTask(this);
        return SockOps.of(this).recvfrom(sock, bufsize);
    }

    /** Receives one datagram into {@code buf}'s remaining space (Python's {@code loop.sock_recvfrom_into}); a longer one is cut. */
    public RecvfromIntoResult sockRecvfromInto(java.nio.channels.DatagramChannel sock, java.nio.ByteBuffer buf) {
        awaitingTask(this);
        return SockOps.of(this).recvfromInto(sock, buf);
    }

    /** Sends all of {@code data}, suspending while the socket's buffer is full (Python's {@code loop.sock_sendall}). */
    public <C extends java.nio.channels.SelectableChannel & java.nio.channels.WritableByteChannel> void sockSendall(C sock, byte[] data) {
        awaitingTask(this);
        SockOps.of(this).sendall(sock, data);
    }

    /** Sends one datagram to {@code address} and returns the bytes sent (Python's {@code loop.sock_sendto}). */
    public int sockSendto(java.nio.channels.DatagramChannel sock, byte[] data, java.net.SocketAddress address) {
        awaitingTask(this);
        return SockOps.of(this).sendto(sock, data, address);
    }

    /**
     * Connects {@code sock} to {@code address}, resolving a name with {@link #getaddrinfo} first
     * (Python's {@code loop.sock_connect}).
     *
     * @throws dev.pyconc.builtins.ConnectionRefusedError if nothing listens there
     */
    public void sockConnect(java.nio.channels.SocketChannel sock, java.net.SocketAddress address) {
        awaitingTask(this);
        SockOps.of(this).connect(sock, address);
    }

    /** Connects a datagram channel: its sends go to {@code address}, and only its datagrams are received (Python's {@code loop.sock_connect} on UDP). */
    public void sockConnect(java.nio.channels.DatagramChannel sock, java.net.SocketAddress address) {
        awaitingTask(this);
        SockOps.of(this).connect(sock, address);
    }

    /** Accepts a connection (Python's {@code loop.sock_accept}): the new channel, non-blocking, and its peer's address. */
    public Accepted sockAccept(java.nio.channels.ServerSocketChannel sock) {
        awaitingTask(this);
        return SockOps.of(this).accept(sock);
    }

    /**
     * Sends the whole of {@code file} from its start with the kernel's zero-copy transfer
     * ({@code FileChannel.transferTo}, sendfile(2) on Linux) and returns the bytes sent (Python's
     * {@code loop.sock_sendfile(sock, file)}); the file's position is left after what was sent.
     */
    public long sockSendfile(java.nio.channels.SocketChannel sock, java.nio.channels.FileChannel file) {
        return sockSendfile(sock, file, 0, -1);
    }

    /**
     * Python's {@code loop.sock_sendfile(sock, file, offset, count)}: {@code count} bytes from
     * {@code offset} (-1: to the end, Python's {@code count=None}).
     *
     * @throws IllegalArgumentException if {@code offset} is negative or {@code count} is 0 or below -1
     */
    public long sockSendfile(java.nio.channels.SocketChannel sock, java.nio.channels.FileChannel file, long offset, long count) {
        awaitingTask(this);
        return SockOps.of(this).sendfile(sock, file, offset, count);
    }

    // ---------------------------------------------------------------- connections, servers and sendfile

    /**
     * Connects to {@code host}:{@code port} over TCP and returns the transport and the protocol that
     * {@code protocolFactory} made for it (Python's {@code loop.create_connection}). The protocol's
     * {@code connectionMade} has run when this returns. A host name is resolved in the default
     * executor and each of its addresses is tried in turn. Must be called from a task body of this
     * loop; the task waits, the loop goes on.
     *
     * <pre> {@code
     * var tp = loop.createConnection(LineClient::new, "127.0.0.1", 8888);
     * tp.transport().write("hello\n".getBytes(StandardCharsets.US_ASCII));
     * }</pre>
     *
     * @param protocolFactory makes the connection's {@link Protocol} or {@link BufferedProtocol}
     * @throws IllegalArgumentException if the factory makes anything else, or {@code host} is null
     *         or empty, or {@code port} is not in 0..65535
     * @throws dev.pyconc.builtins.ConnectionRefusedError if nothing listens there
     * @throws java.io.UncheckedIOException for other failures (an unknown host, no route, ...)
     */
    public <P extends BaseProtocol> TransportProtocol<Transport, P> createConnection(java.util.function.Supplier<P> protocolFactory,
            String host, int port) {
        checkRunningHere("createConnection");
        return Connections.createConnection(protocolFactory, host, port, null);
    }

    /**
     * As {@link #createConnection(java.util.function.Supplier, String, int)}, binding the socket to
     * {@code localAddr} first (Python's {@code local_addr=(host, port)}).
     */
    public <P extends BaseProtocol> TransportProtocol<Transport, P> createConnection(java.util.function.Supplier<P> protocolFactory,
            String host, int port, java.net.InetSocketAddress localAddr) {
        checkRunningHere("createConnection");
        return Connections.createConnection(protocolFactory, host, port, localAddr);
    }

    /**
     * Listens on {@code host}:{@code port} and gives each accepted connection a protocol made by
     * {@code protocolFactory} and a {@link Transport} (Python's {@code loop.create_server}); it
     * accepts at once. {@code host} {@code ""} listens on every interface, a name on each of its
     * addresses; port 0 picks a free port (see {@link Server#sockets()}). Must be called from a
     * task body of this loop.
     *
     * @throws IllegalArgumentException if {@code protocolFactory} or {@code host} is null or
     *         {@code port} is not in 0..65535; a factory that makes something other than a
     *         {@link Protocol} or {@link BufferedProtocol} is reported to the exception handler
     *         for each connection, which is closed
     * @throws java.io.UncheckedIOException if an address cannot be bound (in use, ...)
     */
    public Server createServer(java.util.function.Supplier<? extends BaseProtocol> protocolFactory, String host, int port) {
        return createServer(protocolFactory, host, port, Connections.DEFAULT_BACKLOG, true);
    }

    /**
     * As {@link #createServer(java.util.function.Supplier, String, int)}, with the listen
     * {@code backlog} (Python's default 100) and {@code startServing} (false: listening, not
     * accepting until {@link Server#startServing()} or {@link Server#serveForever()}).
     */
    public Server createServer(java.util.function.Supplier<? extends BaseProtocol> protocolFactory, String host, int port, int backlog,
            boolean startServing) {
        checkRunningHere("createServer");
        return Connections.createServer(protocolFactory, host, port, backlog, startServing);
    }

    /**
     * Connects to the Unix domain socket at {@code path} (Python's
     * {@code loop.create_unix_connection}); as {@link #createConnection(java.util.function.Supplier, String, int)}
     * otherwise. The transport's {@code "peername"} is the path, a {@code String}.
     *
     * @throws IllegalArgumentException if {@code path} is null, empty or holds a NUL
     * @throws dev.pyconc.builtins.ConnectionRefusedError if no server listens on that socket file
     * @throws java.io.UncheckedIOException if the path does not exist or is not a socket
     */
    public <P extends BaseProtocol> TransportProtocol<Transport, P> createUnixConnection(java.util.function.Supplier<P> protocolFactory,
            String path) {
        checkRunningHere("createUnixConnection");
        return Connections.createUnixConnection(protocolFactory, path);
    }

    /**
     * Listens on a Unix domain socket at {@code path} (Python's {@code loop.create_unix_server}).
     * A socket file already at the path (left by a server that died) is removed first, as in
     * Python; closing the server removes its socket file.
     *
     * @throws java.io.UncheckedIOException if the path is in use by something that is not a socket,
     *         or cannot be bound
     */
    public Server createUnixServer(java.util.function.Supplier<? extends BaseProtocol> protocolFactory, String path) {
        return createUnixServer(protocolFactory, path, Connections.DEFAULT_BACKLOG, true);
    }

    /** As {@link #createUnixServer(java.util.function.Supplier, String)}, with the listen {@code backlog} and {@code startServing}. */
    public Server createUnixServer(java.util.function.Supplier<? extends BaseProtocol> protocolFactory, String path, int backlog,
            boolean startServing) {
        checkRunningHere("createUnixServer");
        return Connections.createUnixServer(protocolFactory, path, backlog, startServing);
    }

    // ---------------------------------------------------------------- TLS

    /**
     * As {@link #createConnection(java.util.function.Supplier, String, int)}, over TLS: Python's
     * {@code loop.create_connection(factory, host, port, ssl=..., server_hostname=...,
     * ssl_handshake_timeout=..., ssl_shutdown_timeout=...)}. The protocol's {@code connectionMade}
     * runs, and this returns, once the handshake is done; the server's certificate is checked
     * against {@code ssl}'s context and, unless {@code ssl} turns it off, against
     * {@code ssl.serverHostname()} or else {@code host}. The transport answers the TLS names of
     * {@code getExtraInfo} ({@code "ssl_object"}, {@code "sslcontext"}, {@code "peercert"},
     * {@code "cipher"}, {@code "compression"}) and has no half-close.
     *
     * <pre> {@code
     * var tp = loop.createConnection(EchoClient::new, "example.org", 443, SslOptions.of(Ssl.createDefaultContext()));
     * }</pre>
     *
     * @throws dev.pyconc.ssl.SSLCertVerificationError if the server's certificate is refused
     * @throws dev.pyconc.ssl.SSLError if the handshake fails otherwise
     * @throws dev.pyconc.builtins.ConnectionAbortedError if it takes longer than {@code ssl.handshakeTimeout()}
     */
    public <P extends BaseProtocol> TransportProtocol<Transport, P> createConnection(java.util.function.Supplier<P> protocolFactory,
            String host, int port, SslOptions ssl) {
        checkRunningHere("createConnection");
        return Connections.createConnection(protocolFactory, host, port, null, requireSsl(ssl));
    }

    /** {@code createConnection(protocolFactory, host, port, SslOptions.of(sslContext))}. */
    public <P extends BaseProtocol> TransportProtocol<Transport, P> createConnection(java.util.function.Supplier<P> protocolFactory,
            String host, int port, javax.net.ssl.SSLContext sslContext) {
        return createConnection(protocolFactory, host, port, SslOptions.of(sslContext));
    }

    /**
     * As {@link #createServer(java.util.function.Supplier, String, int)}, over TLS: Python's
     * {@code loop.create_server(factory, host, port, ssl=...)}. Each connection's protocol gets
     * {@code connectionMade} once its handshake is done; a client whose handshake fails is
     * disconnected without a protocol call.
     *
     * <pre> {@code
     * SSLContext ctx = Ssl.createServerContext(Path.of("chain.pem"), Path.of("key.pem"));
     * Server server = loop.createServer(EchoProtocol::new, "127.0.0.1", 8443, SslOptions.of(ctx));
     * }</pre>
     */
    public Server createServer(java.util.function.Supplier<? extends BaseProtocol> protocolFactory, String host, int port,
            SslOptions ssl) {
        checkRunningHere("createServer");
        return Connections.createServer(protocolFactory, host, port, Connections.DEFAULT_BACKLOG, true, requireSsl(ssl));
    }

    /** {@code createServer(protocolFactory, host, port, SslOptions.of(sslContext))}. */
    public Server createServer(java.util.function.Supplier<? extends BaseProtocol> protocolFactory, String host, int port,
            javax.net.ssl.SSLContext sslContext) {
        return createServer(protocolFactory, host, port, SslOptions.of(sslContext));
    }

    /**
     * As {@link #createUnixConnection(java.util.function.Supplier, String)}, over TLS (Python's
     * {@code create_unix_connection(factory, path, ssl=..., server_hostname=...)}); {@code ssl}
     * must name the server ({@code serverHostname}) unless it checks no host name, as in Python.
     *
     * @throws IllegalArgumentException if {@code ssl} checks the host name and names none
     */
    public <P extends BaseProtocol> TransportProtocol<Transport, P> createUnixConnection(java.util.function.Supplier<P> protocolFactory,
            String path, SslOptions ssl) {
        checkRunningHere("createUnixConnection");
        return Connections.createUnixConnection(protocolFactory, path, requireSsl(ssl));
    }

    /** As {@link #createUnixServer(java.util.function.Supplier, String)}, over TLS (Python's {@code create_unix_server(..., ssl=...)}). */
    public Server createUnixServer(java.util.function.Supplier<? extends BaseProtocol> protocolFactory, String path, SslOptions ssl) {
        checkRunningHere("createUnixServer");
        return Connections.createUnixServer(protocolFactory, path, Connections.DEFAULT_BACKLOG, true, requireSsl(ssl));
    }

    /**
     * Upgrades a connection to TLS (Python's {@code loop.start_tls(transport, protocol, sslcontext,
     * server_side=..., server_hostname=..., ssl_handshake_timeout=..., ssl_shutdown_timeout=...)})
     * and returns the transport to use from then on, with {@code protocol} as its protocol. What
     * was written before is sent in the clear first; then the handshake runs, as the server when
     * {@code serverSide}, else as a client that checks {@code ssl.serverHostname()} or else the host
     * the connection was made to. The returned transport is the same object as {@code transport}
     * (Python returns a new one and the old one must not be used again; here both are one).
     * {@code protocol.connectionMade} is not called, as in Python.
     *
     * <pre> {@code
     * transport.write("STARTTLS\r\n".getBytes(US_ASCII));
     * Transport tls = loop.startTls(transport, protocol, SslOptions.of(Ssl.createDefaultContext()), false);
     * }</pre>
     *
     * @throws dev.pyconc.ssl.SSLError if the handshake fails (a
     *         {@link dev.pyconc.ssl.SSLCertVerificationError} if the peer's certificate is refused);
     *         the transport is then aborted and nothing more is sent
     * @throws dev.pyconc.builtins.ConnectionAbortedError if it takes longer than the handshake timeout
     * @throws dev.pyconc.builtins.ConnectionResetError if the connection is closing or lost
     * @throws IllegalArgumentException if {@code transport} is not a socket connection of this loop
     *         (Python's TypeError) or an argument is null
     * @throws IllegalStateException if the connection already uses TLS
     */
    public Transport startTls(Transport transport, BaseProtocol protocol, SslOptions ssl, boolean serverSide) {
        checkRunningHere("startTls");
        if (!(transport instanceof SocketTransport t) || t.loop != this) {
            throw new IllegalArgumentException("transport " + transport + " is not supported by start_tls()");
        }
        if (protocol == null) {
            throw new IllegalArgumentException("protocol must not be null");
        }
        t.startTls(requireSsl(ssl), serverSide, protocol);
        return t;
    }

    /** {@code startTls(transport, protocol, SslOptions.of(sslContext), serverSide)}. */
    public Transport startTls(Transport transport, BaseProtocol protocol, javax.net.ssl.SSLContext sslContext, boolean serverSide) {
        return startTls(transport, protocol, SslOptions.of(sslContext), serverSide);
    }

    private static SslOptions requireSsl(SslOptions ssl) {
        if (ssl == null) {
            throw new IllegalArgumentException("ssl must not be null");
        }
        return ssl;
    }

    /**
     * Sends {@code file} from its start to its end through {@code transport} and returns the
     * number of bytes sent (Python's {@code loop.sendfile(transport, file)}); see
     * {@link #sendfile(Transport, java.nio.channels.FileChannel, long, long, boolean)}.
     */
    public long sendfile(Transport transport, java.nio.channels.FileChannel file) {
        checkRunningHere("sendfile");
        return Sendfile.sendfile(this, transport, file, 0, 0, true);
    }

    /**
     * Sends {@code count} bytes of {@code file} from {@code offset} ({@code count} 0: up to the
     * end) through {@code transport}, after what was written before, and returns the number of
     * bytes sent (Python's {@code loop.sendfile(transport, file, offset, count)}, whose
     * {@code count=None} is 0 here). On a plain TCP or Unix socket the kernel copies the file to
     * the socket (Netty's {@code FileRegion}: {@code sendfile(2)} on epoll, {@code transferTo} on
     * NIO); otherwise ({@code fallback} true) the file is read and written in chunks, with the
     * transport's flow control. The file's position is left after the last byte sent, as in Python.
     * The file stays open. Must be called from a task body.
     *
     * @throws IllegalArgumentException if {@code offset} or {@code count} is negative
     * @throws IllegalStateException if the transport is closing
     * @throws SendfileNotAvailableError if {@code fallback} is false and the transport cannot send
     *         a file natively
     */
    public long sendfile(Transport transport, java.nio.channels.FileChannel file, long offset, long count, boolean fallback) {
        checkRunningHere("sendfile");
        return Sendfile.sendfile(this, transport, file, offset, count, fallback);
    }

    /** As {@link #sendfile(Transport, java.nio.channels.FileChannel, long, long, boolean)} with fallback. */
    public long sendfile(Transport transport, java.nio.channels.FileChannel file, long offset, long count) {
        checkRunningHere("sendfile");
        return Sendfile.sendfile(this, transport, file, offset, count, true);
    }

    /** The coroutine methods suspend a task of this loop. */
    private void checkRunningHere(String what) {
        EventLoop running = Asyncio.getRunningLoop();
        if (running != this) {
            throw new IllegalStateException("loop." + what + "() must be called from a task body of " + this + ", not of " + running);
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
        debug = enabled;
        dispatcher.debug = enabled;
    }

    /**
     * Whether debug mode is on (Python's {@code get_debug}). Thread-safe. A new loop starts in debug
     * mode when the system property {@code pyconc.asyncio.debug} is {@code true} (Python's
     * {@code -X dev}), or, when that property is not set, when the environment variable
     * {@code PYTHONASYNCIODEBUG} is not empty, as Python's loops do; {@code pyconc.asyncio.debug=false}
     * keeps it off whatever the environment (Python's {@code -E}).
     */
    public boolean getDebug() {
        return debug;
    }

    /** The time above which debug mode logs a callback or task step as slow (100 ms by default). */
    public Duration getSlowCallbackDuration() {
        return Duration.ofNanos(dispatcher.slowCallbackNanos);
    }

    /** Sets the time above which debug mode logs a callback or task step as slow. */
    public void setSlowCallbackDuration(Duration d) {
        dispatcher.slowCallbackNanos = Timeouts.toNanos(d, "slow callback duration");
    }

    /** Debug mode: throws when a thread that does not hold the baton calls a non-thread-safe method. */
    void checkThread(String what) {
        if (debug && running && dispatcher.owner != Thread.currentThread()) {
            throw new IllegalStateException("Non-thread-safe operation " + what + "() invoked on an event loop from a thread "
                    + "that is not running it (" + Thread.currentThread() + "); from other threads use "
                    + "loop.callSoonThreadsafe(...) or Asyncio.runCoroutineThreadsafe(...)");
        }
    }

    /** Adds a handle to the ready queue; the caller holds the baton. */
    void pushReady(Handle h) {
        ready.add(h);
    }

    @Override
    public String toString() {
        return "EventLoop[" + loopThread.name() + (running ? " running" : closed ? " closed" : "") + (debug ? " debug" : "") + "]";
    }
}
