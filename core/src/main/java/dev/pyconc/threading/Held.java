package dev.pyconc.threading;

/**
 * What {@code enter()} returns: the Java form of a Python context manager's {@code with} block.
 * {@link #close()} undoes what {@code enter()} did (releases the lock, returns the permit) and
 * declares no checked exception, so that a try-with-resources needs no catch:
 *
 * <pre> {@code
 * try (var _ = lock.enter()) {     // with lock:
 *     counter++;
 * }
 * }</pre>
 *
 * <p>Close a {@code Held} once, in the thread that entered. A primitive may hand out the same
 * instance on every {@code enter()}, so keep none beyond its block.
 */
@FunctionalInterface
public interface Held extends AutoCloseable {
    /** Leaves the block: releases what {@code enter()} acquired. */
    @Override
    void close();
}
