package dev.pyconc.queue;

import static dev.pyconc.testing.Lincheck.call;
import static dev.pyconc.testing.Lincheck.scenario;
import static dev.pyconc.testing.Lincheck.scenarioAfter;
import static dev.pyconc.testing.Lincheck.thread;

import java.time.Duration;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

import dev.pyconc.testing.Lincheck;
import dev.pyconc.testing.queue.SequentialQueue;

/**
 * Linearizability of Queue, LifoQueue and PriorityQueue (Lincheck's model checker): every outcome
 * of a few threads calling putNowait, put and get with a zero timeout, getNowait, qsize, empty
 * and full is one that a java.util collection gives in some order of the calls that respects
 * their real-time order. Written scenarios come first: two takers of the last item, two putters
 * into the last free slot, and blocking put and get whose puts and gets balance, where a waiter
 * that misses its Condition's signal shows as a hang.
 */
class QueueLincheckTest {

    /** The calls Lincheck makes on one queue; a subclass per kind of queue. */
    @Param(name = "item", gen = IntGen.class, conf = "1:3")
    public abstract static class Ops {
        private final Queue<Integer> q;

        Ops(Queue<Integer> q) {
            this.q = q;
        }

        @Operation
        public void putNowait(@Param(name = "item") int item) {
            q.putNowait(item);
        }

        @Operation
        public void putZero(@Param(name = "item") int item) {
            q.put(item, Duration.ZERO);
        }

        @Operation
        public Integer getNowait() {
            return q.getNowait();
        }

        @Operation
        public Integer getZero() {
            return q.get(Duration.ZERO);
        }

        @Operation
        public int qsize() {
            return q.qsize();
        }

        @Operation
        public boolean empty() {
            return q.empty();
        }

        @Operation
        public boolean full() {
            return q.full();
        }

        /** Blocking: only in written scenarios. */
        public void put(int item) {
            q.put(item);
        }

        /** Blocking: only in written scenarios. */
        public Integer get() {
            return q.get();
        }
    }

    /** The unbounded queue, with put among the generated calls: it never blocks there. */
    public static final class Unbounded extends Ops {
        public Unbounded() {
            super(new Queue<>());
        }

        @Override
        @Operation
        public void put(@Param(name = "item") int item) {
            super.put(item);
        }
    }

    public static final class UnboundedSpec extends SequentialQueue {
        public UnboundedSpec() {
            super(Order.FIFO, 0);
        }
    }

    public static final class Bounded extends Ops {
        public Bounded() {
            super(new Queue<>(2));
        }
    }

    public static final class BoundedSpec extends SequentialQueue {
        public BoundedSpec() {
            super(Order.FIFO, 2);
        }
    }

    public static final class BoundedLifo extends Ops {
        public BoundedLifo() {
            super(new LifoQueue<>(2));
        }
    }

    public static final class BoundedLifoSpec extends SequentialQueue {
        public BoundedLifoSpec() {
            super(Order.LIFO, 2);
        }
    }

    public static final class BoundedPriority extends Ops {
        public BoundedPriority() {
            super(new PriorityQueue<>(2));
        }
    }

    public static final class BoundedPrioritySpec extends SequentialQueue {
        public BoundedPrioritySpec() {
            super(Order.PRIORITY, 2);
        }
    }

    public static final class OneSlot extends Ops {
        public OneSlot() {
            super(new Queue<>(1));
        }
    }

    public static final class OneSlotSpec extends SequentialQueue {
        public OneSlotSpec() {
            super(Order.FIFO, 1);
        }
    }

    /**
     * Model checking of {@code ops} against {@code spec}: first the two races a queue must settle
     * under its lock, two takers of the last item and two putters into the last free slot (of
     * Queue(2)), then generated scenarios.
     */
    private static void check(Class<? extends Ops> ops, Class<? extends SequentialQueue> spec) {
        ModelCheckingOptions options = Lincheck.modelChecking(spec)
                .addCustomScenario(scenarioAfter(thread(call(ops, "putNowait", 1)),
                        thread(call(ops, "getNowait"), call(ops, "qsize")),
                        thread(call(ops, "getNowait"))))
                .addCustomScenario(scenarioAfter(thread(call(ops, "putNowait", 1)),
                        thread(call(ops, "putNowait", 2)),
                        thread(call(ops, "putNowait", 3), call(ops, "qsize"))));
        options.check(ops);
    }

    /** An unbounded Queue behaves as an ArrayDeque. */
    @Test
    void unboundedQueue() {
        check(Unbounded.class, UnboundedSpec.class);
    }

    /** Queue(2) behaves as an ArrayDeque that refuses a third item (Full). */
    @Test
    void boundedQueue() {
        check(Bounded.class, BoundedSpec.class);
    }

    /** LifoQueue(2) behaves as a stack of two. */
    @Test
    void boundedLifoQueue() {
        check(BoundedLifo.class, BoundedLifoSpec.class);
    }

    /** PriorityQueue(2) behaves as a java.util.PriorityQueue of two. */
    @Test
    void boundedPriorityQueue() {
        check(BoundedPriority.class, BoundedPrioritySpec.class);
    }

    /**
     * Blocking put and get on Queue(1): a producer and a consumer, two producers and a consumer,
     * a producer and two consumers. Every interleaving ends with the items in order: put and get
     * skip the signal while they count no waiter, and a waiter that missed its signal would hang.
     */
    @Test
    void blockingPutAndGet() {
        Class<?> t = OneSlot.class;
        Lincheck.modelChecking(OneSlotSpec.class).iterations(0)
                .addCustomScenario(scenario(
                        thread(call(t, "put", 1), call(t, "put", 2)),
                        thread(call(t, "get"), call(t, "get"))))
                .addCustomScenario(scenario(
                        thread(call(t, "put", 1)),
                        thread(call(t, "put", 2)),
                        thread(call(t, "get"), call(t, "get"))))
                .addCustomScenario(scenario(
                        thread(call(t, "get")),
                        thread(call(t, "get")),
                        thread(call(t, "put", 1), call(t, "put", 2))))
                .check(t);
    }
}
