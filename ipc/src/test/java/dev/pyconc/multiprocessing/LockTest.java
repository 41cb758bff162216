package dev.pyconc.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class LockTest {

    /** acquire/release/locked/tryAcquire follow Python's Lock; releasing an unlocked lock is an error. */
    @Test
    void basics() {
        var lock = new Lock();
        assertFalse(lock.locked());
        assertTrue(lock.acquire());
        assertTrue(lock.locked());
        assertFalse(lock.tryAcquire());
        assertFalse(lock.acquire(Duration.ofMillis(30)));
        assertFalse(lock.acquire(Duration.ZERO));
        lock.release();
        assertTrue(lock.tryAcquire());
        lock.release();
        var e = assertThrows(IllegalStateException.class, lock::release);
        assertEquals("release unlocked lock", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> lock.acquire(Duration.ofMillis(-1)));
        try (var _ = lock.enter()) {
            assertTrue(lock.locked());
        }
        assertFalse(lock.locked());
    }

    /** Any thread may release the lock, as in Python. */
    @Test
    void anotherThreadMayRelease() throws Exception {
        var lock = new Lock();
        lock.acquire();
        Thread t = Thread.ofPlatform().start(lock::release);
        t.join();
        assertFalse(lock.locked());
    }

    /** A lock and its deserialized copy are one lock. */
    @Test
    void serializedCopyIsTheSameLock() {
        var lock = new Lock();
        var copy = (Lock) ChildJvm.decode(ChildJvm.encode(lock));
        lock.acquire();
        assertTrue(copy.locked());
        assertFalse(copy.tryAcquire());
        copy.release();
        assertFalse(lock.locked());
    }

    /** Three processes and this one increment a plain shared counter under the lock: no increment is lost. */
    @Test
    void mutualExclusionAcrossProcesses() {
        var lock = new Lock();
        var counter = Value.ofInt(0, false);
        List<ChildJvm> children = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                children.add(ChildJvm.start(LockTest.class, "increment", lock, counter, 3000));
            }
            for (int i = 0; i < 3000; i++) {
                try (var _ = lock.enter()) {
                    counter.set(counter.get() + 1);
                }
            }
            for (ChildJvm c : children) {
                assertEquals(0, c.waitFor());
            }
        } finally {
            children.forEach(ChildJvm::close);
        }
        assertEquals(12_000, counter.get());
    }

    /** Processes without native calls (polling waits, Java file operations) share the lock with this one. */
    @Test
    void portableModeProcessesShareTheLock() {
        var lock = new Lock();
        var counter = Value.ofInt(0, false);
        List<String> portable = List.of("-Dpyconc.ipc.native=false");
        try (var a = ChildJvm.start(portable, null, LockTest.class, "increment", lock, counter, 1000);
             var b = ChildJvm.start(portable, null, LockTest.class, "increment", lock, counter, 1000)) {
            for (int i = 0; i < 1000; i++) {
                try (var _ = lock.enter()) {
                    counter.set(counter.get() + 1);
                }
            }
            assertEquals(0, a.waitFor());
            assertEquals(0, b.waitFor());
        }
        assertEquals(3000, counter.get());
    }

    /** A stopped (SIGSTOP) holder is never overtaken; once continued, it releases and the waiter gets the lock. */
    @Test
    void stoppedHolderKeepsTheLock() throws Exception {
        var lock = new Lock();
        try (var child = ChildJvm.start(LockTest.class, "holdUntilTold", lock)) {
            child.expect("holding");
            signal("-STOP", child.pid());
            assertFalse(lock.acquire(Duration.ofMillis(300)), "a stopped holder's lock was taken");
            signal("-CONT", child.pid());
            child.send("release");
            assertTrue(lock.acquire(Duration.ofSeconds(30)));
            lock.release();
            assertEquals(0, child.waitFor());
        }
    }

    /** kill -9 of the holder at random moments: the waiter proceeds with OwnerDiedError, and the lock works again. */
    @Test
    void holderKilledWaiterLearnsAndProceeds() throws Exception {
        var lock = new Lock();
        List<KillRounds.Round> rounds = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            rounds.add(KillRounds.holderKilled(() -> ChildJvm.start(LockTest.class, "holdUntilTold", lock), () -> {
                try {
                    lock.acquire();
                    lock.release();
                    return false;
                } catch (OwnerDiedError e) {
                    assertFalse(lock.locked(), "OwnerDiedError leaves the lock free");
                    assertTrue(lock.acquire(Duration.ofSeconds(5)));
                    lock.release();
                    return true;
                }
            }));
        }
        KillRounds.report("Lock", rounds);
    }

    /** kill -9 of a process at random points of its acquire/release loop: this process carries on, exclusion holds. */
    @Test
    void killedAtRandomPointsStaysConsistent() throws Exception {
        var lock = new Lock();
        var counter = Value.ofInt(0, false);
        for (int i = 0; i < 10; i++) {
            KillRounds.killedWhileBusy(() -> ChildJvm.start(LockTest.class, "hammer", lock, counter), () -> {
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
        mutualExclusionAfterwards(lock, counter);
    }

    private static void mutualExclusionAfterwards(Lock lock, Value.OfInt counter) {
        try (var a = ChildJvm.start(LockTest.class, "increment", lock, counter, 2000);
             var b = ChildJvm.start(LockTest.class, "increment", lock, counter, 2000)) {
            assertEquals(0, a.waitFor());
            assertEquals(0, b.waitFor());
        }
        assertEquals(4000, counter.get());
        assertFalse(lock.locked());
    }

    private static void signal(String signal, long pid) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", signal, Long.toString(pid)).start().waitFor());
    }

    // ---------------------------------------------------------------- children

    /** Child: increments counter args[1] args[2] times under lock args[0]. */
    public static void increment(Object[] args) {
        var lock = (Lock) args[0];
        var counter = (Value.OfInt) args[1];
        for (int i = 0; i < (int) args[2]; i++) {
            try (var _ = lock.enter()) {
                counter.set(counter.get() + 1);
            }
        }
    }

    /** Child: takes lock args[0], says "holding", releases when told. */
    public static void holdUntilTold(Object[] args) {
        var lock = (Lock) args[0];
        KillRounds.acquireRecovering(lock::acquire);
        ChildJvm.say("holding");
        ChildJvm.hear();
        lock.release();
    }

    /** Child: acquires and releases lock args[0] for ever, incrementing counter args[1] inside. */
    public static void hammer(Object[] args) {
        var lock = (Lock) args[0];
        var counter = (Value.OfInt) args[1];
        boolean said = false;
        for (;;) {
            KillRounds.acquireRecovering(lock::acquire);
            counter.set(counter.get() + 1);
            lock.release();
            if (!said) {
                ChildJvm.say("running");
                said = true;
            }
        }
    }
}
