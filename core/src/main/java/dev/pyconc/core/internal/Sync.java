package dev.pyconc.core.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.AbstractQueuedSynchronizer;

/**
 * The waiting engine of pyconc's in-process primitives: an {@link AbstractQueuedSynchronizer}
 * whose blocking entry points follow one pattern. Each tries the non-blocking path first; only
 * when it must wait does it drop the GIL (GIL mode), park through AQS, retake the GIL and turn an
 * interrupt into {@link dev.pyconc.builtins.InterruptedError} with the interrupt flag restored.
 *
 * <p>A primitive defines its state by overriding the {@code tryAcquire}/{@code tryRelease} (or
 * shared) hooks of AQS in a nested subclass, as the {@code java.util.concurrent} synchronizers do,
 * and calls only the methods below to wait.
 *
 * <p>Timed variants take nanoseconds from {@link Timeouts#toNanos}: zero means "do not block",
 * and a timed wait that fails has waited at least its timeout (AQS measures against
 * {@link System#nanoTime()}).
 */
public abstract class Sync extends AbstractQueuedSynchronizer {
    private static final long serialVersionUID = 1L;

    /** Acquires in exclusive mode, waiting as long as it takes. */
    public final void acquireBlocking(int arg) {
        if (tryAcquire(arg)) {
            return;
        }
        boolean dropped = GilRuntime.beginBlocking();
        try {
            acquireInterruptibly(arg);
        } catch (InterruptedException e) {
            throw Interrupts.unchecked(e);
        } finally {
            GilRuntime.endBlocking(dropped);
        }
    }

    /**
     * Acquires in exclusive mode, waiting as long as it takes and ignoring interrupts: an
     * interrupt that arrives meanwhile leaves the interrupt flag set (a condition taking its lock
     * back after a wait).
     */
    public final void acquireUninterruptibly(int arg) {
        if (tryAcquire(arg)) {
            return;
        }
        boolean dropped = GilRuntime.beginBlocking();
        try {
            acquire(arg);
        } finally {
            GilRuntime.endBlocking(dropped);
        }
    }

    /** Acquires in exclusive mode, waiting at most {@code nanos}; {@code false} on timeout. */
    public final boolean acquireTimed(int arg, long nanos) {
        if (tryAcquire(arg)) {
            return true;
        }
        if (nanos <= 0) {
            return false;
        }
        boolean dropped = GilRuntime.beginBlocking();
        try {
            return tryAcquireNanos(arg, nanos);
        } catch (InterruptedException e) {
            throw Interrupts.unchecked(e);
        } finally {
            GilRuntime.endBlocking(dropped);
        }
    }

    /** Acquires in shared mode, waiting as long as it takes. */
    public final void acquireSharedBlocking(int arg) {
        if (tryAcquireShared(arg) >= 0) {
            return;
        }
        boolean dropped = GilRuntime.beginBlocking();
        try {
            acquireSharedInterruptibly(arg);
        } catch (InterruptedException e) {
            throw Interrupts.unchecked(e);
        } finally {
            GilRuntime.endBlocking(dropped);
        }
    }

    /** Acquires in shared mode, waiting at most {@code nanos}; {@code false} on timeout. */
    public final boolean acquireSharedTimed(int arg, long nanos) {
        if (tryAcquireShared(arg) >= 0) {
            return true;
        }
        if (nanos <= 0) {
            return false;
        }
        boolean dropped = GilRuntime.beginBlocking();
        try {
            return tryAcquireSharedNanos(arg, nanos);
        } catch (InterruptedException e) {
            throw Interrupts.unchecked(e);
        } finally {
            GilRuntime.endBlocking(dropped);
        }
    }

    /**
     * Waits on {@code condition} (created by this synchronizer's {@code newCondition()}), which
     * releases this synchronizer fully and reacquires it before returning, as
     * {@link java.util.concurrent.locks.Condition#await()} does.
     */
    public final void await(ConditionObject condition) {
        boolean dropped = GilRuntime.beginBlocking();
        try {
            condition.await();
        } catch (InterruptedException e) {
            throw Interrupts.unchecked(e);
        } finally {
            GilRuntime.endBlocking(dropped);
        }
    }

    /**
     * As {@link #await(ConditionObject)}, for at most {@code nanos}.
     *
     * <p>The answer says whether a signal arrived, not how much time is left after the lock was
     * retaken: a waiter signalled just before its deadline that retakes the lock after it still
     * returns {@code true}, as Python's {@code Condition.wait} does. ({@code awaitNanos} would
     * report such a wait as timed out.)
     *
     * @return {@code false} if the time elapsed before a signal arrived
     */
    public final boolean await(ConditionObject condition, long nanos) {
        boolean dropped = GilRuntime.beginBlocking();
        try {
            return condition.await(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            throw Interrupts.unchecked(e);
        } finally {
            GilRuntime.endBlocking(dropped);
        }
    }

    /** A new condition of this synchronizer (its {@code isHeldExclusively} decides who may use it). */
    public final ConditionObject newCondition() {
        return new ConditionObject();
    }

    /** Whether the current thread may wait on or signal this synchronizer's conditions. */
    public final boolean heldExclusively() {
        return isHeldExclusively();
    }
}
