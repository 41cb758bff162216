package dev.pyconc.stress.queue;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import dev.pyconc.queue.Queue;

/** {@link Queue}: no lost or duplicated item, FIFO order, and no lost wake-up of a blocked get or put. */
public class QueueTest {

    /**
     * Each actor puts one item and takes one without waiting; the arbiter drains the rest. Every
     * item must have been got exactly once: r1 and r2 count how often items 1 and 2 came out.
     */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Each item got exactly once")
    @Outcome(             expect = FORBIDDEN,  desc = "An item was lost or duplicated")
    @State
    public static class NoLoss {
        private final Queue<Integer> q = new Queue<>();
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

    /** A consumer that gets two items put in order 1, 2 by one producer never sees them reversed. */
    @JCStressTest
    @Outcome(id = {"0, 0", "1, 0", "1, 2"}, expect = ACCEPTABLE, desc = "The consumer got a prefix of 1, 2")
    @Outcome(                               expect = FORBIDDEN,  desc = "Order broken, an item duplicated, or 2 without 1")
    @State
    public static class FifoOrder {
        private final Queue<Integer> q = new Queue<>();

        @Actor
        public void producer() {
            q.put(1);
            q.put(2);
        }

        @Actor
        public void consumer(II_Result r) {
            r.r1 = Multiset.poll(q::getNowait);
            r.r2 = r.r1 == 0 ? 0 : Multiset.poll(q::getNowait);
        }
    }

    /** A get blocked on an empty queue is always woken by a put. */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The getter got the item")
    @Outcome(id = "STALE",      expect = FORBIDDEN,  desc = "Lost wake-up: the getter sleeps forever")
    @Outcome(                   expect = FORBIDDEN,  desc = "Impossible outcome")
    @State
    public static class GetWakeup {
        private final Queue<Integer> q = new Queue<>();

        @Actor
        public void getter() {
            q.get();
        }

        @Signal
        public void putter() {
            q.put(1);
        }
    }

    /** A put blocked on a full Queue(1) is always woken by a get. */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The putter found a slot")
    @Outcome(id = "STALE",      expect = FORBIDDEN,  desc = "Lost wake-up: the putter sleeps forever")
    @Outcome(                   expect = FORBIDDEN,  desc = "Impossible outcome")
    @State
    public static class PutWakeup {
        private final Queue<Integer> q = new Queue<>(1);

        public PutWakeup() {
            q.put(0);
        }

        @Actor
        public void putter() {
            q.put(1);
        }

        @Signal
        public void getter() {
            q.get();
        }
    }

}
