package dev.pyconc.queue;

import static dev.pyconc.testing.Lincheck.call;
import static dev.pyconc.testing.Lincheck.scenario;
import static dev.pyconc.testing.Lincheck.thread;

import java.time.Duration;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

import dev.pyconc.testing.Lincheck;
import dev.pyconc.testing.queue.SequentialQueue;

/**
 * Linearizability of SimpleQueue (Lincheck's model checker): put, getNowait, get with a zero
 * timeout, qsize and empty should behave as an ArrayDeque, as CPython's SimpleQueue does.
 */
class SimpleQueueLincheckTest {

    /** The calls Lincheck makes on one queue. */
    @Param(name = "item", gen = IntGen.class, conf = "1:3")
    public static final class Ops {
        private final SimpleQueue<Integer> q = new SimpleQueue<>();

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

        @Operation
        public int qsize() {
            return q.qsize();
        }

        @Operation
        public boolean empty() {
            return q.empty();
        }

    }

    public static final class Spec extends SequentialQueue {
        public Spec() {
            super(Order.FIFO, 0);
        }
    }

    /**
     * SimpleQueue behaves as an ArrayDeque. The written scenario, run first, is the shortest that
     * failed when put published its item before the permit that counted it: while one put was
     * between the two, another thread that put 2 and then took an item got the first put's 1 and
     * saw qsize 0 with its own 2 still queued (a second getNowait threw Empty).
     */
    @Test
    void simpleQueue() {
        Class<?> t = Ops.class;
        Lincheck.modelChecking(Spec.class)
                .addCustomScenario(scenario(
                        thread(call(t, "put", 1)),
                        thread(call(t, "put", 2), call(t, "getNowait"), call(t, "qsize"))))
                .check(t);
    }
}
