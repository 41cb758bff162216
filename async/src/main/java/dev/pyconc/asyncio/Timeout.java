package dev.pyconc.asyncio;

/**
 * A block of a task body with a deadline: Python's {@code asyncio.Timeout}, made by
 * {@link Asyncio#timeout(java.time.Duration)} and {@link Asyncio#timeoutAt(double)}. When the
 * deadline passes, the task is cancelled; the cancellation leaves the block as a
 * {@link TimeoutError}.
 *
 * <pre> {@code
 * try (Timeout t = Asyncio.timeout(Duration.ofSeconds(5))) {
 *     var first = fetch();
 *     t.reschedule(loop.time() + 5);          // five more seconds for the rest
 *     fetchRest(first);
 * } catch (TimeoutError e) {
 *     ...
 * }
 * }</pre>
 *
 * <p>Only the block's own cancellation becomes a {@code TimeoutError}: a cancellation of the task
 * from elsewhere (an outer {@code task.cancel()}, an enclosing timeout or task group) passes through
 * as it is. See {@link TimeoutError} for why the error is raised at the await rather than at the
 * end of the block.
 *
 * <p>Memory consistency effects: none beyond those of the task's loop.
 */
public final class Timeout implements AutoCloseable, Task.CancelSource {
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
     *   ENTERED --deadline passes: task.cancelFrom(this)--> EXPIRING --close()--> EXPIRED
     *      \--close()--> EXITED
     *
     * The task records this block as the source of its cancellation; while the block's request
     * is the newest and every outstanding request is a block's, the error delivered at the await is
     * this block's TimeoutError. close() withdraws the request (task.uncancelFrom), as __aexit__'s
     * uncancel() does. All fields are guarded by the loop's baton.
     */
    private final EventLoop loop;
    private final Task<?> task;
    private Double when;               // the deadline in loop time, as given; null for none
    private Handle handle;             // the timer, or the call soon of a deadline already due
    private State state = State.ENTERED;

    private Timeout(EventLoop loop, Task<?> task, Double when, long deadline) {
        this.loop = loop;
        this.task = task;
        reschedule0(when, deadline);
    }

    /** Enters a block in the current task that expires at {@code when} (loop time; null: never), {@code deadline} in nanoTime units. */
    static Timeout enter(EventLoop loop, Double when, long deadline) {
        Task<?> task = EventLoop.currentTaskOf(loop);
        if (task == null) {
            throw new IllegalStateException("Timeout should be used inside a task body, not in a callback");
        }
        return new Timeout(loop, task, when, deadline);
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
            task.cancelFrom(this);
            state = State.EXPIRING;
        }
    }

    @Override
    public CancelledError cancellationFor(Task<?> t) {
        return new TimeoutError("the timeout block expired");
    }

    /** Ends the block: cancels the deadline, and withdraws the block's cancellation if it expired. */
    @Override
    public void close() {
        if (handle != null) {
            handle.cancel();
            handle = null;
        }
        if (state == State.EXPIRING) {
            state = State.EXPIRED;
            task.uncancelFrom(this);
        } else if (state == State.ENTERED) {
            state = State.EXITED;
        }
    }

    @Override
    public String toString() {
        return "Timeout[" + state.label + (state == State.ENTERED ? " when=" + when : "") + "]";
    }
}
