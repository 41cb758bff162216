package dev.pyconc.stress.asyncio;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;

import dev.pyconc.asyncio.Asyncio;
import dev.pyconc.asyncio.Event;
import dev.pyconc.asyncio.EventLoop;
import dev.pyconc.asyncio.Queue;

/**
 * No lost wake-up: a task of the loop waits, another thread wakes it through
 * {@code callSoonThreadsafe}, and the waiting thread's {@code result()} returns.
 */
public class WakeUpTest {
    static final EventLoop LOOP = SharedLoop.LOOP;

    /** A task awaits an asyncio Event that another thread sets. */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The task saw the set() and its caller returned")
    @Outcome(id = "STALE",      expect = FORBIDDEN,  desc = "A set() from another thread was lost")
    @State
    public static class EventSet {
        private final Event event = new Event();

        @Actor
        public void actor1() {
            Asyncio.runCoroutineThreadsafe(event::await, LOOP).result();
        }

        @Signal
        public void signal() {
            LOOP.callSoonThreadsafe(event::set);
        }
    }

    /** A task gets from an asyncio Queue that another thread puts into. */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The task got the item and its caller returned")
    @Outcome(id = "STALE",      expect = FORBIDDEN,  desc = "A put from another thread was lost")
    @State
    public static class QueuePut {
        private final Queue<Integer> queue = new Queue<>();

        @Actor
        public void actor1() {
            Asyncio.runCoroutineThreadsafe(queue::get, LOOP).result();
        }

        @Signal
        public void signal() {
            LOOP.callSoonThreadsafe(() -> queue.putNowait(1));
        }
    }
}
