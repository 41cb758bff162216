package dev.pyconc.stress.multiprocessing;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;

import dev.pyconc.ipc.internal.shm.Words;
import dev.pyconc.ipc.internal.sync.Mutex;
import dev.pyconc.ipc.internal.sync.SemaphoreEngine;
import dev.pyconc.ipc.internal.sync.WaitEngine;

/**
 * No lost wake-up in the futex waiting engine: a waiter sleeping through one mapping must be woken
 * by a change and wake made through the other mapping, however the two race. A waiter that never
 * returns is STALE: forbidden.
 */
public class FutexWakeTest {
    private static final long WORD = 0, SLEEPERS = 4;

    /** The engine itself: wait for a word to change; the signal changes it and wakes. */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The change woke the waiter")
    @Outcome(id = "STALE",      expect = FORBIDDEN,  desc = "Lost wake-up: the waiter sleeps on")
    @Outcome(                   expect = FORBIDDEN,  desc = "Unexpected outcome")
    @State
    public static class Word {
        private final TwoMappings.Region r = TwoMappings.region(64);

        @Actor
        public void waiter() {
            WaitEngine.await(r.a(), WORD, SLEEPERS, stalled -> Words.getIntVolatile(r.a(), WORD) != 0 ? 1 : 0,
                    WaitEngine.FOREVER);
        }

        @Signal
        public void signal() {
            Words.putIntVolatile(r.b(), WORD, 1);
            WaitEngine.wakeChanged(r.b(), WORD, SLEEPERS, 1);
        }
    }

    /** The Lock's hand-off: the signal releases a lock the waiter is blocked on. */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The release woke the waiter")
    @Outcome(id = "STALE",      expect = FORBIDDEN,  desc = "Lost wake-up: the waiter sleeps on a free lock")
    @Outcome(                   expect = FORBIDDEN,  desc = "Unexpected outcome")
    @State
    public static class LockRelease {
        private final TwoMappings.Region r = TwoMappings.region(64);

        public LockRelease() {
            Mutex.tryLock(r.b(), 0);
        }

        @Actor
        public void waiter() {
            Mutex.lock(r.a(), 0, WaitEngine.FOREVER);
        }

        @Signal
        public void signal() {
            Mutex.unlock(r.b(), 0);
        }
    }

    /** The Semaphore's hand-off: the signal releases the permit the waiter waits for. */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The release woke the waiter")
    @Outcome(id = "STALE",      expect = FORBIDDEN,  desc = "Lost wake-up: the waiter sleeps with a permit available")
    @Outcome(                   expect = FORBIDDEN,  desc = "Unexpected outcome")
    @State
    public static class SemaphoreRelease {
        private final TwoMappings.Region r = TwoMappings.region(dev.pyconc.ipc.internal.sync.SemaphoreDescriptor.LENGTH);
        private final int[] hintA = {-1}, hintB = {-1};

        public SemaphoreRelease() {
            SemaphoreEngine.init(r.a(), 0, 0, -1);
        }

        @Actor
        public void waiter() {
            SemaphoreEngine.acquire(r.a(), 0, hintA, WaitEngine.FOREVER);
        }

        @Signal
        public void signal() {
            SemaphoreEngine.release(r.b(), 0, hintB, 1);
        }
    }
}
