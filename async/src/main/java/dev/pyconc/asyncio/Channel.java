package dev.pyconc.asyncio;

import java.util.ArrayDeque;

import dev.pyconc.core.internal.Failures;
import dev.pyconc.core.internal.GilRuntime;

/**
 * A rendezvous between tasks: Stackless Python's {@code channel}. {@link #send} suspends the
 * sender until a receiver takes the value, and {@link #receive} suspends the receiver until a
 * sender offers one; whichever arrives second completes the exchange at once.
 *
 * <pre> {@code
 * Channel<String> ch = new Channel<>();
 * loop.createTask(() -> { ch.send("ping"); return null; });
 * String s = ch.receive();         // "ping"; the sender resumes
 * }</pre>
 *
 * <p>{@link #balance()} is positive when senders wait, negative when receivers wait.
 * {@link #close()} lets the waiting tasks complete but refuses new waits: a {@code send} or
 * {@code receive} that would have to wait on a closing channel raises
 * {@link IllegalStateException}. {@link #sendException} makes the receiver raise an exception,
 * as Stackless's {@code send_exception}. Senders and receivers are served in FIFO order, and a
 * cancelled waiter leaves the channel as if it had never come: a receiver cancelled after a
 * sender handed it a value, but before it resumed, passes the value on to the next receiver,
 * so no value is lost (the sender has returned by then). A sender cancelled after its value was
 * taken raises {@link CancelledError} although the value was delivered.
 *
 * <p>Memory consistency effects: actions of a sender prior to {@code send} <i>happen-before</i>
 * the return of the {@code receive} that takes its value, and actions of that receiver prior to
 * taking it happen-before {@code send} returns.
 */
public class Channel<T> extends LoopBound {
    /*
     * Overview. Two deques of waiter futures: `senders` (each with the value it offers, kept in
     * `offers` in the same order) and `receivers`. At most one of them holds live waiters. A
     * receiver that finds a live sender takes the head offer and completes the sender's future;
     * a sender that finds a live receiver completes the receiver's future with the value. A
     * cancelled waiter is removed by its own finally block. A receiver cancelled after its future
     * got a value hands the value back: to the next live receiver, or else into `orphans`, which
     * receivers take before any sender's offer (those values were sent first). Receivers wait
     * only while `orphans` is empty. Guarded by the baton.
     */
    private final ArrayDeque<Future<Object>> senders = newWaiters();
    private final ArrayDeque<Future<Object>> receivers = newWaiters();
    private final java.util.IdentityHashMap<Future<Object>, Offer> offers = new java.util.IdentityHashMap<>(4);
    private final ArrayDeque<Offer> orphans = new ArrayDeque<>(2);
    private boolean closing;

    private record Offer(Object value, boolean isException) {}

    /** An open channel. */
    public Channel() {}

    /**
     * Sends {@code value}, suspending the task until a receiver takes it.
     *
     * @throws IllegalStateException if the channel is closing and no receiver waits
     */
    public void send(T value) {
        offer(new Offer(value, false));
    }

    /**
     * Makes a receiver raise {@code exception}, suspending the task until one does.
     *
     * @throws IllegalArgumentException if {@code exception} is null
     */
    public void sendException(Throwable exception) {
        if (exception == null) {
            throw new IllegalArgumentException("exception must not be null");
        }
        offer(new Offer(exception, true));
    }

    private void offer(Offer offer) {
        GilRuntime.checkpoint();
        if (deliver(offer)) {
            return;
        }
        if (closing) {
            throw new IllegalStateException("send() on a closed channel with no receiver waiting");
        }
        Future<Object> f = addWaiter(senders);
        offers.put(f, offer);
        try {
            f.await();
        } finally {
            senders.remove(f);
            offers.remove(f);
        }
    }

    /** Completes the first live receiver's future with {@code offer}; false if none waits. */
    private boolean deliver(Offer offer) {
        Future<Object> r;
        while ((r = receivers.poll()) != null) {
            if (!r.done()) {
                if (offer.isException) {
                    r.setExceptionInternal((Throwable) offer.value);
                } else {
                    r.setResultInternal(offer.value);
                }
                return true;
            }
        }
        return false;
    }

    /**
     * Receives the next value, suspending the task until a sender offers one.
     *
     * @throws IllegalStateException if the channel is closing and no sender waits
     * @throws RuntimeException what a sender passed to {@link #sendException}
     */
    @SuppressWarnings("unchecked")
    public T receive() {
        GilRuntime.checkpoint();
        Offer orphan = orphans.poll();
        if (orphan != null) {
            return take(orphan);
        }
        Future<Object> s;
        while ((s = senders.poll()) != null) {
            if (!s.done()) {
                Offer o = offers.remove(s);
                s.setResultInternal(null);
                return take(o);
            }
        }
        if (closing) {
            throw new IllegalStateException("receive() on a closed channel with no sender waiting");
        }
        Future<Object> f = addWaiter(receivers);
        try {
            return (T) f.await();
        } catch (CancelledError e) {
            if (f.state == Future.FINISHED && f.exception != e) {
                // a sender handed this receiver its value, and the task was cancelled before it
                // resumed: the value goes on to the next receiver instead of being lost
                Offer back = f.exception != null ? new Offer(f.exception, true) : new Offer(f.result(), false);
                if (!deliver(back)) {
                    orphans.add(back);
                }
            }
            throw e;
        } finally {
            receivers.remove(f);
        }
    }

    @SuppressWarnings("unchecked")
    private T take(Offer o) {
        if (o.isException) {
            throw Failures.propagate((Throwable) o.value);
        }
        return (T) o.value;
    }

    /**
     * Values waiting (positive: waiting senders, and values a cancelled receiver passed on) or
     * receivers waiting (negative).
     */
    public int balance() {
        return live(senders) + orphans.size() - live(receivers);
    }

    private static int live(ArrayDeque<Future<Object>> q) {
        int n = 0;
        for (Future<Object> f : q) {
            if (!f.done()) {
                n++;
            }
        }
        return n;
    }

    /** Refuses new waits; tasks already waiting may still complete their exchange. */
    public void close() {
        closing = true;
    }

    /** Undoes {@link #close()}. */
    public void open() {
        closing = false;
    }

    /** Whether {@link #close()} was called. */
    public boolean closing() {
        return closing;
    }

    /** Whether the channel is closing and nobody waits on it any more. */
    public boolean closed() {
        return closing && balance() == 0;
    }

    @Override
    public String toString() {
        return "Channel[balance=" + balance() + (closing ? closed() ? " closed" : " closing" : "") + "]";
    }
}
