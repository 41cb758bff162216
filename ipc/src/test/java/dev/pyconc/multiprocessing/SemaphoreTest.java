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
class SemaphoreTest {

    /** Permits are counted as in Python; bad arguments are rejected with a message. */
    @Test
    void basics() {
        var s = new Semaphore(2);
        assertEquals(2, s.getValue());
        assertTrue(s.acquire());
        assertTrue(s.tryAcquire());
        assertFalse(s.tryAcquire());
        assertFalse(s.acquire(Duration.ofMillis(30)));
        s.release(2);
        assertEquals(2, s.getValue());
        s.release();
        assertEquals(3, s.getValue(), "an unbounded semaphore may grow");
        try (var _ = s.enter()) {
            assertEquals(2, s.getValue());
        }
        assertEquals(3, s.getValue());
        assertEquals("semaphore initial value must be >= 0, not -1",
                assertThrows(IllegalArgumentException.class, () -> new Semaphore(-1)).getMessage());
        assertEquals("n must be one or more, not 0", assertThrows(IllegalArgumentException.class, () -> s.release(0)).getMessage());
        assertEquals("Semaphore[value=3]", s.toString());
    }

    /** A semaphore and its deserialized copy share their permits. */
    /** Python's default value is 1, for Semaphore() and BoundedSemaphore() (whose bound it is too). */
    @Test
    void defaultValueIsOne() {
        var s = new Semaphore();
        assertEquals(1, s.getValue());
        var b = new BoundedSemaphore();
        assertEquals(1, b.getValue());
        assertTrue(b.tryAcquire());
        b.release();
        assertThrows(IllegalStateException.class, b::release);
        assertEquals(1, b.getValue());
    }

    @Test
    void serializedCopySharesPermits() {
        var s = new Semaphore(1);
        var copy = (Semaphore) ChildJvm.decode(ChildJvm.encode(s));
        assertTrue(copy.tryAcquire());
        assertEquals(0, s.getValue());
        s.release();
        assertEquals(1, copy.getValue());
        assertEquals(BoundedSemaphore.class, ChildJvm.decode(ChildJvm.encode(new BoundedSemaphore(1))).getClass());
    }

    /** Four processes and this one never have more than two holders of a Semaphore(2) at once. */
    @Test
    void atMostNHoldersAcrossProcesses() {
        var s = new Semaphore(2);
        var inside = Value.ofInt(0, false);
        var violations = Value.ofInt(0, false);
        List<ChildJvm> children = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                children.add(ChildJvm.start(SemaphoreTest.class, "useSlot", s, inside, violations, 500));
            }
            useSlot(new Object[] {s, inside, violations, 500});
            for (ChildJvm c : children) {
                assertEquals(0, c.waitFor());
            }
        } finally {
            children.forEach(ChildJvm::close);
        }
        assertEquals(0, violations.get());
        assertEquals(0, inside.get());
        assertEquals(2, s.getValue());
    }

    /**
     * kill -9 of a process holding both permits: a waiter learns of it within the liveness bound,
     * the permits are back, and exactly two can be taken again.
     */
    @Test
    void holderKilledPermitsComeBack() throws Exception {
        var s = new Semaphore(2);
        List<KillRounds.Round> rounds = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            rounds.add(KillRounds.holderKilled(() -> ChildJvm.start(SemaphoreTest.class, "holdAll", s, 2), () -> {
                try {
                    s.acquire();
                    s.release();
                    return false;
                } catch (OwnerDiedError e) {
                    assertEquals(2, s.getValue());
                    return true;
                }
            }));
            assertEquals(2, s.getValue());
            assertTrue(s.tryAcquire());
            assertTrue(s.acquire(Duration.ZERO));
            assertFalse(s.tryAcquire(), "a dead holder's permits came back once, not twice");
            s.release(2);
            assertEquals(2, s.getValue());
        }
        KillRounds.report("Semaphore", rounds);
    }

    /** kill -9 at random points of a child's acquire/release loop: this process carries on; no permit is lost. */
    @Test
    void killedAtRandomPointsLosesNoPermit() throws Exception {
        var s = new Semaphore(1);
        for (int i = 0; i < 8; i++) {
            KillRounds.killedWhileBusy(() -> ChildJvm.start(SemaphoreTest.class, "hammer", s), () -> {
                try {
                    s.acquire();
                } catch (OwnerDiedError e) {
                    return true;
                }
                s.release();
                return false;
            });
            assertEquals(1, s.getValue(), "round " + i);
        }
    }

    /**
     * Documented: permits a consumer process took (and did not release) count as held by it, so
     * they come back when it dies; permits a process only released count against nobody.
     */
    @Test
    void consumersPermitsComeBackProducersDoNot() throws Exception {
        var items = new Semaphore(0);
        try (var producer = ChildJvm.start(SemaphoreTest.class, "produce", items, 3)) {
            assertEquals(0, producer.waitFor());
        }
        assertEquals(3, items.getValue());
        try (var consumer = ChildJvm.start(SemaphoreTest.class, "holdAll", items, 3)) {
            consumer.expect("holding");
            assertEquals(0, items.getValue());
            consumer.kill9();
        }
        assertThrows(OwnerDiedError.class, () -> items.acquire(Duration.ofSeconds(30)));
        assertEquals(3, items.getValue());
    }

    // ---------------------------------------------------------------- children

    /** Child or test: args[3] times take a permit of args[0], counting holders in args[1], violations in args[2]. */
    public static void useSlot(Object[] args) {
        var s = (Semaphore) args[0];
        var inside = (Value.OfInt) args[1];
        var violations = (Value.OfInt) args[2];
        for (int i = 0; i < (int) args[3]; i++) {
            try (var _ = s.enter()) {
                if (inside.addAndGet(1) > 2) {
                    violations.getAndAdd(1);
                }
                Thread.onSpinWait();
                inside.getAndAdd(-1);
            }
        }
    }

    /** Child: takes args[1] permits of args[0], says "holding", waits. */
    public static void holdAll(Object[] args) {
        var s = (Semaphore) args[0];
        for (int i = 0; i < (int) args[1]; i++) {
            s.acquire();
        }
        ChildJvm.say("holding");
        ChildJvm.hear();
    }

    /** Child: releases args[1] permits of args[0] and exits. */
    public static void produce(Object[] args) {
        ((Semaphore) args[0]).release((int) args[1]);
    }

    /** Child: acquires and releases for ever. */
    public static void hammer(Object[] args) {
        var s = (Semaphore) args[0];
        boolean said = false;
        for (;;) {
            try {
                s.acquire();
            } catch (OwnerDiedError e) {
                continue;
            }
            s.release();
            if (!said) {
                ChildJvm.say("running");
                said = true;
            }
        }
    }
}
