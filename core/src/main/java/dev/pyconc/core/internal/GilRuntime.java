package dev.pyconc.core.internal;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The global interpreter lock of pyconc's GIL mode, shared by every module. {@code dev.pyconc.gil.Gil}
 * is its public face; the waiting engines of core, ipc and asyncio call {@link #beginBlocking()} and
 * {@link #endBlocking(boolean)} around every wait, as CPython's {@code Py_BEGIN_ALLOW_THREADS} does.
 */
public final class GilRuntime {
    /*
     * Overview.
     *
     * This mirrors CPython's ceval_gil.c (3.2+, "new GIL"): one mutex guards the state below; the
     * GIL itself is the field holder. A thread that wants the GIL waits on `released` in slices of
     * the switch interval; when a whole interval passes with no switch, it sets DROP_REQUEST in
     * `breaker`. The holder sees the bit at its next checkpoint, drops the GIL and, because a drop
     * request forced it, waits on `switched` until another thread has taken the GIL before trying
     * to take it again (FORCE_SWITCHING), so two CPU-bound threads alternate instead of the holder
     * winning every race.
     *
     *     attached thread:   ... checkpoint ... checkpoint ...  [blocking call] ... checkpoint
     *                            |                              |     ^
     *     breaker != 0? ---------+                 beginBlocking: drop |  endBlocking: take
     *
     * `breaker` is the only field read on the fast path: checkpoint() is one volatile read of it and
     * a branch. It is non-zero only while a drop is requested or while threads attached before
     * enable() have not yet joined the GIL (JOIN_PENDING). Every write to breaker, and every other
     * field, is made holding `mutex`; `enabled` is volatile so that beginBlocking() can skip the
     * mutex when the GIL is off, and `epoch` is volatile so that a thread that has joined already
     * skips the mutex while JOIN_PENDING waits for others (an idle pool worker may take long).
     *
     * Attached threads: pyconc threads, timers and pool workers attach for their whole run; any
     * thread may attach with attach(); the thread that calls enable() is attached from then on.
     * Only attached threads ever hold the GIL; checkpoints and blocking calls of other threads do
     * nothing. A holder that dies without dropping the GIL (a plain Java thread that attached and
     * ended) is noticed by the waiters, which check holder.isAlive() after every interval.
     */

    private static final Logger LOG = LoggerFactory.getLogger(GilRuntime.class);

    /** breaker bit: a waiter asks the holder to drop the GIL at its next checkpoint. */
    private static final int DROP_REQUEST = 1;
    /** breaker bit: some attached thread has not taken the GIL since it was enabled. */
    private static final int JOIN_PENDING = 2;

    private static final long DEFAULT_INTERVAL_NANOS = 5_000_000L;

    private static volatile int breaker;              // DROP_REQUEST | JOIN_PENDING; written under mutex
    private static volatile boolean enabled;          // written under mutex
    private static volatile long intervalNanos = DEFAULT_INTERVAL_NANOS;

    private static final ReentrantLock mutex = new ReentrantLock();
    private static final Condition released = mutex.newCondition();  // the GIL became free
    private static final Condition switched = mutex.newCondition();  // some thread took the GIL

    // All guarded by mutex.
    private static Thread holder;                     // null while the GIL is free
    private static Thread lastHolder;                 // the forced-switch wait ends when this changes
    private static volatile long epoch;               // incremented by each enable(); written under mutex
    private static int waiting;                       // threads inside take(), waiting for holder
    private static int unjoined;                      // attached threads that have not joined this epoch
    private static final Set<Attachment> attached = new HashSet<>();
    private static long acquisitions, switches, dropRequests, forcedDrops, waitNanos;

    private static final ThreadLocal<Attachment> CURRENT = new ThreadLocal<>();

    /** What the GIL knows of one attached thread. */
    private static final class Attachment {
        final Thread thread;
        int depth;        // nesting of attach(); touched only by its own thread
        long epoch;       // the epoch in which it last took the GIL; written only by its own thread, under mutex

        Attachment(Thread thread) {
            this.thread = thread;
        }
    }

    static {
        if (requestedAtStartup()) {
            enable();
        }
    }

    private GilRuntime() {}

    private static boolean requestedAtStartup() {
        String property = System.getProperty("pyconc.gil");
        String value = property != null ? property : System.getenv("PYCONC_GIL");
        if (value == null || value.isBlank()) {
            return false;
        }
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "1", "true", "on", "yes" -> true;
            case "0", "false", "off", "no" -> false;
            default -> throw new IllegalArgumentException(
                    "pyconc.gil / PYCONC_GIL must be 1 or 0 (true/false, on/off), not '" + value + "'");
        };
    }

    // ---------------------------------------------------------------- fast paths

    /**
     * A checkpoint: when another thread has asked for the GIL and the caller holds it, the caller
     * drops it and takes it again after another thread has run. One volatile read otherwise.
     */
    public static void checkpoint() {
        if (breaker != 0) {
            slowCheckpoint();
        }
    }

    /**
     * Called before a call blocks: drops the GIL if the calling thread holds it.
     *
     * @return whether the GIL was dropped; pass it to {@link #endBlocking(boolean)}
     */
    public static boolean beginBlocking() {
        return enabled && dropIfHeld();
    }

    /** Called after a blocking call returns or throws: retakes the GIL if {@code dropped}. */
    public static void endBlocking(boolean dropped) {
        if (dropped) {
            Attachment a = CURRENT.get();
            if (a != null) {
                take(a);
            }
        } else {
            checkpoint();
        }
    }

    /** Whether GIL mode is on. */
    public static boolean isEnabled() {
        return enabled;
    }

    /** Whether the calling thread holds the GIL now. */
    public static boolean heldByCurrentThread() {
        mutex.lock();
        try {
            return enabled && holder == Thread.currentThread();
        } finally {
            mutex.unlock();
        }
    }

    // ---------------------------------------------------------------- attach and detach

    /**
     * Attaches the calling thread (nesting is counted) and, when GIL mode is on, takes the GIL.
     * Every call must be paired with {@link #detach()} in the same thread.
     */
    public static void attach() {
        Attachment a = CURRENT.get();
        if (a != null) {
            a.depth++;
            return;
        }
        a = new Attachment(Thread.currentThread());
        a.depth = 1;
        CURRENT.set(a);
        mutex.lock();
        try {
            attached.add(a);
            a.epoch = epoch;      // attaching joins the current epoch: it takes the GIL right below
        } finally {
            mutex.unlock();
        }
        if (enabled) {
            take(a);
        }
    }

    /** Undoes one {@link #attach()}; the last one drops the GIL if held and forgets the thread. */
    public static void detach() {
        Attachment a = CURRENT.get();
        if (a == null) {
            throw new IllegalStateException("the current thread is not attached to the GIL");
        }
        if (--a.depth > 0) {
            return;
        }
        CURRENT.remove();
        mutex.lock();
        try {
            attached.remove(a);
            if (holder == a.thread) {
                holder = null;
                released.signal();
            }
            if (enabled && a.epoch != epoch) {
                joined();
            }
        } finally {
            mutex.unlock();
        }
    }

    // ---------------------------------------------------------------- enable and disable

    /**
     * Turns GIL mode on. The caller becomes attached (for good) and holds the GIL; threads that
     * were attached already take it at their next checkpoint or blocking call. Idempotent.
     */
    public static void enable() {
        Attachment me = CURRENT.get();
        if (me == null) {
            me = new Attachment(Thread.currentThread());
            CURRENT.set(me);
        }
        me.depth++;   // the enabling thread stays attached
        boolean alreadyOn = false;
        mutex.lock();
        try {
            if (enabled) {
                // On already: the caller joins like any attached thread and takes the GIL below.
                if (attached.add(me)) {
                    me.epoch = epoch;
                }
                alreadyOn = true;
                return;
            }
            attached.add(me);
            attached.removeIf(a -> !a.thread.isAlive());
            epoch++;
            enabled = true;
            holder = me.thread;
            lastHolder = me.thread;
            me.epoch = epoch;
            acquisitions++;
            unjoined = 0;
            for (Attachment a : attached) {
                if (a != me) {
                    unjoined++;
                }
            }
            breaker = unjoined > 0 ? JOIN_PENDING : 0;
        } finally {
            mutex.unlock();
            if (alreadyOn) {
                take(me);
            }
        }
        LOG.debug("GIL mode enabled by {}", me.thread.getName());
    }

    /** Turns GIL mode off: every waiter proceeds and no thread holds the GIL any more. Idempotent. */
    public static void disable() {
        mutex.lock();
        try {
            if (!enabled) {
                return;
            }
            enabled = false;
            holder = null;
            unjoined = 0;
            breaker = 0;
            released.signalAll();
            switched.signalAll();
        } finally {
            mutex.unlock();
        }
        LOG.debug("GIL mode disabled");
    }

    // ---------------------------------------------------------------- switch interval and stats

    /** Sets how long a waiter waits before it asks the holder to drop the GIL (CPython: 5 ms). */
    public static void setSwitchInterval(Duration interval) {
        long nanos = Timeouts.toNanos(interval, "switch interval");
        if (nanos == 0) {
            throw new IllegalArgumentException("switch interval must be positive: " + interval);
        }
        intervalNanos = nanos;
    }

    /** The switch interval. */
    public static Duration getSwitchInterval() {
        return Duration.ofNanos(intervalNanos);
    }

    /**
     * Counters since start-up: acquisitions, switches (the GIL taken by another thread than its
     * last holder), drop requests, forced drops and the total time threads spent waiting.
     */
    public static long[] counters() {
        mutex.lock();
        try {
            return new long[] {acquisitions, switches, dropRequests, forcedDrops, waitNanos};
        } finally {
            mutex.unlock();
        }
    }

    // ---------------------------------------------------------------- slow paths

    private static void slowCheckpoint() {
        Attachment a = CURRENT.get();
        if (a == null || !enabled) {
            return;
        }
        if ((breaker & DROP_REQUEST) == 0 && a.epoch == epoch) {
            return;   // only other threads have yet to join; a.epoch is written by its own thread only
        }
        Thread me = a.thread;
        boolean mustJoin;
        mutex.lock();
        try {
            mustJoin = (breaker & JOIN_PENDING) != 0 && a.epoch != epoch && holder != me;
            if (!mustJoin) {
                if ((breaker & DROP_REQUEST) == 0 || holder != me) {
                    return;
                }
                dropLocked(me, true);
            }
        } finally {
            mutex.unlock();
        }
        take(a);
    }

    private static boolean dropIfHeld() {
        Thread me = Thread.currentThread();
        mutex.lock();
        try {
            if (holder != me) {
                return false;
            }
            dropLocked(me, false);
            return true;
        } finally {
            mutex.unlock();
        }
    }

    /** Drops the GIL held by {@code me}; when {@code forced}, waits until another thread took it. */
    private static void dropLocked(Thread me, boolean forced) {
        holder = null;
        released.signal();
        if (forced && waiting > 0) {
            forcedDrops++;
            while (enabled && lastHolder == me && waiting > 0) {
                switched.awaitUninterruptibly();
            }
        }
    }

    /** Takes the GIL for {@code a}, waiting as long as it takes; a no-op when GIL mode is off. */
    private static void take(Attachment a) {
        Thread me = a.thread;
        boolean interrupted = false;
        mutex.lock();
        try {
            if (!enabled || holder == me) {
                return;
            }
            if (holder != null && !holder.isAlive()) {
                holder = null;
            }
            if (holder != null) {
                long start = System.nanoTime();
                waiting++;
                try {
                    while (enabled && holder != null) {
                        long before = acquisitions;   // CPython's switch_number
                        long left;
                        try {
                            left = released.awaitNanos(intervalNanos);
                        } catch (InterruptedException e) {
                            interrupted = true;
                            continue;
                        }
                        if (holder != null && !holder.isAlive()) {
                            LOG.warn("GIL holder {} ended without dropping the GIL; taking it over", holder.getName());
                            holder = null;
                        } else if (left <= 0 && holder != null && acquisitions == before
                                && (breaker & DROP_REQUEST) == 0) {
                            dropRequests++;
                            breaker |= DROP_REQUEST;
                        }
                    }
                } finally {
                    waiting--;
                    waitNanos += System.nanoTime() - start;
                }
                if (!enabled) {
                    return;
                }
            }
            holder = me;
            acquisitions++;
            if (lastHolder != me) {
                switches++;
                lastHolder = me;
                switched.signalAll();
            }
            if (a.epoch != epoch) {
                a.epoch = epoch;
                joined();
            }
            if ((breaker & DROP_REQUEST) != 0) {
                breaker &= ~DROP_REQUEST;
            }
        } finally {
            mutex.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void joined() {
        if (unjoined > 0 && --unjoined == 0) {
            breaker &= ~JOIN_PENDING;
        }
    }
}
