package dev.pyconc.multiprocessing;

import dev.pyconc.ipc.internal.shm.HeaderDescriptor;
import dev.pyconc.ipc.internal.shm.Segments;
import dev.pyconc.ipc.internal.shm.SharedCTypesDescriptor;
import dev.pyconc.ipc.internal.shm.Words;
import dev.pyconc.ipc.internal.sync.MutexDescriptor;

/**
 * The lock of a {@link Value} or {@link Array}, or its absence (Python's {@code RawValue} and
 * {@code RawArray}): what {@code sharedctypes}' {@code Synchronized} wrapper adds, the RLock that
 * {@code get_lock()} returns and that element reads and writes hold.
 */
final class OptionalLock {
    private final SharedLock lock;   // null: created with lock=false
    private final boolean own;       // the segment's own RLock, not one of the caller's
    private final String what;       // "Value" or "Array", for messages

    OptionalLock(Segments.Mapped mapped, int kind, String what) {
        boolean has = (Words.getInt(mapped.memory(), HeaderDescriptor.BODY + SharedCTypesDescriptor.FLAGS)
                & SharedCTypesDescriptor.HAS_LOCK) != 0;
        this.lock = has ? new RLock(mapped, MutexDescriptor.regionOf(kind)) : null;
        this.own = true;
        this.what = what;
    }

    /** The caller's lock, or none when it is null. */
    OptionalLock(SharedLock callers, String what) {
        this.lock = callers;
        this.own = false;
        this.what = what;
    }

    /** The caller's lock, which travels with the value's handle; null when the lock is the segment's own or none. */
    SharedLock callers() {
        return own ? null : lock;
    }

    /**
     * Checks a lock given for a new value or array: a multiprocessing {@link Lock} or {@link RLock},
     * which every process the value is sent to shares (Python's {@code lock=} argument).
     *
     * @throws IllegalArgumentException if it is null or another kind of lock
     */
    static SharedLock check(dev.pyconc.threading.Lockable lock) {
        if (lock instanceof SharedLock s) {
            return s;
        }
        throw new IllegalArgumentException("lock must be a multiprocessing Lock or RLock, not "
                + (lock == null ? "null (pass false for a raw value)" : lock.getClass().getName()));
    }

    /** The lock, for {@code getLock()}. */
    dev.pyconc.threading.Lockable get() {
        if (lock == null) {
            throw new IllegalStateException("this " + what + " was created with lock=false (a Raw" + what
                    + ") and has no lock");
        }
        return lock;
    }

    /** Takes the lock, if any; returns whether {@link #exit} must release it. */
    boolean enter() {
        if (lock == null) {
            return false;
        }
        lock.acquire();
        return true;
    }

    /** Releases the lock if {@code entered}. */
    void exit(boolean entered) {
        if (entered) {
            lock.release();
        }
    }
}
