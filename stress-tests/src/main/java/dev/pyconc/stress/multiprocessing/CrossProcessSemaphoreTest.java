package dev.pyconc.stress.multiprocessing;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.lang.foreign.MemorySegment;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;

import dev.pyconc.ipc.internal.shm.Words;
import dev.pyconc.ipc.internal.sync.SemaphoreDescriptor;
import dev.pyconc.ipc.internal.sync.SemaphoreEngine;
import dev.pyconc.ipc.internal.sync.WaitEngine;

/**
 * At most n holders of the cross-process semaphore engine, its actors on two mappings of one
 * region: each counts itself in, records how many are in, and leaves. The three-actor variant
 * needs three CPUs (jcstress skips it on fewer); the two-actor ones run everywhere.
 */
public class CrossProcessSemaphoreTest {
    private static final long SEMAPHORE = 0;
    private static final long INSIDE = SemaphoreDescriptor.LENGTH;

    /** Semaphore(2), three actors. */
    @JCStressTest
    @Outcome(id = {"1, 1, 1", "1, 1, 2", "1, 2, 1", "2, 1, 1", "1, 2, 2", "2, 1, 2", "2, 2, 1", "2, 2, 2"},
             expect = ACCEPTABLE, desc = "At most two holders at a time")
    @Outcome(id = {"3, .*", ".*, 3, .*", ".*, 3"}, expect = FORBIDDEN, desc = "Three holders of a Semaphore(2)")
    @Outcome(expect = FORBIDDEN, desc = "Impossible value")
    @State
    public static class AtMostTwo {
        private final TwoMappings.Region r = TwoMappings.region(INSIDE + 8);
        private final int[] hintA = {-1}, hintB = {-1}, hintC = {-1};

        public AtMostTwo() {
            SemaphoreEngine.init(r.a(), SEMAPHORE, 2, -1);
        }

        private static int enter(MemorySegment s, int[] hint) {
            SemaphoreEngine.acquire(s, SEMAPHORE, hint, WaitEngine.FOREVER);
            int in = Words.getAndAddInt(s, INSIDE, 1) + 1;
            Words.getAndAddInt(s, INSIDE, -1);
            SemaphoreEngine.release(s, SEMAPHORE, hint, 1);
            return in;
        }

        @Actor
        public void actor1(III_Result res) {
            res.r1 = enter(r.a(), hintA);
        }

        @Actor
        public void actor2(III_Result res) {
            res.r2 = enter(r.b(), hintB);
        }

        @Actor
        public void actor3(III_Result res) {
            res.r3 = enter(r.a(), hintC);
        }
    }

    /** Semaphore(1), two actors: never both in. */
    @JCStressTest
    @Outcome(id = "1, 1",                   expect = ACCEPTABLE, desc = "One holder at a time")
    @Outcome(id = {"2, .*", ".*, 2"},       expect = FORBIDDEN,  desc = "Two holders of a Semaphore(1)")
    @Outcome(                               expect = FORBIDDEN,  desc = "Impossible value")
    @State
    public static class AtMostOne {
        private final TwoMappings.Region r = TwoMappings.region(INSIDE + 8);
        private final int[] hintA = {-1}, hintB = {-1};

        public AtMostOne() {
            SemaphoreEngine.init(r.a(), SEMAPHORE, 1, 1);
        }

        @Actor
        public void actor1(II_Result res) {
            res.r1 = AtMostTwo.enter(r.a(), hintA);
        }

        @Actor
        public void actor2(II_Result res) {
            res.r2 = AtMostTwo.enter(r.b(), hintB);
        }
    }

    /** Semaphore(1) as a lock, two actors: a plain shared counter, so the next holder sees the last one's write. */
    @JCStressTest
    @Outcome(id = {"1, 2", "2, 1"}, expect = ACCEPTABLE, desc = "Exclusion, and the permit carries the write")
    @Outcome(id = "1, 1",           expect = FORBIDDEN,  desc = "Both held a permit at once, or a write was not seen")
    @Outcome(                       expect = FORBIDDEN,  desc = "Impossible value")
    @State
    public static class PermitCarriesWrites {
        private final TwoMappings.Region r = TwoMappings.region(INSIDE + 8);
        private final int[] hintA = {-1}, hintB = {-1};

        public PermitCarriesWrites() {
            SemaphoreEngine.init(r.a(), SEMAPHORE, 1, -1);
        }

        private static int increment(MemorySegment s, int[] hint) {
            SemaphoreEngine.acquire(s, SEMAPHORE, hint, WaitEngine.FOREVER);
            int v = Words.getInt(s, INSIDE) + 1;
            Words.putInt(s, INSIDE, v);
            SemaphoreEngine.release(s, SEMAPHORE, hint, 1);
            return v;
        }

        @Actor
        public void actor1(II_Result res) {
            res.r1 = increment(r.a(), hintA);
        }

        @Actor
        public void actor2(II_Result res) {
            res.r2 = increment(r.b(), hintB);
        }
    }
}
