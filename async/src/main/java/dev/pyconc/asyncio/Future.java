package dev.pyconc.asyncio;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.function.Consumer;

import dev.pyconc.contextvars.Context;
import dev.pyconc.core.internal.ContextSupport;
import dev.pyconc.core.internal.Failures;
import dev.pyconc.core.internal.GilRuntime;

/**
 * The eventual result of an operation on an {@link EventLoop}: Python's {@code asyncio.Future}.
 * A task body waits for it with {@link #await()}, the Java spelling of {@code await fut}.
 *
 * <pre> {@code
 * Future<String> reply = loop.createFuture();
 * loop.callLater(Duration.ofMillis(10), () -> reply.setResult("pong"));
 * String s = reply.await();          // in a task body: suspends the task, not the thread
 * }</pre>
 *
 * <p>A future is pending, cancelled or finished. {@link #result()} and {@link #exception()} throw
 * {@link InvalidStateError} while it is pending and {@link CancelledError} once it is cancelled;
 * {@code result()} throws what the operation threw (unchecked exceptions as they are, a checked
 * one wrapped in a {@link java.util.concurrent.CompletionException}). Done-callbacks are not
 * called at completion but scheduled on the loop with {@link EventLoop#callSoon}, in the order they
 * were added, as in Python.
 *
 * <p>Futures are not thread-safe, as in Python: use them from task bodies and callbacks of their
 * loop. From other threads, use {@link EventLoop#callSoonThreadsafe} or
 * {@link Asyncio#runCoroutineThreadsafe}.
 *
 * <p>Memory consistency effects: actions prior to {@code setResult}, {@code setException} or
 * {@code cancel} <i>happen-before</i> the return of an {@code await()} of the future and the run of
 * its done-callbacks. See <a href="package-summary.html#MemoryVisibility">Memory Visibility</a>.
 */
public class Future<T> {
    /*
     * Overview. Python's _PENDING / _CANCELLED / _FINISHED in `state`. Every field is plain and
     * guarded by the loop's baton (see Dispatcher): only the thread that holds the baton runs
     * loop code, and a baton hand-off is a volatile write read by the next holder.
     *
     * `callbacks` is null, one element or an ArrayList; an element is either a user Consumer or a
     * Task that awaits this future (its wake-up is its own step handle, so a suspension allocates
     * no callback). When the future completes, every element is scheduled through the loop.
     *
     * `unretrieved` is the state of a Cleaner registration that logs an exception nobody asked
     * for once the future is garbage collected, as Python's __del__ does; result(), exception()
     * and cancel() mark it retrieved, as they clear Python's __log_traceback.
     */
    static final int PENDING = 0;
    static final int CANCELLED = 1;
    static final int FINISHED = 2;

    private static final Cleaner CLEANER = Cleaner.create();

    final EventLoop loop;
    int state;                     // PENDING, CANCELLED or FINISHED
    private T result;
    Throwable exception;           // set with FINISHED when the operation failed
    String cancelMessage;          // the msg of cancel(msg)
    CancelledError cancelledExc;   // a task's: the CancelledError its body ended with, handed out once
    private Object callbacks;      // null, a Consumer or Task, or an ArrayList of them
    private Unretrieved unretrieved;
    Object gatherMark;             // the last gather that counted this future (duplicates count once)

    Future(EventLoop loop) {
        this.loop = loop;
    }

    /**
     * A pending future of {@link Asyncio#getEventLoop()}: the running loop, else the current loop
     * of the thread (Python's {@code Future()} without {@code loop}); {@link EventLoop#createFuture()}
     * is the usual way.
     *
     * @throws IllegalStateException if no loop runs in the thread and none is current there
     */
    public Future() {
        this(Asyncio.getEventLoop());
    }

    /** The loop the future belongs to. */
    public EventLoop getLoop() {
        return loop;
    }

    // ---------------------------------------------------------------- state

    /** Whether the future is cancelled or finished. */
    public boolean done() {
        return state != PENDING;
    }

    /** Whether the future was cancelled. */
    public boolean cancelled() {
        return state == CANCELLED;
    }

    /**
     * The result, or what the operation threw.
     *
     * @throws InvalidStateError if the future is pending
     * @throws CancelledError if it was cancelled
     */
    public T result() {
        if (state == CANCELLED) {
            throw makeCancelledError();
        }
        if (state != FINISHED) {
            throw new InvalidStateError("Result is not ready.");
        }
        retrieved();
        if (exception != null) {
            throw Failures.propagate(exception);
        }
        return result;
    }

    /**
     * What the operation threw, or {@code null} if it returned.
     *
     * @throws InvalidStateError if the future is pending
     * @throws CancelledError if it was cancelled
     */
    public Throwable exception() {
        if (state == CANCELLED) {
            throw makeCancelledError();
        }
        if (state != FINISHED) {
            throw new InvalidStateError("Exception is not set.");
        }
        retrieved();
        return exception;
    }

    /**
     * Completes the future with {@code value} and schedules its done-callbacks.
     *
     * @throws InvalidStateError if it is done already
     */
    public void setResult(T value) {
        loop.checkThread("Future.setResult");
        if (state != PENDING) {
            throw new InvalidStateError("invalid state " + stateName() + ": " + this);
        }
        setResultInternal(value);
    }

    final void setResultInternal(T value) {
        result = value;
        state = FINISHED;
        scheduleCallbacks();
    }

    /**
     * Completes the future with {@code failure} and schedules its done-callbacks.
     *
     * @throws InvalidStateError if it is done already
     * @throws IllegalArgumentException if {@code failure} is null
     */
    public void setException(Throwable failure) {
        loop.checkThread("Future.setException");
        if (state != PENDING) {
            throw new InvalidStateError("invalid state " + stateName() + ": " + this);    // first, as Python checks
        }
        if (failure == null) {
            throw new IllegalArgumentException("failure must not be null; use setResult(null) for a null result");
        }
        setExceptionInternal(failure);
    }

    final void setExceptionInternal(Throwable failure) {
        exception = failure;
        state = FINISHED;
        unretrieved = new Unretrieved(loop, failure, toString());
        CLEANER.register(this, unretrieved);
        scheduleCallbacks();
    }

    /** {@code cancel(null)}. */
    public boolean cancel() {
        return cancel(null);
    }

    /**
     * Cancels the future if it is pending and schedules its done-callbacks; {@code msg} becomes the
     * message of the {@link CancelledError} that awaiting it raises.
     *
     * @return whether it was cancelled now (false if it was done already)
     */
    public boolean cancel(String msg) {
        loop.checkThread("Future.cancel");
        retrieved();            // Python's cancel() clears __log_traceback first, done or not
        return cancelInternal(msg);
    }

    /** Python's Future.cancel, which Task.cancel calls as super().cancel(). */
    final boolean cancelInternal(String msg) {
        if (state != PENDING) {
            return false;
        }
        state = CANCELLED;
        cancelMessage = msg;
        scheduleCallbacks();
        return true;
    }

    /**
     * Waits until the future is done and returns its result: Python's {@code await fut}. In a task
     * body this suspends the task (not its thread) and lets the loop run other tasks and
     * callbacks; a future that is done already returns at once, without a switch, as in Python.
     *
     * @throws CancelledError if the future, or the awaiting task, was cancelled
     * @throws IllegalStateException if called outside a task body of this future's loop
     * @throws RuntimeException what the operation threw
     */
    public T await() {
        GilRuntime.checkpoint();
        if (state != PENDING) {
            return result();
        }
        Task<?> t = EventLoop.awaitingTask(loop);
        if (t == this) {
            throw new IllegalStateException("Task cannot await on itself: " + this);
        }
        t.suspend(this);
        return result();
    }

    // ---------------------------------------------------------------- callbacks

    /**
     * Adds {@code fn}, called with this future once it is done; if it is done already, {@code fn}
     * is scheduled at once. Either way it runs as a callback of the loop, never inside this call.
     */
    public void addDoneCallback(Consumer<? super Future<T>> fn) {
        addDoneCallback(fn, null);
    }

    /**
     * As {@link #addDoneCallback(Consumer)}; {@code fn} runs in {@code context} (Python's
     * {@code add_done_callback(fn, context=ctx)}), or, when it is null, in a copy of the context
     * current now.
     */
    public void addDoneCallback(Consumer<? super Future<T>> fn, Context context) {
        if (fn == null) {
            throw new IllegalArgumentException("fn must not be null");
        }
        loop.checkThread("Future.addDoneCallback");
        Context ctx = context != null ? context : Task.capturedContext();
        if (state != PENDING) {
            loop.pushReady(new DoneCallback<>(fn, this, ctx));
        } else {
            addCallbackElement(ctx == null ? fn : new InContext(fn, ctx));
        }
    }

    /**
     * Removes every registration of {@code fn} made with {@link #addDoneCallback}.
     *
     * @return how many were removed
     */
    public int removeDoneCallback(Consumer<? super Future<T>> fn) {
        if (callbacks == null) {
            return 0;
        }
        if (callbacks == fn || callbacks instanceof InContext c && c.fn == fn) {
            callbacks = null;
            return 1;
        }
        if (callbacks instanceof CallbackList list) {
            int before = list.size();
            list.removeIf(e -> e == fn || e instanceof InContext c && c.fn == fn);
            return before - list.size();
        }
        return 0;
    }

    /** Registers `task` to be woken, through its step handle, when this future is done. */
    final void addWakeup(Task<?> task) {
        addCallbackElement(task);
    }

    /** Forgets the wake-up of `task` (for awaits that stop listening, as in asyncio.wait). */
    final void removeWakeup(Task<?> task) {
        if (callbacks == task) {
            callbacks = null;
        } else if (callbacks instanceof CallbackList list) {
            list.remove(task);
        }
    }

    private void addCallbackElement(Object element) {
        Object c = callbacks;
        if (c == null) {
            callbacks = element;
        } else if (c instanceof CallbackList list) {
            list.add(element);
        } else {
            CallbackList list = new CallbackList();
            list.add(c);
            list.add(element);
            callbacks = list;
        }
    }

    @SuppressWarnings("unchecked")
    private void scheduleCallbacks() {
        Object c = callbacks;
        if (c == null) {
            return;
        }
        callbacks = null;
        if (c instanceof CallbackList list) {
            for (Object e : list) {
                scheduleCallback(e);
            }
        } else {
            scheduleCallback(c);
        }
    }

    @SuppressWarnings("unchecked")
    private void scheduleCallback(Object e) {
        if (e instanceof Task<?> t) {
            t.wakeUp(this);
        } else if (e instanceof InContext c) {
            loop.pushReady(new DoneCallback<>((Consumer<? super Future<T>>) c.fn, this, c.context));
        } else {
            loop.pushReady(new DoneCallback<>((Consumer<? super Future<T>>) e, this, null));
        }
    }

    /** A done-callback with the context it runs in (only once a ContextVar exists: see Handle). */
    private record InContext(Consumer<?> fn, Context context) {}

    /** A done-callback scheduled on the loop: one object per call, the handle and its argument. */
    private static final class DoneCallback<T> extends Handle {
        private final Consumer<? super Future<T>> fn;
        private final Future<T> future;

        DoneCallback(Consumer<? super Future<T>> fn, Future<T> future, Context context) {
            super(null);
            this.fn = fn;
            this.future = future;
            this.context = context != null ? context : LAZY;
        }

        @Override
        void run() {
            Context c = context;
            if (c == LAZY && !ContextSupport.used()) {
                fn.accept(future);
            } else {
                getContext().run(() -> fn.accept(future));
            }
        }

        @Override
        public String toString() {
            return "Handle[" + (cancelled ? "cancelled " : "") + fn + " of " + future + "]";
        }
    }

    private static final class CallbackList extends ArrayList<Object> {
        private static final long serialVersionUID = 1L;

        CallbackList() {
            super(4);
        }
    }

    // ---------------------------------------------------------------- for subclasses and siblings

    /**
     * The CancelledError that result() raises for this cancelled future: for a task whose body
     * ended with a CancelledError, that very exception the first time (Python's _cancelled_exc),
     * then new ones.
     */
    CancelledError makeCancelledError() {
        CancelledError e = cancelledExc;
        if (e != null) {
            cancelledExc = null;
            return e;
        }
        return new CancelledError(cancelMessage);
    }

    /** Copies the outcome of `source` (done) into this pending future. */
    @SuppressWarnings("unchecked")
    final void copyStateFrom(Future<?> source) {
        if (source.state == CANCELLED) {
            cancelInternal(source.cancelMessage);
        } else if (source.exception != null) {
            source.retrieved();
            setExceptionInternal(source.exception);
        } else {
            setResultInternal((T) source.result);
        }
    }

    final void retrieved() {
        if (unretrieved != null) {
            unretrieved.retrieved = true;
        }
    }

    final String stateName() {
        return switch (state) {
            case PENDING -> "pending";
            case CANCELLED -> "cancelled";
            default -> "finished";
        };
    }

    @Override
    public String toString() {
        return identity() + "[" + stateName() + outcome() + "]";
    }

    /** {@code Class@hash}, the head of {@link #toString()}. */
    final String identity() {
        return getClass().getSimpleName() + "@" + Integer.toHexString(System.identityHashCode(this));
    }

    /** {@code " result=Class"} or {@code " exception=Class"} once finished, else empty. */
    final String outcome() {
        if (state != FINISHED) {
            return "";
        }
        return exception != null ? " exception=" + exception.getClass().getSimpleName()
                : " result=" + (result == null ? "null" : result.getClass().getSimpleName());
    }

    /**
     * Reports an exception that nobody retrieved once its future is unreachable (debug mode), to
     * the loop's exception handler as Python's Future.__del__ does, or to the log once the loop is
     * closed.
     */
    private static final class Unretrieved implements Runnable {
        private final EventLoop loop;
        private final Throwable exception;
        private final String description;
        volatile boolean retrieved;

        Unretrieved(EventLoop loop, Throwable exception, String description) {
            this.loop = loop;
            this.exception = exception;
            this.description = description;
        }

        @Override
        public void run() {
            if (retrieved) {
                return;
            }
            String what = description.startsWith("Task") ? "Task" : "Future";
            var context = EventLoop.context(what + " exception was never retrieved", exception, "future", description);
            try {
                loop.callSoonThreadsafe(() -> loop.callExceptionHandler(context));
            } catch (IllegalStateException closed) {
                loop.defaultExceptionHandler(context);
            }
        }
    }
}
