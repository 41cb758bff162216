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
    private final RLock lock;        // null: created with lock=false
    private final String what;       // "Value" or "Array", for messages

    OptionalLock(Segments.Mapped mapped, int kind, String what) {
        boolean has = (Words.getInt(mapped.memory(), HeaderDescriptor.BODY + SharedCTypesDescriptor.FLAGS)
                & SharedCTypesDescriptor.HAS_LOCK) != 0;
        this.lock = has ? new RLock(mapped, MutexDescriptor.regionOf(kind)) : null;
        this.what = what;
    }

    /** The lock, for {@code getLock()}. */
    RLock get() {
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
