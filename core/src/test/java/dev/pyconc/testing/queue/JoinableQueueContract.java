package dev.pyconc.testing.queue;

import static dev.pyconc.testing.Threads.untilParkedIn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.pyconc.testing.Threads;

/** The contract of a queue that counts unfinished tasks: taskDone and join. */
public abstract class JoinableQueueContract extends BoundedQueueContract {

    /** join returns at once when nothing was put. */
    @Test
    void joinWithoutTasks() {
        QueueOps<Integer> q = newQueue(0);
        q.join();
        assertTrue(q.empty());
    }

    /** join waits until taskDone was called once per item put, not merely until the queue is empty. */
    @Test
    void joinWaitsForEveryTask() {
        QueueOps<Integer> q = newQueue(0);
        q.put(1);
        q.put(2);
        var joiner = Threads.run("joiner", q::join);
        untilParkedIn(joiner.thread(), blockingClass());
        q.get();
        q.get();
        q.taskDone();
        untilParkedIn(joiner.thread(), blockingClass());
        assertTrue(joiner.thread().isAlive());
        q.taskDone();
        joiner.get();
    }

    /** More taskDone calls than items put throw IllegalStateException and leave the count at zero. */
    @Test
    void taskDoneTooManyTimes() {
        QueueOps<Integer> q = newQueue(0);
        q.put(1);
        q.get();
        q.taskDone();
        IllegalStateException e = assertThrows(IllegalStateException.class, q::taskDone);
        assertEquals("taskDone() called too many times", e.getMessage());
        q.join();
        q.put(2);
        q.get();
        q.taskDone();
        q.join();
    }

    /** An interrupted join throws InterruptedError with the flag set. */
    @Test
    void interruptedJoin() {
        QueueOps<Integer> q = newQueue(0);
        q.put(1);
        Threads.assertInterruptible(blockingClass(), q::join);
        q.get();
        q.taskDone();
        q.join();
    }
}
