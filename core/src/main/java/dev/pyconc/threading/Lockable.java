package dev.pyconc.threading;

import java.time.Duration;

import dev.pyconc.builtins.InterruptedError;

/**
 * Any lock: the protocol that Python's {@code with lock:} and {@code Condition(lock)} rely on,
 * which Python leaves to duck typing. The locks of {@code threading} ({@link Lock}, {@link RLock})
 * and of {@code multiprocessing} ({@code dev.pyconc.multiprocessing.Lock} and {@code RLock})
 * implement it, so that code written against it runs with either family, and a {@link Condition}
 * takes any of them, as {@code threading.Condition(multiprocessing.Lock())} does in Python.
 *
 * <pre> {@code
 * static void append(Lockable lock, List<String> log, String line) {
 *     try (var _ = lock.enter()) {                // with lock:
 *         log.add(line);
 *     }
 * }
 * append(new dev.pyconc.threading.Lock(), log, "in-process");
 * append(new dev.pyconc.multiprocessing.RLock(), log, "shared with other processes");
 * }</pre>
 *
 * <p>The first six methods are what every lock offers. The last three are what a condition
 * variable needs from its lock: whether the calling thread may wait ({@link #isHeldByCurrentThread()}),
 * release the lock completely while it waits ({@link #releaseFully()}), and take it back as it was
 * ({@link #reacquire(long)}): Python's {@code _is_owned}, {@code _release_save} and
 * {@code _acquire_restore}. Their default methods serve a lock that has no owner and no recursion;
 * a reentrant lock overrides all three. Code that only locks never calls them.
 *
 * <p>Memory consistency effects: actions in a thread prior to releasing a lock
 * <i>happen-before</i> actions following a successful acquire of the same lock in another thread
 * (for the locks of {@code multiprocessing}, in this process or another one). See
 * <a href="package-summary.html#MemoryVisibility">Memory Visibility</a>.
 */
public interface Lockable {

    /**
     * Acquires the lock, waiting as long as it takes.
     *
     * @return {@code true}, as Python does
     * @throws InterruptedError if the thread is interrupted while it waits
     */
    boolean acquire();

    /**
     * Acquires the lock, waiting at most {@code timeout}; {@code Duration.ZERO} does not wait.
     *
     * @return {@code false} if the timeout elapsed first
     * @throws IllegalArgumentException if {@code timeout} is null or negative
     * @throws InterruptedError if the thread is interrupted while it waits
     */
    boolean acquire(Duration timeout);

    /** Acquires the lock if it can without waiting; Python's {@code acquire(blocking=False)}. */
    boolean tryAcquire();

    /**
     * Releases the lock (one level of a reentrant lock).
     *
     * @throws IllegalStateException if the lock is not held, or, for a lock with an owner, not
     *         held by the calling thread
     */
    void release();

    /** Acquires the lock and returns the scope whose {@code close()} releases it: {@code with lock:}. */
    Held enter();

    /** Whether the lock is held, by any thread. */
    boolean locked();

    /**
     * Whether the calling thread may wait on, or signal, a condition over this lock (Python's
     * {@code Condition._is_owned}). The default answers {@link #locked()}: a lock that records no
     * owner counts as held by whoever asks while it is locked, as in Python. A lock with an owner
     * answers whether the calling thread owns it.
     */
    default boolean isHeldByCurrentThread() {
        return locked();
    }

    /**
     * Releases the lock completely, for a condition's wait, and returns what
     * {@link #reacquire(long)} needs to take it back as it was (Python's {@code _release_save}):
     * a reentrant lock frees every level the calling thread holds and returns their number. The
     * default releases once and returns 1.
     *
     * @throws IllegalStateException as {@link #release()} does
     */
    default long releaseFully() {
        release();
        return 1;
    }

    /**
     * Takes the lock back in the state {@link #releaseFully()} returned, waiting as long as it
     * takes (Python's {@code _acquire_restore}). It does not give up when interrupted: an
     * interrupt that arrives meanwhile leaves the thread's interrupt flag set, to be acted on
     * once the lock is held. The default acquires once.
     *
     * @param savedState what {@link #releaseFully()} returned
     */
    default void reacquire(long savedState) {
        boolean interrupted = false;
        try {
            for (;;) {
                try {
                    acquire();
                    return;
                } catch (InterruptedError e) {
                    interrupted = true;
                    java.lang.Thread.interrupted();     // wait again, with the flag clear
                }
            }
        } finally {
            if (interrupted) {
                java.lang.Thread.currentThread().interrupt();
            }
        }
    }
}
