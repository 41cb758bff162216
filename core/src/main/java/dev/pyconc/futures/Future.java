package dev.pyconc.futures;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pyconc.core.internal.Failures;
import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.core.internal.Timeouts;
import dev.pyconc.threading.Condition;
import dev.pyconc.builtins.TimeoutError;

/**
 * The eventual result of a call run by an {@link Executor}: Python's
 * {@code concurrent.futures.Future}.
 *
 * <pre> {@code
 * try (var pool = new ThreadPoolExecutor(4)) {
 *     Future<Integer> f = pool.submit(() -> 6 * 7);
 *     f.addDoneCallback(done -> log.info("done: {}", done));
 *     int answer = f.result(Duration.ofSeconds(1));   // 42, or TimeoutError
 * }
 * }</pre>
 *
 * <p>A future is <em>pending</em>, <em>running</em>, <em>cancelled</em> or <em>finished</em>.
 * It can be cancelled only while pending. {@link #result()} returns the value or throws what the
 * call threw: unchecked exceptions as they are, a checked exception wrapped in a
 * {@link java.util.concurrent.CompletionException}; {@link CancelledError} if it was cancelled.
 * Done-callbacks run once, in the thread that completes the future, or at once in the caller if
 * it is already done; an exception thrown by a callback is logged and never thrown.
 *
 * <p>{@link #setRunningOrNotifyCancel()}, {@link #setResult} and {@link #setException} are for
 * executors and tests, as in Python.
 *
 * <p>Memory consistency effects: actions of the thread that completes the future prior to
 * {@code setResult} or {@code setException} <i>happen-before</i> the return of {@code result()},
 * {@code exception()} or {@code done()} that sees the outcome, and the running of every
 * done-callback. See <a href="package-summary.html#MemoryVisibility">Memory Visibility</a>.
 */
public class Future<T> {
    private static final Logger LOG = LoggerFactory.getLogger(Future.class);

    /*
     * Overview. Python's states, guarded by cond's lock:
     *
     *   PENDING --cancel()--> CANCELLED --setRunningOrNotifyCancel()--> CANCELLED_AND_NOTIFIED
     *      \--setRunningOrNotifyCancel()--> RUNNING --setResult/setException--> FINISHED
     *   (setResult/setException also move PENDING to FINISHED directly)
     *
     * Unlike CPython, cancel() tells the waiters of Futures.wait and asCompleted at once instead
     * of when an executor later calls setRunningOrNotifyCancel(), so a wait never hangs on a
     * future that nobody will run.
     */
    private enum State { PENDING, RUNNING, CANCELLED, CANCELLED_AND_NOTIFIED, FINISHED }

    private final Condition cond = new Condition();         // an RLock: waiters may ask about this future
    private State state = State.PENDING;
    private T result;
    private Throwable exception;
    private List<Consumer<? super Future<T>>> callbacks;   // null when none; cleared once run
    private List<Consumer<? super Future<T>>> waiters;     // Futures.wait/asCompleted; run under the lock

    /** A new pending future; executors create them, and tests may. */
    public Future() {}

    /**
     * Cancels the future if it is pending.
     *
     * @return {@code false} if it is running or finished; {@code true} if it is cancelled now
     */
    public boolean cancel() {
        List<Consumer<? super Future<T>>> toRun;
        try (var _ = cond.enter()) {
            if (state == State.RUNNING || state == State.FINISHED) {
                return false;
            }
            if (state == State.CANCELLED || state == State.CANCELLED_AND_NOTIFIED) {
                return true;
            }
            state = State.CANCELLED;
            cond.signalAll();
            // waiters (Futures.wait, asCompleted) hear of it once the executor has seen it, as in Python
            toRun = takeCallbacks();
        }
        invokeCallbacks(toRun);
        return true;
    }

    /** Whether the future was cancelled. */
    public boolean cancelled() {
        try (var _ = cond.enter()) {
            return isCancelled();
        }
    }

    /** Whether the call is running now. */
    public boolean running() {
        try (var _ = cond.enter()) {
            return state == State.RUNNING;
        }
    }

    /** Whether the future is cancelled or finished. */
    public boolean done() {
        try (var _ = cond.enter()) {
            return isDone();
        }
    }

    private boolean isCancelled() {
        return state == State.CANCELLED || state == State.CANCELLED_AND_NOTIFIED;
    }

    private boolean isDone() {
        return state == State.CANCELLED || state == State.CANCELLED_AND_NOTIFIED || state == State.FINISHED;
    }

    /**
     * Waits for the call to finish and returns its value.
     *
     * @throws CancelledError if the future was cancelled
     * @throws RuntimeException what the call threw (checked exceptions wrapped in a
     *         {@link java.util.concurrent.CompletionException})
     */
    public T result() {
        GilRuntime.checkpoint();
        try (var _ = cond.enter()) {
            while (!isDone()) {
                cond.await();
            }
            return outcome();
        }
    }

    /**
     * Waits at most {@code timeout} for the call to finish and returns its value.
     *
     * @throws TimeoutError if the call did not finish within {@code timeout}
     * @throws CancelledError if the future was cancelled
     * @throws RuntimeException what the call threw
     */
    public T result(Duration timeout) {
        long deadline = Timeouts.deadline(Timeouts.toNanos(timeout));
        GilRuntime.checkpoint();
        try (var _ = cond.enter()) {
            awaitDone(deadline);
            return outcome();
        }
    }

    private T outcome() {
        if (isCancelled()) {
            throw new CancelledError();
        }
        if (exception != null) {
            throw Failures.propagate(exception);
        }
        return result;
    }

    /**
     * Waits for the call to finish and returns what it threw, or {@code null} if it returned.
     *
     * @throws CancelledError if the future was cancelled
     */
    public Throwable exception() {
        GilRuntime.checkpoint();
        try (var _ = cond.enter()) {
            while (!isDone()) {
                cond.await();
            }
            return thrown();
        }
    }

    /**
     * Waits at most {@code timeout} for the call to finish and returns what it threw, or
     * {@code null} if it returned.
     *
     * @throws TimeoutError if the call did not finish within {@code timeout}
     * @throws CancelledError if the future was cancelled
     */
    public Throwable exception(Duration timeout) {
        long deadline = Timeouts.deadline(Timeouts.toNanos(timeout));
        GilRuntime.checkpoint();
        try (var _ = cond.enter()) {
            awaitDone(deadline);
            return thrown();
        }
    }

    private void awaitDone(long deadline) {
        while (!isDone()) {
            long left = Timeouts.remaining(deadline);
            if (left <= 0) {
                throw new TimeoutError("the future did not finish in time");
            }
            cond.await(Duration.ofNanos(left));
        }
    }

    private Throwable thrown() {
        if (isCancelled()) {
            throw new CancelledError();
        }
        return exception;
    }

    /**
     * Calls {@code fn} with this future when it is cancelled or finished, or at once, in the
     * calling thread, if it is already. Callbacks run in the order added; what they throw is
     * logged and never thrown.
     */
    public void addDoneCallback(Consumer<? super Future<T>> fn) {
        if (fn == null) {
            throw new IllegalArgumentException("fn must not be null");
        }
        try (var _ = cond.enter()) {
            if (!isDone()) {
                if (callbacks == null) {
                    callbacks = new ArrayList<>(2);
                }
                callbacks.add(fn);
                return;
            }
        }
        invokeCallback(fn);
    }

    /**
     * Marks the future as running, or learns that it was cancelled: executors call this before
     * running the call, and skip the call when it returns {@code false}.
     *
     * @return {@code false} if the future was cancelled; {@code true} if it is running now
     * @throws IllegalStateException if the future is running or finished already
     */
    public boolean setRunningOrNotifyCancel() {
        try (var _ = cond.enter()) {
            switch (state) {
                case CANCELLED -> {
                    state = State.CANCELLED_AND_NOTIFIED;
                    notifyWaiters();
                    return false;
                }
                case PENDING -> {
                    state = State.RUNNING;
                    return true;
                }
                default -> throw new IllegalStateException("future in unexpected state: " + state);
            }
        }
    }

    /**
     * Completes the future with {@code value}.
     *
     * @throws InvalidStateError if the future is cancelled or finished already
     */
    public void setResult(T value) {
        complete(value, null);
    }

    /**
     * Completes the future with {@code failure}, which {@link #result()} will throw.
     *
     * @throws InvalidStateError if the future is cancelled or finished already
     * @throws IllegalArgumentException if {@code failure} is null
     */
    public void setException(Throwable failure) {
        if (failure == null) {
            throw new IllegalArgumentException("failure must not be null");
        }
        complete(null, failure);
    }

    private void complete(T value, Throwable failure) {
        List<Consumer<? super Future<T>>> toRun;
        try (var _ = cond.enter()) {
            if (isDone()) {
                throw new InvalidStateError(state + ": " + this);
            }
            result = value;
            exception = failure;
            state = State.FINISHED;
            cond.signalAll();
            notifyWaiters();
            toRun = takeCallbacks();
        }
        invokeCallbacks(toRun);
    }

    /**
     * A {@link CompletableFuture} that completes with this future: normally with its result,
     * exceptionally with what the call threw, or cancelled. Cancelling it cancels this future
     * if this future is still pending.
     */
    public CompletableFuture<T> toCompletableFuture() {
        CompletableFuture<T> view = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                return Future.this.cancel() && super.cancel(mayInterruptIfRunning);
            }
        };
        addDoneCallback(f -> {
            // The outcome of a done future no longer changes: read it under the lock, complete the
            // view outside it, since completing runs the view's dependent stages in this thread.
            boolean wasCancelled;
            Throwable failure;
            T value;
            try (var _ = cond.enter()) {
                wasCancelled = isCancelled();
                failure = exception;
                value = result;
            }
            if (wasCancelled) {
                view.cancel(false);
            } else if (failure != null) {
                view.completeExceptionally(failure);
            } else {
                view.complete(value);
            }
        });
        return view;
    }

    // ---------------------------------------------------------------- for Futures.wait and asCompleted

    /**
     * Adds {@code waiter}, called under this future's lock when it completes, or at once if it is
     * done; returns whether it was done already.
     */
    boolean addWaiter(Consumer<? super Future<T>> waiter) {
        try (var _ = cond.enter()) {
            if (isCompletedForWaiters()) {
                return true;
            }
            if (waiters == null) {
                waiters = new ArrayList<>(2);
            }
            waiters.add(waiter);
            return false;
        }
    }

    void removeWaiter(Consumer<? super Future<T>> waiter) {
        try (var _ = cond.enter()) {
            if (waiters != null) {
                waiters.remove(waiter);
            }
        }
    }

    /**
     * Whether {@code Futures.wait} and {@code asCompleted} count the future as done: finished, or
     * cancelled and seen so by its executor ({@link #setRunningOrNotifyCancel()}), as Python's
     * {@code wait} counts FINISHED and CANCELLED_AND_NOTIFIED but not CANCELLED.
     */
    boolean completedForWaiters() {
        try (var _ = cond.enter()) {
            return isCompletedForWaiters();
        }
    }

    /**
     * For an executor that drops the future without running it: a cancelled future becomes
     * CANCELLED_AND_NOTIFIED (its waiters hear of it), as if a worker had taken it.
     */
    void notifyIfCancelled() {
        try (var _ = cond.enter()) {
            if (state == State.CANCELLED) {
                state = State.CANCELLED_AND_NOTIFIED;
                notifyWaiters();
            }
        }
    }

    private boolean isCompletedForWaiters() {
        return state == State.CANCELLED_AND_NOTIFIED || state == State.FINISHED;
    }

    /** Whether the future finished with an exception (not cancelled); call only when done. */
    boolean failed() {
        try (var _ = cond.enter()) {
            return state == State.FINISHED && exception != null;
        }
    }

    private void notifyWaiters() {
        if (waiters != null) {
            for (var w : waiters) {
                w.accept(this);
            }
        }
    }

    private List<Consumer<? super Future<T>>> takeCallbacks() {
        var taken = callbacks;
        callbacks = null;
        return taken;
    }

    private void invokeCallbacks(List<Consumer<? super Future<T>>> toRun) {
        if (toRun != null) {
            for (var fn : toRun) {
                invokeCallback(fn);
            }
        }
    }

    private void invokeCallback(Consumer<? super Future<T>> fn) {
        try {
            fn.accept(this);
        } catch (Throwable e) {
            LOG.error("exception calling callback for {}", this, e);
        }
    }

    @Override
    public String toString() {
        try (var _ = cond.enter()) {
            // Python's repr names both cancelled states "cancelled"
            String shown = state == State.CANCELLED_AND_NOTIFIED ? "cancelled" : state.name().toLowerCase();
            String s = "Future@" + Integer.toHexString(System.identityHashCode(this)) + "[state=" + shown;
            if (state == State.FINISHED) {
                s += exception != null ? " raised " + exception.getClass().getSimpleName()
                        : " returned " + (result == null ? "null" : result.getClass().getSimpleName());
            }
            return s + "]";
        }
    }
}
