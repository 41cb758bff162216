package dev.pyconc.multiprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class BoundedSemaphoreTest {

    /** Releasing above the bound throws and changes nothing. */
    @Test
    void overReleaseIsRefused() {
        var s = new BoundedSemaphore(2);
        assertEquals(2, s.bound());
        s.acquire();
        s.release();
        var e = assertThrows(IllegalStateException.class, s::release);
        assertEquals("semaphore released too many times (value 2, bound 2, releasing 1)", e.getMessage());
        assertEquals(2, s.getValue());
        s.acquire();
        assertThrows(IllegalStateException.class, () -> s.release(2));
        assertEquals(1, s.getValue());
    }

    /** Another process's over-release is refused too (the bound lives in shared memory). */
    @Test
    void overReleaseInAnotherProcess() {
        var s = new BoundedSemaphore(1);
        try (var child = ChildJvm.start(BoundedSemaphoreTest.class, "overRelease", s)) {
            assertEquals(0, child.waitFor());
        }
        assertEquals(1, s.getValue());
    }

    /** kill -9 of a holder: its permit comes back, a waiter learns of it, the bound still holds. */
    @Test
    void holderKilledPermitComesBackWithinTheBound() throws Exception {
        var s = new BoundedSemaphore(1);
        List<KillRounds.Round> rounds = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            rounds.add(KillRounds.holderKilled(() -> ChildJvm.start(SemaphoreTest.class, "holdAll", s, 1), () -> {
                try {
                    s.acquire();
                    s.release();
                    return false;
                } catch (OwnerDiedError e) {
                    return true;
                }
            }));
            assertEquals(1, s.getValue());
            assertThrows(IllegalStateException.class, s::release);
        }
        KillRounds.report("BoundedSemaphore", rounds);
    }

    /** Child: tries to release a full bounded semaphore; exits 0 if refused. */
    public static void overRelease(Object[] args) {
        var s = (BoundedSemaphore) args[0];
        try {
            s.release();
            System.exit(3);
        } catch (IllegalStateException expected) {
            // refused, as it should be
        }
    }
}
