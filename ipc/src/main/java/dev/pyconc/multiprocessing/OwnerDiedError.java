package dev.pyconc.multiprocessing;

/**
 * Thrown when a process died holding a cross-process primitive that the calling thread waited for:
 * a {@link Lock} or {@link RLock}, permits of a {@link Semaphore}, or the lock of a
 * {@link Condition}. Python's multiprocessing has no counterpart (its locks stay held forever when
 * their holder is killed, cpython gh-88304); this follows POSIX robust mutexes'
 * {@code EOWNERDEAD}.
 *
 * <pre> {@code
 * try (var _ = lock.enter()) {
 *     update(shared);
 * } catch (OwnerDiedError e) {
 *     repair(shared);                  // the dead holder may have left it half-updated
 *     try (var _ = lock.enter()) { update(shared); }
 * }
 * }</pre>
 *
 * <p>When it is thrown, the primitive has already been made consistent: the dead process's hold
 * is gone (the lock is free, its permits are back) and the call that throws did <em>not</em>
 * acquire, so a retry proceeds normally. Exactly one waiter learns of each death; the others
 * simply acquire. The one exception is {@link Condition#await()}, which as always holds the lock
 * again when it throws. A holder that is merely stopped (SIGSTOP) is never taken for dead, nor is a
 * new process that got the dead one's PID.
 */
public class OwnerDiedError extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final long ownerPid;

    /** An error reporting that process {@code ownerPid} died; {@code message} says what to do. */
    public OwnerDiedError(String message, long ownerPid) {
        super(message);
        this.ownerPid = ownerPid;
    }

    /** The PID of the process that died. */
    public long ownerPid() {
        return ownerPid;
    }
}
