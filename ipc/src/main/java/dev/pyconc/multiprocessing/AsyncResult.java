package dev.pyconc.multiprocessing;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pyconc.core.internal.Failures;
import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.core.internal.Timeouts;
import dev.pyconc.threading.Event;

/**
 * The result of a {@link Pool}'s {@code applyAsync}, {@code mapAsync} or {@code starmapAsync}:
 * Python's {@code multiprocessing.pool.AsyncResult} (and its subclass {@code MapResult}).
 *
 * <pre> {@code
 * AsyncResult<Long> r = pool.applyAsync(() -> fib(30));
 * r.await(Duration.ofSeconds(1));          // Python's wait(timeout): at most a second
 * if (r.ready() && r.successful()) {
 *     long v = r.get();
 * }
 * long v = r.get(Duration.ofSeconds(10));  // TimeoutError if not ready by then
 * }</pre>
 *
 * <p>{@link #get()} returns the value or throws what the task threw in the worker: an unchecked
 * exception or error as it is, a checked exception wrapped in a
 * {@link java.util.concurrent.CompletionException} (as core's {@code Future.result()} does), with
 * the worker's stack trace attached as a {@link RemoteTraceback}. It throws
 * {@link BrokenProcessPool} if the worker running the task died or the pool was terminated
 * first, {@link PicklingError} if a result could not be sent back, and {@link UnpicklingError} if
 * a result's class is not allowed by the pool's codec.
 *
 * <p>The callbacks given to {@code applyAsync}/{@code mapAsync}, as in Python, run in the pool's
 * result handler thread before {@link #get()} returns; they should return quickly, since no other
 * result is handled meanwhile, and they cannot wait for another result of the pool ({@code get()}
 * in a callback throws {@link IllegalStateException} unless the result is ready, where CPython would
 * hang). An exception thrown by a callback is logged (SLF4J) and dropped.
 * An {@code AsyncResult} keeps its pool reachable, as Python's does.
 *
 * <p>Memory consistency effects: actions of the task in the worker <i>happen-before</i> the
 * return of {@link #get()}, and of {@link #ready()} or {@link #await(Duration)} returning
 * {@code true}, in the thread that sees the result; the callback's actions happen-before them too.
 *
 * @param <T> the type of the result
 */
public final class AsyncResult<T> {
    private static final Logger LOG = LoggerFactory.getLogger(AsyncResult.class);

    private final Object pool;                            // keeps the pool reachable, as Python's ApplyResult._pool
    private final Thread handler;                         // the pool's result handler, which must not wait here
    private final Consumer<? super T> callback;           // null: none
    private final Consumer<? super Throwable> errorCallback;
    private final AtomicBoolean completing = new AtomicBoolean();
    private final Event ready = new Event();
    private T value;                                      // written before ready.set()
    private Throwable error;                              // written before ready.set()

    AsyncResult(Object pool, Thread handler, Consumer<? super T> callback, Consumer<? super Throwable> errorCallback) {
        this.pool = pool;
        this.handler = handler;
        this.callback = callback;
        this.errorCallback = errorCallback;
    }

    /** Completes with {@code v}, once: runs the callback, then releases the waiters. */
    void set(T v) {
        complete(v, null);
    }

    /** Completes with {@code e}, once: runs the error callback, then releases the waiters. */
    void setException(Throwable e) {
        complete(null, e);
    }

    private void complete(T v, Throwable e) {
        if (!completing.compareAndSet(false, true)) {
            return;
        }
        value = v;
        error = e;
        try {
            if (e == null && callback != null) {
                callback.accept(v);
            } else if (e != null && errorCallback != null) {
                errorCallback.accept(e);
            }
        } catch (Throwable t) {
            LOG.error("exception in the callback of {}", this, t);
        }
        ready.set();
    }

    /**
     * Waits for the result and returns it, or throws what the task threw (see the class comment).
     *
     * @throws dev.pyconc.builtins.InterruptedError if the thread is interrupted while it waits
     */
    public T get() {
        GilRuntime.checkpoint();
        if (!ready.isSet()) {
            PoolEngine.checkNotHandler(handler);
            ready.await();
        }
        return outcome();
    }

    /**
     * Waits at most {@code timeout} for the result and returns it, or throws what the task threw.
     *
     * @throws TimeoutError if the result is not ready within {@code timeout}
     * @throws IllegalArgumentException if {@code timeout} is null or negative
     */
    public T get(Duration timeout) {
        Timeouts.toNanos(timeout);
        if (!ready.isSet()) {
            PoolEngine.checkNotHandler(handler);
        }
        if (!ready.await(timeout)) {
            throw new TimeoutError("the result was not ready within " + timeout);
        }
        return outcome();
    }

    private T outcome() {
        if (error != null) {
            throw Failures.propagate(error);
        }
        return value;
    }

    /**
     * Waits until the result is ready (Python's {@code wait()}).
     *
     * @return {@code true}
     */
    public boolean await() {
        if (!ready.isSet()) {
            PoolEngine.checkNotHandler(handler);
        }
        return ready.await();
    }

    /**
     * Waits at most {@code timeout} until the result is ready (Python's {@code wait(timeout)}).
     *
     * @return whether it is ready
     * @throws IllegalArgumentException if {@code timeout} is null or negative
     */
    public boolean await(Duration timeout) {
        return ready.await(timeout);
    }

    /** Whether the call has completed, with a value or an exception. */
    public boolean ready() {
        return ready.isSet();
    }

    /**
     * Whether the call completed without raising an exception.
     *
     * @throws IllegalStateException if the result is not ready yet (Python's ValueError)
     */
    public boolean successful() {
        if (!ready.isSet()) {
            throw new IllegalStateException("AsyncResult is not ready");
        }
        return error == null;
    }

    @Override
    public String toString() {
        if (!ready.isSet()) {
            return "AsyncResult[pending]";
        }
        return error == null ? "AsyncResult[successful]" : "AsyncResult[failed: " + error.getClass().getName() + "]";
    }
}
