package dev.pyconc.asyncio;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.LockSupport;

import dev.pyconc.core.internal.GilRuntime;

/**
 * The baton of one {@link EventLoop} and the code that passes it: the ready queue and the timers,
 * taken in batches as Python's {@code _run_once} takes them; the choice of the next holder; the
 * workers (virtual threads) that run task bodies; and the hand-offs between them and the loop
 * thread ({@link LoopThread}), the baton's home.
 */
final class Dispatcher {
    // home states
    private static final int HOME = 0;           // the loop thread holds the baton
    private static final int AWAY = 1;           // a worker holds it; the loop thread spins
    private static final int AWAY_PARKED = 2;    // a worker holds it; the loop thread is parked

    private static final ThreadFactory WORKERS = Thread.ofVirtual().name("asyncio-task").factory();

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
            HOME_STATE = MethodHandles.lookup().findVarHandle(Dispatcher.class, "home", int.class);
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

    final EventLoop loop;
    private final Thread loopThread;              // the baton's home
    private final long spinNanos;                 // how long waitHome spins: 0 on a virtual loop thread

    // Cross-thread state.
    private volatile int home;                    // HOME, AWAY or AWAY_PARKED
    volatile boolean closing;                     // the loop closes: the baton goes home, workers end
    volatile boolean debug;                       // EventLoop keeps a copy for its checks
    volatile long slowCallbackNanos = 100_000_000L;

    // Guarded by the baton.
    final ArrayDeque<Handle> ready = new ArrayDeque<>(256); // EventLoop adds to it directly too
    private final PriorityQueue<TimerHandle> timers = new PriorityQueue<>();
    private Task<?> taskHead;                     // the tasks not done: an intrusive doubly linked list
    private final Worker[] idleWorkers = new Worker[MAX_IDLE_WORKERS];
    private int idleCount;
    private int batchLeft;                        // handles of the current batch not yet dispatched
    private boolean homeBatchDone;                // the loop thread ran its batch of this round
    private long awaySince;                       // when the loop thread gave the baton away
    private long timerSequence;
    private int timerCancelledCount;
    boolean stopping;                             // stop() was called: the baton goes home, the loop stops
    Task<?> currentTask;                          // the task whose body holds the baton, or null
    Thread owner;                                 // the thread holding the baton; written only by it
    private Worker ownerWorker;                   // the worker holding the baton, null for the loop thread
    private long stepStart;                       // debug: when the current holder got the baton

    /*
     * Overview.
     *
     * The baton. Every piece of loop state marked "guarded by the baton" (here, in EventLoop and
     * in LoopThread) is touched only by the thread holding it. The loop thread holds it while
     * HOME; it gives it to a worker (a virtual thread running a task body) by setting home = AWAY
     * and the worker's `go` flag, and waits - spinning spinNanos, then parked - until a worker
     * sets home back to HOME. Workers pass the baton among themselves directly (nextHolder),
     * without the loop thread:
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
     * `owner` (plain, written only by the thread that takes the baton) is the holder, which is
     * how EventLoop.current() finds the loop of the calling thread.
     *
     * Suspension (Task.suspend): the body registers its step as the awaited future's wake-up,
     * runs the dispatcher (suspending), releases the GIL, hands the baton on and parks until its
     * `go` flag is set, then takes the GIL back (resumed). Interrupts of a worker are swallowed
     * while it waits and restored afterwards, so they never turn a wait into a spin. Task.suspend
     * and Worker.run reach this class through the worker's own `dispatcher`, a plain final field
     * of a final class: the task switch calls no interface and allocates nothing.
     *
     * An eager task (startEagerly) runs its body at once on a worker of its own while its creator
     * waits: the worker gives the baton back to the creator (returnTo, or returnHome for the loop
     * thread) at its first suspension or its end, before it dispatches anything.
     */

    Dispatcher(EventLoop loop, LoopThread home) {
        this.loop = loop;
        this.loopThread = home.thread;
        this.spinNanos = home.virtual ? 0 : SPIN_NANOS;
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

    // ---------------------------------------------------------------- the ready queue, timers and tasks

    /** Adds a handle to the ready queue; the caller holds the baton. */
    void pushReady(Handle h) {
        ready.add(h);
    }

    /** Whether a worker (not the loop thread) holds the baton; asked by the holder. */
    boolean ownerIsWorker() {
        return ownerWorker != null;
    }

    /** Whether no handle is ready. */
    boolean readyEmpty() {
        return ready.isEmpty();
    }

    /** A timer due at {@code deadline} (System.nanoTime() units), whose when() is {@code when}. */
    TimerHandle addTimer(long deadline, double when, Runnable callback) {
        TimerHandle t = new TimerHandle(this, deadline, when, timerSequence++, callback);
        t.scheduled = true;
        timers.add(t);
        return t;
    }

    void timerCancelled() {
        timerCancelledCount++;
    }

    /** The first timer not cancelled, or null; cancelled timers before it leave the heap. */
    TimerHandle firstTimer() {
        TimerHandle t;
        while ((t = timers.peek()) != null && t.cancelled) {
            timers.poll();
            t.scheduled = false;
            timerCancelledCount--;
        }
        return t;
    }

    /** Adds `t` to the tasks not done. */
    void link(Task<?> t) {
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

    /** Every task linked now, newest first (for the loop thread's close). */
    List<Task<?>> linkedTasks() {
        List<Task<?>> all = new ArrayList<>();
        for (Task<?> t = taskHead; t != null; t = t.nextTask) {
            all.add(t);
        }
        return all;
    }

    /** The loop closed and its pending tasks unwound: forget what is left and end the idle workers. */
    void discardAll() {
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

    // ---------------------------------------------------------------- suspension and eager start

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

    /**
     * Runs the body of `t` at once, up to its first suspension or its end, on a worker of its own;
     * the caller holds the baton and gets it back then.
     */
    void startEagerly(Task<?> t) {
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

    // ---------------------------------------------------------------- the dispatcher

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
            loop.callExceptionHandler(EventLoop.context("Exception in callback " + h, e, "handle", h));
        }
    }

    private void runCallbackTimed(Handle h) {
        long start = System.nanoTime();
        try {
            h.run();
        } catch (Throwable e) {
            loop.callExceptionHandler(EventLoop.context("Exception in callback " + h, e, "handle", h));
        }
        long took = System.nanoTime() - start;
        if (took > slowCallbackNanos) {
            loop.slowSteps++;
            EventLoop.LOG.warn("Executing {} took {} seconds", h, String.format("%.3f", took / 1e9));
        }
    }

    private void stepEnded(Task<?> t) {
        long took = System.nanoTime() - stepStart;
        if (stepStart != 0 && took > slowCallbackNanos) {
            loop.slowSteps++;
            EventLoop.LOG.warn("Executing a step of {} took {} seconds", t, String.format("%.3f", took / 1e9));
        }
    }

    // ---------------------------------------------------------------- hand-offs

    /** Gives the baton to `next`, or home when it is null. */
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
            LockSupport.unpark(loopThread);
        }
    }

    /** The loop thread starts a round: it may run one batch itself (runOnce). */
    void newRound() {
        homeBatchDone = false;
    }

    /** Whether the current batch is dispatched (the loop thread then polls I/O before the next). */
    boolean batchDone() {
        return batchLeft == 0;
    }

    /** The loop thread stopped at a stop(): the next run starts afresh. */
    void stopped() {
        stopping = false;
        batchLeft = 0;
    }

    /** The loop thread takes the baton (it holds it when it comes home, and between runs). */
    void takeHome() {
        owner = loopThread;
        ownerWorker = null;
    }

    /**
     * The loop thread gives the baton to `w` and waits, with the GIL released, until it comes
     * home, then holds it again.
     */
    void lend(Worker w) {
        awaySince = System.nanoTime();
        HOME_STATE.setVolatile(this, AWAY);
        boolean dropped = GilRuntime.beginBlocking();
        try {
            w.give();
            waitHome();
        } finally {
            GilRuntime.endBlocking(dropped);
        }
        takeHome();
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
                loopThread.interrupt();
            }
        }
    }

    // ---------------------------------------------------------------- workers

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

    /** A virtual thread that runs task bodies of one loop, one after another. */
    static final class Worker implements Runnable {
        final Dispatcher dispatcher;
        Thread thread;
        volatile boolean go;             // the baton was handed to this worker
        Task<?> task;                    // the body to run next; null tells an idle worker to end
        Worker returnTo;                 // eager start: give the baton back to this worker
        boolean returnHome;              // eager start from the loop thread: give it back home

        Worker(Dispatcher dispatcher) {
            this.dispatcher = dispatcher;
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
                    dispatcher.starting(this, t);
                    try {
                        t.runBody();
                    } finally {
                        dispatcher.ended(t);
                    }
                    t = null;                // a parked worker must not keep its last task (and its outcome) reachable
                    task = null;
                    Thread.interrupted();    // an interrupt left by one body must not reach the next
                    Worker next = dispatcher.nextHolder(this, true);
                    if (next == this) {
                        continue;
                    }
                    boolean keep = dispatcher.keepIdle(this);
                    boolean dropped = GilRuntime.beginBlocking();
                    dispatcher.handOff(next);
                    if (!keep) {
                        return;
                    }
                    awaitBaton();
                    GilRuntime.endBlocking(dropped);
                }
            } catch (Throwable e) {
                EventLoop.LOG.error("asyncio worker of {} failed; the loop may hang", dispatcher.loop, e);
            } finally {
                if (attached) {
                    GilRuntime.detach();
                }
            }
        }
    }
}
