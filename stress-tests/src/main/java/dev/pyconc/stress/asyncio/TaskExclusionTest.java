package dev.pyconc.stress.asyncio;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.time.Duration;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.EventLoop;

/**
 * At most one task body or callback of an event loop runs at a time: two of them, started from two
 * threads, increment a plain field without any lock.
 */
public class TaskExclusionTest {

    static final EventLoop LOOP = SharedLoop.LOOP;

    /** Two task bodies, each reading and incrementing the field: the two reads must differ. */
    @JCStressTest
    @Outcome(id = {"1, 2", "2, 1"}, expect = ACCEPTABLE, desc = "The bodies ran one after the other")
    @Outcome(id = "1, 1",           expect = FORBIDDEN,  desc = "Two bodies of one loop ran at the same time")
    @Outcome(                       expect = FORBIDDEN,  desc = "Impossible value")
    @State
    public static class TwoTasks {
        private int value;

        @Actor
        public void actor1(II_Result r) {
            r.r1 = Asyncio.runCoroutineThreadsafe(() -> ++value, LOOP).result();
        }

        @Actor
        public void actor2(II_Result r) {
            r.r2 = Asyncio.runCoroutineThreadsafe(() -> ++value, LOOP).result();
        }
    }

    /**
     * A task body in two steps (it yields with sleep(0) in between) and a callback, each marking
     * itself inside a plain field while it runs: none may see another inside.
     */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "The steps and the callback ran one at a time")
    @Outcome(             expect = FORBIDDEN,  desc = "A callback overlapped a step of a task body")
    @State
    public static class TaskAndCallback {
        private int inside;

        private int enter() {
            int seen = ++inside;
            Thread.onSpinWait();
            inside--;
            return seen;
        }

        @Actor
        public void actor1(II_Result r) {
            r.r1 = Asyncio.runCoroutineThreadsafe(() -> {
                int first = enter();
                Asyncio.sleep(Duration.ZERO);
                int second = enter();
                return first == 1 && second == 1 ? 1 : -1;
            }, LOOP).result();
        }

        @Actor
        public void actor2(II_Result r) {
            var done = new dev.pyconc.futures.Future<Integer>();
            LOOP.callSoonThreadsafe(() -> {
                done.setRunningOrNotifyCancel();
                done.setResult(enter());
            });
            r.r2 = done.result();
        }
    }
}
