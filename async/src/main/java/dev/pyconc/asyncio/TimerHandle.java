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
     */
    final long deadline;          // System.nanoTime() units
    final long sequence;
    private final EventLoop loop;
    boolean scheduled;            // guarded by the loop's baton

    TimerHandle(EventLoop loop, long deadline, long sequence, Runnable callback) {
        super(callback);
        this.loop = loop;
        this.deadline = deadline;
        this.sequence = sequence;
    }

    /** When the callback is due, in the loop's {@link EventLoop#time()}. */
    public double when() {
        return EventLoop.toLoopTime(deadline);
    }

    @Override
    public void cancel() {
        if (!cancelled) {
            cancelled = true;
            if (scheduled) {
                loop.timerCancelled();
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
