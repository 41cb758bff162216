package dev.pyconc.asyncio;

/**
 * A callback scheduled for a point in the loop's time by {@link EventLoop#callLater} or
 * {@link EventLoop#callAt}: Python's {@code asyncio.TimerHandle}.
 *
 * <pre> {@code
 * TimerHandle h = loop.callLater(Duration.ofSeconds(5), () -> log.warn("still busy"));
 * double at = h.when();
 * h.cancel();
 * }</pre>
 *
 * <p>Memory consistency effects: as for {@link Handle}.
 */
public final class TimerHandle extends Handle implements Comparable<TimerHandle> {
    /*
     * Overview. A node of the loop's timer heap, ordered by deadline and then by sequence, so
     * that timers due at the same moment run in the order they were scheduled. `scheduled` says
     * whether the node is still in the heap; cancelling a scheduled timer tells the loop, which
     * rebuilds the heap when cancelled nodes are the majority (as Python's _timer_cancelled_count).
     * `when` is the loop time the caller asked for, kept as given: a double does not survive the
     * trip through nanoseconds unchanged, and Python's when() returns exactly what call_at got.
     */
    final long deadline;          // System.nanoTime() units, what the heap orders by
    private final double when;    // the loop time as given (callAt) or computed once (callLater)
    final long sequence;
    private final Dispatcher dispatcher;
    boolean scheduled;            // guarded by the loop's baton

    TimerHandle(Dispatcher dispatcher, long deadline, double when, long sequence, Runnable callback) {
        super(callback);     // the loop's own timer: no context (a user's is given one by EventLoop)
        this.dispatcher = dispatcher;
        this.deadline = deadline;
        this.when = when;
        this.sequence = sequence;
    }

    /**
     * When the callback is due, in the loop's {@link EventLoop#time()}: for {@code callAt(when, ...)}
     * exactly {@code when}.
     */
    public double when() {
        return when;
    }

    @Override
    public void cancel() {
        if (!cancelled) {
            cancelled = true;
            if (scheduled) {
                dispatcher.timerCancelled();
            }
        }
    }

    @Override
    public int compareTo(TimerHandle o) {
        int c = Long.compare(deadline - o.deadline, 0);
        return c != 0 ? c : Long.compare(sequence, o.sequence);
    }

    @Override
    public String toString() {
        return "TimerHandle[when=" + when() + (cancelled ? " cancelled " : " ") + callback + "]";
    }
}
