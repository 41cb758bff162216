package dev.pyconc.multiprocessing;

import static dev.pyconc.testing.threading.ConditionContract.untilWaitingOn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.pyconc.testing.Threads;
import dev.pyconc.testing.threading.ConditionContract;
import dev.pyconc.threading.Condition;
import dev.pyconc.threading.Lockable;

/**
 * {@code threading.Condition} over this package's {@link Lock} and {@link RLock}, as Python's
 * {@code threading.Condition(multiprocessing.Lock())}: the waiting is among the threads of this
 * process, the lock is the shared one.
 */
@ExtendWith(NoLeaks.class)
class ThreadingConditionTest extends ConditionContract {

    @Override
    protected Lockable newLock() {
        return new Lock();
    }

    @Override
    protected Lockable newRLock() {
        return new RLock();
    }

    /** Between two threads over a shared Lock: signal wakes the waiter; waitFor with a timeout sees the change. */
    @Test
    void waitAndSignalBetweenThreadsOverASharedLock() {
        var lock = new Lock();
        var cond = new Condition(lock);
        int[] items = {0};                                   // guarded by lock
        var consumer = Threads.start("consumer", () -> {
            try (var _ = cond.enter()) {
                boolean first = cond.waitFor(() -> items[0] > 0, Duration.ofSeconds(30));
                items[0]--;
                return first + ", " + lock.locked();
            }
        });
        untilWaitingOn(consumer.thread(), cond);
        assertFalse(lock.locked(), "the waiter released the shared lock");
        try (var _ = cond.enter()) {
            items[0]++;
            cond.signal();
        }
        assertEquals("true, true", consumer.get());
        assertEquals(0, items[0]);
        assertFalse(lock.locked());
    }

    /** Over a shared RLock held three times: all levels are free while the owner waits, all back after. */
    @Test
    void sharedRLockRecursionRestoredAfterAwait() {
        var lock = new RLock();
        var cond = new Condition(lock);
        var waiter = Threads.start("waiter", () -> {
            lock.acquire();
            lock.acquire();
            lock.acquire();
            boolean signalled = cond.await(Duration.ofSeconds(30));
            int levels = lock.recursionCount();
            lock.release();
            lock.release();
            lock.release();
            return signalled + ", " + levels + " levels";
        });
        untilWaitingOn(waiter.thread(), cond);
        assertFalse(lock.locked());
        try (var _ = cond.enter()) {
            assertEquals(1, lock.recursionCount());
            cond.signal();
        }
        assertEquals("true, 3 levels", waiter.get());
        assertFalse(lock.locked());
    }
}
