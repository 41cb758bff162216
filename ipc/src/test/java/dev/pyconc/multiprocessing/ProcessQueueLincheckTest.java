package dev.pyconc.multiprocessing;

import static dev.pyconc.testing.Lincheck.call;
import static dev.pyconc.testing.Lincheck.scenario;
import static dev.pyconc.testing.Lincheck.thread;

import java.time.Duration;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.pyconc.testing.Lincheck;
import dev.pyconc.testing.queue.SequentialQueue;

/**
 * Linearizability of the process queues used by several threads of one JVM (Lincheck's stress
 * mode): putNowait, put and get with a zero timeout and getNowait of Queue, and put and the gets
 * of SimpleQueue, behave as an ArrayDeque with the queue's bound; blocking put and get run in
 * written scenarios whose puts and gets balance.
 *
 * <p>Stress mode, not model checking: the queue's state lives in a memory segment, whose
 * accesses the model checker does not see (it passes a ring whose producers take no lock), and
 * the codec's byte-array view VarHandles make it throw "Unsupported VarHandle type". qsize, empty
 * and full are left out: they read the put and get counters one after the other, so a thread
 * that puts, gets and puts between the two reads makes them count an item that was never there,
 * which Python documents as their approximation.
 */
@ExtendWith(NoLeaks.class)
class ProcessQueueLincheckTest {

    /** Queue(2) on a ring of 4096 bytes, the smallest, so that each invocation's segment is small. */
    @Param(name = "item", gen = IntGen.class, conf = "1:9")
    public static class Bounded {
        private final Queue<Integer> q;

        public Bounded() {
            this(2);
        }

        Bounded(int maxsize) {
            q = Queue.<Integer>builder().maxsize(maxsize).capacityBytes(4096).build();
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

        /** Blocking: only in written scenarios. */
        public void put(int item) {
            q.put(item);
        }

        /** Blocking: only in written scenarios. */
        public Integer get() {
            return q.get();
        }
    }

    public static final class BoundedSpec extends SequentialQueue {
        public BoundedSpec() {
            super(Order.FIFO, 2);
        }
    }

    public static final class OneSlot extends Bounded {
        public OneSlot() {
            super(1);
        }
    }

    public static final class OneSlotSpec extends SequentialQueue {
        public OneSlotSpec() {
            super(Order.FIFO, 1);
        }
    }

    /** SimpleQueue on a ring of 4096 bytes. */
    @Param(name = "item", gen = IntGen.class, conf = "1:9")
    public static final class Simple {
        private final SimpleQueue<Integer> q = Queue.<Integer>builder().capacityBytes(4096).buildSimple();

        @Operation
        public void put(@Param(name = "item") int item) {
            q.put(item);
        }

        @Operation
        public Integer getNowait() {
            return q.getNowait();
        }

        @Operation
        public Integer getZero() {
            return q.get(Duration.ZERO);
        }
    }

    public static final class SimpleSpec extends SequentialQueue {
        public SimpleSpec() {
            super(Order.FIFO, 0);
        }
    }

    /** Queue(2) behaves as an ArrayDeque that refuses a third item (Full). */
    @Test
    void boundedQueue() {
        Lincheck.stress(BoundedSpec.class).check(Bounded.class);
    }

    /** SimpleQueue behaves as an ArrayDeque. */
    @Test
    void simpleQueue() {
        Lincheck.stress(SimpleSpec.class).check(Simple.class);
    }

    /**
     * Blocking put and get on Queue(1), whose waits sleep in futexes: a producer and a consumer,
     * two producers and a consumer, a producer and two consumers; each ends with the items in order.
     */
    @Test
    void blockingPutAndGet() {
        Class<?> t = OneSlot.class;
        Lincheck.stress(OneSlotSpec.class).iterations(0)
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
