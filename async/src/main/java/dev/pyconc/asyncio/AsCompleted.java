package dev.pyconc.asyncio;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Consumer;

import dev.pyconc.builtins.TimeoutError;
import dev.pyconc.core.internal.Timeouts;

/**
 * What {@link Asyncio#asCompleted} returns: Python 3.13's {@code as_completed} iterator, which
 * is iterated in two ways. As an {@link Iterable} (Python's {@code for}), each element is a future
 * to await, which gives the result of the next future to complete. Through {@link #aiter()}
 * (Python's {@code async for}), each step suspends the task until the next future completes and
 * returns that future itself, as it was given.
 *
 * <pre> {@code
 * for (Future<String> next : Asyncio.asCompleted(pages)) {
 *     System.out.println(next.await());               // results, first finished first
 * }
 * for (Future<String> page : Asyncio.asCompleted(pages).aiter()) {
 *     System.out.println(page == pages.get(0));       // the futures given, as they finish
 * }
 * }</pre>
 *
 * <p>Both ways share one count: together they hand out as many elements as futures were given
 * (a second loop resumes where the first stopped, as in Python). With a timeout, an element
 * awaited, or a step of {@code aiter()}, raises {@link TimeoutError} once the timeout has passed
 * since {@code asCompleted} was called and futures are left.
 *
 * <p>Not thread-safe: use it from a task of the futures' loop. Memory consistency effects: as for
 * {@link Future}.
 */
public final class AsCompleted<T> implements Iterable<Future<T>> {
    private final EventLoop loop;
    private final Set<Future<T>> todo;                      // given, not completed
    private final int total;
    private final ArrayDeque<Future<T>> completed = new ArrayDeque<>();
    private final ArrayDeque<Waiter<T>> waiters = new ArrayDeque<>();
    private final Consumer<Future<T>> onCompletion = this::completed;
    private TimerHandle timer;
    private int handed;                                     // elements handed out, both ways together

    /*
     * Overview. Python 3.13's _AsCompletedIterator: each future given gets a done-callback that
     * hands the completed future to the oldest waiter, or keeps it in `completed` for the next
     * one. A waiter is an element of the plain iteration (NextCompleted, which becomes the outcome
     * of the future it receives: Python's _wait_for_one(resolve=True)) or a step of aiter(), which
     * receives the future itself (resolve=False). A timeout empties `todo` and fails every waiter
     * with TimeoutError, as Python's puts a None for each. All fields are guarded by the loop's
     * baton.
     */

    AsCompleted(EventLoop loop, Collection<? extends Future<T>> futures, long timeoutNanos) {
        this.loop = loop;
        this.todo = new LinkedHashSet<>(futures);
        this.total = todo.size();
        for (Future<T> f : todo) {
            f.addDoneCallback(onCompletion);
        }
        if (timeoutNanos >= 0 && !todo.isEmpty()) {
            timer = loop.schedule(Timeouts.deadline(timeoutNanos), this::timedOut);
        }
    }

    /** A waiter: the element that becomes the next outcome, or the step that receives the next future. */
    private record Waiter<T>(Future<T> element, Future<Future<T>> step) {
        void take(Future<T> f) {
            if (element != null) {
                if (!element.done()) {
                    element.copyStateFrom(f);
                }
            } else if (!step.done()) {
                step.setResultInternal(f);
            }
        }

        void fail(TimeoutError e) {
            Future<?> w = element != null ? element : step;
            if (!w.done()) {
                w.setExceptionInternal(e);
            }
        }

        boolean pending() {
            return element != null ? !element.done() : !step.done();
        }
    }

    private void completed(Future<T> f) {
        if (todo.remove(f)) {
            Waiter<T> w;
            while ((w = waiters.poll()) != null && !w.pending()) {
                // a waiter abandoned (its task cancelled): the next one takes the future
            }
            if (w != null) {
                w.take(f);
            } else {
                completed.add(f);
            }
            if (todo.isEmpty() && timer != null) {
                timer.cancel();
            }
        }
    }

    private void timedOut() {
        for (Future<T> f : todo) {
            f.removeDoneCallback(onCompletion);
        }
        todo.clear();
        for (Waiter<T> w : waiters) {
            w.fail(new TimeoutError("as_completed() timed out"));
        }
        waiters.clear();
    }

    /** The next completed future for `w`, at once or when one completes. */
    private void claim(Waiter<T> w) {
        Future<T> f = completed.poll();
        if (f != null) {
            w.take(f);
        } else if (todo.isEmpty()) {
            w.fail(new TimeoutError("as_completed() timed out"));
        } else {
            waiters.add(w);
        }
    }

    /** Whether elements are left to hand out (both ways together). */
    private boolean hasNext() {
        return handed < total;
    }

    /**
     * The plain iteration (Python's {@code for f in as_completed(...)}): each element, awaited,
     * gives the result of the next future to complete. One iterator, as Python's: a second loop
     * over it resumes the first.
     */
    @Override
    public Iterator<Future<T>> iterator() {
        return new Handing() {
            @Override
            Future<T> hand() {
                return new NextCompleted<>(loop, AsCompleted.this);
            }
        };
    }

    /**
     * The asynchronous iteration (Python's {@code async for f in as_completed(...)}): each
     * {@code next()} suspends the current task until the next future completes and returns that
     * future, the very one given. Call from a task body.
     *
     * @throws TimeoutError from {@code next()} once the timeout has passed and futures are left
     */
    public Iterable<Future<T>> aiter() {
        return () -> new Handing() {
            @Override
            Future<T> hand() {
                Future<Future<T>> step = new Future<>(loop);
                claim(new Waiter<>(null, step));
                return step.await();
            }
        };
    }

    /** An iterator of the two iterations: hands out one element per future given, counting them. */
    private abstract class Handing implements Iterator<Future<T>> {
        @Override
        public boolean hasNext() {
            return AsCompleted.this.hasNext();
        }

        @Override
        public Future<T> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            handed++;
            return hand();
        }

        /** The element handed out now. */
        abstract Future<T> hand();
    }

    /**
     * An element of the plain iteration (Python 3.13's {@code _wait_for_one}): it takes the next
     * result the first time it is awaited or given a done-callback, not when it is handed out, so
     * that the first element awaited gets the first result.
     */
    private static final class NextCompleted<T> extends Future<T> {
        private AsCompleted<T> source;     // null once claimed

        NextCompleted(EventLoop loop, AsCompleted<T> source) {
            super(loop);
            this.source = source;
        }

        private void claim() {
            AsCompleted<T> s = source;
            if (s != null) {
                source = null;
                if (!done()) {
                    s.claim(new Waiter<>(this, null));
                }
            }
        }

        @Override
        public T await() {
            claim();
            return super.await();
        }

        @Override
        public void addDoneCallback(Consumer<? super Future<T>> fn, dev.pyconc.contextvars.Context context) {
            claim();
            super.addDoneCallback(fn, context);
        }
    }
}
