package dev.pyconc.stress.threading;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import dev.pyconc.threading.Lock;

/** Mutual exclusion of {@link Lock}: two actors increment a plain field under the lock. */
public class LockTest {

    /** Each actor reads and increments under the lock: the two reads must differ. */
    @JCStressTest
    @Outcome(id = {"1, 2", "2, 1"}, expect = ACCEPTABLE, desc = "Mutex works")
    @Outcome(id = "1, 1",           expect = FORBIDDEN,  desc = "Mutex failure: both actors in the critical section")
    @Outcome(                       expect = FORBIDDEN,  desc = "Impossible value")
    @State
    public static class Mutex {
        private final Lock lock = new Lock();
        private int value;

        @Actor
        public void actor1(II_Result r) {
            try (var _ = lock.enter()) {
                r.r1 = ++value;
            }
        }

        @Actor
        public void actor2(II_Result r) {
            try (var _ = lock.enter()) {
                r.r2 = ++value;
            }
        }
    }
}
