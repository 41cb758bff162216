package dev.pyconc.stress.threading;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import dev.pyconc.threading.Lock;

/** Mutual exclusion and visibility of {@link Lock}. */
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

    /** Writes made under the lock are seen whole by the next holder: never one write without the other. */
    @JCStressTest
    @Outcome(id = {"0, 0", "1, 1"}, expect = ACCEPTABLE, desc = "The reader ran wholly before or after the writer")
    @Outcome(id = {"1, 0", "0, 1"}, expect = FORBIDDEN,  desc = "The reader saw half of the writer's critical section")
    @Outcome(                       expect = FORBIDDEN,  desc = "Impossible value")
    @State
    public static class Visibility {
        private final Lock lock = new Lock();
        private int x;
        private int y;

        @Actor
        public void writer() {
            try (var _ = lock.enter()) {
                x = 1;
                y = 1;
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

    /** A Lock released by another thread than its holder is free for the next acquire. */
    @JCStressTest
    @Outcome(id = {"1, 1", "0, 0", "0, 1"}, expect = ACCEPTABLE, desc = "Released by the other thread, or tried before or while it released")
    @Outcome(id = "1, 0",           expect = FORBIDDEN,  desc = "Acquired after the release, but the lock still looked held")
    @Outcome(                       expect = FORBIDDEN,  desc = "Impossible value")
    @State
    public static class ReleaseByOther {
        private final Lock lock = new Lock();
        private volatile int released;

        public ReleaseByOther() {
            lock.acquire();
        }

        @Actor
        public void releaser() {
            lock.release();
            released = 1;
        }

        @Actor
        public void acquirer(II_Result r) {
            int seen = released;
            r.r1 = seen;
            r.r2 = lock.tryAcquire() ? 1 : 0;
        }
    }
}
