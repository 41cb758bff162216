/**
 * Python's {@code threading} module: threads, locks, conditions, semaphores, events, barriers,
 * timers and thread-local data, with Python's semantics and Java's idioms.
 *
 * <p>Names follow Python's, with three rules: snake_case becomes camelCase ({@code is_set} is
 * {@code isSet}); Python's {@code wait} is {@code await} and {@code notify}/{@code notify_all} are
 * {@code signal}/{@code signalAll}, so that {@link java.lang.Object#wait()} is never reached by
 * accident; {@code with lock:} is {@code try (var _ = lock.enter()) { ... }} (see {@link Held}).
 * Timeouts are {@link java.time.Duration}s: the overload without one waits without limit,
 * {@code Duration.ZERO} does not block, and a negative one throws {@link IllegalArgumentException}.
 * Misuse that Python reports as {@code RuntimeError} (releasing an unlocked lock, waiting on a
 * condition without its lock) throws {@link IllegalStateException}. An interrupted wait throws
 * {@link InterruptedError} with the interrupt flag set again. Where Python takes any lock (duck
 * typing: {@code with lock:}, {@code Condition(lock)}), Java takes a {@link Lockable}, which the locks
 * of this package and of {@code multiprocessing} implement.
 *
 * <h2 id="MemoryVisibility">Memory Visibility</h2>
 * These primitives give the guarantees of {@code java.util.concurrent}, on whose
 * {@link java.util.concurrent.locks.AbstractQueuedSynchronizer} they are built:
 * <ul>
 * <li>Actions in a thread prior to releasing a {@link Lock}, {@link RLock} or
 *     {@link Semaphore} <i>happen-before</i> actions following a successful acquire of the same
 *     primitive in another thread.</li>
 * <li>Actions prior to {@link Condition#signal()} (made holding the lock) happen-before the return
 *     of the {@link Condition#await()} it wakes, whatever {@link Lockable} the condition uses.</li>
 * <li>Actions prior to {@link Event#set()} happen-before every {@link Event#await()} that returns
 *     {@code true} because of it, and every {@link Event#isSet()} that returns {@code true}.</li>
 * <li>Actions of each party prior to {@link Barrier#await()} happen-before the barrier's action,
 *     which happens-before the return of {@code await()} in every party.</li>
 * <li>Actions prior to {@link Thread#start()} happen-before the thread's first action; the
 *     thread's actions happen-before the return of a {@link Thread#join()} that saw it end.</li>
 * </ul>
 */
package dev.pyconc.threading;

import dev.pyconc.builtins.InterruptedError;
