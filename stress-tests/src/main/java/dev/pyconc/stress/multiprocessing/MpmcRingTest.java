package dev.pyconc.stress.multiprocessing;

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

import dev.pyconc.ipc.internal.ring.MpmcRing;
import dev.pyconc.ipc.internal.ring.RingDescriptor;
import dev.pyconc.ipc.internal.sync.WaitEngine;

/**
 * No lost or duplicated record in the ring of process queues and pipes ({@link MpmcRing}), with
 * producers and consumers on two mappings of one file (as two processes would be): producers
 * offer one record each, consumers poll once without waiting, and the arbiter drains what is
 * left. The result counts how often each producer's record was got, and whether every
 * record got was whole (-1 otherwise).
 */
public class MpmcRingTest {
    private static final long CAPACITY = RingDescriptor.MIN_CAPACITY;

    /** Shared by the variants: the ring on two mappings and the consumers' takes. */
    abstract static class Base {
        final TwoMappings.Region r = TwoMappings.region(RingDescriptor.length(CAPACITY));
        final MpmcRing a;
        final MpmcRing b;
        final int size;
        int got1, got2;
        volatile boolean torn;

        Base(int size, int warmUpRecords) {
            MpmcRing.init(r.a(), 0, CAPACITY, 0);
            this.a = new MpmcRing(r.a(), 0, "ring a");
            this.b = new MpmcRing(r.b(), 0, "ring b");
            this.size = size;
            MpmcRing.Received scratch = new MpmcRing.Received();
            byte[] filler = new byte[size];
            for (int i = 0; i < warmUpRecords; i++) {      // moves Tail and Head near the end of the data
                a.offer(filler, size, 0, null);
                b.poll(0, null, scratch);
            }
        }

        void produce(MpmcRing ring, int id) {
            byte[] item = new byte[size];
            java.util.Arrays.fill(item, (byte) id);
            ring.offer(item, size, 0, null);
        }

        /** Takes one record if there is one; returns its producer's id, or 0. */
        int consume(MpmcRing ring, MpmcRing.Received in) {
            if (ring.poll(0, null, in) != MpmcRing.DONE) {
                return 0;
            }
            byte id = in.bytes()[0];
            if (in.length() != size) {
                torn = true;
            }
            for (int i = 0; i < in.length(); i++) {
                if (in.bytes()[i] != id) {
                    torn = true;
                }
            }
            return id;
        }

        void count(int id) {
            if (id == 1) {
                got1++;
            } else if (id == 2) {
                got2++;
            }
        }

        void arbiter(II_Result res, int c1, int c2) {
            count(c1);
            count(c2);
            MpmcRing.Received in = new MpmcRing.Received();
            for (int id; (id = consume(a, in)) != 0; ) {
                count(id);
            }
            res.r1 = torn ? -1 : got1;
            res.r2 = torn ? -1 : got2;
        }
    }

    /** Two producers on two mappings append at once (the producer lock); the arbiter takes both. */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Each record was got exactly once, whole")
    @Outcome(             expect = FORBIDDEN,  desc = "A record was lost, duplicated or torn")
    @State
    public static class TwoProducers extends Base {
        public TwoProducers() {
            super(8, 0);
        }

        @Actor
        public void producer1() {
            produce(a, 1);
        }

        @Actor
        public void producer2() {
            produce(b, 2);
        }

        @Arbiter
        public void arbiter(II_Result res) {
            arbiter(res, 0, 0);
        }
    }

    /** Two consumers on two mappings take at once (the consumer lock) from two records put before. */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Each record was got exactly once, whole")
    @Outcome(             expect = FORBIDDEN,  desc = "A record was lost, duplicated or torn")
    @State
    public static class TwoConsumers extends Base {
        int c1, c2;

        public TwoConsumers() {
            super(8, 0);
            produce(a, 1);
            produce(b, 2);
        }

        @Actor
        public void consumer1() {
            c1 = consume(a, new MpmcRing.Received());
        }

        @Actor
        public void consumer2() {
            c2 = consume(b, new MpmcRing.Received());
        }

        @Arbiter
        public void arbiter(II_Result res) {
            arbiter(res, c1, c2);
        }
    }

    /**
     * A producer and a consumer on two mappings at once, with records of 1000 bytes that cross
     * the end of the data (a padding record and a wrap); one record was put before.
     */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Each record was got exactly once, whole, across the wrap")
    @Outcome(             expect = FORBIDDEN,  desc = "A record was lost, duplicated or torn")
    @State
    public static class ProducerConsumerWrapping extends Base {
        int c;

        public ProducerConsumerWrapping() {
            super(1000, 3);
            produce(a, 1);
        }

        @Actor
        public void producer() {
            produce(b, 2);
        }

        @Actor
        public void consumer() {
            c = consume(a, new MpmcRing.Received());
        }

        @Arbiter
        public void arbiter(II_Result res) {
            arbiter(res, c, 0);
        }
    }

    /**
     * No lost wake-up of a producer facing a full ring: the ring holds 256 records, so the
     * producer's wait for room first naps (a deep backlog: consumers need not wake it), then
     * sleeps on the futex once the backlog stops moving; the signal takes one record through the
     * other mapping, however that races with the spin, the naps and the sleep. A producer that
     * never puts its record is STALE: forbidden.
     */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The take let the producer put its record")
    @Outcome(id = "STALE",      expect = FORBIDDEN,  desc = "Lost wake-up: the producer waits on a ring with room")
    @Outcome(                   expect = FORBIDDEN,  desc = "Unexpected outcome")
    @State
    public static class FullRingOneTake extends Base {
        public FullRingOneTake() {
            super(8, 0);
            byte[] filler = new byte[size];
            while (a.offer(filler, size, 0, null) == MpmcRing.DONE) {
                // fill the ring
            }
        }

        @Actor
        public void producer() {
            a.offer(new byte[size], size, WaitEngine.FOREVER, null);
        }

        @Signal
        public void consumer() {
            consume(b, new MpmcRing.Received());
        }
    }

    /**
     * A pipe's sender that sends its last message and then closes (or dies), against a receiver
     * that polls once without waiting, on two mappings: the poll may see nothing yet, or the
     * message, but never the stop condition without the message that was published before it
     * (end of file while a message is left). The result is the poll's outcome (1 done, 0 nothing
     * yet, -2 stopped) and how often the message was got in all.
     */
    @JCStressTest
    @Outcome(id = "1, 1",  expect = ACCEPTABLE, desc = "The receiver took the message")
    @Outcome(id = "0, 1",  expect = ACCEPTABLE, desc = "The receiver looked before the message and the stop")
    @Outcome(id = "-2, 1", expect = FORBIDDEN,  desc = "End of file reported while the message sent before the stop was left")
    @Outcome(              expect = FORBIDDEN,  desc = "The message was lost, duplicated or torn")
    @State
    public static class StopAfterLastRecord extends Base {
        volatile boolean stopped;
        int polled, c;

        public StopAfterLastRecord() {
            super(8, 0);
        }

        @Actor
        public void sender() {
            produce(b, 1);
            stopped = true;
        }

        @Actor
        public void receiver() {
            MpmcRing.Received in = new MpmcRing.Received();
            polled = a.poll(0, stalled -> stopped, in);
            if (polled == MpmcRing.DONE) {
                c = in.bytes()[0];
            }
        }

        @Arbiter
        public void arbiter(II_Result res) {
            arbiter(res, c, 0);
            res.r2 = res.r1;
            res.r1 = polled;
        }
    }
}
