package dev.pyconc.ipc.internal.shm;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reference counts of the segments that {@code close()} releases. A pipe end's {@code int} word
 * counts the objects open on the end in every process and the handles to it in flight: creating
 * the end counts one, sending it to another process one more ({@link #retain}, taken by the
 * handle, which the receiving object adopts), closing an object or collecting one never closed one
 * less ({@link #release}); the end is closed once the count is zero or the process that owns it
 * has ended. (Queues count per process: {@link Holders}.) {@link #hold} makes the one release of
 * an object's reference, by its close() or at its collection.
 *
 * <p>Memory consistency effects: the counts change by CAS (volatile semantics); actions of a process
 * prior to releasing a reference <i>happen-before</i> the removal by the process that releases the
 * last one.
 */
public final class References {
    private References() {}

    /**
     * Counts one more reference, for a handle about to travel.
     *
     * @throws IllegalStateException if no reference is left (the segment was released), naming {@code what}
     */
    public static void retain(MemorySegment m, long offset, String what) {
        for (;;) {
            int n = Words.getIntVolatile(m, offset);
            if (n <= 0) {
                throw new IllegalStateException(what + " was closed in every process: it cannot travel any more");
            }
            if (Words.compareAndSetInt(m, offset, n, n + 1)) {
                return;
            }
        }
    }

    /** Counts one reference less and returns how many are left (0: the caller released the last one). */
    public static int release(MemorySegment m, long offset) {
        for (;;) {
            int n = Words.getIntVolatile(m, offset);
            if (n <= 0) {
                return -1;     // released already (or a peer wrote garbage): nothing for this caller to remove
            }
            if (Words.compareAndSetInt(m, offset, n, n - 1)) {
                return n - 1;
            }
        }
    }

    /**
     * The reference that {@code owner}, an object of this process, holds: {@code giveBack} runs
     * once, at the first of {@link Held#release()} (the owner's close()) and the owner's collection
     * without close. {@code giveBack} must not refer to {@code owner}. (When the process ends, its
     * references are void without being given back: the counts' readers check that the holder
     * lives.)
     */
    public static Held hold(Object owner, Runnable giveBack) {
        Held h = new Held(giveBack);
        h.cleanable = CLEANER.register(owner, h);
        return h;
    }

    private static final Cleaner CLEANER = Cleaner.create();

    /** One reference held by an object of this process; see {@link #hold}. */
    public static final class Held implements Runnable {
        private final Runnable giveBack;
        private final AtomicBoolean released = new AtomicBoolean();
        private Cleaner.Cleanable cleanable;

        private Held(Runnable giveBack) {
            this.giveBack = giveBack;
        }

        /** Gives the reference back now, unless it was given back already. */
        public void release() {
            cleanable.clean();
        }

        /** Called by the cleanable (release, collection); gives back once. */
        @Override
        public void run() {
            if (released.compareAndSet(false, true)) {
                giveBack.run();
            }
        }
    }

    /** The references left now (for tests and {@code toString}). */
    public static int count(MemorySegment m, long offset) {
        return Words.getIntVolatile(m, offset);
    }
}
