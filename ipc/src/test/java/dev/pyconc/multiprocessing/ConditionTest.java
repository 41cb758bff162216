package dev.pyconc.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class ConditionTest {

    private static <T> CompletableFuture<T> async(java.util.function.Supplier<T> body) {
        return CompletableFuture.supplyAsync(body, r -> Thread.ofPlatform().start(r));
    }

    /** Waiting or signalling without the lock is an error; a timed wait times out holding the lock again. */
    @Test
    void basics() {
        var cv = new Condition();
        assertEquals("cannot wait on un-acquired lock", assertThrows(IllegalStateException.class, cv::await).getMessage());
        assertEquals("cannot notify on un-acquired lock", assertThrows(IllegalStateException.class, cv::signal).getMessage());
        assertThrows(IllegalStateException.class, cv::signalAll);
        try (var _ = cv.enter()) {
            assertFalse(cv.await(Duration.ofMillis(30)));
            assertFalse(cv.waitFor(() -> false, Duration.ofMillis(30)));
            assertTrue(cv.waitFor(() -> true));
            cv.signal();
            cv.signalAll();
        }
        assertThrows(IllegalArgumentException.class, () -> new Condition((Lock) null));
    }

    /**
     * A lock that is not this package's is refused with IllegalArgumentException saying why, before
     * any segment is made: the waiters live in shared memory beside a shared lock.
     */
    @Test
    void refusesAThreadingLock() {
        for (dev.pyconc.threading.Lockable lock : List.of(new dev.pyconc.threading.Lock(), new dev.pyconc.threading.RLock())) {
            var e = assertThrows(IllegalArgumentException.class, () -> new Condition(lock));
            assertEquals("a multiprocessing Condition keeps its waiters in shared memory and needs a multiprocessing"
                    + " Lock or RLock, not a " + lock.getClass().getName() + "; for a condition among the threads"
                    + " of one process over any lock, use dev.pyconc.threading.Condition", e.getMessage());
        }
    }

    /** await releases every level of its RLock and restores them; signal(1) wakes the longest waiter first. */
    @Test
    void fifoSignalAndRecursionRestored() throws Exception {
        var lock = new RLock();
        var cv = new Condition(lock);
        ConcurrentLinkedQueue<String> order = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<Integer>> waiters = new ArrayList<>();
        for (String name : List.of("first", "second", "third")) {
            waiters.add(async(() -> {
                try (var _ = cv.enter(); var _ = cv.enter()) {
                    order.add(name + " waiting");
                    cv.await();
                    order.add(name);
                    return lock.recursionCount();
                }
            }));
            ChildJvm.eventually(name + " waits", () -> order.contains(name + " waiting"));
        }
        order.clear();
        for (int i = 0; i < 3; i++) {
            try (var _ = cv.enter()) {
                cv.signal();
            }
            int woken = i + 1;
            ChildJvm.eventually("woken " + woken, () -> order.size() == woken);
        }
        assertEquals(List.of("first", "second", "third"), List.copyOf(order));
        for (var w : waiters) {
            assertEquals(2, w.get(30, TimeUnit.SECONDS));
        }
    }

    /** signal(n) wakes exactly n of the waiters, signalAll the rest. */
    @Test
    void signalWakesExactlyN() throws Exception {
        var cv = new Condition(new Lock());
        AtomicLong entered = new AtomicLong();
        AtomicLong woken = new AtomicLong();
        List<CompletableFuture<Boolean>> waiters = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            waiters.add(async(() -> {
                try (var _ = cv.enter()) {
                    entered.incrementAndGet();
                    boolean r = cv.await(Duration.ofSeconds(30));
                    woken.incrementAndGet();
                    return r;
                }
            }));
        }
        ChildJvm.eventually("5 waiters", () -> entered.get() == 5);
        try (var _ = cv.enter()) {          // the lock is free only once the fifth waits
            cv.signal(2);
        }
        ChildJvm.eventually("2 woken", () -> woken.get() == 2);
        Thread.sleep(50);
        assertEquals(2, woken.get());
        try (var _ = cv.enter()) {
            cv.signalAll();
        }
        for (var w : waiters) {
            assertTrue(w.get(30, TimeUnit.SECONDS));
        }
    }

    /** Consumers in two processes and here take exactly the items produced, waiting on the condition. */
    @Test
    void producerConsumerAcrossProcesses() {
        var cv = new Condition();
        var items = Value.ofInt(0, false);
        var taken = Value.ofInt(0, false);
        try (var a = ChildJvm.start(ConditionTest.class, "consume", cv, items, taken, 300);
             var b = ChildJvm.start(ConditionTest.class, "consume", cv, items, taken, 300)) {
            for (int i = 0; i < 600; i++) {
                try (var _ = cv.enter()) {
                    items.set(items.get() + 1);
                    cv.signal();
                }
            }
            assertEquals(0, a.waitFor());
            assertEquals(0, b.waitFor());
        }
        assertEquals(600, taken.get());
        assertEquals(0, items.get());
    }

    /**
     * kill -9 of a process that signalled and still holds the lock: the signalled waiter here
     * proceeds with OwnerDiedError, holding the lock again.
     */
    @Test
    void lockHolderKilledSignalledWaiterLearnsAndHoldsTheLock() throws Exception {
        var cv = new Condition();
        List<KillRounds.Round> rounds = new ArrayList<>();
        for (int i = KillRounds.warmUp() ? -1 : 0; i < 8; i++) {      // round -1: this JVM's warm-up
            AtomicLong doneAt = new AtomicLong();
            AtomicLong entered = new AtomicLong();
            var waiter = async(() -> {
                try (var _ = cv.enter()) {
                    entered.set(1);
                    try {
                        cv.await();
                        return "signalled";
                    } catch (OwnerDiedError e) {
                        doneAt.set(System.nanoTime());
                        return "died, owned " + holds(cv);
                    }
                }
            });
            ChildJvm.eventually("waiting", () -> entered.get() == 1 && cv.tryAcquire() && release(cv));
            try (var child = ChildJvm.start(ConditionTest.class, "signalAndHold", cv)) {
                child.expect("holding");
                Thread.sleep(ThreadLocalRandom.current().nextInt(21));
                child.kill9();
                long killedAt = System.nanoTime();      // reaped
                assertEquals("died, owned true", waiter.get(KillRounds.BOUND_NANOS, TimeUnit.NANOSECONDS));
                if (i >= 0) {
                    rounds.add(new KillRounds.Round(true, doneAt.get() - killedAt));
                }
            }
        }
        KillRounds.report("Condition", rounds);
        try (var _ = cv.enter()) {
            assertFalse(cv.await(Duration.ofMillis(5)));
        }
    }

    /** A signal given to a waiter whose process then dies before acting on it reaches another waiter. */
    @Test
    void signalSwallowedByADeadWaiterIsPassedOn() throws Exception {
        var cv = new Condition();
        try (var child = ChildJvm.start(ConditionTest.class, "waitOnce", cv)) {
            child.expect("waiting");             // said holding the lock: its ticket is older than ours
            var here = waiter(cv);
            cv.acquire();
            cv.signal();                         // goes to the child, which now waits for the lock we hold
            child.kill9();
            cv.release();
            assertTrue(here.get(30, TimeUnit.SECONDS), "the signal the dead child held was passed on");
        }
    }

    /**
     * kill -9 of a waiter inside await, after a signal reached it and while it waits to take the
     * lock back: the signal it swallowed reaches the waiter here within the liveness bound of the
     * kill, once, and the condition then works as before.
     */
    @Test
    void waiterKilledInsideAwaitPassesItsSignalOnWithinTheBound() throws Exception {
        var cv = new Condition();
        List<KillRounds.Round> rounds = new ArrayList<>();
        for (int i = KillRounds.warmUp() ? -1 : 0; i < 6; i++) {      // round -1: this JVM's warm-up
            try (var child = ChildJvm.start(ConditionTest.class, "waitOnce", cv)) {
                child.expect("waiting");
                AtomicLong doneAt = new AtomicLong();
                var here = waiter(cv, doneAt);
                cv.acquire();
                cv.signal();                     // the child's ticket is older: the signal is its
                Thread.sleep(ThreadLocalRandom.current().nextInt(21));
                child.kill9();
                long killedAt = System.nanoTime();      // reaped
                cv.release();
                assertTrue(here.get(KillRounds.BOUND_NANOS, TimeUnit.NANOSECONDS), "the signal the dead child held was passed on");
                if (i >= 0) {
                    rounds.add(new KillRounds.Round(false, doneAt.get() - killedAt));
                }
            }
        }
        KillRounds.reportLiveness("Condition waiter", rounds);
        try (var _ = cv.enter()) {
            assertFalse(cv.await(Duration.ofMillis(5)), "a passed-on signal was left for a later waiter");
        }
        var again = waiter(cv);
        try (var _ = cv.enter()) {
            cv.signal();
        }
        assertTrue(again.get(30, TimeUnit.SECONDS));
    }

    /** A waiter whose process exited is skipped: signal(1) goes to a live one. */
    @Test
    void exitedWaiterIsSkipped() throws Exception {
        var cv = new Condition();
        try (var child = ChildJvm.start(ConditionTest.class, "waitOnce", cv)) {
            child.expect("waiting");
            ChildJvm.eventually("the child waits", () -> cv.tryAcquire() && release(cv));
            child.kill9();
        }
        var here = waiter(cv);
        try (var _ = cv.enter()) {
            cv.signal();
        }
        assertTrue(here.get(30, TimeUnit.SECONDS));
    }

    /** A thread here that waits on {@code cv} (30 s at most); returns once it waits. */
    private static CompletableFuture<Boolean> waiter(Condition cv) {
        return waiter(cv, new AtomicLong());
    }

    /** As {@link #waiter(Condition)}; sets {@code doneAt} to System.nanoTime() when await returns. */
    private static CompletableFuture<Boolean> waiter(Condition cv, AtomicLong doneAt) {
        AtomicLong entered = new AtomicLong();
        var here = async(() -> {
            try (var _ = cv.enter()) {
                entered.set(1);
                boolean signalled = cv.await(Duration.ofSeconds(30));
                doneAt.set(System.nanoTime());
                return signalled;
            }
        });
        ChildJvm.eventually("waiting here", () -> entered.get() == 1 && cv.tryAcquire() && release(cv));
        return here;
    }

    private static boolean release(Condition cv) {
        cv.release();
        return true;
    }

    /** Whether the calling thread holds the condition's lock (signal checks it). */
    private static boolean holds(Condition cv) {
        try {
            cv.signal(0);
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- children

    /** Child: takes args[4] items, waiting on cv args[0] for items args[1] > 0, counting in args[2]. */
    public static void consume(Object[] args) {
        var cv = (Condition) args[0];
        var items = (Value.OfInt) args[1];
        var taken = (Value.OfInt) args[2];
        for (int i = 0; i < (int) args[3]; i++) {
            try (var _ = cv.enter()) {
                cv.waitFor(() -> items.get() > 0);
                items.set(items.get() - 1);
                taken.getAndAdd(1);
            }
        }
    }

    /** Child: takes the lock, signals, says "holding", holds. */
    public static void signalAndHold(Object[] args) {
        var cv = (Condition) args[0];
        cv.acquire();
        cv.signal();
        ChildJvm.say("holding");
        ChildJvm.hear();
    }

    /** Child: waits once on the condition. */
    public static void waitOnce(Object[] args) {
        var cv = (Condition) args[0];
        try (var _ = cv.enter()) {
            ChildJvm.say("waiting");
            cv.await();
        }
    }
}
