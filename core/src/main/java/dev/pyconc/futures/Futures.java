package dev.pyconc.futures;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Consumer;

import dev.pyconc.core.internal.Timeouts;
import dev.pyconc.queue.Empty;
import dev.pyconc.queue.SimpleQueue;
import dev.pyconc.threading.Event;
import dev.pyconc.builtins.TimeoutError;

/**
 * The module-level functions of Python's {@code concurrent.futures}: {@link #wait} and
 * {@link #asCompleted}.
 *
 * <pre> {@code
 * var futures = List.of(pool.submit(a), pool.submit(b), pool.submit(c));
 * var r = Futures.wait(futures, Duration.ofSeconds(5), ReturnWhen.FIRST_COMPLETED);
 * r.done();      // at least one, unless the 5 s elapsed
 * for (var f : Futures.asCompleted(futures)) {   // in the order they finish
 *     use(f.result());
 * }
 * }</pre>
 *
 * <p>A future counts as completed once it finished, or once it was cancelled and its executor
 * has seen so ({@link Future#setRunningOrNotifyCancel()}, Python's CANCELLED_AND_NOTIFIED): a
 * future cancelled while it waits in an executor's queue completes when a worker takes it, or when
 * {@code shutdown(cancelFutures)} drops it; one cancelled that no executor runs never does, as in
 * Python. The same future given twice counts once, as in Python, where the arguments become a set.
 *
 * <p>Memory consistency effects: the completion of a future <i>happens-before</i> {@code wait}
 * returns it among the done ones and {@code asCompleted} yields it.
 */
public final class Futures {
    private Futures() {}

    /** {@code wait(fs, ALL_COMPLETED)} without a timeout. */
    public static <T> DoneAndNotDone<T> wait(Collection<? extends Future<T>> fs) {
        return wait(fs, -1, ReturnWhen.ALL_COMPLETED);
    }

    /** Waits, without a timeout, until {@code returnWhen} is met. */
    public static <T> DoneAndNotDone<T> wait(Collection<? extends Future<T>> fs, ReturnWhen returnWhen) {
        return wait(fs, -1, returnWhen);
    }

    /**
     * Waits until {@code returnWhen} is met or {@code timeout} elapses, and returns which futures
     * completed and which did not. A timeout is not an error here: it returns the sets as they are.
     *
     * @throws IllegalArgumentException if {@code timeout} is negative or an argument is null
     */
    public static <T> DoneAndNotDone<T> wait(Collection<? extends Future<T>> fs, Duration timeout, ReturnWhen returnWhen) {
        return wait(fs, Timeouts.toNanos(timeout), returnWhen);
    }

    private static <T> DoneAndNotDone<T> wait(Collection<? extends Future<T>> fs, long nanos, ReturnWhen returnWhen) {
        if (returnWhen == null) {
            throw new IllegalArgumentException("returnWhen must not be null");
        }
        Set<Future<T>> all = distinct(fs);
        Event event = new Event();
        int[] pending = {0};
        Consumer<Future<T>> waiter = f -> {
            // runs holding f's lock, when f completes
            synchronized (pending) {
                pending[0]--;
                if (returnWhen == ReturnWhen.FIRST_COMPLETED || pending[0] == 0
                        || (returnWhen == ReturnWhen.FIRST_EXCEPTION && f.failed())) {
                    event.set();
                }
            }
        };
        boolean satisfied = false;
        List<Future<T>> installed = new ArrayList<>();
        synchronized (pending) {
            pending[0] = all.size();
        }
        for (Future<T> f : all) {
            if (f.addWaiter(waiter)) {
                synchronized (pending) {
                    pending[0]--;
                }
                if (returnWhen == ReturnWhen.FIRST_COMPLETED || (returnWhen == ReturnWhen.FIRST_EXCEPTION && f.failed())) {
                    satisfied = true;
                }
            } else {
                installed.add(f);
            }
        }
        synchronized (pending) {
            if (pending[0] == 0) {
                satisfied = true;
            }
        }
        try {
            if (!satisfied) {
                if (nanos < 0) {
                    event.await();
                } else {
                    event.await(Duration.ofNanos(nanos));
                }
            }
        } finally {
            for (Future<T> f : installed) {
                f.removeWaiter(waiter);
            }
        }
        Set<Future<T>> done = new LinkedHashSet<>();
        Set<Future<T>> notDone = new LinkedHashSet<>();
        for (Future<T> f : all) {
            (f.completedForWaiters() ? done : notDone).add(f);
        }
        return new DoneAndNotDone<>(done, notDone);
    }

    /**
     * The futures in the order they complete: those already complete first, then each as it
     * finishes or is cancelled. Iterate it once.
     */
    public static <T> Iterable<Future<T>> asCompleted(Collection<? extends Future<T>> fs) {
        return asCompleted(fs, -1);
    }

    /**
     * As {@link #asCompleted(Collection)}, but the iteration throws {@link TimeoutError} when the
     * next future has not completed {@code timeout} after this call.
     */
    public static <T> Iterable<Future<T>> asCompleted(Collection<? extends Future<T>> fs, Duration timeout) {
        return asCompleted(fs, Timeouts.toNanos(timeout));
    }

    private static <T> Iterable<Future<T>> asCompleted(Collection<? extends Future<T>> fs, long nanos) {
        long deadline = nanos < 0 ? 0 : Timeouts.deadline(nanos);
        Set<Future<T>> all = distinct(fs);
        SimpleQueue<Future<T>> completed = new SimpleQueue<>();
        Consumer<Future<T>> waiter = completed::put;
        Set<Future<T>> installed = new LinkedHashSet<>();   // not yet yielded: a yielded future is not kept
        for (Future<T> f : all) {
            if (f.addWaiter(waiter)) {
                completed.put(f);
            } else {
                installed.add(f);
            }
        }
        int total = all.size();
        Iterator<Future<T>> iterator = new Iterator<>() {
            private int yielded;

            @Override
            public boolean hasNext() {
                return yielded < total;
            }

            @Override
            public Future<T> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Future<T> f;
                try {
                    f = nanos < 0 ? completed.get() : completed.get(Duration.ofNanos(Timeouts.remaining(deadline)));
                } catch (Empty e) {
                    removeWaiters();
                    throw new TimeoutError((total - yielded) + " (of " + total + ") futures unfinished");
                }
                installed.remove(f);
                if (++yielded == total) {
                    removeWaiters();
                }
                return f;
            }

            private void removeWaiters() {
                for (Future<T> f : installed) {
                    f.removeWaiter(waiter);
                }
            }
        };
        boolean[] used = {false};
        return () -> {
            if (used[0]) {
                throw new IllegalStateException("asCompleted(...) can be iterated only once");
            }
            used[0] = true;
            return iterator;
        };
    }

    private static <T> Set<Future<T>> distinct(Collection<? extends Future<T>> fs) {
        if (fs == null) {
            throw new IllegalArgumentException("fs must not be null");
        }
        Set<Future<T>> all = new LinkedHashSet<>();
        for (Future<T> f : fs) {
            if (f == null) {
                throw new IllegalArgumentException("fs must not contain null");
            }
            all.add(f);
        }
        return all;
    }
}
