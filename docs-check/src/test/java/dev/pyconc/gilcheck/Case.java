package dev.pyconc.gilcheck;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One way to make a public call block, and to let it go: {@link GilProbe} runs {@code call} in a
 * thread that holds the GIL, checks that another thread takes the GIL while the call blocks, then
 * runs {@code unblock} and checks what the call returned or threw.
 */
final class Case {
    /** A call that returns nothing. */
    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    private static final Object ANY = new Object();

    final Callable<?> call;
    Runnable unblock = () -> {};
    AtomicBoolean ready;                         // null: blocking as soon as the call is entered
    Object expected = ANY;
    Class<? extends Throwable> thrown;
    Runnable cleanup = () -> {};

    private Case(Callable<?> call) {
        this.call = call;
    }

    /** The call, returning what is checked with {@link #returns}. */
    static Case of(Callable<?> call) {
        return new Case(call);
    }

    /** A call that returns nothing. */
    static Case ofVoid(Body body) {
        return new Case(() -> {
            body.run();
            return null;
        });
    }

    /** What the test thread does, once the GIL was taken from the blocked call, to let it return. */
    Case unblock(Runnable action) {
        this.unblock = action;
        return this;
    }

    /**
     * Probe only once {@code flag} is set: for a call made deep inside the case's call (in a
     * task of an event loop), the flag is set just before it.
     */
    Case readyWhen(AtomicBoolean flag) {
        this.ready = flag;
        return this;
    }

    /** The call must return {@code value}. */
    Case returns(Object value) {
        this.expected = value;
        return this;
    }

    /** The call must throw an exception of {@code type}. */
    Case throwsA(Class<? extends Throwable> type) {
        this.thrown = type;
        return this;
    }

    /** Clean-up after the call returned. */
    Case then(Runnable action) {
        this.cleanup = action;
        return this;
    }

    /** Null if {@code value} or {@code failure} is what the case expects, else what is wrong. */
    String checkOutcome(Object value, Throwable failure) {
        if (thrown != null) {
            return thrown.isInstance(failure) ? null
                    : "expected " + thrown.getSimpleName() + " but " + (failure == null ? "it returned " + value : "it threw " + failure);
        }
        if (failure != null) {
            return "it threw " + failure;
        }
        if (expected != ANY && !Objects.deepEquals(expected, value)) {
            return "expected it to return " + expected + " but it returned " + value;
        }
        return null;
    }
}
