package dev.pyconc.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The kill -9 rounds of the crash tests, shared by the tests of every cross-process primitive:
 * {@link #holderKilled} (a child holds the primitive, a thread here waits for it, the child is
 * killed at a random moment: how long until the waiter proceeds, and did it learn of the death?)
 * and {@link #killedWhileBusy} (a child and a thread here use the primitive in a loop, the child is
 * killed at a random point of that loop: does this thread carry on?).
 *
 * <p>The liveness requirement: a waiter proceeds within {@link #LIVENESS_NANOS} (100 ms) of the
 * holder's death, counted from when the killed child was reaped ({@link ChildJvm#kill9()} returns
 * then); {@link #report} fails a test whose rounds did not all meet it. It is a bound on a wait for
 * a dead process (the waiters look for dead holders every 20 ms), not a speed measurement.
 *
 * <p>The first round a test JVM runs is a warm-up, not held to the bound ({@link #warmUp()}):
 * probes showed that the recovery itself takes 1 to 3 ms after the waiter's next check, but in
 * the first round of a fresh JVM the waiter waits for a CPU while the JVM's compiler threads and
 * the first child JVMs start, on a loaded 2-core machine (first rounds had a median of 27 ms and
 * reached 108 ms, against medians of -10 to 14 ms and maxima under 75 ms for all other rounds).
 */
public final class KillRounds {
    /** The liveness requirement: a waiter proceeds within 100 ms of the kill's completion (the holder reaped). */
    public static final long LIVENESS_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** How long a round waits for its waiter before it fails the test as hung. */
    public static final long BOUND_NANOS = TimeUnit.SECONDS.toNanos(5);

    private static final AtomicBoolean WARM = new AtomicBoolean();

    private KillRounds() {}

    /**
     * Whether the caller is to run an extra round first, unmeasured: true once per JVM, for the
     * first round it runs (see the class comment).
     */
    public static boolean warmUp() {
        return !WARM.getAndSet(true);
    }

    /**
     * What one round saw: whether the waiter learned of the death, and how long after the killed
     * child was reaped it proceeded (negative if it proceeded before: a zombie counts as dead).
     */
    public record Round(boolean ownerDied, long nanosAfterKill) {}

    /**
     * One round: {@code victim} starts a child that takes the primitive and prints "holding";
     * {@code waiter} (run on a platform thread here) waits for the primitive and returns whether it
     * got {@link OwnerDiedError}; the child is killed 0 to 20 ms later.
     */
    public static Round holderKilled(Supplier<ChildJvm> victim, Callable<Boolean> waiter) throws Exception {
        if (warmUp()) {
            holderKilled(victim, waiter);
        }
        try (ChildJvm child = victim.get()) {
            child.expect("holding");
            AtomicLong doneAt = new AtomicLong();
            var outcome = new CompletableFuture<Boolean>();
            Thread t = Thread.ofPlatform().daemon().start(() -> {
                try {
                    boolean died = waiter.call();
                    doneAt.set(System.nanoTime());
                    outcome.complete(died);
                } catch (Throwable e) {
                    outcome.completeExceptionally(e);
                }
            });
            Thread.sleep(ThreadLocalRandom.current().nextInt(21));
            child.kill9();
            long killedAt = System.nanoTime();      // reaped
            boolean died = outcome.get(BOUND_NANOS, TimeUnit.NANOSECONDS);
            t.join();
            return new Round(died, doneAt.get() - killedAt);
        }
    }

    /**
     * One round: {@code victim} starts a child that uses the primitive in a loop and prints
     * "running"; {@code step} (one use here, returning whether it got {@link OwnerDiedError}) runs
     * in a loop on a platform thread; the child is killed at a random moment within 30 ms, after
     * which {@code step} must complete 100 more times within the bound.
     *
     * @return how many steps got {@link OwnerDiedError}
     */
    public static int killedWhileBusy(Supplier<ChildJvm> victim, BooleanSupplier step) throws Exception {
        try (ChildJvm child = victim.get()) {
            child.expect("running");
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger steps = new AtomicInteger();
            AtomicInteger died = new AtomicInteger();
            var failure = new CompletableFuture<Void>();
            Thread t = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (!stop.get()) {
                        if (step.getAsBoolean()) {
                            died.incrementAndGet();
                        }
                        steps.incrementAndGet();
                    }
                    failure.complete(null);
                } catch (Throwable e) {
                    failure.completeExceptionally(e);
                }
            });
            Thread.sleep(ThreadLocalRandom.current().nextInt(31));
            child.kill9();
            int atKill = steps.get();
            long deadline = System.nanoTime() + BOUND_NANOS;
            while (steps.get() < atKill + 100 && System.nanoTime() < deadline && !failure.isDone()) {
                Thread.sleep(1);
            }
            stop.set(true);
            t.join(TimeUnit.NANOSECONDS.toMillis(BOUND_NANOS));
            failure.getNow(null);
            assertTrue(steps.get() >= atKill + 100, "the survivor made " + (steps.get() - atKill)
                    + " steps within the bound after the kill, not 100");
            return died.get();
        }
    }

    /**
     * In a child: runs {@code acquire} until it succeeds, ignoring {@link OwnerDiedError} (a previous
     * victim died holding the primitive, which is free again).
     */
    public static void acquireRecovering(Runnable acquire) {
        for (;;) {
            try {
                acquire.run();
                return;
            } catch (OwnerDiedError e) {
                // the primitive was restored: try again
            }
        }
    }

    /**
     * Prints the rounds' figures (for the README) and checks that every waiter learned of the death
     * and proceeded within {@link #LIVENESS_NANOS} of the kill.
     */
    public static void report(String what, List<Round> rounds) {
        for (Round r : rounds) {
            assertTrue(r.ownerDied(), what + ": a waiter proceeded without learning that the holder died");
        }
        reportLiveness(what, rounds);
    }

    /**
     * Prints the rounds' figures and checks that every waiter proceeded within
     * {@link #LIVENESS_NANOS} of the kill, whether or not it learned of the death (a waiter that a
     * dead process's swallowed signal was passed on to does not).
     */
    public static void reportLiveness(String what, List<Round> rounds) {
        List<Long> micros = new ArrayList<>();
        for (Round r : rounds) {
            micros.add(r.nanosAfterKill() / 1000);
        }
        String inOrder = micros.toString();
        micros.sort(null);
        System.out.println(what + ": " + rounds.size() + " kills, waiter proceeded after median "
                + micros.get(micros.size() / 2) / 1000.0 + " ms, max " + micros.getLast() / 1000.0
                + " ms of the killed process being reaped (rounds in us: " + inOrder + ")");
        assertTrue(micros.getLast() <= LIVENESS_NANOS / 1000, what + ": a waiter proceeded " + micros.getLast() / 1000.0
                + " ms after the kill, beyond the " + LIVENESS_NANOS / 1_000_000 + " ms liveness bound; rounds in us: "
                + inOrder);
    }
}
