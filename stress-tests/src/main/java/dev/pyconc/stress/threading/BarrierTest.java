package dev.pyconc.stress.threading;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import dev.pyconc.threading.Barrier;

/** No lost wake-up of {@link Barrier#await()}, and distinct arrival indices. */
public class BarrierTest {

    /** Two parties of a Barrier(2) always both pass it. */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "Both parties passed the barrier")
    @Outcome(id = "STALE",      expect = FORBIDDEN,  desc = "Lost wake-up: a party waits forever")
    @Outcome(                   expect = FORBIDDEN,  desc = "Impossible outcome")
    @State
    public static class LostWakeup {
        private final Barrier barrier = new Barrier(2);

        @Actor
        public void party() {
            barrier.await();
        }

        @Signal
        public void otherParty() {
            barrier.await();
        }
    }

    /** The two parties get the indices 0 and 1, one each, and the action's write is seen by both. */
    @JCStressTest
    @Outcome(id = {"1, 2", "2, 1"}, expect = ACCEPTABLE, desc = "Indices 0 and 1 (plus one), each saw the action")
    @Outcome(                       expect = FORBIDDEN,  desc = "Same index twice, or a party released before the action")
    @State
    public static class Indices {
        private int actionRan;
        private final Barrier barrier = new Barrier(2, () -> actionRan = 1, null);

        @Actor
        public void party1(II_Result r) {
            int index = barrier.await();
            r.r1 = actionRan == 1 ? index + 1 : -1;
        }

        @Actor
        public void party2(II_Result r) {
            int index = barrier.await();
            r.r2 = actionRan == 1 ? index + 1 : -1;
        }
    }
}
