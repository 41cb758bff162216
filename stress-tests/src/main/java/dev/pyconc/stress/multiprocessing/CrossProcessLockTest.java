package dev.pyconc.stress.multiprocessing;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import dev.pyconc.ipc.internal.shm.Words;
import dev.pyconc.ipc.internal.sync.Mutex;
import dev.pyconc.ipc.internal.sync.MutexDescriptor;
import dev.pyconc.ipc.internal.sync.WaitEngine;

/**
 * Mutual exclusion of the cross-process Lock and RLock engine ({@link Mutex}), with the two actors
 * on two mappings of one file: each increments a plain counter that lives in the shared region,
 * under the lock. Both reads differing also shows that writes made under the lock through one
 * mapping are seen by the next holder through the other.
 */
public class CrossProcessLockTest {
    private static final long MUTEX = 0;
    private static final long COUNTER = MutexDescriptor.LENGTH;

    /** Lock: acquire, plain increment, release. */
    @JCStressTest
    @Outcome(id = {"1, 2", "2, 1"}, expect = ACCEPTABLE, desc = "Mutex works: the second holder sees the first one's write")
    @Outcome(id = "1, 1",           expect = FORBIDDEN,  desc = "Mutex failure: both actors in the critical section")
    @Outcome(                       expect = FORBIDDEN,  desc = "Impossible value")
    @State
    public static class Lock {
        private final TwoMappings.Region r = TwoMappings.region(COUNTER + 8);

        private static int increment(java.lang.foreign.MemorySegment s) {
            Mutex.lock(s, MUTEX, WaitEngine.FOREVER);
            int v = Words.getInt(s, COUNTER) + 1;
            Words.putInt(s, COUNTER, v);
            Mutex.unlock(s, MUTEX);
            return v;
        }

        @Actor
        public void actor1(II_Result res) {
            res.r1 = increment(r.a());
        }

        @Actor
        public void actor2(II_Result res) {
            res.r2 = increment(r.b());
        }
    }

    /** RLock: enter twice, plain increment, leave twice (two threads of one process). */
    @JCStressTest
    @Outcome(id = {"1, 2", "2, 1"}, expect = ACCEPTABLE, desc = "Mutex works: the second holder sees the first one's write")
    @Outcome(id = "1, 1",           expect = FORBIDDEN,  desc = "Mutex failure: both actors in the critical section")
    @Outcome(                       expect = FORBIDDEN,  desc = "Impossible value")
    @State
    public static class RLock {
        private final TwoMappings.Region r = TwoMappings.region(COUNTER + 8);

        private static int increment(java.lang.foreign.MemorySegment s) {
            long tid = Thread.currentThread().threadId();
            Mutex.lockReentrant(s, MUTEX, tid, WaitEngine.FOREVER);
            Mutex.lockReentrant(s, MUTEX, tid, WaitEngine.FOREVER);
            int v = Words.getInt(s, COUNTER) + 1;
            Words.putInt(s, COUNTER, v);
            Mutex.unlockReentrant(s, MUTEX, tid);
            Mutex.unlockReentrant(s, MUTEX, tid);
            return v;
        }

        @Actor
        public void actor1(II_Result res) {
            res.r1 = increment(r.a());
        }

        @Actor
        public void actor2(II_Result res) {
            res.r2 = increment(r.b());
        }
    }
}
