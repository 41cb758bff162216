package dev.pyconc.asyncio;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import dev.pyconc.core.internal.GilRuntime;

import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ManualIoEventLoop;

import dev.pyconc.async.internal.EpollIdle;
import dev.pyconc.async.internal.NettyTransport;

/**
 * The thread of one {@link EventLoop}, the home of its baton, which drives the loop's Netty I/O
 * event loop between batches of callbacks and task steps: it polls I/O, waits for the next timer
 * when nothing is ready, runs the channel work of task bodies, and, when the loop closes, destroys
 * the pending tasks and shuts Netty down.
 */
final class LoopThread {
    private static final AtomicInteger LOOPS = new AtomicInteger();

    /** The loop threads running now (tests check that none is left). */
    private static final Set<Thread> LOOP_THREADS = ConcurrentHashMap.newKeySet();

    final EventLoop loop;
    final Thread thread;
    final boolean virtual;                        // the loop thread is a virtual thread (see the overview)
    private final EpollIdle idleWaiter;           // epoll on a virtual thread: how it waits idle
    private final ManualIoEventLoop netty;
    final NettyTransport transport;               // epoll or NIO, chosen once per loop

    // Guarded by the baton.
    private final ArrayDeque<Runnable> homeTasks = new ArrayDeque<>(); // channel work for the loop thread
    private final ArrayDeque<Runnable> afterIo = new ArrayDeque<>();   // flushes of writes made while reading
    private final Set<Resource> resources = Collections.newSetFromMap(new IdentityHashMap<>()); // closed with the loop

    /*
     * Overview.
     *
     * The loop thread runs the Netty loop (ManualIoEventLoop) between batches (runOnce, which
     * lends the baton to workers through the Dispatcher as task steps come): I/O, Netty's tasks
     * (callSoonThreadsafe and a foreign stop() go through execute(), which wakes a blocked select)
     * and its scheduled tasks. It blocks there only when the ready queue is empty, for at most the
     * time to the next timer. While the loop is not running, the loop thread parks.
     *
     * The loop thread is a virtual thread by default: the baton then passes between it and the
     * workers as virtual-thread switches on one carrier (a platform loop thread needs a kernel
     * wake-up of a carrier for each hand-off, and one of itself back). It never spins then (the
     * Dispatcher's spinNanos = 0). NIO's selector parks a virtual thread while it waits; with
     * epoll, whose native epoll_wait would pin the carrier, runNetty() runs Netty without blocking
     * and, when there is nothing to do, parks in the EpollIdle waiter, whose platform helper polls
     * Netty's epoll descriptor. callSoonThreadsafe and a foreign stop() wake that waiter. Where the
     * waiter cannot be made, an epoll loop gets a platform thread.
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

    LoopThread(EventLoop loop) {
        this.loop = loop;
        transport = NettyTransport.choose();
        int n = LOOPS.incrementAndGet();
        boolean wantVirtual = !"platform".equals(System.getProperty(EventLoop.LOOP_THREAD_PROPERTY, "virtual").trim());
        EpollIdle.Capture capture = null;
        IoHandlerFactory factory = transport.ioHandlerFactory();
        if (wantVirtual && transport == NettyTransport.EPOLL && EpollIdle.supported()) {
            capture = new EpollIdle.Capture();
            factory = capture;
        }
        virtual = wantVirtual && (transport == NettyTransport.NIO || capture != null);
        if (virtual) {
            thread = Thread.ofVirtual().name("asyncio-loop-" + n).unstarted(this::loopMain);
        } else {
            thread = new Thread(this::loopMain, "asyncio-loop-" + n);
            thread.setDaemon(true);
        }
        netty = new ManualIoEventLoop(thread, factory);
        idleWaiter = capture == null ? null : EpollIdle.capture(capture, "asyncio-idle-" + n);
        if (capture != null && idleWaiter == null) {
            EventLoop.LOG.warn("{}: epoll on a virtual loop thread without an idle waiter; idle waits pin a carrier", thread.getName());
        }
    }

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

    String name() {
        return thread.getName();
    }

    /** The Netty event loop this thread drives: register the loop's channels here (see NettyLoops). */
    IoEventLoop netty() {
        return netty;
    }

    // ---------------------------------------------------------------- control from other threads

    void start() {
        thread.start();
    }

    /** Wakes the thread parked between runs of the loop. */
    void unpark() {
        LockSupport.unpark(thread);
    }

    /** Ends an idle wait of the loop thread from another thread (epoll on a virtual thread). */
    void wakeIdle() {
        EpollIdle w = idleWaiter;
        if (w != null) {
            w.wake();
        }
    }

    /**
     * Runs {@code r} on the loop thread, holding the baton, at its next turn of the Netty loop;
     * from any thread. Wakes the thread if it waits for I/O.
     *
     * @throws java.util.concurrent.RejectedExecutionException if Netty is shut down (the loop closed)
     */
    void execute(Runnable r) {
        netty.execute(r);
        wakeIdle();
    }

    /**
     * Waits, with the GIL released, until the thread has ended, for at most 30 s; an interrupt of
     * the waiting thread does not cut the wait short (the tasks unwind, Netty shuts down) and is
     * kept.
     */
    void awaitEnd() {
        boolean dropped = GilRuntime.beginBlocking();
        boolean interrupted = false;
        try {
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
            EventLoop.LOG.warn("{} did not end within 30 s of close(): a task body may be blocking it", thread.getName());
        }
    }

    // ---------------------------------------------------------------- channel work and resources

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

    /**
     * Runs {@code r} on the loop thread when the I/O it is processing now is done: the flush of
     * what a protocol wrote in a read callback, so that the writes of one batch of reads go out
     * together (one sendmmsg for a datagram socket) as a Netty handler's do at channelReadComplete.
     * Called on the loop thread, inside Netty's processing of I/O.
     */
    void runAfterIo(Runnable r) {
        afterIo.add(r);
    }

    private void runAfterIoTasks() {
        runAll(afterIo);
    }

    private void runHomeTasks() {
        runAll(homeTasks);
    }

    /** Runs and removes the channel work in {@code q}; a failure goes to the exception handler. */
    private void runAll(ArrayDeque<Runnable> q) {
        Runnable r;
        while ((r = q.poll()) != null) {
            try {
                r.run();
            } catch (Throwable e) {
                loop.callExceptionHandler(EventLoop.context("Exception in channel operation " + r, e, null, null));
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

    /** How many resources the loop owns (for the tests of leaks). */
    int resourceCount() {
        return resources.size();
    }

    private void closeResources() {
        List<Resource> all = new ArrayList<>(resources);
        resources.clear();
        for (Resource r : all) {
            try {
                r.closeForLoop();
            } catch (Throwable e) {
                EventLoop.LOG.warn("error closing {} with {}", r, loop, e);
            }
        }
    }

    // ---------------------------------------------------------------- the thread's body

    /**
     * Runs Netty's I/O and tasks: without blocking when {@code wait < 0}, else blocking until
     * something happens or {@code wait} ns pass ({@code 0}: no limit). On a virtual thread with
     * epoll, the blocking part is the idle waiter's park, never a native epoll_wait.
     */
    private void runNetty(Dispatcher d, long wait) {
        EpollIdle w = idleWaiter;
        if (w == null || wait < 0) {
            netty.run(wait);
            return;
        }
        long seen = w.events();                 // before looking for work: a wake-up after it is not lost
        if (netty.runNow() == 0 && d.readyEmpty() && !d.stopping && !d.closing) {
            w.await(wait, seen);
            netty.runNow();
        }
    }

    private void loopMain() {
        LOOP_THREADS.add(Thread.currentThread());
        GilRuntime.attach();
        Dispatcher d = loop.dispatcher;
        try {
            while (true) {
                if (!loop.isRunning()) {
                    if (d.closing) {
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
                d.takeHome();
                runOnce(d);
                if (d.stopping) {
                    runHomeTasks();
                    d.stopped();
                    loop.runEnded();
                    continue;
                }
                long wait = d.readyEmpty() ? timerWait(d) : -1;
                boolean dropped = wait >= 0 && GilRuntime.beginBlocking();
                try {
                    runNetty(d, wait);
                } catch (Throwable e) {
                    EventLoop.LOG.error("error in the I/O loop of {}", loop, e);
                } finally {
                    GilRuntime.endBlocking(dropped);
                }
                runAfterIoTasks();
            }
            destroyPending(d);
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
    private void runOnce(Dispatcher d) {
        d.newRound();
        for (;;) {
            Dispatcher.Worker w = d.nextHolder(null, false);
            if (w == null) {
                return;
            }
            d.lend(w);
            runHomeTasks();
            if (d.batchDone()) {
                return;      // the workers ran the batch and more: poll I/O before the next
            }
        }
    }

    /** How long Netty may block: until the next timer is due, or 0 (no limit) when there is none. */
    private static long timerWait(Dispatcher d) {
        TimerHandle t = d.firstTimer();
        if (t == null) {
            return 0;    // block until I/O or a task arrives
        }
        return Math.max(1, t.deadline - System.nanoTime());
    }

    private void destroyPending(Dispatcher d) {
        d.takeHome();
        for (Task<?> t : d.linkedTasks()) {
            if (t.worker != null && !t.done()) {
                loop.callExceptionHandler(EventLoop.context("Task was destroyed but it is pending!", null, "task", t));
                t.destroyed = true;
                d.lend(t.worker);
                runHomeTasks();
            }
        }
        d.discardAll();
    }

    private void shutDownNetty() {
        netty.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!netty.isTerminated() && System.nanoTime() - deadline < 0) {
            netty.run(-1);
        }
    }
}
