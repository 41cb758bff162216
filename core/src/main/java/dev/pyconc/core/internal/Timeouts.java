package dev.pyconc.core.internal;

import java.time.Duration;

/**
 * Converts the {@link Duration} timeouts of the public API into nanoseconds, once, with the checks
 * every blocking call shares: {@code null} and negative timeouts are rejected with a message that
 * says what to do instead; timeouts beyond what a {@code long} of nanoseconds holds saturate.
 */
public final class Timeouts {
    private Timeouts() {}

    /**
     * Returns {@code timeout} in nanoseconds, saturated at {@link Long#MAX_VALUE}.
     *
     * @throws IllegalArgumentException if {@code timeout} is null or negative (Python's ValueError)
     */
    public static long toNanos(Duration timeout) {
        return toNanos(timeout, "timeout");
    }

    /** As {@link #toNanos(Duration)}, naming the argument {@code what} in the message. */
    public static long toNanos(Duration timeout, String what) {
        if (timeout == null) {
            throw new IllegalArgumentException(what + " must not be null; call the overload without a "
                    + what + " to wait without limit");
        }
        if (timeout.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative: " + timeout);
        }
        try {
            return timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    /** The {@link System#nanoTime()} deadline {@code nanos} from now, saturated so it never wraps. */
    public static long deadline(long nanos) {
        long now = System.nanoTime();
        long deadline = now + nanos;
        return (nanos > 0 && deadline - now < 0) ? now + Long.MAX_VALUE : deadline;
    }

    /** Nanoseconds left until {@code deadline}, never negative. */
    public static long remaining(long deadline) {
        return Math.max(0L, deadline - System.nanoTime());
    }
}
