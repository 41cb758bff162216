package dev.pyconc.stress.threading;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import dev.pyconc.threading.Event;

/** No lost wake-up of {@link Event#await()}, and what set() publishes is seen after await(). */
public class EventTest {

    /** A waiter is always woken by set(), whether it started waiting before or after. */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The waiter returned")
    @Outcome(id = "STALE",      expect = FORBIDDEN,  desc = "Lost wake-up: the waiter sleeps forever")
    @Outcome(                   expect = FORBIDDEN,  desc = "Impossible outcome")
    @State
    public static class LostWakeup {
        private final Event event = new Event();

        @Actor
        public void waiter() {
            event.await();
        }

        @Signal
        public void signal() {
            event.set();
        }
    }

    /** Writes before set() are visible after an await() or isSet() that saw it. */
    @JCStressTest
    @Outcome(id = {"0, 0", "0, 1", "1, 1"}, expect = ACCEPTABLE, desc = "Not set yet (data may or may not be visible), or set and published")
    @Outcome(id = "1, 0",                   expect = FORBIDDEN,  desc = "Saw the event set but not the data written before set()")
    @Outcome(                               expect = FORBIDDEN,  desc = "Impossible value")
    @State
    public static class Publication {
        private final Event event = new Event();
        private int data;

        @Actor
        public void setter() {
            data = 1;
            event.set();
        }

        @Actor
        public void reader(II_Result r) {
            boolean set = event.isSet();
            r.r1 = set ? 1 : 0;
            r.r2 = data;
        }
    }
}
