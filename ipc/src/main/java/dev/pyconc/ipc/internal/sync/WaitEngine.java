package dev.pyconc.ipc.internal.sync;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;

import dev.pyconc.builtins.InterruptedError;
import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.core.internal.Interrupts;
import dev.pyconc.core.internal.Timeouts;
import dev.pyconc.ipc.internal.shm.Futex;
import dev.pyconc.ipc.internal.shm.Words;

/**
 * The waiting engine of every cross-process primitive (the counterpart of core's {@code Sync}):
 * a thread that cannot proceed spins briefly, then sleeps on a futex word in shared memory until
 * another thread or process changes the word and wakes it, retrying its attempt after each
 * wake-up. Locks, semaphores, events, conditions and barriers, and the rings built on the same
 * mapped files, wait only through {@link #await} and wake only through {@link #wake} /
 * {@link #wakeChanged}.
 *
 * <p>A waitable structure owns two ints in shared memory, named by its descriptor: the
 * <em>word</em> (the futex word: a sequence number, or the state itself) and the <em>sleepers</em>
 * flag, which is non-zero while some thread may sleep on the word. A primitive describes what it
 * waits for as an {@link Attempt}: a positive result ends the wait with that result.
 *
 * <pre> {@code
 * int r = WaitEngine.await(seg, SEQ, SLEEPERS, stalled -> tryTake() ? 1 : 0, nanos);   // waiter
 * release(); WaitEngine.wake(seg, SEQ, SLEEPERS, 1);                                 // waker
 * }</pre>
 *
 * <p>The spin adapts per thread, as glibc's adaptive mutexes do: it doubles (up to 20 us,
 * {@code -Dpyconc.ipc.spinNanos}) each time spinning ended a wait and halves (down to 1 us) each
 * time the thread had to sleep anyway. With idle CPUs a reply from another process arrives within
 * the spin and costs no system call; on an oversubscribed machine, where the other process may not
 * be running at all, spinning would only keep it from the CPU, so the thread soon sleeps at once.
 *
 * <p>A waiter whose peers are busy working through a backlog that will free what it waits for
 * (a producer facing a full ring while consumers take items) waits with {@link #awaitBusy}: after
 * the spin it naps in short timed sleeps while the backlog stays deep and keeps shrinking, without
 * raising the sleepers flag, so that the busy side, which is the one that limits the rate, makes no
 * wake-up system call; once the backlog stalls it sleeps on the futex as any waiter does. A thread
 * whose nap let the backlog run dry (the busy side waited for it) does not nap for its next 64
 * waits, twice as many each time it happens again in a row (up to 4096).
 *
 * <p>Every wait drops the GIL (GIL mode), is interruptible ({@code InterruptedError} within one
 * check interval, 20 ms, since an interrupt cannot wake a futex), honours its timeout, and calls
 * its attempt with {@code stalled == true} at most every 20 ms (first after 2 ms) so that the
 * primitive can look for a dead owner only when a wait lasts. On Linux platform threads sleep in
 * {@code futex(FUTEX_WAIT)}; virtual threads (whose carrier a native call would pin) and platforms
 * without futexes poll with {@link LockSupport#parkNanos} backing off from 10 us to 1 ms.
 *
 * <p>Memory consistency effects: the state change a waker makes with a volatile write before
 * calling {@code wake} is visible to the attempt that succeeds because of it.
 */
public final class WaitEngine {
    /*
     * Overview.
     *
     * Sleeping (futex path):                         Waking:
     *   s = word                 (volatile)            change state       (volatile write / RMW)
     *   sleepers = 1             (volatile)            if sleepers != 0 && getAndSet(sleepers, 0) != 0:
     *   if attempt() > 0: done                              word++        (wake only; wakeChanged skips it)
     *   futex_wait(word, s, slice)                          futex_wake(word, n)
     *   if attempt() > 0: sleepers = 1; done
     *
     * The sleeper's store to `sleepers` and the waker's state write are both volatile, so (as in
     * Dekker's handshake) either the waker sees the flag and wakes, or the sleeper's attempt sees the
     * new state. A waker that saw the flag changes the word before FUTEX_WAKE, so a sleeper that read
     * `s` before the change is woken or finds the word changed. The flag is cleared by the waker
     * (Drepper's "mutex, take 3"): after wake(n) with n smaller than the number of sleepers, the
     * others would sleep unflagged, so a thread that succeeds after sleeping sets the flag again, to
     * be safe, and the next waker wakes somebody; at worst one futex_wake finds nobody. A sleeper
     * killed with kill -9 leaves the flag set, which costs the next waker one system call and is
     * then gone: the flag heals itself, unlike a count of sleepers would.
     *
     * A wake consumed by a process that dies before acting on it is not lost for long: every sleeper
     * wakes at the next check interval and retries its attempt.
     *
     * Napping (awaitBusy) is polling with the flag down: no waker ever has to wake a napper, which
     * retries after each nap. It is exact because it is bounded: naps continue only while the
     * backlog's progress counter moved during the last nap, so a busy side that stops (or dies)
     * ends the napping within one nap, and the waiter then raises the flag and sleeps as above.
     * Per thread, an Adaptation holds the spin budget and the napping penalty.
     */

    /** The result of {@link #await} when the time ran out. */
    public static final int TIMED_OUT = 0;

    /** {@code nanos} argument: wait without limit. */
    public static final long FOREVER = -1;

    private static final long SPIN_NANOS = Long.getLong("pyconc.ipc.spinNanos",
            Runtime.getRuntime().availableProcessors() > 1 ? 20_000L : 0L);
    private static final long MIN_SPIN_NANOS = Math.min(1_000L, SPIN_NANOS);
    /** A nap of {@link #awaitBusy}; the kernel's timer slack (50 us by default) comes on top. */
    private static final long NAP_NANOS = 20_000L;
    /** The backlog below which a waiter stops napping: it would soon run dry. */
    private static final long NAP_MIN_BACKLOG = 8;
    /** Waits without napping after a nap first let the backlog run dry; doubled at each time again, up to 4096. */
    private static final long NAP_PENALTY = 64, MAX_NAP_PENALTY = 4096;
    private static final ThreadLocal<Adaptation> ADAPTATION = ThreadLocal.withInitial(Adaptation::new);
    private static final long FIRST_CHECK_NANOS = 2_000_000L;
    private static final long CHECK_NANOS = 20_000_000L;
    private static final long MIN_PARK_NANOS = 10_000L;
    private static final long MAX_PARK_NANOS = 1_000_000L;

    /** What a waiter waits for. */
    @FunctionalInterface
    public interface Attempt {
        /**
         * Tries once to complete the wait.
         *
         * @param stalled true when the wait has lasted another check interval: a good moment for
         *                expensive checks, such as whether the holder is still alive
         * @return a positive result to end the wait with, or zero or less to keep waiting
         */
        int attempt(boolean stalled);
    }

    /** What a thread has learnt from its past waits. */
    private static final class Adaptation {
        long spinNanos = SPIN_NANOS;            // how long to spin before sleeping
        long waitsWithoutNaps;                  // waits left in which not to nap
        long nextPenalty = NAP_PENALTY;         // waitsWithoutNaps after the next nap that runs dry

        /** After a nap whose wait ended: it let the busy side run dry, or it did not. */
        void napped(boolean ranDry) {
            if (ranDry) {
                waitsWithoutNaps = nextPenalty;
                nextPenalty = Math.min(MAX_NAP_PENALTY, nextPenalty * 2);
            } else {
                nextPenalty = NAP_PENALTY;
            }
        }
    }

    /**
     * The work that a waiter of {@link #awaitBusy} waits on others to get through: its depth, and
     * a count of the work done that grows while they are at it.
     */
    public interface Backlog {
        /** How much work is queued for the busy side now (items). */
        long depth();

        /** A count that grows as the busy side works (items taken). */
        long progress();
    }

    private WaitEngine() {}

    /**
     * Waits until {@code attempt} returns a positive result or {@code nanos} elapse.
     *
     * @param word     offset of the futex word in {@code segment}
     * @param sleepers offset of the sleepers flag in {@code segment}
     * @param nanos    the timeout: 0 tries once, {@link #FOREVER} waits without limit
     * @return the attempt's positive result, or {@link #TIMED_OUT}
     * @throws dev.pyconc.builtins.InterruptedError if the thread is interrupted while it waits
     */
    public static int await(MemorySegment segment, long word, long sleepers, Attempt attempt, long nanos) {
        return await(segment, word, sleepers, attempt, null, nanos);
    }

    /**
     * As {@link #await}, for a waiter whose peers are busy with {@code backlog}, which frees what it
     * waits for: between the spin and the futex it naps while the backlog is deep and progressing,
     * so that they need not wake it (see the class comment).
     */
    public static int awaitBusy(MemorySegment segment, long word, long sleepers, Attempt attempt, Backlog backlog,
            long nanos) {
        return await(segment, word, sleepers, attempt, backlog, nanos);
    }

    private static int await(MemorySegment segment, long word, long sleepers, Attempt attempt, Backlog backlog,
            long nanos) {
        int r = attempt.attempt(false);
        if (r > 0 || nanos == 0) {
            return Math.max(r, TIMED_OUT);
        }
        long start = System.nanoTime();
        long deadline = nanos < 0 ? Long.MAX_VALUE : Timeouts.deadline(nanos);
        boolean dropped = GilRuntime.beginBlocking();
        Adaptation adaptation = ADAPTATION.get();
        try {
            r = spin(attempt, start, Math.min(deadline, start + adaptation.spinNanos));
            if (r > 0) {
                adaptation.spinNanos = Math.min(SPIN_NANOS, adaptation.spinNanos * 2);
                return r;
            }
            adaptation.spinNanos = Math.max(MIN_SPIN_NANOS, adaptation.spinNanos / 2);
            boolean futex = Futex.AVAILABLE && !Thread.currentThread().isVirtual();
            if (backlog != null && futex) {
                if (adaptation.waitsWithoutNaps > 0) {
                    adaptation.waitsWithoutNaps--;
                } else if ((r = nap(attempt, backlog, adaptation, nanos, deadline)) > 0) {
                    return r;
                }
            }
            long nextCheck = System.nanoTime() + FIRST_CHECK_NANOS;
            long park = MIN_PARK_NANOS;
            for (;;) {
                if (Thread.interrupted()) {
                    throw Interrupts.unchecked(new InterruptedException());
                }
                long now = System.nanoTime();
                boolean stalled = now - nextCheck >= 0;
                if (stalled) {
                    nextCheck = now + CHECK_NANOS;
                }
                long left = nanos < 0 ? Long.MAX_VALUE : deadline - now;
                if (left <= 0) {
                    return Math.max(attempt.attempt(stalled), TIMED_OUT);
                }
                long slice = Math.min(left, nextCheck - now);
                if (futex) {
                    int seen = Words.getIntVolatile(segment, word);
                    Words.putIntVolatile(segment, sleepers, 1);
                    if ((r = attempt.attempt(stalled)) > 0) {
                        return r;
                    }
                    Futex.await(segment, word, seen, Math.max(slice, 1));
                    if ((r = attempt.attempt(false)) > 0) {
                        Words.putIntVolatile(segment, sleepers, 1);   // others may sleep unflagged: see Overview
                        return r;
                    }
                } else {
                    if ((r = attempt.attempt(stalled)) > 0) {
                        return r;
                    }
                    LockSupport.parkNanos(Math.max(1, Math.min(slice, park)));
                    park = Math.min(park * 2, MAX_PARK_NANOS);
                }
            }
        } finally {
            GilRuntime.endBlocking(dropped);
        }
    }

    /**
     * Runs {@code wait} (a blocking call through this engine) until it returns, retrying when the
     * thread is interrupted, and restores the interrupt flag afterwards: for waits that must not
     * give up, such as {@code Condition.await} taking its lock back.
     */
    public static int uninterruptibly(IntSupplier wait) {
        boolean interrupted = false;
        try {
            for (;;) {
                try {
                    return wait.getAsInt();
                } catch (InterruptedError e) {
                    interrupted = true;
                    Thread.interrupted();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Naps while {@code backlog} is deep and its progress moved during the last nap. Returns the
     * attempt's positive result, or 0 when the waiter is to go on and sleep (the backlog ran
     * shallow or stalled, or the deadline passed: the sleeping loop then ends the wait).
     */
    private static int nap(Attempt attempt, Backlog backlog, Adaptation adaptation, long nanos, long deadline) {
        long seen = backlog.progress();
        while (backlog.depth() >= NAP_MIN_BACKLOG) {
            if (Thread.interrupted()) {
                throw Interrupts.unchecked(new InterruptedException());
            }
            long left = nanos < 0 ? Long.MAX_VALUE : deadline - System.nanoTime();
            if (left <= 0) {
                return 0;
            }
            LockSupport.parkNanos(Math.min(NAP_NANOS, left));
            int r = attempt.attempt(false);
            if (r > 0) {
                adaptation.napped(backlog.depth() == 0);    // 0: the busy side waited for this thread
                return r;
            }
            long p = backlog.progress();
            if (p == seen) {
                return 0;                           // stalled: sleep until woken
            }
            seen = p;
        }
        return 0;
    }

    private static int spin(Attempt attempt, long start, long end) {
        if (end - start <= 0) {
            return TIMED_OUT;
        }
        for (int i = 1; ; i++) {
            Thread.onSpinWait();
            int r = attempt.attempt(false);
            if (r > 0) {
                return r;
            }
            if ((i & 15) == 0 && System.nanoTime() - end >= 0) {
                return TIMED_OUT;
            }
        }
    }

    /**
     * Wakes at most {@code count} sleepers after the caller changed the state they wait for (with a
     * volatile write): advances the word, then wakes. Costs one volatile read when nobody sleeps.
     */
    public static void wake(MemorySegment segment, long word, long sleepers, int count) {
        if (Words.getIntVolatile(segment, sleepers) != 0 && Words.getAndSetInt(segment, sleepers, 0) != 0) {
            Words.getAndAddInt(segment, word, 1);
            if (Futex.AVAILABLE) {
                Futex.wake(segment, word, count);
            }
        }
    }

    /**
     * As {@link #wake}, for a word that is itself the state the sleepers wait on and that the caller
     * has just changed: wakes without advancing it.
     */
    public static void wakeChanged(MemorySegment segment, long word, long sleepers, int count) {
        if (Words.getIntVolatile(segment, sleepers) != 0 && Words.getAndSetInt(segment, sleepers, 0) != 0
                && Futex.AVAILABLE) {
            Futex.wake(segment, word, count);
        }
    }
}
