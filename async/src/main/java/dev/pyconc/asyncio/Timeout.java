package dev.pyconc.asyncio;

import java.util.concurrent.Callable;

import dev.pyconc.builtins.TimeoutError;
import dev.pyconc.core.internal.Failures;

/**
 * A block of a task body with a deadline: Python's {@code asyncio.Timeout}, made by
 * {@link Asyncio#timeout(java.time.Duration)} and {@link Asyncio#timeoutAt(double)}. When the
 * deadline passes, the task is cancelled, and the block's body ends with a
 * {@link TimeoutError}, which leaves the block.
 *
 * <pre> {@code
 * try (Timeout t = Asyncio.timeout(Duration.ofSeconds(5))) {
 *     var first = fetch();
 *     t.reschedule(loop.time() + 5);          // five more seconds for the rest
 *     fetchRest(first);
 * } catch (TimeoutError e) {                  // dev.pyconc.builtins.TimeoutError
 *     ...
 * }
 * }</pre>
 *
 * <p><b>What the body sees.</b> In Python the body gets a {@code CancelledError} at its await and
 * the block's {@code __aexit__} turns it into {@code TimeoutError} as it leaves. A Java
 * try-with-resources block cannot replace the exception that leaves it, so here the await where
 * the block's own cancellation arrives raises the {@code TimeoutError} itself. It is not a
 * {@link CancelledError}: clean-up inside the block written as {@code catch (CancelledError e)}
 * does not run for it (write it in a {@code finally}, or catch {@code TimeoutError} too), and a
 * {@code catch (CancelledError e)} around the block never catches the timeout, as in Python. The
 * {@code CancelledError} it stands for is attached as a suppressed exception, where Python has it
 * as the cause. For a body that must see Python's {@code CancelledError},
 * {@link Asyncio#waitFor(Callable, java.time.Duration)} runs it in the calling task under a
 * timeout with exactly Python's semantics.
 *
 * <p>Only the block's own cancellation becomes a {@code TimeoutError}, and only when no other
 * cancellation of the task was requested since the block was entered: a cancellation from
 * elsewhere (an outer {@code task.cancel()}, an enclosing timeout or task group) arrives as it is.
 * A task whose body ends by throwing a {@code TimeoutError} finishes with that exception; it is
 * not cancelled.
 *
 * <p>Memory consistency effects: none beyond those of the task's loop.
 */
public final class Timeout implements AutoCloseable {
    private enum State {
        ENTERED("active"), EXPIRING("expiring"), EXPIRED("expired"), EXITED("finished");

        final String label;     // Python's state names

        State(String label) {
            this.label = label;
        }
    }

    /*
     * Overview. Python's timeouts.Timeout state machine, entered at construction:
     *
     *   ENTERED --deadline passes: task.cancel()--> EXPIRING --close()--> EXPIRED
     *      \--close()--> EXITED
     *
     * The block is one of its task's scopes (see Task's overview). While it is EXPIRING and the
     * task's cancellation is raised inside it, the task asks it what the error leaving it would
     * be: its TimeoutError when, its request withdrawn, no more requests would be left than at
     * its entry (Python's `uncancel() <= self._cancelling`). close() withdraws the request with
     * uncancel(), as __aexit__ does. The exact form (waitFor) runs its body inside call() and
     * converts the CancelledError that leaves it as __aexit__ does. A deadline already due is
     * expired by a handle called soon, not a timer, so that even an await that only yields sees
     * it. All fields are guarded by the loop's baton.
     */
    private final EventLoop loop;
    private final Task<?> task;
    private final int cancellingAtEntry;     // the task's cancelling() when the block was entered
    private final boolean exact;             // converts after its body (call), not at the await
    private final String expiredMessage;     // of its TimeoutError
    private final Task.Scope scope = new BlockScope();
    private Double when;                     // the deadline in loop time, as given; null for none
    private Handle handle;                   // the timer, or the call soon of a deadline already due
    private State state = State.ENTERED;

    private Timeout(EventLoop loop, Task<?> task, Double when, long deadline, boolean exact) {
        this.loop = loop;
        this.task = task;
        this.exact = exact;
        this.expiredMessage = exact ? "waitFor() timed out" : "the timeout block expired";
        this.cancellingAtEntry = task.cancelling();
        task.enterScope(scope);
        reschedule0(when, deadline);
    }

    /**
     * Enters a block in the current task that expires at {@code when} (loop time; null: never),
     * {@code deadline} in nanoTime units.
     */
    static Timeout enter(EventLoop loop, Double when, long deadline) {
        return new Timeout(loop, currentTask(loop), when, deadline, false);
    }

    /**
     * Runs {@code body} in the current task within a timeout that expires at {@code deadline}
     * (nanoTime units), exactly as Python's {@code async with timeout(...)}: the body sees a
     * {@link CancelledError}, turned into {@link TimeoutError} as it leaves (waitFor).
     */
    static <T> T call(EventLoop loop, long deadline, Callable<T> body) {
        Timeout t = new Timeout(loop, currentTask(loop), EventLoop.toLoopTime(deadline), deadline, true);
        T value;
        try {
            value = body.call();
        } catch (Throwable e) {
            throw Failures.propagate(t.exit(e));
        }
        t.exit(null);
        return value;
    }

    private static Task<?> currentTask(EventLoop loop) {
        Task<?> task = EventLoop.currentTaskOf(loop);
        if (task == null) {
            throw new IllegalStateException("Timeout should be used inside a task body, not in a callback");
        }
        return task;
    }

    /** The deadline in the loop's {@link EventLoop#time()}, exactly as given, or null if there is none. */
    public Double when() {
        return when;
    }

    /**
     * Moves the deadline to {@code when} (loop time), or removes it when {@code when} is null. A
     * deadline already past expires the block at once: its cancellation is requested with a
     * callback called soon, so that even an await that only yields ({@code sleep(ZERO)}) sees it.
     *
     * @throws IllegalStateException if the block has expired or was closed
     */
    public void reschedule(Double when) {
        if (state != State.ENTERED) {
            throw new IllegalStateException("Cannot change state of " + state.label + " Timeout");
        }
        if (when != null && when.isNaN()) {
            throw new IllegalArgumentException("when must be a number, not NaN");
        }
        reschedule0(when, when == null ? 0 : EventLoop.toNanoTime(when));
    }

    private void reschedule0(Double newWhen, long deadline) {
        when = newWhen;
        if (handle != null) {
            handle.cancel();
            handle = null;
        }
        if (newWhen == null) {
            return;
        }
        if (deadline - System.nanoTime() <= 0) {
            handle = new Handle(this::onTimeout);
            loop.pushReady(handle);
        } else {
            handle = loop.schedule(deadline, newWhen, this::onTimeout);
        }
    }

    /** Whether the deadline passed and the block's cancellation was requested. */
    public boolean expired() {
        return state == State.EXPIRING || state == State.EXPIRED;
    }

    private void onTimeout() {
        handle = null;
        if (state == State.ENTERED) {
            task.cancel();
            state = State.EXPIRING;
        }
    }

    private TimeoutError timeoutError(CancelledError cause) {
        TimeoutError e = new TimeoutError(expiredMessage);
        e.addSuppressed(cause);
        return e;
    }

    /**
     * Ends the block: cancels the deadline and, if it expired, withdraws the block's
     * cancellation of the task. Idempotent.
     */
    @Override
    public void close() {
        exit(null);
    }

    /** Python's __aexit__ with {@code error} leaving the body (null: none); returns what leaves the block. */
    private Throwable exit(Throwable error) {
        if (handle != null) {
            handle.cancel();
            handle = null;
        }
        int index = task.exitScope(scope);
        if (state == State.EXPIRING) {
            state = State.EXPIRED;
            if (task.uncancel() <= cancellingAtEntry && error instanceof CancelledError c) {
                error = timeoutError(c);
            }
        } else if (state == State.ENTERED) {
            state = State.EXITED;
        }
        if (exact && error instanceof CancelledError c && index >= 0) {
            error = task.cancellationError(index - 1, c);     // into the blocks around this one
        }
        return error;
    }

    @Override
    public String toString() {
        return "Timeout[" + state.label + (state == State.ENTERED ? " when=" + when : "") + "]";
    }

    /** The block as its task's scope. */
    private final class BlockScope extends Task.Scope {
        @Override
        boolean exact() {
            return exact;
        }

        @Override
        boolean exiting() {
            return false;
        }

        @Override
        boolean requestPending() {
            return state == State.EXPIRING;
        }

        @Override
        Throwable translate(int remaining, CancelledError cancellation) {
            return remaining <= cancellingAtEntry ? timeoutError(cancellation) : null;
        }
    }
}
