package dev.pyconc.stress.threading;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import dev.pyconc.threading.RLock;

/** Mutual exclusion and visibility of {@link RLock}, entered twice by its owner. */
public class RLockTest {

    /** Each actor enters twice and increments: the two reads must differ. */
    @JCStressTest
    @Outcome(id = {"1, 2", "2, 1"}, expect = ACCEPTABLE, desc = "Mutex works through reentry")
    @Outcome(id = "1, 1",           expect = FORBIDDEN,  desc = "Mutex failure: both actors in the critical section")
    @Outcome(                       expect = FORBIDDEN,  desc = "Impossible value")
    @State
    public static class Mutex {
        private final RLock lock = new RLock();
        private int value;

        @Actor
        public void actor1(II_Result r) {
            try (var _ = lock.enter(); var _ = lock.enter()) {
                r.r1 = ++value;
            }
        }

        @Actor
        public void actor2(II_Result r) {
            try (var _ = lock.enter(); var _ = lock.enter()) {
                r.r2 = ++value;
            }
        }
    }

    /** Writes made under the lock (inner level) are seen whole by the next owner. */
    @JCStressTest
    @Outcome(id = {"0, 0", "1, 1"}, expect = ACCEPTABLE, desc = "The reader ran wholly before or after the writer")
    @Outcome(id = {"1, 0", "0, 1"}, expect = FORBIDDEN,  desc = "The reader saw half of the writer's critical section")
    @Outcome(                       expect = FORBIDDEN,  desc = "Impossible value")
    @State
    public static class Visibility {
        private final RLock lock = new RLock();
        private int x;
        private int y;

        @Actor
        public void writer() {
            try (var _ = lock.enter()) {
                x = 1;
                try (var _ = lock.enter()) {
                    y = 1;
                }
            }
        }

        @Actor
        public void reader(II_Result r) {
            try (var _ = lock.enter()) {
                r.r1 = y;
                r.r2 = x;
            }
        }
    }
}
