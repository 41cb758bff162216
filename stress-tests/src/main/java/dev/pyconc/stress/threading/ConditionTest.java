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

import dev.pyconc.threading.Condition;
import dev.pyconc.threading.Lock;

/** Mutual exclusion of {@link Condition}'s lock, and no lost wake-up of {@link Condition#await()}. */
public class ConditionTest {

    /** Two actors increment under the condition's own RLock: the two reads must differ. */
    @JCStressTest
    @Outcome(id = {"1, 2", "2, 1"}, expect = ACCEPTABLE, desc = "Mutex works")
    @Outcome(id = "1, 1",           expect = FORBIDDEN,  desc = "Mutex failure: both actors in the critical section")
    @Outcome(                       expect = FORBIDDEN,  desc = "Impossible value")
    @State
    public static class Mutex {
        private final Condition cv = new Condition();
        private int value;

        @Actor
        public void actor1(II_Result r) {
            try (var _ = cv.enter()) {
                r.r1 = ++value;
            }
        }

        @Actor
        public void actor2(II_Result r) {
            try (var _ = cv.enter()) {
                r.r2 = ++value;
            }
        }
    }

    /** A waiter that checks its flag under the lock is always woken by a signal sent after setting it. */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The waiter woke up")
    @Outcome(id = "STALE",      expect = FORBIDDEN,  desc = "Lost wake-up: the waiter sleeps forever")
    @Outcome(                   expect = FORBIDDEN,  desc = "Impossible outcome")
    @State
    public static class LostWakeup {
        private final Condition cv = new Condition(new Lock());
        private boolean ready;     // guarded by cv's lock

        @Actor
        public void waiter() {
            try (var _ = cv.enter()) {
                while (!ready) {
                    cv.await();
                }
            }
        }

        @Signal
        public void signal() {
            try (var _ = cv.enter()) {
                ready = true;
                cv.signal();
            }
        }
    }
}
