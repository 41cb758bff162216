package dev.pyconc.ipc.internal.ring;

import static dev.pyconc.testing.Lincheck.call;
import static dev.pyconc.testing.Lincheck.scenario;
import static dev.pyconc.testing.Lincheck.thread;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

import dev.pyconc.ipc.internal.sync.WaitEngine;
import dev.pyconc.testing.Lincheck;

/**
 * Linearizability of MpmcRing used by several threads of one JVM (Lincheck's stress mode): offer
 * and poll that do not wait, of one-byte records, behave as an ArrayDeque of at most two items;
 * offer and poll that wait run in a written scenario whose offers and polls balance. The ring
 * lives in native memory of the test's own (no file), so an invocation costs no segment.
 *
 * <p>Stress mode: the model checker does not see memory-segment accesses, so it would run each
 * call as if atomic (it passes a ring whose producers take no lock, which stress mode fails).
 * size() is left out: it reads the two counters one after the other (see ProcessQueueLincheckTest).
 */
class MpmcRingLincheckTest {

    private static final long CAPACITY = RingDescriptor.MIN_CAPACITY;

    /** The calls Lincheck makes on one ring of at most two records. */
    @Param(name = "item", gen = IntGen.class, conf = "1:9")
    public static final class Ops {
        private final MpmcRing ring;

        public Ops() {
            MemorySegment m = Arena.ofAuto().allocate(RingDescriptor.length(CAPACITY), 64);
            MpmcRing.init(m, 0, CAPACITY, 2);
            ring = new MpmcRing(m, 0, "test ring");
        }

        /** Offers a one-byte record without waiting for room: whether it went in. */
        @Operation
        public boolean offer(@Param(name = "item") int item) {
            return result(ring.offer(new byte[] {(byte) item}, 1, 0, null));
        }

        /** Takes a record without waiting: its byte, or null when the ring was empty. */
        @Operation
        public Integer poll() {
            MpmcRing.Received in = new MpmcRing.Received();
            return result(ring.poll(0, null, in)) ? (Integer) (int) in.bytes()[0] : null;
        }

        /** Blocking: only in written scenarios. */
        public void offerWaiting(int item) {
            result(ring.offer(new byte[] {(byte) item}, 1, WaitEngine.FOREVER, null));
        }

        /** Blocking: only in written scenarios. */
        public int pollWaiting() {
            MpmcRing.Received in = new MpmcRing.Received();
            result(ring.poll(WaitEngine.FOREVER, null, in));
            return in.bytes()[0];
        }

        private static boolean result(int r) {
            if (r != MpmcRing.DONE && r != MpmcRing.TIMED_OUT) {
                throw new IllegalStateException("ring result " + r);
            }
            return r == MpmcRing.DONE;
        }
    }

    /** The sequential specification: an ArrayDeque of at most two items. */
    public static final class Spec {
        private final ArrayDeque<Integer> items = new ArrayDeque<>();

        public boolean offer(int item) {
            if (items.size() >= 2) {
                return false;
            }
            items.add(item);
            return true;
        }

        public Integer poll() {
            return items.poll();
        }

        /** An offer that would wait has no sequential outcome: such an order is not a linearization. */
        public void offerWaiting(int item) {
            if (!offer(item)) {
                throw new IllegalStateException("offer would wait");
            }
        }

        /** A poll that would wait has no sequential outcome: such an order is not a linearization. */
        public int pollWaiting() {
            Integer item = items.poll();
            if (item == null) {
                throw new IllegalStateException("poll would wait");
            }
            return item;
        }
    }

    /** The ring behaves as an ArrayDeque of two: no record lost, duplicated or reordered, none past the bound. */
    @Test
    void ring() {
        Lincheck.stress(Spec.class).check(Ops.class);
    }

    /** Waiting offer and poll: three records through a ring of two, from a producer to two consumers. */
    @Test
    void waitingOfferAndPoll() {
        Class<?> t = Ops.class;
        Lincheck.stress(Spec.class).iterations(0)
                .addCustomScenario(scenario(
                        thread(call(t, "offerWaiting", 1), call(t, "offerWaiting", 2), call(t, "offerWaiting", 3)),
                        thread(call(t, "pollWaiting"), call(t, "pollWaiting")),
                        thread(call(t, "pollWaiting"))))
                .check(t);
    }
}
