package dev.pyconc.stress.threading;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.concurrent.atomic.AtomicInteger;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import dev.pyconc.threading.Semaphore;

/** At most n holders of a {@link Semaphore}(n), and no lost wake-up of {@code acquire}. */
public class SemaphoreTest {

    /**
     * A Semaphore(2) whose first permit the state holds for good: the two actors compete for the
     * second. Each sees at most two holders inside, itself and the state, never three.
     * (Two actors, as jcstress schedules no more actors than there are CPUs on 2 cores.)
     */
    @JCStressTest
    @Outcome(id = {"2, 2"}, expect = ACCEPTABLE, desc = "At most two holders at once")
    @Outcome(expect = FORBIDDEN, desc = "A third holder entered a Semaphore(2)")
    @State
    public static class AtMostTwo {
        private final Semaphore s = new Semaphore(2);
        private final AtomicInteger inside = new AtomicInteger();

        public AtMostTwo() {
            s.acquire();
            inside.incrementAndGet();
        }

        private int enter() {
            try (var _ = s.enter()) {
                int n = inside.incrementAndGet();
                inside.decrementAndGet();
                return n;
            }
        }

        @Actor
        public void actor1(II_Result r) {
            r.r1 = enter();
        }

        @Actor
        public void actor2(II_Result r) {
            r.r2 = enter();
        }
    }

    /** An acquire waiting on an empty semaphore is always woken by a release. */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The acquirer got the permit")
    @Outcome(id = "STALE",      expect = FORBIDDEN,  desc = "Lost wake-up: the acquirer sleeps forever")
    @Outcome(                   expect = FORBIDDEN,  desc = "Impossible outcome")
    @State
    public static class LostWakeup {
        private final Semaphore s = new Semaphore(0);

        @Actor
        public void acquirer() {
            s.acquire();
        }

        @Signal
        public void signal() {
            s.release();
        }
    }
}
