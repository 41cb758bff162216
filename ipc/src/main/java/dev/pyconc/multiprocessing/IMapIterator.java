package dev.pyconc.multiprocessing;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;

import dev.pyconc.core.internal.Failures;
import dev.pyconc.core.internal.GilRuntime;
import dev.pyconc.core.internal.Timeouts;
import dev.pyconc.threading.Condition;

/**
 * The results of a {@link Pool}'s {@code imap} (in the order of the items) or
 * {@code imapUnordered} (in the order they complete), as they arrive: Python's
 * {@code multiprocessing.pool.IMapIterator} and {@code IMapUnorderedIterator}. It is its own
 * {@link Iterable}, as a Python iterator is, so it can be used once in a for-each loop.
 *
 * <pre> {@code
 * for (int square : pool.imap(x -> x * x, List.of(1, 2, 3))) {
 *     System.out.println(square);            // 1, 4, 9 as each is ready
 * }
 * var it = pool.imapUnordered(x -> slow(x), items);
 * String first = it.next(Duration.ofSeconds(5));      // TimeoutError if none is ready by then
 * }</pre>
 *
 * <p>Items are sent to the workers in chunks of {@code chunksize}. When a task raises, or its
 * worker dies ({@link BrokenProcessPool}), {@link #next()} throws that exception once, at the
 * position of its chunk (the remaining items of that chunk are skipped), and iteration can go on
 * with the next chunk: with the default chunksize of 1, exactly as Python's iterator does. An
 * exception the items' iterable threw while {@code imap} read it comes, as in Python, after the
 * results of the whole chunks read before it (the items of the chunk it interrupted are dropped),
 * and ends the iteration.
 * {@link #hasNext()} never waits.
 *
 * <p>Memory consistency effects: actions of a task in the worker <i>happen-before</i> the return
 * of the {@link #next()} that yields its result.
 *
 * @param <R> the type of the results
 */
public final class IMapIterator<R> implements Iterator<R>, Iterable<R> {
    private final Object pool;            // keeps the pool reachable while results are awaited
    private final Thread handler;         // the pool's result handler, which must not wait here
    private final boolean ordered;
    private final int chunks;
    private final Condition cond = new Condition();
    // guarded by cond:
    private final Object[] byIndex;                      // ordered: each chunk's outcome, null until it arrives
    private final ArrayDeque<Object> byArrival;          // unordered: outcomes in arrival order
    private int consumed;                                // chunks fully consumed
    private int position;                                // next value within the current chunk

    /** What a chunk that failed delivers in place of its values. */
    private record Failure(Throwable error) {}

    IMapIterator(Object pool, Thread handler, boolean ordered, int chunks) {
        this.pool = pool;
        this.handler = handler;
        this.ordered = ordered;
        this.chunks = chunks;
        this.byIndex = ordered ? new Object[chunks] : null;
        this.byArrival = ordered ? null : new ArrayDeque<>();
    }

    /** The job that feeds this iterator. */
    PoolEngine.Job job() {
        return new PoolEngine.Job() {
            @Override
            void done(int chunk, Object[] values) {
                deliver(chunk, values);
            }

            @Override
            void failed(int chunk, Throwable error) {
                deliver(chunk, new Failure(error));
            }
        };
    }

    private void deliver(int chunk, Object outcome) {
        try (var _ = cond.enter()) {
            if (ordered) {
                byIndex[chunk] = outcome;
            } else {
                byArrival.add(outcome);
            }
            cond.signalAll();
        }
    }

    /** Returns this object: an iterator is its own iterable, as in Python. */
    @Override
    public Iterator<R> iterator() {
        return this;
    }

    /** Whether a result (or an exception) is still to come; does not wait. */
    @Override
    public boolean hasNext() {
        try (var _ = cond.enter()) {
            return consumed < chunks;
        }
    }

    /**
     * Waits for the next result and returns it.
     *
     * @throws NoSuchElementException if every result has been returned (Python's StopIteration)
     * @throws RuntimeException what the task raised, as {@link AsyncResult#get()} throws it
     */
    @Override
    public R next() {
        return next(-1);
    }

    /**
     * Waits at most {@code timeout} for the next result and returns it.
     *
     * @throws TimeoutError if it is not ready within {@code timeout}
     * @throws NoSuchElementException if every result has been returned
     * @throws IllegalArgumentException if {@code timeout} is null or negative
     */
    public R next(Duration timeout) {
        return next(Timeouts.toNanos(timeout));
    }

    @SuppressWarnings("unchecked")
    private R next(long nanos) {
        GilRuntime.checkpoint();
        long deadline = nanos < 0 ? 0 : Timeouts.deadline(nanos);
        try (var _ = cond.enter()) {
            if (consumed >= chunks) {
                throw new NoSuchElementException("every result has been returned");
            }
            Object head;
            while ((head = ordered ? byIndex[consumed] : byArrival.peek()) == null) {
                PoolEngine.checkNotHandler(handler);
                if (nanos < 0) {
                    cond.await();
                } else {
                    long left = Timeouts.remaining(deadline);
                    if (left == 0) {
                        throw new TimeoutError("the next result was not ready within " + Duration.ofNanos(nanos));
                    }
                    cond.await(Duration.ofNanos(left));
                }
            }
            if (head instanceof Failure f) {
                advance();
                throw Failures.propagate(f.error());
            }
            Object[] values = (Object[]) head;
            R r = (R) values[position++];
            if (position == values.length) {
                advance();
            }
            return r;
        }
    }

    private void advance() {
        if (ordered) {
            byIndex[consumed] = null;
        } else {
            byArrival.poll();
        }
        consumed++;
        position = 0;
    }

    @Override
    public String toString() {
        try (var _ = cond.enter()) {
            return (ordered ? "IMapIterator" : "IMapUnorderedIterator") + "[" + consumed + " of " + chunks + " chunks consumed]";
        }
    }
}
