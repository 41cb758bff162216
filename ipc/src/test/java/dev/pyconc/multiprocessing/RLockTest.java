package dev.pyconc.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class RLockTest {

    /** The owner re-enters and must release as many times; recursionCount and isOwned follow. */
    @Test
    void reentrancy() {
        var lock = new RLock();
        assertEquals(0, lock.recursionCount());
        lock.acquire();
        assertTrue(lock.tryAcquire());
        assertTrue(lock.acquire(Duration.ZERO));
        assertEquals(3, lock.recursionCount());
        assertTrue(lock.isOwned());
        lock.release();
        lock.release();
        assertTrue(lock.locked());
        lock.release();
        assertFalse(lock.locked());
        assertFalse(lock.isOwned());
        var e = assertThrows(IllegalStateException.class, lock::release);
        assertEquals("cannot release un-acquired lock", e.getMessage());
    }

    /** Another thread of the same process neither owns, enters nor releases the held lock. */
    @Test
    void otherThreadIsNotTheOwner() throws Exception {
        var lock = new RLock();
        lock.acquire();
        var seen = CompletableFuture.supplyAsync(() -> List.of(lock.isOwned(), lock.tryAcquire(),
                lock.acquire(Duration.ofMillis(30)), lock.recursionCount() == 0,
                assertThrows(IllegalStateException.class, lock::release) != null), runnable -> Thread.ofPlatform().start(runnable));
        assertEquals(List.of(false, false, false, true, true), seen.get(30, TimeUnit.SECONDS));
        lock.release();
    }

    /** Processes that enter the lock twice around a plain increment lose no increment. */
    @Test
    void mutualExclusionAcrossProcesses() {
        var lock = new RLock();
        var counter = Value.ofInt(0, false);
        try (var a = ChildJvm.start(RLockTest.class, "increment", lock, counter, 3000);
             var b = ChildJvm.start(RLockTest.class, "increment", lock, counter, 3000)) {
            for (int i = 0; i < 3000; i++) {
                try (var _ = lock.enter(); var _ = lock.enter()) {
                    counter.set(counter.get() + 1);
                }
            }
            assertEquals(0, a.waitFor());
            assertEquals(0, b.waitFor());
        }
        assertEquals(9000, counter.get());
    }

    /** kill -9 of a holder that entered three times: the waiter learns of it, and the lock is free with no levels left. */
    @Test
    void holderKilledWaiterLearnsAndProceeds() throws Exception {
        var lock = new RLock();
        List<KillRounds.Round> rounds = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            rounds.add(KillRounds.holderKilled(() -> ChildJvm.start(RLockTest.class, "holdThrice", lock), () -> {
                try {
                    lock.acquire();
                    lock.release();
                    return false;
                } catch (OwnerDiedError e) {
                    assertFalse(lock.locked());
                    lock.acquire();
                    assertEquals(1, lock.recursionCount());
                    lock.release();
                    return true;
                }
            }));
        }
        KillRounds.report("RLock", rounds);
    }

    /** kill -9 at random points of a child's enter/leave loop: this process carries on and exclusion holds. */
    @Test
    void killedAtRandomPointsStaysConsistent() throws Exception {
        var lock = new RLock();
        var counter = Value.ofInt(0, false);
        for (int i = 0; i < 8; i++) {
            KillRounds.killedWhileBusy(() -> ChildJvm.start(RLockTest.class, "hammer", lock, counter), () -> {
                try {
                    lock.acquire();
                } catch (OwnerDiedError e) {
                    return true;
                }
                counter.set(counter.get() + 1);
                lock.release();
                return false;
            });
        }
        counter.set(0);
        try (var a = ChildJvm.start(RLockTest.class, "increment", lock, counter, 2000);
             var b = ChildJvm.start(RLockTest.class, "increment", lock, counter, 2000)) {
            assertEquals(0, a.waitFor());
            assertEquals(0, b.waitFor());
        }
        assertEquals(4000, counter.get());
    }

    // ---------------------------------------------------------------- children

    /** Child: args[2] increments of counter args[1], entering lock args[0] twice each time. */
    public static void increment(Object[] args) {
        var lock = (RLock) args[0];
        var counter = (Value.OfInt) args[1];
        for (int i = 0; i < (int) args[2]; i++) {
            try (var _ = lock.enter(); var _ = lock.enter()) {
                counter.set(counter.get() + 1);
            }
        }
    }

    /** Child: enters args[0] three times, says "holding", waits. */
    public static void holdThrice(Object[] args) {
        var lock = (RLock) args[0];
        KillRounds.acquireRecovering(lock::acquire);
        lock.acquire();
        lock.acquire();
        ChildJvm.say("holding");
        ChildJvm.hear();
    }

    /** Child: enters and leaves for ever, incrementing counter args[1]. */
    public static void hammer(Object[] args) {
        var lock = (RLock) args[0];
        var counter = (Value.OfInt) args[1];
        boolean said = false;
        for (;;) {
            KillRounds.acquireRecovering(lock::acquire);
            lock.acquire();
            counter.set(counter.get() + 1);
            lock.release();
            lock.release();
            if (!said) {
                ChildJvm.say("running");
                said = true;
            }
        }
    }
}
