package dev.pyconc.stress.queue;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import dev.pyconc.queue.LifoQueue;

/** {@link LifoQueue} (Last in, first out): no lost or duplicated item. */
public class LifoQueueTest {

    /**
     * Each actor puts one item and takes one without waiting; the arbiter drains the rest. Every
     * item must have been got exactly once: r1 and r2 count how often items 1 and 2 came out.
     */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Each item got exactly once")
    @Outcome(             expect = FORBIDDEN,  desc = "An item was lost or duplicated")
    @State
    public static class NoLoss {
        private final LifoQueue<Integer> q = new LifoQueue<>();
        private final Multiset got = new Multiset();

        @Actor
        public void actor1() {
            q.put(1);
            got.add(Multiset.poll(q::getNowait));
        }

        @Actor
        public void actor2() {
            q.put(2);
            got.add(Multiset.poll(q::getNowait));
        }

        @Arbiter
        public void arbiter(II_Result r) {
            got.drain(q::getNowait, q::qsize);
            got.report(r);
        }
    }
}
