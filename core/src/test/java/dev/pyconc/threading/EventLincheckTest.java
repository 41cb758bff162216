package dev.pyconc.threading;

import static dev.pyconc.testing.Lincheck.call;
import static dev.pyconc.testing.Lincheck.scenario;
import static dev.pyconc.testing.Lincheck.thread;

import java.time.Duration;

import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;

import dev.pyconc.testing.Lincheck;

/**
 * Linearizability of Event (Lincheck's model checker): set, clear, isSet and await with a zero
 * timeout behave as one boolean flag. Blocking await runs in written scenarios with a set, where
 * an await that can never see it shows as a hang (a missing unpark alone does not: see Lincheck).
 */
class EventLincheckTest {

    /** The calls Lincheck makes on one event. */
    public static final class Ops {
        private final Event e = new Event();

        @Operation
        public void set() {
            e.set();
        }

        @Operation
        public void clear() {
            e.clear();
        }

        @Operation
        public boolean isSet() {
            return e.isSet();
        }

        @Operation
        public boolean awaitZero() {
            return e.await(Duration.ZERO);
        }

        /** Blocking: only in written scenarios. */
        public boolean await() {
            return e.await();
        }
    }

    /** The sequential specification: a flag. */
    public static final class Spec {
        private boolean flag;

        public void set() {
            flag = true;
        }

        public void clear() {
            flag = false;
        }

        public boolean isSet() {
            return flag;
        }

        public boolean awaitZero() {
            return flag;
        }

        /** An await that would block has no sequential outcome: such an order is not a linearization. */
        public boolean await() {
            if (!flag) {
                throw new IllegalStateException("await would block");
            }
            return true;
        }
    }

    /** Event behaves as a boolean flag. */
    @Test
    void event() {
        Lincheck.modelChecking(Spec.class).check(Ops.class);
    }

    /**
     * Blocking await: a waiter and a set, two waiters and a set. Every interleaving ends, each
     * await returning true. (A clear after the set would leave a waiter that starts after it
     * waiting for ever, as in Python: Lincheck cannot order it after the waiter's park.)
     */
    @Test
    void blockingAwait() {
        Class<?> t = Ops.class;
        Lincheck.modelChecking(Spec.class).iterations(0)
                .addCustomScenario(scenario(
                        thread(call(t, "await"), call(t, "isSet")),
                        thread(call(t, "set"))))
                .addCustomScenario(scenario(
                        thread(call(t, "await")),
                        thread(call(t, "await")),
                        thread(call(t, "set"), call(t, "isSet"))))
                .check(t);
    }
}
