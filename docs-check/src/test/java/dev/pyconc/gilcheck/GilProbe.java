package dev.pyconc.gilcheck;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import dev.pyconc.gil.Gil;

/**
 * Runs a {@link Case} in GIL mode and says whether its call dropped the GIL while it blocked.
 *
 * <p>The call runs in a thread attached to the GIL, which therefore holds it when it makes the
 * call. Once it has (or, for a case with a ready flag, once the flag is set), a second thread
 * attaches: it can take the GIL only when the first drops it. The switch interval is set far
 * above the time the probe waits, so that no waiter ever asks the holder to drop the GIL: the
 * second thread gets it only from a call that drops it of its own accord, as a blocking call
 * must. The second thread also reads, holding the GIL, whether the call has returned: a call that
 * returned first did not block, and the case is wrong. Then the case unblocks the call, which
 * must return (or throw) what the case expects.
 */
final class GilProbe {
    /** How long the probe waits for a step before it reports a failure. */
    static final Duration BOUND = Duration.ofSeconds(10);
    /** The switch interval during the probes: far longer than {@link #BOUND}. */
    static final Duration SWITCH_INTERVAL = Duration.ofSeconds(60);

    /**
     * The end of the report on a call that did not return once unblocked: its thread may hold the
     * GIL for ever, so that no later probe can tell anything.
     */
    static final String NOT_RETURNED = "did not return within " + BOUND + " of being unblocked";

    private GilProbe() {}

    /**
     * Runs {@code c}; the caller has turned GIL mode on and does not hold the GIL.
     *
     * @return null if the call dropped the GIL while blocked and returned as expected once
     *         unblocked, else what went wrong
     */
    static String check(Case c) {
        return check(c, BOUND);
    }

    /** As {@link #check(Case)}, waiting at most {@code bound} for each step. */
    static String check(Case c, Duration bound) {
        AtomicBoolean entered = new AtomicBoolean();
        AtomicBoolean returned = new AtomicBoolean();       // written holding the GIL
        AtomicReference<Object> value = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread blocker = Thread.ofPlatform().daemon(true).name("gil-blocker").start(() -> {
            try (var _ = Gil.attach()) {
                entered.set(true);
                try {
                    value.set(c.call.call());
                } catch (Throwable e) {
                    failure.set(e);
                }
                returned.set(true);
            }
        });
        String problem = null;
        if (!within(bound, () -> entered.get() && (c.ready == null || c.ready.get() || returned.get()))) {
            problem = "never reached the call within " + bound;
        }
        long dropRequests = Gil.stats().dropRequests();
        AtomicBoolean probed = new AtomicBoolean();
        AtomicBoolean returnedFirst = new AtomicBoolean();
        Thread prober = Thread.ofPlatform().daemon(true).name("gil-prober").start(() -> {
            try (var _ = Gil.attach()) {
                returnedFirst.set(returned.get());
                probed.set(true);
            }
        });
        if (problem == null) {
            if (!within(bound, probed::get)) {
                problem = "kept the GIL while it blocked: another thread could not take it within " + bound;
            } else if (returnedFirst.get()) {
                problem = "returned before it was unblocked, so the case does not make it block"
                        + (failure.get() != null ? " (it threw " + failure.get() + ")" : "");
            } else if (Gil.stats().dropRequests() != dropRequests) {
                problem = "let the GIL go only when asked to by a drop request";
            }
        }
        try {
            c.unblock.run();
        } catch (RuntimeException e) {
            problem = problem != null ? problem : "the unblocking action threw " + e;
        }
        if (!join(blocker)) {
            return (problem != null ? problem + "; and it " : "") + NOT_RETURNED;
        }
        join(prober);
        if (problem == null) {
            problem = c.checkOutcome(value.get(), failure.get());
        }
        c.cleanup.run();
        return problem;
    }

    private static boolean within(Duration bound, BooleanSupplier condition) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.onSpinWait();
            Thread.yield();
        }
        return true;
    }

    private static boolean join(Thread t) {
        try {
            return t.join(BOUND);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + t.getName(), e);
        }
    }
}
