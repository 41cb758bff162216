package dev.pyconc.threading;

import static dev.pyconc.testing.Lincheck.call;
import static dev.pyconc.testing.Lincheck.scenario;
import static dev.pyconc.testing.Lincheck.thread;

import java.time.Duration;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

import dev.pyconc.testing.Lincheck;

/**
 * Linearizability of Semaphore and BoundedSemaphore (Lincheck's model checker): tryAcquire,
 * acquire with a zero timeout, release of one or two permits and value behave as a counter of
 * permits; a BoundedSemaphore refuses a release above its initial value. Blocking acquire runs in
 * written scenarios with as many permits released as acquired, where an acquire that can never
 * get its permit shows as a hang (a missing unpark alone does not: see Lincheck).
 */
class SemaphoreLincheckTest {

    /** The calls Lincheck makes on one semaphore; a subclass per kind. */
    @Param(name = "n", gen = IntGen.class, conf = "1:2")
    public abstract static class Ops {
        private final Semaphore s;

        Ops(Semaphore s) {
            this.s = s;
        }

        @Operation
        public boolean tryAcquire() {
            return s.tryAcquire();
        }

        @Operation
        public boolean acquireZero() {
            return s.acquire(Duration.ZERO);
        }

        @Operation
        public void release(@Param(name = "n") int n) {
            s.release(n);
        }

        @Operation
        public int value() {
            return s.value();
        }

        /** Blocking: only in written scenarios. */
        public boolean acquire() {
            return s.acquire();
        }
    }

    /** The sequential specification: a count of permits, with a bound or none (0). */
    public abstract static class Spec {
        private int permits;
        private final int bound;

        Spec(int permits, int bound) {
            this.permits = permits;
            this.bound = bound;
        }

        public boolean tryAcquire() {
            if (permits == 0) {
                return false;
            }
            permits--;
            return true;
        }

        public boolean acquireZero() {
            return tryAcquire();
        }

        public void release(int n) {
            if (bound > 0 && n > bound - permits) {
                throw new IllegalStateException("released too many times");
            }
            permits += n;
        }

        public int value() {
            return permits;
        }

        /** An acquire that would block has no sequential outcome: such an order is not a linearization. */
        public boolean acquire() {
            if (!tryAcquire()) {
                throw new IllegalStateException("acquire would block");
            }
            return true;
        }
    }

    public static final class One extends Ops {
        public One() {
            super(new Semaphore(1));
        }
    }

    public static final class OneSpec extends Spec {
        public OneSpec() {
            super(1, 0);
        }
    }

    public static final class None extends Ops {
        public None() {
            super(new Semaphore(0));
        }
    }

    public static final class NoneSpec extends Spec {
        public NoneSpec() {
            super(0, 0);
        }
    }

    public static final class BoundedTwo extends Ops {
        public BoundedTwo() {
            super(new BoundedSemaphore(2));
        }
    }

    public static final class BoundedTwoSpec extends Spec {
        public BoundedTwoSpec() {
            super(2, 2);
        }
    }

    /** Semaphore(1) behaves as a count of permits. */
    @Test
    void semaphore() {
        Lincheck.modelChecking(OneSpec.class).check(One.class);
    }

    /** BoundedSemaphore(2) behaves as a count of at most two permits that refuses a third (IllegalStateException). */
    @Test
    void boundedSemaphore() {
        Lincheck.modelChecking(BoundedTwoSpec.class).check(BoundedTwo.class);
    }

    /**
     * Blocking acquire on Semaphore(0): two waiters and one release of two permits, which must let
     * both through; a thread that acquires twice and one that releases twice; a waiter and a
     * thread that tries to acquire before and after releasing. Every interleaving ends, each
     * acquire with one permit.
     */
    @Test
    void blockingAcquire() {
        Class<?> t = None.class;
        Lincheck.modelChecking(NoneSpec.class).iterations(0)
                .addCustomScenario(scenario(
                        thread(call(t, "acquire")),
                        thread(call(t, "acquire")),
                        thread(call(t, "release", 2))))
                .addCustomScenario(scenario(
                        thread(call(t, "acquire"), call(t, "acquire")),
                        thread(call(t, "release", 1), call(t, "release", 1))))
                .addCustomScenario(scenario(
                        thread(call(t, "acquire"), call(t, "tryAcquire")),
                        thread(call(t, "tryAcquire"), call(t, "release", 1), call(t, "value"))))
                .check(t);
    }
}
