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

import java.time.Duration;

import dev.pyconc.threading.Condition;
import dev.pyconc.threading.Held;
import dev.pyconc.threading.Lock;
import dev.pyconc.threading.Lockable;
import dev.pyconc.threading.RLock;

/**
 * Mutual exclusion of {@link Condition}'s lock, and no lost wake-up of {@link Condition#await()}:
 * over this package's locks (whose own queue hands the lock to a signalled waiter) and over any
 * other {@link Lockable} (the lock-agnostic waiter queue).
 */
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

    /** As {@link LostWakeup}, over a lock the condition knows only as a {@link Lockable}. */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The waiter woke up")
    @Outcome(id = "STALE",      expect = FORBIDDEN,  desc = "Lost wake-up: the waiter sleeps forever")
    @Outcome(                   expect = FORBIDDEN,  desc = "Impossible outcome")
    @State
    public static class LostWakeupAnyLock {
        private final Condition cv = new Condition(new AnyLock(new Lock()));
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

    /**
     * Over any {@link Lockable} and a reentrant lock: a timed waiter whose deadline races the
     * signal still wakes (by the signal or by its deadline) and holds both levels again.
     */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The waiter woke up holding the lock")
    @Outcome(id = "STALE",      expect = FORBIDDEN,  desc = "Lost wake-up, or the lock not given back")
    @Outcome(                   expect = FORBIDDEN,  desc = "Impossible outcome")
    @State
    public static class TimedWaitRacesSignalAnyLock {
        private final RLock rlock = new RLock();
        private final Condition cv = new Condition(new AnyLock(rlock));
        private boolean ready;     // guarded by cv's lock

        @Actor
        public void waiter() {
            try (var _ = cv.enter(); var _ = cv.enter()) {
                while (!ready) {
                    cv.await(Duration.ofNanos(1_000));
                }
                if (rlock.recursionCount() != 2) {
                    while (true) {
                        Thread.onSpinWait();      // a wrong count shows as STALE
                    }
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

    /** A lock that is not one of this package's, so that the condition uses its lock-agnostic queue. */
    static final class AnyLock implements Lockable {
        private final Lockable lock;

        AnyLock(Lockable lock) {
            this.lock = lock;
        }

        @Override
        public boolean acquire() {
            return lock.acquire();
        }

        @Override
        public boolean acquire(Duration timeout) {
            return lock.acquire(timeout);
        }

        @Override
        public boolean tryAcquire() {
            return lock.tryAcquire();
        }

        @Override
        public void release() {
            lock.release();
        }

        @Override
        public Held enter() {
            acquire();
            return this::release;
        }

        @Override
        public boolean locked() {
            return lock.locked();
        }

        @Override
        public boolean isHeldByCurrentThread() {
            return lock.isHeldByCurrentThread();
        }

        @Override
        public long releaseFully() {
            return lock.releaseFully();
        }

        @Override
        public void reacquire(long savedState) {
            lock.reacquire(savedState);
        }
    }
}
