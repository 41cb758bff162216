package dev.pyconc.testing.queue;

import static dev.pyconc.testing.Threads.untilParkedIn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.pyconc.testing.Threads;

/** The contract of Python 3.13's {@code shutdown(immediate)}. */
public abstract class ShutDownQueueContract extends JoinableQueueContract {

    /** The exception of put and get after shutdown (Python's queue.ShutDown). */
    protected Class<? extends RuntimeException> shutDownType() {
        return dev.pyconc.queue.ShutDown.class;
    }

    /** After shutdown(): every put throws ShutDown; get takes the items left, then throws ShutDown. */
    @Test
    void shutdownLetsItemsDrain() {
        QueueOps<Integer> q = newQueue(5);
        q.put(1);
        q.put(2);
        q.shutdown(false);
        assertThrows(shutDownType(), () -> q.put(3));
        assertThrows(shutDownType(), () -> q.putNowait(3));
        assertThrows(shutDownType(), () -> q.put(3, Duration.ZERO));
        assertEquals(2, q.qsize());
        assertEquals(expectedOrder(List.of(1, 2)), List.of(q.get(), q.getNowait()));
        assertThrows(shutDownType(), q::get);
        assertThrows(shutDownType(), q::getNowait);
        assertThrows(shutDownType(), () -> q.get(Duration.ofSeconds(30)));
        q.taskDone();
        q.taskDone();
        q.join();
    }

    /** Blocked gets of an empty queue wake with ShutDown when it is shut down. */
    @Test
    void shutdownWakesBlockedGets() {
        QueueOps<Integer> q = newQueue(0);
        var getter = Threads.start("getter", q::get);
        var timedGetter = Threads.start("timed-getter", () -> q.get(Duration.ofSeconds(30)));
        untilParkedIn(getter.thread(), blockingClass());
        untilParkedIn(timedGetter.thread(), blockingClass());
        q.shutdown(false);
        assertInstanceOf(shutDownType(), getter.failure());
        assertInstanceOf(shutDownType(), timedGetter.failure());
    }

    /** Blocked puts of a full queue wake with ShutDown; the items already in stay. */
    @Test
    void shutdownWakesBlockedPuts() {
        QueueOps<Integer> q = newQueue(1);
        q.put(1);
        var putter = Threads.run("putter", () -> q.put(2));
        var timedPutter = Threads.run("timed-putter", () -> q.put(3, Duration.ofSeconds(30)));
        untilParkedIn(putter.thread(), blockingClass());
        untilParkedIn(timedPutter.thread(), blockingClass());
        q.shutdown(false);
        assertInstanceOf(shutDownType(), putter.failure());
        assertInstanceOf(shutDownType(), timedPutter.failure());
        assertEquals(1, q.qsize());
        assertEquals(1, q.get());
    }

    /** shutdown(immediate) discards the items left, counts them done, releases join and wakes getters. */
    @Test
    void immediateShutdownDrainsAndReleasesJoin() {
        QueueOps<Integer> q = newQueue(0);
        q.put(1);
        q.put(2);
        q.put(3);
        var joiner = Threads.run("joiner", q::join);
        untilParkedIn(joiner.thread(), blockingClass());
        q.shutdown(true);
        joiner.get();
        assertEquals(0, q.qsize());
        assertTrue(q.empty());
        assertThrows(shutDownType(), q::get);
        assertThrows(shutDownType(), () -> q.put(4));
        assertThrows(IllegalStateException.class, q::taskDone);
    }

    /** shutdown(immediate) leaves join waiting for items already got but not yet marked done. */
    @Test
    void immediateShutdownKeepsTasksInProgress() {
        QueueOps<Integer> q = newQueue(0);
        q.put(1);
        q.put(2);
        q.get();                        // in progress, not done
        var joiner = Threads.run("joiner", q::join);
        untilParkedIn(joiner.thread(), blockingClass());
        q.shutdown(true);
        untilParkedIn(joiner.thread(), blockingClass());   // woken by shutdown, waiting again
        assertTrue(joiner.thread().isAlive());
        q.taskDone();
        joiner.get();
        assertThrows(IllegalStateException.class, q::taskDone);
    }
}
